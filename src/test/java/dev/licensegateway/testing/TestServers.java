package dev.licensegateway.testing;

import dev.licensegateway.dev.EmbeddedServers;
import dev.licensegateway.signing.KeyRing;
import dev.licensegateway.signing.SigningAlg;
import dev.licensegateway.signing.SigningKeys;
import dev.licensegateway.store.Migrations;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real Postgres and Redis of the whole test run, started once per JVM (surefire runs
 * one), migrated once, and a key directory with one RSA and one Ed25519 key.
 */
public final class TestServers {

  private static EmbeddedServers servers;
  private static String schemaVersion;
  private static Path keysDir;

  private TestServers() {}

  public static synchronized EmbeddedServers get() {
    if (servers == null) {
      try {
        servers = EmbeddedServers.start();
        schemaVersion = Migrations.apply(servers.postgresUri());
        keysDir = Files.createTempDirectory("lgw-test-keys");
        SigningKeys.generate(SigningAlg.RSA_SHA256, keysDir);
        SigningKeys.generate(SigningAlg.ED25519, keysDir);
        Runtime.getRuntime().addShutdownHook(new Thread(servers::close));
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the embedded Postgres and Redis", e);
      }
    }
    return servers;
  }

  public static String schemaVersion() {
    get();
    return schemaVersion;
  }

  public static Path keysDir() {
    get();
    return keysDir;
  }

  public static KeyRing keyRing() {
    try {
      return new KeyRing(SigningKeys.load(keysDir()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
