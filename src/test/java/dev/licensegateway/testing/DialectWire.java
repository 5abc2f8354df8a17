package dev.licensegateway.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What docs/native-protocol.md promises on every response of every dialect, as assertions. */
public final class DialectWire {

  private static final Set<String> REQUEST_IDS = ConcurrentHashMap.newKeySet();

  private DialectWire() {}

  /**
   * Never a 5xx for what a client sends; a JSON body; a unique {@code X-Request-Id}; and
   * {@code X-RateLimit-Limit/Remaining/Reset} describing a real bucket.
   */
  public static void assertCommonHeaders(HttpResponse<Buffer> response) {
    String where = response.statusCode() + " " + response.bodyAsString();
    assertTrue(response.statusCode() < 500, () -> "a client's request answered " + where);
    String type = response.getHeader("Content-Type");
    assertNotNull(type, () -> "no Content-Type: " + where);
    assertTrue(type.startsWith("application/json"), () -> "Content-Type " + type + ": " + where);

    String id = response.getHeader("X-Request-Id");
    assertNotNull(id, () -> "no X-Request-Id: " + where);
    assertFalse(id.isBlank(), () -> "blank X-Request-Id: " + where);
    assertTrue(REQUEST_IDS.add(id), () -> "X-Request-Id " + id + " was given to an earlier response");

    long limit = header(response, "X-RateLimit-Limit");
    long remaining = header(response, "X-RateLimit-Remaining");
    long reset = header(response, "X-RateLimit-Reset");
    long now = System.currentTimeMillis() / 1000;
    assertTrue(limit > 0, () -> "X-RateLimit-Limit " + limit + ": " + where);
    assertTrue(remaining >= 0 && remaining <= limit,
        () -> "X-RateLimit-Remaining " + remaining + " of " + limit + ": " + where);
    // Unix seconds: a time near now, not milliseconds and not a duration. Near, because the
    // answer may be checked well after it came (a race test awaits all its answers first).
    assertTrue(reset >= now - 300 && reset <= now + 86_400, () -> "X-RateLimit-Reset " + reset + " at " + now);
  }

  public static long header(HttpResponse<Buffer> response, String name) {
    String value = response.getHeader(name);
    assertNotNull(value, () -> "no " + name + " on " + response.statusCode() + " " + response.bodyAsString());
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new AssertionError(name + " is not an integer: " + value);
    }
  }
}
