package dev.licensegateway.manage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.licensegateway.Gateway;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.RawHttp;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 11, items 4, 8 and 9: input the management API must refuse as the client's mistake,
 * in its own error form ({@code {"error": "<code>", "message", "details"?}}), never as a
 * defect: malformed percent-encoding, a body that is not {@code application/json}, and an
 * {@code expires_at} Postgres cannot store as the instant it names.
 */
class ManageBadInputTest {

  private static Gateway gateway;
  private static Vertx vertx;
  private ManageClient api;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    TestGateway.stop(gateway);
    vertx.close();
  }

  @BeforeEach
  void newAccount() {
    api = new ManageClient(vertx, gateway.port(), ManageClient.newAccount(null).apiKey());
    logs.start();
    root().addAppender(logs);
  }

  @AfterEach
  void noErrorWasLogged() {
    root().detachAppender(logs);
    List<String> errors = logs.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null)
        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
        .toList();
    assertEquals(List.of(), errors, "a client's bad input is not the gateway's error");
  }

  @Test
  void malformedPercentEncodingIsABadRequestInThisApisForm() {
    JsonObject license = newLicense();
    List<String> requests = List.of(
        "GET /api/v1/manage/licenses?limit=%zz",
        "GET /api/v1/manage/licenses?status=%",
        "GET /api/v1/manage/policies?product_id=%G1",
        "DELETE /api/v1/manage/licenses/" + license.getString("id") + "/machines/%zz",
        "GET /api/v1/manage/licenses/%zz",
        "DELETE /api/v1/manage/licenses/" + license.getString("id") + "/ips/%");
    for (String request : requests) {
      try (RawHttp http = new RawHttp(gateway.port())) {
        RawHttp.Answer answer = http.exchange(request + " HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "
            + api.apiKey() + "\r\n\r\n");
        assertEquals(400, answer.status(), request + ": " + answer.body());
        assertEquals("application/json", answer.header("content-type"), request);
        assertEquals("bad_request", answer.json().getString("error"), request + ": " + answer.body());
        assertTrue(answer.json().getString("message").length() > 0, request);
      }
    }
  }

  @Test
  void aBodyThatIsNotApplicationJsonIs415() {
    for (String type : List.of("application/jsonx", "application/json-patch+json", "text/plain",
        "application/x-www-form-urlencoded")) {
      try (RawHttp http = new RawHttp(gateway.port())) {
        String body = "{\"name\":\"Editor\"}";
        RawHttp.Answer answer = http.exchange("POST /api/v1/manage/products HTTP/1.1\r\nHost: gw\r\n"
            + "Authorization: Bearer " + api.apiKey() + "\r\nContent-Type: " + type + "\r\n"
            + "Content-Length: " + body.length() + "\r\n\r\n" + body);
        assertEquals(415, answer.status(), type + ": " + answer.body());
        assertEquals("unsupported_media_type", answer.json().getString("error"), type);
      }
    }
    assertEquals(0, api.get("/products").bodyAsJsonObject().getJsonArray("data").size(), "nothing was created");
    // The media type check allows parameters, as the dialects' does.
    try (RawHttp http = new RawHttp(gateway.port())) {
      String body = "{\"name\":\"Editor\"}";
      RawHttp.Answer answer = http.exchange("POST /api/v1/manage/products HTTP/1.1\r\nHost: gw\r\n"
          + "Authorization: Bearer " + api.apiKey() + "\r\nContent-Type: Application/JSON; charset=utf-8\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body);
      assertEquals(201, answer.status(), answer.body());
    }
  }

  @Test
  void expiresAtOutsideTheYears1970To9999IsRefusedWithAFieldError() {
    JsonObject policy = newPolicy();
    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policy.getString("id")));
    String id = license.getString("id");
    for (String bad : List.of("+999999999-12-31T23:59:59Z", "-4714-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "9999-12-31T23:30:00-01:00")) {
      JsonObject created = api.post("/licenses", new JsonObject().put("policy_id", policy.getString("id"))
          .put("expires_at", bad)).bodyAsJsonObject();
      assertEquals("bad_request", created.getString("error"), bad + ": " + created);
      assertEquals(List.of("expires_at"), fields(created.getJsonArray("details")), bad);
      var patched = api.patch("/licenses/" + id, new JsonObject().put("expires_at", bad));
      assertEquals(400, patched.statusCode(), bad + ": " + patched.bodyAsString());
      assertEquals(List.of("expires_at"), fields(patched.bodyAsJsonObject().getJsonArray("details")), bad);
    }
    assertEquals(license.getString("expires_at"), api.get("/licenses/" + id).bodyAsJsonObject()
        .getString("expires_at"), "no refused value was stored");

    for (String good : List.of("1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2031-06-01T12:00:00+02:00")) {
      JsonObject patched = api.patch("/licenses/" + id, new JsonObject().put("expires_at", good)).bodyAsJsonObject();
      assertEquals(Instant.parse(patched.getString("expires_at")), java.time.OffsetDateTime.parse(good).toInstant(),
          good + ": " + patched);
    }
  }

  private static List<String> fields(JsonArray details) {
    return details.stream().map(d -> ((JsonObject) d).getString("field")).toList();
  }

  private JsonObject newPolicy() {
    JsonObject product = api.create("/products", new JsonObject().put("name", "App"));
    return api.create("/policies", new JsonObject().put("product_id", product.getString("id"))
        .put("name", "p").put("max_machines", 3));
  }

  private JsonObject newLicense() {
    return api.create("/licenses", new JsonObject().put("policy_id", newPolicy().getString("id")));
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  }
}
