package dev.licensegateway.gate;

import dev.licensegateway.infra.Hmac;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * docs/native-protocol.md request signing: HMAC-SHA256 over
 * {@code v1\n{timestamp}\n{nonce}\n{METHOD}\n{path and query}\n{hex SHA-256 of body}}.
 */
public final class RequestSignature {

  public static final String TIMESTAMP_HEADER = "X-License-Timestamp";
  public static final String NONCE_HEADER = "X-License-Nonce";
  public static final String SIGNATURE_HEADER = "X-License-Signature";

  private static final HexFormat HEX = HexFormat.of();

  private final Hmac hmac;
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  });

  public RequestSignature(String secret) {
    this.hmac = Hmac.sha256(secret);
  }

  /** The three headers, parsed; null members mean missing or malformed. */
  public record Headers(Long timestamp, String nonce, byte[] signature) {
    public boolean wellFormed() {
      return timestamp != null && nonce != null && signature != null;
    }
  }

  public static Headers parseHeaders(String timestamp, String nonce, String signature) {
    Long ts = isTimestamp(timestamp) ? Long.valueOf(timestamp) : null;
    String n = isNonce(nonce) ? nonce : null;
    byte[] sig = isHex(signature, 64) ? HEX.parseHex(signature) : null;
    return new Headers(ts, n, sig);
  }

  /** Unix seconds in canonical decimal: digits only, no sign, no leading zero, no padding. */
  static boolean isTimestamp(String s) {
    if (s == null || s.isEmpty() || s.length() > 12 || s.length() > 1 && s.charAt(0) == '0') {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** docs/native-protocol.md: 16–64 characters of {@code [A-Za-z0-9_-]}. */
  static boolean isNonce(String s) {
    if (s == null || s.length() < 16 || s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHex(String s, int length) {
    if (s == null || s.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (Character.digit(s.charAt(i), 16) < 0 || s.charAt(i) > 'f') {
        return false;
      }
    }
    return true;
  }

  public static String canonicalString(long timestamp, String nonce, String method, String pathAndQuery, byte[] body) {
    return "v1\n" + timestamp + "\n" + nonce + "\n" + method + "\n" + pathAndQuery + "\n" + sha256Hex(body);
  }

  public static String sha256Hex(byte[] body) {
    MessageDigest digest = SHA256.get();
    return HEX.formatHex(digest.digest(body));
  }

  /** Lowercase hex HMAC of the canonical string. */
  public String sign(long timestamp, String nonce, String method, String pathAndQuery, byte[] body) {
    return HEX.formatHex(mac(canonicalString(timestamp, nonce, method, pathAndQuery, body)));
  }

  /** Constant-time comparison of the presented MAC with the expected one (docs/native-protocol.md step 4). */
  public boolean verify(Headers headers, String method, String pathAndQuery, byte[] body) {
    byte[] expected = mac(canonicalString(headers.timestamp(), headers.nonce(), method, pathAndQuery, body));
    return MessageDigest.isEqual(expected, headers.signature());
  }

  private byte[] mac(String canonical) {
    return hmac.mac(canonical);
  }
}
