package dev.licensegateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway's public keys by {@code kid}, read from its JWKS: {@code RS256} RSA keys (the
 * envelope's {@code RSA-SHA256}) and {@code EdDSA} Ed25519 keys (the envelope's
 * {@code Ed25519}). Verification takes the algorithm from the key, never from the answer.
 */
final class TrustedKeys {

  /** An Ed25519 SubjectPublicKeyInfo is this fixed prefix followed by the 32-byte key (RFC 8410). */
  private static final byte[] ED25519_SPKI_PREFIX = {
      0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  enum Alg {
    RSA_SHA256("RSA-SHA256", "SHA256withRSA"), ED25519("Ed25519", "Ed25519");

    final String wireName;
    final String jca;

    Alg(String wireName, String jca) {
      this.wireName = wireName;
      this.jca = jca;
    }
  }

  record Key(String kid, Alg alg, PublicKey publicKey) {}

  private final Map<String, Key> byKid;
  private final String jwksJson;

  private TrustedKeys(Map<String, Key> byKid, String jwksJson) {
    this.byKid = Collections.unmodifiableMap(byKid);
    this.jwksJson = jwksJson;
  }

  static TrustedKeys empty() {
    return new TrustedKeys(new LinkedHashMap<>(), null);
  }

  /** Reads a JWKS; keys of a type this client does not use are skipped. Fails when no usable key is left. */
  static TrustedKeys parse(String jwksJson) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(jwksJson);
    } catch (Exception e) {
      throw new IllegalArgumentException("the JWKS is not valid JSON");
    }
    JsonNode keys = root == null ? null : root.get("keys");
    if (keys == null || !keys.isArray()) {
      throw new IllegalArgumentException("the JWKS has no \"keys\" array");
    }
    Map<String, Key> byKid = new LinkedHashMap<>();
    for (JsonNode jwk : keys) {
      Key key = readKey(jwk);
      if (key != null) {
        byKid.put(key.kid(), key);
      }
    }
    if (byKid.isEmpty()) {
      throw new IllegalArgumentException("the JWKS holds no RS256 or EdDSA/Ed25519 key");
    }
    return new TrustedKeys(byKid, jwksJson);
  }

  private static Key readKey(JsonNode jwk) {
    String kid = text(jwk, "kid");
    String kty = text(jwk, "kty");
    String alg = text(jwk, "alg");
    String use = text(jwk, "use");
    if (kid == null || kty == null || use != null && !use.equals("sig")) {
      return null;
    }
    try {
      if (kty.equals("RSA") && (alg == null || alg.equals("RS256"))) {
        BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode(text(jwk, "n")));
        BigInteger e = new BigInteger(1, Base64.getUrlDecoder().decode(text(jwk, "e")));
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        if (((RSAPublicKey) key).getModulus().bitLength() < 2048) {
          return null; // too weak to trust
        }
        return new Key(kid, Alg.RSA_SHA256, key);
      }
      if (kty.equals("OKP") && "Ed25519".equals(text(jwk, "crv")) && (alg == null || alg.equals("EdDSA"))) {
        byte[] x = Base64.getUrlDecoder().decode(text(jwk, "x"));
        if (x.length != 32) {
          return null;
        }
        byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
        System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
        System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, 32);
        return new Key(kid, Alg.ED25519, KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki)));
      }
    } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
      return null; // a malformed key is not a trusted key
    }
    return null;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  Key get(String kid) {
    return byKid.get(kid);
  }

  boolean isEmpty() {
    return byKid.isEmpty();
  }

  /** The JWKS these keys came from, as given. */
  String json() {
    return jwksJson;
  }

  /**
   * Verifies {@code signatureB64} over {@code canonical} with the key {@code kid} names.
   *
   * @throws SignatureMismatchException when the kid is unknown, the envelope's alg is not the
   *     key's, or the signature does not verify
   */
  void verify(String kid, String envelopeAlg, byte[] canonical, String signatureB64) {
    Key key = byKid.get(kid);
    if (key == null) {
      throw new SignatureMismatchException("no trusted key has kid " + kid);
    }
    if (!key.alg().wireName.equals(envelopeAlg)) {
      throw new SignatureMismatchException("the answer names alg " + envelopeAlg + " but key " + kid
          + " is " + key.alg().wireName);
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(signatureB64);
    } catch (IllegalArgumentException e) {
      throw new SignatureMismatchException("the signature is not Base64");
    }
    boolean ok;
    try {
      Signature verifier = Signature.getInstance(key.alg().jca);
      verifier.initVerify(key.publicKey());
      verifier.update(canonical);
      ok = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      ok = false; // a signature of the wrong length or form does not verify
    }
    if (!ok) {
      throw new SignatureMismatchException("the signature does not verify with key " + kid);
    }
  }
}
