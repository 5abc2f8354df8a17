package dev.licensegateway.testing;

import dev.licensegateway.Gateway;
import dev.licensegateway.signing.KeyRing;
import dev.licensegateway.signing.SigningKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** Test gateways that sign with the keys of a directory of the test's own, for rotation tests. */
public final class SigningGateways {

  private SigningGateways() {}

  /** A gateway signing with {@code alg}, its key ring loaded from {@code keysDir} as {@code Main} would. */
  public static Gateway start(String alg, Path keysDir) {
    try {
      KeyRing keys = new KeyRing(SigningKeys.load(keysDir));
      return Gateway.start(TestGateway.config().withSigning(alg, keysDir.toString()), keys,
              TestServers.schemaVersion(), Clock.systemUTC())
          .await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test gateway failed to start with keys in " + keysDir, e);
    }
  }
}
