package dev.licensegateway.infra;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Every credential the gateway issues, from one CSPRNG, and the digest under which it is
 * stored: the plaintext of a key or secret is shown once and never written down.
 */
public final class Secrets {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final char[] KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

  private Secrets() {}

  /** docs/domain.md: {@code lk_live_} or {@code lk_test_} and 32 base62 characters. */
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

  /** docs/domain.md: {@code XXXXX-XXXXX-XXXXX-XXXXX-XXXXX} over A–Z and 0–9 (about 129 bits). */
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

  /**
   * A short, stable name of a presented credential (the first 128 bits of its digest, hex):
   * rate limits are keyed by it, so no plaintext credential is written to Redis and no
   * lookup is needed to charge it.
   */
  public static String digestId(String secret) {
    return java.util.HexFormat.of().formatHex(digest(secret), 0, 16);
  }

  /** An /auth session token: 256 random bits, base64url. */
  public static String sessionToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The first byte of a v2 box; legacy boxes have no version byte. */
  static final byte BOX_V2 = 0x02;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int V2_OVERHEAD = 1 + NONCE_BYTES + TAG_BITS / 8;
  /** Derives the v2 key and is its associated data; the legacy labels end in a digit, so never collide. */
  private static final byte[] BOX_LABEL = "lgw-session-box-v2".getBytes(StandardCharsets.UTF_8);

  /** An opened box: its plaintext, and whether it was a legacy box the caller should seal again. */
  public record Opened(byte[] plaintext, boolean legacy) {}

  /**
   * Seals a secret under a session token, so a session can sign with its app secret while the
   * database holds only the token's digest and this box: AES-256-GCM, keyed by HMAC-SHA256 of
   * a fixed label under the token. Layout: {@code 0x02 || nonce(12) || ciphertext+tag(16)}.
   */
  public static byte[] seal(byte[] plaintext, String token) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = boxCipher(Cipher.ENCRYPT_MODE, token, nonce);
      byte[] out = new byte[1 + NONCE_BYTES + cipher.getOutputSize(plaintext.length)];
      out[0] = BOX_V2;
      System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
      cipher.doFinal(plaintext, 0, plaintext.length, out, 1 + NONCE_BYTES);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Opens a box sealed under {@code token}; null when it does not open (tampered, or another
   * token's). A box starting 0x02 is tried as v2 first; a legacy box starts 0x02 once in 256,
   * so when the tag fails it is read as legacy, accepted only if that yields an app secret
   * (the one thing legacy boxes held): a tampered v2 box never does, as its length differs.
   */
  public static Opened open(byte[] box, String token) {
    if (box.length >= V2_OVERHEAD && box[0] == BOX_V2) {
      try {
        Cipher cipher = boxCipher(Cipher.DECRYPT_MODE, token, Arrays.copyOfRange(box, 1, 1 + NONCE_BYTES));
        return new Opened(cipher.doFinal(box, 1 + NONCE_BYTES, box.length - 1 - NONCE_BYTES), false);
      } catch (AEADBadTagException e) {
        // Not v2 under this token: maybe a legacy box, below.
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
    byte[] legacy = legacyXor(box, token);
    return isAppSecret(legacy) ? new Opened(legacy, true) : null;
  }

  private static Cipher boxCipher(int mode, String token, byte[] nonce) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(Hmac.sha256(token).mac(BOX_LABEL), "AES"), new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(BOX_LABEL);
    return cipher;
  }

  /**
   * LEGACY, read-only: the unauthenticated XOR keystream that sealed boxes before v2. Kept
   * only to open sessions created before then, which heartbeats re-seal; never seal with it.
   */
  private static byte[] legacyXor(byte[] data, String token) {
    Hmac keystream = Hmac.sha256(token);
    byte[] out = new byte[data.length];
    byte[] block = new byte[0];
    for (int i = 0; i < data.length; i++) {
      if (i % 32 == 0) {
        block = keystream.mac("lgw-session-box-" + (i / 32));
      }
      out[i] = (byte) (data[i] ^ block[i % 32]);
    }
    return out;
  }

  /** The shape {@link #appSecret()} has always had: {@code as_} and 40 base62 characters. */
  private static boolean isAppSecret(byte[] text) {
    if (text.length != 43 || text[0] != 'a' || text[1] != 's' || text[2] != '_') {
      return false;
    }
    for (int i = 3; i < text.length; i++) {
      byte b = text[i];
      if (!(b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z')) {
        return false;
      }
    }
    return true;
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
