package dev.licensegateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a client does with a signed response (docs/native-protocol.md), written apart from the gateway's
 * own signing code: read the JWKS, rebuild each public key with the JDK's providers only,
 * canonicalize {@code data} and check the signature.
 */
public final class ResponseSignatures {

  /** RFC 8410: the SPKI of an Ed25519 key is this header followed by the 32 key bytes. */
  private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final Pattern BASE64URL_UNPADDED = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern BASE64_PADDED = Pattern.compile("[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})");

  private ResponseSignatures() {}

  /**
   * One published key: its JWK and the public key rebuilt from it. {@code alg} is the name the
   * response envelope uses for it (docs/native-protocol.md: {@code RSA-SHA256} or {@code Ed25519}), read from
   * the JWK's JOSE name ({@code RS256} or {@code EdDSA}).
   */
  public record PublishedKey(String kid, String alg, PublicKey publicKey, JsonObject jwk) {}

  /** Checks every JWK's members (RFC 7517/7518/8037) and rebuilds its key; by kid. */
  public static Map<String, PublishedKey> readJwks(JsonObject jwks) {
    JsonArray keys = jwks.getJsonArray("keys");
    assertNotNull(keys, "a JWKS has a keys array");
    Map<String, PublishedKey> byKid = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      JsonObject jwk = keys.getJsonObject(i);
      String kid = jwk.getString("kid");
      String alg = jwk.getString("alg");
      String kty = jwk.getString("kty");
      assertNotNull(kid, "kid of " + jwk);
      assertNotNull(alg, "alg of " + jwk);
      assertNotNull(kty, "kty of " + jwk);
      // A private member in a published key would hand out the signing key.
      for (String secret : List.of("d", "p", "q", "dp", "dq", "qi")) {
        assertFalse(jwk.containsKey(secret), "published JWK " + kid + " holds private member " + secret);
      }
      PublicKey key;
      String envelopeAlg;
      switch (alg) {
        case "RS256" -> {
          envelopeAlg = "RSA-SHA256";
          assertEquals("RSA", kty, kid);
          byte[] n = base64Url(jwk, "n");
          byte[] e = base64Url(jwk, "e");
          // RFC 7518 6.3.1: unsigned big-endian, no leading zero octet.
          assertNotEquals(0, n[0], "n of " + kid + " has a leading zero");
          assertNotEquals(0, e[0], "e of " + kid + " has a leading zero");
          key = rsa(n, e);
          assertEquals(2048, new BigInteger(1, n).bitLength(), "docs/native-protocol.md: 2048-bit RSA, " + kid);
        }
        case "EdDSA" -> {
          envelopeAlg = "Ed25519";
          assertEquals("OKP", kty, kid);
          assertEquals("Ed25519", jwk.getString("crv"), kid);
          byte[] x = base64Url(jwk, "x");
          assertEquals(32, x.length, "x of " + kid);
          key = ed25519(x);
        }
        default -> throw new AssertionError("unexpected alg " + alg + " in " + jwk + " (JOSE names RS256 and EdDSA)");
      }
      assertFalse(byKid.containsKey(kid), "kid " + kid + " published twice");
      byKid.put(kid, new PublishedKey(kid, envelopeAlg, key, jwk));
    }
    return byKid;
  }

  private static byte[] base64Url(JsonObject jwk, String member) {
    String value = jwk.getString(member);
    assertNotNull(value, member + " of " + jwk);
    assertTrue(BASE64URL_UNPADDED.matcher(value).matches(), member + " is not unpadded base64url: " + value);
    return Base64.getUrlDecoder().decode(value);
  }

  public static PublicKey rsa(byte[] n, byte[] e) {
    try {
      return KeyFactory.getInstance("RSA", "SunRsaSign")
          .generatePublic(new RSAPublicKeySpec(new BigInteger(1, n), new BigInteger(1, e)));
    } catch (GeneralSecurityException ex) {
      throw new AssertionError("cannot rebuild RSA key", ex);
    }
  }

  public static PublicKey ed25519(byte[] x) {
    byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + x.length);
    System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, x.length);
    try {
      return KeyFactory.getInstance("Ed25519", "SunEC").generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException ex) {
      throw new AssertionError("cannot rebuild Ed25519 key", ex);
    }
  }

  /** Decodes a signature that must be standard-alphabet, padded Base64 (docs/native-protocol.md). */
  public static byte[] signatureBytes(String signature) {
    assertNotNull(signature, "signature");
    assertTrue(BASE64_PADDED.matcher(signature).matches(), "not padded standard Base64: " + signature);
    return Base64.getDecoder().decode(signature);
  }

  /** Verifies with the JDK's own providers, whatever the gateway signed with. */
  public static boolean verifies(PublishedKey key, byte[] data, byte[] signature) {
    try {
      Signature verifier = switch (key.alg()) {
        case "RSA-SHA256" -> Signature.getInstance("SHA256withRSA", "SunRsaSign");
        case "Ed25519" -> Signature.getInstance("Ed25519", "SunEC");
        default -> throw new AssertionError("unexpected alg " + key.alg());
      };
      verifier.initVerify(key.publicKey());
      verifier.update(data);
      return verifier.verify(signature);
    } catch (GeneralSecurityException ex) {
      throw new AssertionError("cannot verify with " + key.kid(), ex);
    }
  }

  /** The exact bytes of a top-level member's value in a JSON object text, as sent. */
  public static byte[] rawMember(byte[] body, String member) {
    try (JsonParser parser = new JsonFactory().createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new AssertionError("body is not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        int start = (int) parser.currentTokenLocation().getByteOffset();
        parser.skipChildren();
        int end = (int) parser.currentLocation().getByteOffset();
        if (name.equals(member)) {
          return Arrays.copyOfRange(body, start, end);
        }
      }
      throw new AssertionError("no member " + member);
    } catch (IOException e) {
      throw new AssertionError("body is not JSON", e);
    }
  }

  /**
   * RFC 8785 form of the values signed data may hold (docs/native-protocol.md: integers only), written
   * here apart from the gateway's CanonicalJson so the two can disagree.
   */
  public static String canonical(Object value) {
    StringBuilder out = new StringBuilder();
    writeCanonical(out, value);
    return out.toString();
  }

  private static void writeCanonical(StringBuilder out, Object value) {
    if (value instanceof JsonObject o) {
      value = o.getMap();
    } else if (value instanceof JsonArray a) {
      value = a.getList();
    }
    if (value == null) {
      out.append("null");
    } else if (value instanceof Map<?, ?> map) {
      Map<String, Object> sorted = new TreeMap<>(); // String order is UTF-16 code-unit order
      map.forEach((k, v) -> sorted.put((String) k, v));
      out.append('{');
      String sep = "";
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        out.append(sep);
        sep = ",";
        quote(out, e.getKey());
        out.append(':');
        writeCanonical(out, e.getValue());
      }
      out.append('}');
    } else if (value instanceof Collection<?> items) {
      out.append('[');
      String sep = "";
      for (Object item : items) {
        out.append(sep);
        sep = ",";
        writeCanonical(out, item);
      }
      out.append(']');
    } else if (value instanceof String s) {
      quote(out, s);
    } else if (value instanceof Boolean b) {
      out.append(b);
    } else if (value instanceof Integer || value instanceof Long) {
      out.append(value);
    } else {
      throw new AssertionError("signed data holds a " + value.getClass().getSimpleName() + ": " + value);
    }
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        String shortForm = switch (c) {
          case '\b' -> "\\b";
          case '\t' -> "\\t";
          case '\n' -> "\\n";
          case '\f' -> "\\f";
          case '\r' -> "\\r";
          default -> String.format("\\u%04x", (int) c);
        };
        out.append(shortForm);
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
