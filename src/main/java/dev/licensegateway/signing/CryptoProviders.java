package dev.licensegateway.signing;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses who computes signatures: Amazon Corretto Crypto Provider (native AWS-LC) where it
 * loads, else the JDK for RSA and BouncyCastle for Ed25519, whose JDK 17 signer is about
 * 100 times slower.
 */
public final class CryptoProviders {

  private static final Logger LOG = LoggerFactory.getLogger(CryptoProviders.class);
  private static final Provider ACCP = loadAccp();
  private static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();

  private CryptoProviders() {}

  /** The provider for an algorithm's signatures and keys; null means the JDK's default. */
  public static Provider forAlg(SigningAlg alg) {
    if (ACCP != null) {
      return ACCP;
    }
    return alg == SigningAlg.ED25519 ? BOUNCY_CASTLE : null;
  }

  public static String describe(SigningAlg alg) {
    Provider p = forAlg(alg);
    return p == null ? "JDK" : p.getName();
  }

  public static boolean nativeAvailable() {
    return ACCP != null;
  }

  private static Provider loadAccp() {
    if (Boolean.getBoolean("lgw.crypto.noNative")) {
      return null;
    }
    try {
      AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
      if (accp.getLoadingError() != null) {
        LOG.info("native crypto provider not loaded ({}); using JDK/BouncyCastle signers",
            accp.getLoadingError().toString());
        return null;
      }
      accp.assertHealthy();
      return accp;
    } catch (Throwable e) {
      // Not on the classpath (non-Linux build) or its self-test failed: fall back, never crash.
      LOG.info("native crypto provider unavailable ({}); using JDK/BouncyCastle signers", e.toString());
      return null;
    }
  }
}
