package dev.licensegateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WebhookSecretsTest {

  /** The reference vector published with the Standard Webhooks specification. */
  @Test
  void signsTheStandardWebhooksReferenceVector() {
    assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WebhookSecrets.sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
        "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aSealedSecretOpensOnlyForItsEndpointAndSealKey() {
    WebhookSecrets secrets = new WebhookSecrets("seal-key-1");
    UUID endpoint = UUID.randomUUID();
    String secret = WebhookSecrets.newSecret();
    assertTrue(secret.matches("whsec_[A-Za-z0-9+/]{43}="), secret);
    byte[] box = secrets.seal(endpoint, secret);
    assertEquals(secret, secrets.open(endpoint, box));
    assertNull(secrets.open(UUID.randomUUID(), box), "a box moved to another endpoint's row does not open");
    assertNull(new WebhookSecrets("seal-key-2").open(endpoint, box), "another seal key does not open it");
    assertNotEquals(secret, new String(box, StandardCharsets.ISO_8859_1), "never stored in plaintext");
  }
}
