package dev.licensegateway.infra;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 with one key, the one way the gateway computes a MAC: request signatures
 * (native), response signatures (/auth) and key derivation. A {@link Mac} is not
 * thread-safe and costly to build, so each thread keeps its own.
 */
public final class Hmac {

  private static final String ALGORITHM = "HmacSHA256";
  private static final HexFormat HEX = HexFormat.of();

  private final ThreadLocal<Mac> macs;

  private Hmac(byte[] key) {
    SecretKeySpec spec = new SecretKeySpec(key, ALGORITHM);
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance(ALGORITHM);
        mac.init(spec);
        return mac;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  public static Hmac sha256(byte[] key) {
    return new Hmac(key);
  }

  public static Hmac sha256(String key) {
    return new Hmac(key.getBytes(StandardCharsets.UTF_8));
  }

  /** One MAC with a key used once (an app secret, a session token). */
  public static byte[] once(String key, byte[] data) {
    return sha256(key).mac(data);
  }

  public byte[] mac(byte[] data) {
    return macs.get().doFinal(data);
  }

  public byte[] mac(String data) {
    return mac(data.getBytes(StandardCharsets.UTF_8));
  }

  /** Lowercase hex, as every signature header of the gateway is written. */
  public String hex(byte[] data) {
    return HEX.formatHex(mac(data));
  }
}
