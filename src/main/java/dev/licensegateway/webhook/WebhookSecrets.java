package dev.licensegateway.webhook;

import dev.licensegateway.infra.Hmac;
import dev.licensegateway.infra.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * Webhook signing secrets and the Standard Webhooks signature. A secret is {@code whsec_} and
 * the base64 of 32 random bytes; the bytes (not the text) key HMAC-SHA256 over
 * {@code "{webhook-id}.{webhook-timestamp}.{body}"}, and the header carries
 * {@code v1,<base64 MAC>}. The gateway must sign with it on every attempt, so it is stored
 * sealed ({@link Secrets#seal}) under the seal key and the endpoint's id, not as a digest.
 */
public final class WebhookSecrets {

  public static final String PREFIX = "whsec_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String sealKey;

  /** {@code sealKey}: the operator's key (LGW_WEBHOOK_SEAL_KEY or the native secret); null disables sealing. */
  public WebhookSecrets(String sealKey) {
    this.sealKey = sealKey;
  }

  public boolean available() {
    return sealKey != null && !sealKey.isBlank();
  }

  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getEncoder().encodeToString(bytes);
  }

  /** The secret sealed for one endpoint: a box moved to another endpoint's row does not open. */
  public byte[] seal(UUID endpointId, String secret) {
    return Secrets.seal(secret.getBytes(StandardCharsets.UTF_8), boxKey(endpointId));
  }

  /** The secret, or null when the box does not open (another seal key, or tampered). */
  public String open(UUID endpointId, byte[] box) {
    if (box == null) {
      return null;
    }
    Secrets.Opened opened = Secrets.open(box, boxKey(endpointId));
    return opened == null || opened.legacy() ? null : new String(opened.plaintext(), StandardCharsets.UTF_8);
  }

  private String boxKey(UUID endpointId) {
    return "lgw-webhook-secret:" + endpointId + ":" + sealKey;
  }

  /** One Standard Webhooks signature: {@code v1,<base64 HMAC-SHA256(secret bytes, id.timestamp.body)>}. */
  public static String sign(String secret, String id, long timestamp, byte[] body) {
    byte[] key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
    byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
    byte[] content = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, content, 0, prefix.length);
    System.arraycopy(body, 0, content, prefix.length, body.length);
    return "v1," + Base64.getEncoder().encodeToString(Hmac.sha256(key).mac(content));
  }
}
