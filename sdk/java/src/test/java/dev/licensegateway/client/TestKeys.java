package dev.licensegateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;

/** A key pair of either algorithm as the gateway has them, its JWK, and signatures made as the gateway makes them. */
final class TestKeys {

  final String kid;
  final TrustedKeys.Alg alg;
  final KeyPair pair;

  private TestKeys(String kid, TrustedKeys.Alg alg, KeyPair pair) {
    this.kid = kid;
    this.alg = alg;
    this.pair = pair;
  }

  static TestKeys rsa(String kid) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return new TestKeys(kid, TrustedKeys.Alg.RSA_SHA256, g.generateKeyPair());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static TestKeys ed25519(String kid) {
    try {
      return new TestKeys(kid, TrustedKeys.Alg.ED25519, KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  ObjectNode jwk() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    ObjectNode jwk = Json.MAPPER.createObjectNode().put("kid", kid).put("use", "sig");
    if (alg == TrustedKeys.Alg.RSA_SHA256) {
      RSAPublicKey rsa = (RSAPublicKey) pair.getPublic();
      jwk.put("kty", "RSA").put("alg", "RS256")
          .put("n", b64.encodeToString(unsigned(rsa.getModulus())))
          .put("e", b64.encodeToString(unsigned(rsa.getPublicExponent())));
    } else {
      byte[] spki = pair.getPublic().getEncoded();
      jwk.put("kty", "OKP").put("crv", "Ed25519").put("alg", "EdDSA")
          .put("x", b64.encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
    }
    return jwk;
  }

  static String jwks(TestKeys... keys) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ArrayNode list = root.putArray("keys");
    for (TestKeys k : keys) {
      list.add(k.jwk());
    }
    return root.toString();
  }

  /** Base64 signature over the canonical bytes of {@code data}. */
  String sign(JsonNode data) {
    try {
      Signature s = Signature.getInstance(alg.jca);
      s.initSign(pair.getPrivate());
      s.update(CanonicalJson.toBytes(data));
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  String envelope(JsonNode data) {
    return Json.MAPPER.createObjectNode().<ObjectNode>set("data", data)
        .put("signature", sign(data)).put("alg", alg.wireName).put("kid", kid).toString();
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 && bytes.length > 1 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }
}
