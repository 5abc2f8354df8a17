package dev.licensegateway.infra;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Every credential the gateway issues, from one CSPRNG, and the digest under which it is
 * stored: the plaintext of a key or secret is shown once and never written down.
 */
public final class Secrets {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final char[] KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

  private Secrets() {}

  /** SPEC 1: {@code lk_live_} or {@code lk_test_} and 32 base62 characters. */
  public static String apiKey(String environment) {
    return "lk_" + environment + "_" + random(BASE62, 32);
  }

  /** The product key of the {@code /api/v1/validate} dialect: {@code kp_live_…}/{@code kp_test_…}. */
  public static String productKey(String environment) {
    return "kp_" + environment + "_" + random(BASE62, 32);
  }

  public static String appId() {
    return "app_" + random(BASE62, 20);
  }

  public static String appSecret() {
    return "as_" + random(BASE62, 40);
  }

  /** SPEC 1: {@code XXXXX-XXXXX-XXXXX-XXXXX-XXXXX} over A–Z and 0–9 (about 129 bits). */
  public static String licenseKey() {
    String raw = random(KEY_ALPHABET, 25);
    return String.join("-", raw.substring(0, 5), raw.substring(5, 10), raw.substring(10, 15),
        raw.substring(15, 20), raw.substring(20, 25));
  }

  /** An API key's environment from its prefix, or null when the text is not an API key. */
  public static String apiKeyEnvironment(String key) {
    if (key == null || key.length() != 40) {
      return null;
    }
    return key.startsWith("lk_live_") ? "live" : key.startsWith("lk_test_") ? "test" : null;
  }

  public static byte[] digest(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An /auth session token: 256 random bits, base64url. */
  public static String sessionToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Seals (or opens: XOR is its own inverse) a secret with a keystream derived from a
   * session token, so a session can sign with its app secret while the database holds
   * only the token's digest and this box.
   */
  public static byte[] box(byte[] data, String token) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] out = new byte[data.length];
      byte[] block = new byte[0];
      for (int i = 0; i < data.length; i++) {
        if (i % 32 == 0) {
          block = mac.doFinal(("lgw-session-box-" + (i / 32)).getBytes(StandardCharsets.UTF_8));
        }
        out[i] = (byte) (data[i] ^ block[i % 32]);
      }
      return out;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Constant-time comparison of a presented secret with a stored digest. */
  public static boolean matches(String presented, byte[] storedDigest) {
    return presented != null && storedDigest != null && MessageDigest.isEqual(digest(presented), storedDigest);
  }

  /** A display hint that identifies a key without revealing it. */
  public static String hint(String secret) {
    return secret.substring(0, secret.lastIndexOf('_') + 1) + "…" + secret.substring(secret.length() - 4);
  }

  private static String random(char[] alphabet, int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = alphabet[RANDOM.nextInt(alphabet.length)];
    }
    return new String(out);
  }
}
