package dev.licensegateway.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The native request signature: lowercase hex HMAC-SHA256 over
 * {@code v1\n{timestamp}\n{nonce}\n{METHOD}\n{path and query}\n{hex SHA-256 of the body}}.
 * Holds the secret; never prints it.
 */
final class RequestSigner {

  static final String TIMESTAMP_HEADER = "X-License-Timestamp";
  static final String NONCE_HEADER = "X-License-Nonce";
  static final String SIGNATURE_HEADER = "X-License-Signature";

  private static final HexFormat HEX = HexFormat.of();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  RequestSigner(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("the API secret is required");
    }
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /** 32 characters of {@code [A-Za-z0-9_-]} from 24 random bytes: fresh for every attempt. */
  static String newNonce() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String canonicalString(long timestamp, String nonce, String method, String pathAndQuery, byte[] body) {
    return "v1\n" + timestamp + "\n" + nonce + "\n" + method + "\n" + pathAndQuery + "\n" + sha256Hex(body);
  }

  String sign(long timestamp, String nonce, String method, String pathAndQuery, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256"); // Mac is not thread-safe: one per signature
      mac.init(key);
      byte[] out = mac.doFinal(canonicalString(timestamp, nonce, method, pathAndQuery, body)
          .getBytes(StandardCharsets.UTF_8));
      return HEX.formatHex(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  static String sha256Hex(byte[] body) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  @Override
  public String toString() {
    return "RequestSigner[secret hidden]";
  }
}
