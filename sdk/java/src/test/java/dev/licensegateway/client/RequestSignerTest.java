package dev.licensegateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestSignerTest {

  @Test
  void theProtocolsWorkedVector() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    assertEquals("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", RequestSigner.sha256Hex(body));
    assertEquals("1360b5adffe0c07ff75c4e71583da8db087f25e79cd60044c3debab1b7345d07",
        new RequestSigner("s3cret").sign(1700000000L, "abcdefghijklmnop", "POST", "/api/v1/license/validate", body));
  }

  @Test
  void everyPartOfTheRequestIsSigned() {
    RequestSigner signer = new RequestSigner("s3cret");
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    String base = signer.sign(1700000000L, "abcdefghijklmnop", "POST", "/api/v1/license/validate", body);
    assertNotEquals(base, signer.sign(1700000001L, "abcdefghijklmnop", "POST", "/api/v1/license/validate", body));
    assertNotEquals(base, signer.sign(1700000000L, "abcdefghijklmnoq", "POST", "/api/v1/license/validate", body));
    assertNotEquals(base, signer.sign(1700000000L, "abcdefghijklmnop", "POST", "/api/v1/license/activate", body));
    assertNotEquals(base, signer.sign(1700000000L, "abcdefghijklmnop", "POST", "/api/v1/license/validate",
        "{ }".getBytes(StandardCharsets.UTF_8)));
    assertNotEquals(base, new RequestSigner("s3creT")
        .sign(1700000000L, "abcdefghijklmnop", "POST", "/api/v1/license/validate", body));
  }

  @Test
  void noncesAreFreshAndOfTheAllowedAlphabet() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String nonce = RequestSigner.newNonce();
      assertTrue(nonce.matches("[A-Za-z0-9_-]{16,64}"), nonce);
      assertTrue(seen.add(nonce), "nonce repeated: " + nonce);
    }
  }

  @Test
  void theSecretNeverShows() {
    String secret = "very-secret-value-42";
    assertFalse(new RequestSigner(secret).toString().contains(secret));
    LicenseClient.Builder builder = LicenseClient.builder().baseUrl("http://127.0.0.1:1").apiSecret(secret);
    assertFalse(builder.toString().contains(secret));
    try (LicenseClient client = builder.build()) {
      assertFalse(client.toString().contains(secret));
    }
  }
}
