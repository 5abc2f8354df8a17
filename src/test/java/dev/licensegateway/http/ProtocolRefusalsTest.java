package dev.licensegateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.licensegateway.Gateway;
import dev.licensegateway.testing.RawHttp;
import dev.licensegateway.testing.TestGateway;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 11, items 5 to 7: what the HTTP layer refuses before any route runs. Every refusal
 * the gateway writes is a 4xx with a JSON body, logs no error (anyone can send these, so
 * they must not page anyone), is never counted as a 5xx, and a request whose framing is
 * ambiguous is refused and its connection closed, so nothing can be smuggled behind it.
 */
class ProtocolRefusalsTest {

  private static final String BODY = "{\"license_key\":\"ABCDE-12345-FGHIJ-67890-KLMNO\"}";

  private static Gateway gateway;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    TestGateway.stop(gateway);
  }

  @BeforeEach
  void captureLogs() {
    logs.start();
    root().addAppender(logs);
  }

  @AfterEach
  void noErrorWasLogged() {
    root().detachAppender(logs);
    List<String> errors = logs.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null)
        .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage())
        .toList();
    assertEquals(List.of(), errors, "a client's malformed request is not the gateway's error");
  }

  @Test
  void aMalformedChunkSizeIsA400WithAJsonBodyAndClosesTheConnection() {
    for (String path : List.of("/license/validate", "/api/v1/license/status", "/api/v1/manage/products")) {
      try (RawHttp http = new RawHttp(gateway.port())) {
        RawHttp.Answer answer = http.exchange("POST " + path + " HTTP/1.1\r\nHost: gw\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + BODY + "\r\n0\r\n\r\n");
        assertEquals(400, answer.status(), path + ": " + answer.body());
        assertTrue(answer.json().containsKey("error"), path + ": " + answer.body());
        assertTrue(answer.announcesClose(), path + ": " + answer.headers());
        assertTrue(http.closedByServerWithin(5_000), path + ": the connection stayed open");
      }
    }
    assertNoServerErrorCounted();
  }

  @Test
  void headersTooLargeAnswer431WithAJsonBody() {
    try (RawHttp http = new RawHttp(gateway.port())) {
      RawHttp.Answer answer = http.exchange("GET /health/live HTTP/1.1\r\nHost: gw\r\nX-Padding: "
          + "a".repeat(20_000) + "\r\n\r\n");
      assertEquals(431, answer.status());
      assertEquals("headers_too_large", answer.json().getJsonObject("error").getString("code"), answer.body());
      assertEquals("application/json", answer.header("content-type"));
      assertTrue(http.closedByServerWithin(5_000));
    }
  }

  @Test
  void aTooLongUriAnswers414WithAJsonBody() {
    try (RawHttp http = new RawHttp(gateway.port())) {
      RawHttp.Answer answer = http.exchange("GET /health/live?q=" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: gw\r\n\r\n");
      assertEquals(414, answer.status(), answer.body());
      assertEquals("uri_too_long", answer.json().getJsonObject("error").getString("code"), answer.body());
      assertTrue(http.closedByServerWithin(5_000));
    }
  }

  @Test
  void http11WithoutHostAnswers400WithAJsonBody() {
    try (RawHttp http = new RawHttp(gateway.port())) {
      RawHttp.Answer answer = http.exchange("GET /health/live HTTP/1.1\r\n\r\n");
      assertEquals(400, answer.status());
      assertEquals("bad_request", answer.json().getJsonObject("error").getString("code"), answer.body());
    }
    try (RawHttp http = new RawHttp(gateway.port())) {
      RawHttp.Answer answer = http.exchange("GET /api/v1/manage/account HTTP/1.1\r\n\r\n");
      assertEquals(400, answer.status());
      assertEquals("bad_request", answer.json().getString("error"), "the management API's form: " + answer.body());
    }
  }

  @Test
  void garbageInsteadOfARequestLineAnswers400WithAJsonBody() {
    try (RawHttp http = new RawHttp(gateway.port())) {
      RawHttp.Answer answer = http.exchange("HELLO THERE\r\n\r\n");
      assertEquals(400, answer.status());
      assertTrue(answer.json().containsKey("error"), answer.body());
      assertTrue(http.closedByServerWithin(5_000));
    }
  }

  /** RFC 9112 6.3: a message with both is a smuggling attempt or a broken proxy; refuse and close. */
  @Test
  void contentLengthWithTransferEncodingIsRefusedAndTheConnectionClosed() {
    String smuggled = "GET /health/live HTTP/1.1\r\nHost: gw\r\n\r\n";
    String chunkedBody = Integer.toHexString(BODY.length()) + "\r\n" + BODY + "\r\n0\r\n\r\n";
    for (String version : List.of("HTTP/1.1", "HTTP/1.0")) {
      try (RawHttp http = new RawHttp(gateway.port())) {
        RawHttp.Answer answer = http.exchange("POST /license/validate " + version + "\r\nHost: gw\r\n"
            + "Content-Type: application/json\r\nContent-Length: " + chunkedBody.length() + "\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n" + chunkedBody + smuggled);
        assertEquals(400, answer.status(), version + ": " + answer.body());
        assertEquals("bad_request", answer.json().getJsonObject("error").getString("code"), answer.body());
        assertTrue(answer.announcesClose(), version);
        assertTrue(http.closedByServerWithin(5_000), version + ": the connection stayed open after both framings");
      }
    }
  }

  @Test
  void aTransferCodingOtherThanChunkedIsRefused() {
    for (String coding : List.of("gzip, chunked", "chunked, chunked", "identity")) {
      try (RawHttp http = new RawHttp(gateway.port())) {
        RawHttp.Answer answer = http.exchange("POST /license/validate HTTP/1.1\r\nHost: gw\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: " + coding + "\r\n\r\n"
            + Integer.toHexString(BODY.length()) + "\r\n" + BODY + "\r\n0\r\n\r\n");
        assertEquals(400, answer.status(), coding + ": " + answer.body());
        assertTrue(answer.json().containsKey("error"), answer.body());
        assertTrue(http.closedByServerWithin(5_000), coding + ": the connection stayed open");
      }
    }
  }

  @Test
  void aPlainChunkedRequestStillWorks() {
    try (RawHttp http = new RawHttp(gateway.port())) {
      RawHttp.Answer answer = http.exchange("POST /license/validate HTTP/1.1\r\nHost: gw\r\n"
          + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
          + Integer.toHexString(BODY.length()) + "\r\n" + BODY + "\r\n0\r\n\r\n");
      // A well-formed request the /license dialect reads: its own 422 for the missing machine id.
      assertEquals(422, answer.status(), answer.body());
      assertTrue(!answer.announcesClose(), "a good chunked request keeps its connection");
    }
  }

  private static void assertNoServerErrorCounted() {
    try (RawHttp http = new RawHttp(gateway.port())) {
      RawHttp.Answer metrics = http.exchange("GET /metrics HTTP/1.1\r\nHost: gw\r\n\r\n");
      List<String> serverErrors = metrics.body().lines()
          .filter(l -> l.startsWith("lgw_requests_seconds_count{") && l.contains("status=\"5")).toList();
      assertEquals(List.of(), serverErrors, "malformed requests counted as server errors");
    }
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  }
}
