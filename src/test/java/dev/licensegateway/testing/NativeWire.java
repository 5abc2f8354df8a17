package dev.licensegateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What docs/native-protocol.md promises on the native wire, as assertions. The error table is
 * copied from docs/native-protocol.md, not read from main code, so that a drift in the code fails a test.
 */
public final class NativeWire {

  /** One row of docs/native-protocol.md. */
  public record Code(int code, String name, int http, boolean retryable) {}

  /** docs/native-protocol.md: retryable is true for 1701, 1706, 1716, 1717 (and 5xx other than 1707). */
  public static final Map<Integer, Code> CODES = Map.ofEntries(
      row(1700, "LICENSE_API_BAD_SIGNATURE", 401, false),
      row(1701, "LICENSE_API_STALE_TIMESTAMP", 401, true),
      row(1702, "LICENSE_API_MALFORMED", 400, false),
      row(1703, "LICENSE_API_NOT_FOUND", 404, false),
      row(1704, "LICENSE_API_INACTIVE", 403, false),
      row(1705, "LICENSE_API_LIMIT_REACHED", 409, false),
      row(1706, "LICENSE_API_RATE_LIMITED", 429, true),
      row(1707, "LICENSE_API_SECRET_NOT_SET", 500, false),
      row(1708, "LICENSE_API_REVOKED", 403, false),
      row(1709, "LICENSE_API_MACHINE_NOT_ACTIVATED", 404, false),
      row(1710, "LICENSE_API_EXPIRED", 403, false),
      row(1711, "LICENSE_API_HEARTBEAT_REQUIRED", 403, false),
      row(1712, "LICENSE_API_ENTITLEMENTS_MISSING", 403, false),
      row(1713, "LICENSE_API_BLOCKED", 403, false),
      row(1714, "LICENSE_API_PRODUCT_UNAVAILABLE", 403, false),
      row(1715, "LICENSE_API_ACCOUNT_SUSPENDED", 403, false),
      row(1716, "LICENSE_API_QUOTA_EXHAUSTED", 429, true),
      row(1717, "LICENSE_API_UNAVAILABLE", 503, true),
      row(1718, "LICENSE_API_PAYLOAD_TOO_LARGE", 413, false),
      row(1719, "LICENSE_API_UNSUPPORTED_MEDIA_TYPE", 415, false));

  /** RFC 3339 in UTC, as docs/native-protocol.md writes times. */
  public static final Pattern RFC3339_UTC = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");

  /** What must never reach a client: a stack trace or a database message (STYLE, "Errors and input"). */
  private static final List<String> LEAKS = List.of(
      "Exception", "at dev.", "at io.", "\tat ", "Caused by", "SELECT", "syntax error", "PSQL", "postgres");

  private NativeWire() {}

  private static Map.Entry<Integer, Code> row(int code, String name, int http, boolean retryable) {
    return Map.entry(code, new Code(code, name, http, retryable));
  }

  /**
   * Asserts that {@code response} is native error {@code code} with the HTTP status, name and
   * retryable flag and the body shape of docs/native-protocol.md; returns the {@code error} object.
   */
  /** {@link #assertError}, returning the response for more checks. */
  public static HttpResponse<Buffer> assertErrorAndReturn(HttpResponse<Buffer> response, int code) {
    assertError(response, code);
    return response;
  }

  public static JsonObject assertError(HttpResponse<Buffer> response, int code) {
    Code expected = CODES.get(code);
    assertNotNull(expected, "not a docs/native-protocol.md code: " + code);
    String body = response.bodyAsString();
    assertEquals(expected.http(), response.statusCode(), () -> "HTTP status for " + code + "; body: " + body);
    JsonObject json = parse(response);
    JsonObject error = json.getJsonObject("error");
    assertNotNull(error, () -> "no error object in " + body);
    assertInstanceOf(Integer.class, error.getValue("code"), () -> "code must be an integer: " + body);
    assertEquals(code, error.getInteger("code"), () -> "error code; body: " + body);
    assertEquals(expected.name(), error.getValue("name"), () -> "error name; body: " + body);
    assertInstanceOf(String.class, error.getValue("message"), () -> "message must be a string: " + body);
    assertFalse(error.getString("message").isBlank(), () -> "message must say something: " + body);
    assertEquals(expected.retryable(), error.getValue("retryable"), () -> "retryable; body: " + body);
    if (code == 1702) {
      assertInstanceOf(JsonArray.class, error.getValue("details"), () -> "1702 needs a details list: " + body);
      assertFalse(error.getJsonArray("details").isEmpty(), () -> "1702 details must name a field: " + body);
      for (Object detail : error.getJsonArray("details")) {
        JsonObject d = assertInstanceOf(JsonObject.class, detail, () -> "a detail must be an object: " + body);
        assertInstanceOf(String.class, d.getValue("field"), () -> "detail field: " + body);
        assertInstanceOf(String.class, d.getValue("message"), () -> "detail message: " + body);
      }
    } else {
      assertFalse(error.containsKey("details"), () -> "details belong to 1702 only: " + body);
    }
    assertNotNull(response.getHeader("X-Request-Id"), "every response carries X-Request-Id (docs/native-protocol.md)");
    assertNoLeak(response);
    return error;
  }

  /** The fields a 1702 names in its details, in order, without repeats. */
  public static Set<String> detailFields(JsonObject error) {
    Set<String> fields = new LinkedHashSet<>();
    for (Object detail : error.getJsonArray("details")) {
      fields.add(((JsonObject) detail).getString("field"));
    }
    return fields;
  }

  /** A client never sees a stack trace, an exception name or a SQL message. */
  public static void assertNoLeak(HttpResponse<Buffer> response) {
    String body = response.bodyAsString() == null ? "" : response.bodyAsString();
    for (String leak : LEAKS) {
      assertFalse(body.contains(leak), () -> "response leaks \"" + leak + "\": " + body);
    }
  }

  /**
   * Asserts a docs/native-protocol.md success: HTTP 200, {@code data}, a Base64 {@code signature} that
   * verifies with the published key {@code kid} over the canonical bytes of {@code data},
   * and the fields every operation shares. Returns {@code data}.
   */
  public static JsonObject assertSigned(HttpResponse<Buffer> response, String licenseKey, String nonce) {
    String body = response.bodyAsString();
    assertEquals(200, response.statusCode(), () -> "expected success, got " + body);
    JsonObject json = parse(response);
    JsonObject data = json.getJsonObject("data");
    assertNotNull(data, () -> "no data in " + body);
    assertEquals("RSA-SHA256", json.getValue("alg"), "the test gateway signs with RSA-SHA256");
    assertInstanceOf(String.class, json.getValue("kid"), () -> "kid: " + body);
    assertInstanceOf(String.class, json.getValue("signature"), () -> "signature: " + body);
    assertTrue(verifies(json.getString("kid"), data, json.getString("signature")),
        () -> "signature does not verify over the canonical data: " + body);

    assertEquals(licenseKey, data.getValue("license_key"), "license_key");
    assertInstanceOf(String.class, data.getValue("status"), "status");
    assertTrue(data.containsKey("expires_at"), "expires_at is always present (null = never)");
    Object expires = data.getValue("expires_at");
    if (expires != null) {
      assertRfc3339Utc("expires_at", expires);
    }
    assertInstanceOf(Integer.class, data.getValue("max_machines"), "max_machines is an integer");
    assertInstanceOf(Integer.class, data.getValue("machines_used"), "machines_used is an integer");
    assertInstanceOf(JsonArray.class, data.getValue("entitlements"), "entitlements is a list");
    Instant issued = assertRfc3339Utc("issued_at", data.getValue("issued_at"));
    long skew = Math.abs(Instant.now().getEpochSecond() - issued.getEpochSecond());
    assertTrue(skew <= 60, "issued_at is the server's time now, not " + issued);
    assertEquals(nonce, data.getValue("nonce"), "nonce echoes X-License-Nonce");
    assertNotNull(response.getHeader("X-Request-Id"), "every response carries X-Request-Id");
    return data;
  }

  public static Instant assertRfc3339Utc(String field, Object value) {
    String text = assertInstanceOf(String.class, value, () -> field + " must be an RFC 3339 string, was " + value);
    assertTrue(RFC3339_UTC.matcher(text).matches(), () -> field + " must be RFC 3339 UTC, was " + text);
    return Instant.parse(text);
  }

  private static JsonObject parse(HttpResponse<Buffer> response) {
    String type = response.getHeader("Content-Type");
    assertNotNull(type, "responses are JSON with a Content-Type");
    assertTrue(type.startsWith("application/json"), () -> "Content-Type " + type);
    try {
      return response.bodyAsJsonObject();
    } catch (DecodeException e) {
      return fail("body is not a JSON object: " + response.bodyAsString());
    }
  }

  /** Published keys seen so far, by kid: each read from a running gateway's JWKS, never from main code. */
  private static final Map<String, ResponseSignatures.PublishedKey> PUBLISHED = new ConcurrentHashMap<>();

  private static boolean verifies(String kid, JsonObject data, String signatureB64) {
    ResponseSignatures.PublishedKey key = publishedKey(kid);
    try {
      Signature verifier = Signature.getInstance("SHA256withRSA");
      verifier.initVerify(key.publicKey());
      // docs/native-protocol.md: sorted keys at every level, compact; the fields here are ASCII.
      verifier.update(canonical(data).getBytes(StandardCharsets.UTF_8));
      return verifier.verify(Base64.getDecoder().decode(signatureB64));
    } catch (Exception e) {
      throw new AssertionError("cannot verify the signature", e);
    }
  }

  /** The key {@code kid} as a client gets it: from {@code GET /api/v1/keys} of the running gateways. */
  private static ResponseSignatures.PublishedKey publishedKey(String kid) {
    ResponseSignatures.PublishedKey known = PUBLISHED.get(kid);
    if (known != null) {
      return known;
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    for (int port : TestGateway.runningPorts()) {
      try {
        java.net.http.HttpResponse<String> jwks = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/v1/keys")).timeout(Duration.ofSeconds(30)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        if (jwks.statusCode() == 200) {
          PUBLISHED.putAll(ResponseSignatures.readJwks(new JsonObject(jwks.body())));
        }
      } catch (Exception e) {
        // A gateway being stopped: another running one publishes the same keys.
      }
      if (PUBLISHED.containsKey(kid)) {
        return PUBLISHED.get(kid);
      }
    }
    throw new AssertionError("kid " + kid + " is not published by any running gateway's JWKS");
  }

  /** RFC 8785 for the values of {@code data}: written here, not borrowed from main code. */
  static String canonical(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof JsonObject o) {
      StringBuilder out = new StringBuilder("{");
      o.fieldNames().stream().sorted().forEach(k -> {
        if (out.length() > 1) {
          out.append(',');
        }
        out.append(canonical(k)).append(':').append(canonical(o.getValue(k)));
      });
      return out.append('}').toString();
    }
    if (value instanceof JsonArray a) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < a.size(); i++) {
        out.append(i == 0 ? "" : ",").append(canonical(a.getValue(i)));
      }
      return out.append(']').toString();
    }
    if (value instanceof String s) {
      StringBuilder out = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          case '\b' -> out.append("\\b");
          case '\f' -> out.append("\\f");
          default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
      }
      return out.append('"').toString();
    }
    return String.valueOf(value);
  }
}
