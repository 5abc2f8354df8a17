package dev.licensegateway.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import dev.licensegateway.Gateway;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.ResponseSignatures;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/native-protocol.md with a standard JOSE library on the client's side (issue 11, item 16): Nimbus
 * JOSE+JWT parses {@code GET /api/v1/keys} as a JWKS in RFC 7518 / RFC 8037 names and,
 * with the key the answer's kid names, verifies the signature over the canonical bytes of
 * {@code data}, for either algorithm; the envelope keeps the contract's names.
 */
class JoseInteropTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  @ParameterizedTest
  @EnumSource(SigningAlg.class)
  void nimbusVerifiesASignedAnswerWithThePublishedKeyOfItsKid(SigningAlg alg) throws Exception {
    Gateway gateway = TestGateway.start(c -> c.withSigning(alg.wireName(), TestServers.keysDir().toString()));
    NativeClient client = new NativeClient(vertx, gateway.port());
    try {
      HttpResponse<Buffer> keys = client.get("/api/v1/keys").await(30, TimeUnit.SECONDS);
      assertEquals(200, keys.statusCode());
      JWKSet jwks = JWKSet.parse(keys.bodyAsString());
      assertEquals(TestServers.keyRing().keys().size(), jwks.getKeys().size());
      for (JWK jwk : jwks.getKeys()) {
        assertFalse(jwk.isPrivate(), "published key " + jwk.getKeyID() + " holds private members");
        assertEquals(KeyUse.SIGNATURE, jwk.getKeyUse());
        if (jwk.getKeyType() == KeyType.RSA) {
          assertEquals(JWSAlgorithm.RS256, jwk.getAlgorithm(), jwk.toJSONString());
        } else {
          assertEquals(KeyType.OKP, jwk.getKeyType(), jwk.toJSONString());
          assertEquals(JWSAlgorithm.EdDSA, jwk.getAlgorithm(), jwk.toJSONString());
          assertEquals(Curve.Ed25519, ((OctetKeyPair) jwk).getCurve());
        }
      }

      Fixtures.License license = Fixtures.license();
      HttpResponse<Buffer> answer = client.call("activate", new JsonObject().put("license_key", license.key())
          .put("machine_id", Fixtures.randomMachineId())).await(30, TimeUnit.SECONDS);
      assertEquals(200, answer.statusCode(), answer.bodyAsString());
      JsonObject envelope = answer.bodyAsJsonObject();
      assertEquals(alg.wireName(), envelope.getString("alg"), "the envelope keeps the contract's name");

      JWK key = jwks.getKeyByKeyId(envelope.getString("kid"));
      assertNotNull(key, "the kid of the answer is published");
      byte[] data = ResponseSignatures.rawMember(answer.body().getBytes(), "data");
      Base64URL signature = Base64URL.encode(Base64.getDecoder().decode(envelope.getString("signature")));
      JWSVerifier verifier = verifierFor(key);
      JWSHeader header = new JWSHeader(JWSAlgorithm.parse(key.getAlgorithm().getName()));
      assertTrue(verifier.verify(header, data, signature), "Nimbus rejects the signature over data");

      byte[] tampered = data.clone();
      tampered[tampered.length / 2] ^= 1;
      assertFalse(verifier.verify(header, tampered, signature), "a changed byte of data must not verify");
    } finally {
      client.close();
      TestGateway.stop(gateway);
    }
  }

  /** What a client does with a JWK: the verifier its kty and alg call for. */
  private static JWSVerifier verifierFor(JWK key) throws Exception {
    if (key instanceof RSAKey rsa) {
      assertEquals(JWSAlgorithm.RS256, rsa.getAlgorithm());
      return new RSASSAVerifier(rsa);
    }
    OctetKeyPair okp = assertInstanceOf(OctetKeyPair.class, key);
    assertEquals(JWSAlgorithm.EdDSA, okp.getAlgorithm());
    return new Ed25519Verifier(okp);
  }
}
