package dev.licensegateway.testing;

import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A copy of the session box the gateway wrote before v2 (an XOR keystream of HMAC-SHA256
 * blocks keyed by the token), so tests of the migration do not depend on the main code's copy.
 */
public final class LegacyBox {

  private LegacyBox() {}

  public static byte[] box(byte[] data, String token) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
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
}
