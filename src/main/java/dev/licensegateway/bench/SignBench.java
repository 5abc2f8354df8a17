package dev.licensegateway.bench;

import dev.licensegateway.signing.CanonicalJson;
import dev.licensegateway.signing.CryptoProviders;
import dev.licensegateway.signing.KeyRing;
import dev.licensegateway.signing.SigningAlg;
import dev.licensegateway.signing.SigningKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.Signature;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * {@code bench sign}: response signatures per second on one thread, for each algorithm and
 * each provider available here. A harness that prints figures, not a timed test.
 */
public final class SignBench {

  private SignBench() {}

  public static void run(double seconds) throws Exception {
    byte[] data = CanonicalJson.toBytes(Map.of(
        "license_key", "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY", "machine_id", "a".repeat(64), "status", "active",
        "valid", true, "expires_at", "2027-01-01T00:00:00Z", "max_machines", 5, "machines_used", 2,
        "entitlements", List.of("export", "pro"), "issued_at", "2026-11-24T10:00:00Z", "nonce", "n".repeat(24)));
    Path dir = Files.createTempDirectory("lgw-bench-keys");
    SigningKeys.generate(SigningAlg.RSA_SHA256, dir);
    SigningKeys.generate(SigningAlg.ED25519, dir);
    KeyRing ring = new KeyRing(SigningKeys.load(dir));
    System.out.printf("payload %d bytes, %.1f s per run, one thread%n", data.length, seconds);
    for (SigningAlg alg : SigningAlg.values()) {
      var key = ring.keys().stream().filter(k -> k.alg() == alg).findFirst().orElseThrow();
      for (Provider provider : providers(alg)) {
        Signature signature = provider == null
            ? Signature.getInstance(alg.jcaSignature())
            : Signature.getInstance(alg.jcaSignature(), provider);
        try {
          signature.initSign(key.privateKey());
        } catch (java.security.InvalidKeyException e) {
          System.out.printf("%-10s %-28s cannot use this key (%s)%n", alg.wireName(), name(provider), e.getMessage());
          continue;
        }
        measure(alg, name(provider), signature, data, seconds);
      }
      // The path responses take: the key ring's signer, whichever provider it chose.
      var signer = ring.signer(alg).orElseThrow();
      long end = System.nanoTime() + (long) (seconds * 1e9);
      long count = 0;
      long start = System.nanoTime();
      while (System.nanoTime() < end) {
        signer.sign(data);
        count++;
      }
      System.out.printf("%-10s %-28s %,10.0f sig/s%n", alg.wireName(), "gateway signer",
          count / ((System.nanoTime() - start) / 1e9));
    }
  }

  private static List<Provider> providers(SigningAlg alg) {
    java.util.ArrayList<Provider> list = new java.util.ArrayList<>();
    list.add(null); // the JDK's own
    if (alg == SigningAlg.ED25519) {
      list.add(new BouncyCastleProvider());
    }
    Provider accp = CryptoProviders.loadNative().provider(); // null where ACCP has no build
    if (accp != null) {
      list.add(accp);
    }
    return list;
  }

  private static String name(Provider provider) {
    return provider == null ? "JDK" : provider.getName();
  }

  private static void measure(SigningAlg alg, String provider, Signature signature, byte[] data, double seconds)
      throws Exception {
    for (int i = 0; i < 200; i++) { // warm-up
      signature.update(data);
      signature.sign();
    }
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long count = 0;
    long start = System.nanoTime();
    while (System.nanoTime() < end) {
      signature.update(data);
      signature.sign();
      count++;
    }
    System.out.printf("%-10s %-28s %,10.0f sig/s%n", alg.wireName(), provider,
        count / ((System.nanoTime() - start) / 1e9));
  }
}
