package dev.licensegateway.webhook;

import dev.licensegateway.testing.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The receiver's side of Standard Webhooks, written from the scheme alone (no gateway code):
 * the secret is {@code whsec_} + base64 of the key bytes; each space-separated entry of
 * {@code webhook-signature} is {@code v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>};
 * the timestamp must be within five minutes of now.
 */
final class StandardWebhooks {

  private static final long TOLERANCE_SECONDS = 300;

  private StandardWebhooks() {}

  /** Whether some signature of the request verifies under {@code secret}, with a fresh timestamp. */
  static boolean verifies(String secret, WebhookReceiver.Received r) {
    String id = r.header("webhook-id");
    String timestamp = r.header("webhook-timestamp");
    String signatures = r.header("webhook-signature");
    if (id == null || timestamp == null || signatures == null) {
      return false;
    }
    long now = System.currentTimeMillis() / 1000;
    if (Math.abs(now - Long.parseLong(timestamp)) > TOLERANCE_SECONDS) {
      return false;
    }
    byte[] expected = Base64.getEncoder().encode(hmac(secret, id + "." + timestamp + "." + r.body()));
    for (String entry : signatures.split(" ")) {
      String[] parts = entry.split(",", 2);
      if (parts.length == 2 && parts[0].equals("v1")
          && MessageDigest.isEqual(parts[1].getBytes(StandardCharsets.US_ASCII), expected)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] hmac(String secret, String content) {
    try {
      byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
