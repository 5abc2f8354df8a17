package dev.licensegateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TrustedKeysTest {

  private static final TestKeys RSA = TestKeys.rsa("rsa-1");
  private static final TestKeys ED = TestKeys.ed25519("ed-1");

  private static JsonNode data() throws Exception {
    return Json.MAPPER.readTree("{\"status\":\"active\",\"valid\":true,\"machines_used\":1,\"issued_at\":\"2026-01-01T00:00:00Z\"}");
  }

  private static TestKeys keys(String which) {
    return which.equals("rsa") ? RSA : ED;
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsa", "ed25519"})
  void aSignatureOfTheNamedKeyVerifies(String which) throws Exception {
    TestKeys k = keys(which);
    TrustedKeys trusted = TrustedKeys.parse(TestKeys.jwks(RSA, ED));
    trusted.verify(k.kid, k.alg.wireName, CanonicalJson.toBytes(data()), k.sign(data()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsa", "ed25519"})
  void changedDataOrAnotherSignatureFails(String which) throws Exception {
    TestKeys k = keys(which);
    TrustedKeys trusted = TrustedKeys.parse(TestKeys.jwks(RSA, ED));
    ObjectNode changed = (ObjectNode) data();
    changed.put("machines_used", 2);
    String good = k.sign(data());
    assertThrows(SignatureMismatchException.class,
        () -> trusted.verify(k.kid, k.alg.wireName, CanonicalJson.toBytes(changed), good));
    String other = k.sign(changed);
    assertThrows(SignatureMismatchException.class,
        () -> trusted.verify(k.kid, k.alg.wireName, CanonicalJson.toBytes(data()), other));
    assertThrows(SignatureMismatchException.class,
        () -> trusted.verify(k.kid, k.alg.wireName, CanonicalJson.toBytes(data()), "not base64!"));
  }

  @Test
  void theKeyDecidesTheAlgorithmAndTheKidMustBeKnown() throws Exception {
    TrustedKeys trusted = TrustedKeys.parse(TestKeys.jwks(RSA));
    byte[] bytes = CanonicalJson.toBytes(data());
    assertThrows(SignatureMismatchException.class, () -> trusted.verify(ED.kid, ED.alg.wireName, bytes, ED.sign(data())));
    assertThrows(SignatureMismatchException.class, () -> trusted.verify(RSA.kid, "Ed25519", bytes, RSA.sign(data())));
  }

  @Test
  void weakForeignAndBrokenKeysAreNotTrusted() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    RSAPublicKey weak = (RSAPublicKey) g.generateKeyPair().getPublic();
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String jwks = "{\"keys\":[" + RSA.jwk() + ","
        + "{\"kid\":\"weak\",\"kty\":\"RSA\",\"alg\":\"RS256\",\"n\":\"" + b64.encodeToString(weak.getModulus().toByteArray())
        + "\",\"e\":\"AQAB\"},"
        + "{\"kid\":\"ec\",\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"},"
        + "{\"kid\":\"short\",\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"},"
        + "{\"kid\":\"enc\",\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}";
    TrustedKeys trusted = TrustedKeys.parse(jwks);
    assertNotNull(trusted.get(RSA.kid));
    assertNull(trusted.get("weak"));
    assertNull(trusted.get("ec"));
    assertNull(trusted.get("short"));
    assertNull(trusted.get("enc"));
    assertThrows(IllegalArgumentException.class, () -> TrustedKeys.parse("{\"keys\":[]}"));
    assertThrows(IllegalArgumentException.class, () -> TrustedKeys.parse("not json"));
    assertEquals(TrustedKeys.Alg.ED25519, TrustedKeys.parse(TestKeys.jwks(ED)).get(ED.kid).alg());
  }
}
