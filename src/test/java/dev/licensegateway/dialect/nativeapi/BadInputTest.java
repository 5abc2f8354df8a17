package dev.licensegateway.dialect.nativeapi;

import static dev.licensegateway.testing.NativeWire.assertError;
import static dev.licensegateway.testing.NativeWire.assertNoLeak;
import static dev.licensegateway.testing.NativeWire.detailFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile and broken bodies (STYLE "Errors and input", docs/native-protocol.md steps 1 and 6): each is
 * refused with a 4xx naming what is wrong, never a 5xx or a stack trace, and writes nothing.
 * Every request here is correctly signed, so it reaches schema validation, except the
 * oversize ones, which the size check must refuse before it looks at a signature.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class BadInputTest {

  private static final String API = "/api/v1/license/";
  private static final String OR_TRUE = "' OR '1'='1";
  private static final String DROP_TABLE = "'; DROP TABLE licenses; --";
  private static final List<String> INJECTIONS = List.of(OR_TRUE, DROP_TABLE);
  private static final List<String> ACTIONS = List.of("activate", "validate", "deactivate", "heartbeat", "status");

  private static Gateway gateway;
  private NativeClient client;

  @BeforeAll
  static void startGateway() {
    gateway = TestGateway.start();
  }

  @AfterAll
  static void stopGateway() {
    TestGateway.stop(gateway);
  }

  @BeforeEach
  void client(Vertx vertx) {
    client = new NativeClient(vertx, gateway.port());
  }

  /** Builds a request body for a fresh license and machine id. */
  @FunctionalInterface
  interface Body {
    byte[] bytes(String licenseKey, String machineId);
  }

  /** One bad request: where it goes, what it carries, and the native code it must earn. */
  record Case(String action, Body body, boolean signed, int code, String... fields) {}

  /** The well-formed body of {@code action}: what each case then breaks one way. */
  private static JsonObject valid(String action, String key, String machine) {
    JsonObject body = new JsonObject().put("license_key", key);
    return action.equals("status") ? body : body.put("machine_id", machine);
  }

  private static Body with(String action, String field, Object value) {
    return (key, machine) -> utf8(valid(action, key, machine).put(field, value).encode());
  }

  private static Body without(String action, String... fields) {
    return (key, machine) -> {
      JsonObject body = valid(action, key, machine);
      Arrays.stream(fields).forEach(body::remove);
      return utf8(body.encode());
    };
  }

  /** Literal text; {@code KEY} and {@code MACHINE} stand for the license key and machine id. */
  private static Body raw(String template) {
    return (key, machine) -> utf8(template.replace("KEY", key).replace("MACHINE", machine));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Arguments refused(String description, String action, Body body, int code, String... fields) {
    return Arguments.of(Named.of(action + ": " + description, new Case(action, body, true, code, fields)));
  }

  private static Arguments unsigned(String description, String action, Body body, int code) {
    return Arguments.of(Named.of(action + ": " + description, new Case(action, body, false, code)));
  }

  static Stream<Arguments> malformedJson() {
    return Stream.of(
        refused("truncated", "activate", raw("{\"license_key\": \"KEY\", \"machine_id\": "), 1702, "body"),
        refused("unquoted key", "activate", raw("{license_key: \"KEY\", \"machine_id\": \"MACHINE\"}"), 1702, "body"),
        refused("single quotes", "activate", raw("{'license_key': 'KEY', 'machine_id': 'MACHINE'}"), 1702, "body"),
        refused("trailing comma", "activate", raw("{\"license_key\":\"KEY\",\"machine_id\":\"MACHINE\",}"), 1702,
            "body"),
        refused("a valid object then garbage", "activate", raw("{\"license_key\":\"KEY\",\"machine_id\":\"MACHINE\"} x"),
            1702, "body"),
        refused("two objects", "activate",
            raw("{\"license_key\":\"KEY\",\"machine_id\":\"MACHINE\"}{\"license_key\":\"KEY\"}"), 1702, "body"),
        refused("empty body", "activate", raw(""), 1702, "body"),
        refused("whitespace only", "status", raw("  \n "), 1702, "body"),
        refused("bare word", "status", raw("nul"), 1702, "body"),
        refused("a raw NUL byte in a string", "activate",
            raw("{\"license_key\":\"KEY\u0000\",\"machine_id\":\"MACHINE\"}"), 1702, "body"),
        refused("bytes that are not UTF-8", "activate", (key, machine) -> concat(
            utf8("{\"license_key\":\"" + key), new byte[] {(byte) 0xff, (byte) 0xfe}, utf8("\",\"machine_id\":\"" + machine + "\"}")),
            1702, "body"));
  }

  static Stream<Arguments> notAnObject() {
    return Stream.of("[]", "[{\"license_key\":\"KEY\",\"machine_id\":\"MACHINE\"}]", "\"KEY\"", "42", "-1.5e300",
            "true", "null")
        .flatMap(json -> Stream.of(
            refused("body " + json, "activate", raw(json), 1702, "body"),
            refused("body " + json, "status", raw(json), 1702, "body")));
  }

  /** Every field of every endpoint, given every JSON type it must not have. */
  static Stream<Arguments> wrongTypes() {
    List<Object> wrong = List.of(42, 1.5, -0.0, true, false, new JsonObject(), new JsonObject().put("a", "b"),
        new JsonArray(), new JsonArray().add("x"));
    List<Arguments> cases = new ArrayList<>();
    for (String field : List.of("license_key", "machine_id", "name", "platform", "hostname")) {
      for (Object value : wrong) {
        cases.add(refused(field + " = " + value, "activate", with("activate", field, value), 1702, field));
      }
    }
    for (String action : List.of("validate", "deactivate", "heartbeat")) {
      for (String field : List.of("license_key", "machine_id")) {
        cases.add(refused(field + " = 42", action, with(action, field, 42), 1702, field));
        cases.add(refused(field + " = {}", action, with(action, field, new JsonObject()), 1702, field));
      }
    }
    for (Object value : wrong) {
      cases.add(refused("license_key = " + value, "status", with("status", "license_key", value), 1702, "license_key"));
    }
    for (Object value : List.of(42, true, "pro", new JsonObject(), new JsonArray().add(1),
        new JsonArray().add("pro").addNull(), new JsonArray().add(new JsonArray()), new JsonArray().add(new JsonObject()))) {
      cases.add(refused("entitlements = " + value, "validate", with("validate", "entitlements", value), 1702,
          "entitlements"));
    }
    return cases.stream();
  }

  static Stream<Arguments> missingFields() {
    List<Arguments> cases = new ArrayList<>();
    for (String action : List.of("activate", "validate", "deactivate", "heartbeat")) {
      cases.add(refused("{}", action, raw("{}"), 1702, "license_key", "machine_id"));
      cases.add(refused("no license_key", action, without(action, "license_key"), 1702, "license_key"));
      cases.add(refused("no machine_id", action, without(action, "machine_id"), 1702, "machine_id"));
      cases.add(refused("null license_key", action, with(action, "license_key", null), 1702, "license_key"));
      cases.add(refused("null machine_id", action, with(action, "machine_id", null), 1702, "machine_id"));
      cases.add(refused("empty license_key", action, with(action, "license_key", ""), 1702, "license_key"));
      cases.add(refused("empty machine_id", action, with(action, "machine_id", ""), 1702, "machine_id"));
    }
    cases.add(refused("{}", "status", raw("{}"), 1702, "license_key"));
    cases.add(refused("null license_key", "status", with("status", "license_key", null), 1702, "license_key"));
    cases.add(refused("only unknown fields", "status", raw("{\"key\":\"KEY\"}"), 1702, "license_key"));
    return cases.stream();
  }

  /** Nesting far beyond any real body: refused by size or by the parser's depth limit, never by the stack. */
  static Stream<Arguments> deepNesting() {
    return Stream.of(
        // 10,000 levels do not fit in 16 KiB: docs/native-protocol.md step 1 answers first.
        refused("10,000 nested arrays", "activate", raw("[".repeat(10_000) + "]".repeat(10_000)), 1718),
        refused("10,000 nested objects", "activate", raw("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)), 1718),
        // As deep as fits under the limit: the parser must refuse it without overflowing.
        refused("8,000 nested arrays", "activate", raw("[".repeat(8_000) + "]".repeat(8_000)), 1702, "body"),
        refused("2,700 nested objects", "activate", raw("{\"a\":".repeat(2_700) + "1" + "}".repeat(2_700)), 1702,
            "body"),
        refused("5,000 nested arrays in a field", "activate",
            raw("{\"license_key\":\"KEY\",\"machine_id\":\"MACHINE\",\"name\":" + "[".repeat(5_000)
                + "]".repeat(5_000) + "}"), 1702));
  }

  /** NUL (escaped, so the JSON is valid) in every string field, at the end of a valid value. */
  static Stream<Arguments> nulInStrings() {
    List<Arguments> cases = new ArrayList<>();
    for (String action : ACTIONS) {
      cases.add(refused("NUL in license_key", action,
          (key, machine) -> utf8(valid(action, key + "\u0000", machine).encode()), 1702, "license_key"));
      cases.add(refused("only NUL in license_key", action, with(action, "license_key", "\u0000"), 1702, "license_key"));
    }
    for (String action : List.of("activate", "validate", "deactivate", "heartbeat")) {
      cases.add(refused("NUL in machine_id", action,
          (key, machine) -> utf8(valid(action, key, machine.substring(1) + "\u0000").encode()), 1702, "machine_id"));
    }
    for (String field : List.of("name", "platform", "hostname")) {
      cases.add(refused("NUL in " + field, "activate", with("activate", field, "my\u0000box"), 1702, field));
      // Escaped in the JSON text: a Java string would lose the lone surrogate on its way to UTF-8.
      cases.add(refused("lone surrogate in " + field, "activate",
          raw("{\"license_key\":\"KEY\",\"machine_id\":\"MACHINE\",\"" + field + "\":\"my\\ud800box\"}"), 1702,
          field));
    }
    cases.add(refused("NUL in an entitlement", "validate",
        with("validate", "entitlements", new JsonArray().add("pro\u0000")), 1702, "entitlements"));
    return cases.stream();
  }

  /** Injection strings where the schema refuses them; where it accepts them, see the tests below. */
  static Stream<Arguments> injections() {
    List<Arguments> cases = new ArrayList<>();
    for (String injection : INJECTIONS) {
      for (String action : ACTIONS) {
        // docs/native-protocol.md checks a key only for length and control characters: a bad one is just unknown.
        cases.add(refused("license_key " + injection, action, with(action, "license_key", injection), 1703));
      }
      for (String action : List.of("activate", "validate", "deactivate", "heartbeat")) {
        cases.add(refused("machine_id " + injection, action, with(action, "machine_id", injection), 1702,
            "machine_id"));
      }
    }
    return cases.stream();
  }

  static Stream<Arguments> overLong() {
    List<Arguments> cases = new ArrayList<>();
    for (String field : List.of("name", "platform", "hostname")) {
      cases.add(refused("256-char " + field, "activate", with("activate", field, "n".repeat(256)), 1702, field));
      cases.add(refused("4,000-char " + field, "activate", with("activate", field, "n".repeat(4_000)), 1702, field));
    }
    for (String action : ACTIONS) {
      cases.add(refused("256-char license_key", action, with(action, "license_key", "K".repeat(256)), 1702,
          "license_key"));
    }
    cases.add(refused("65-char machine_id", "activate", (key, machine) ->
        utf8(valid("activate", key, machine + "a").encode()), 1702, "machine_id"));
    cases.add(refused("63-char machine_id", "activate", (key, machine) ->
        utf8(valid("activate", key, machine.substring(1)).encode()), 1702, "machine_id"));
    cases.add(refused("256-char entitlement", "validate",
        with("validate", "entitlements", new JsonArray().add("e".repeat(256))), 1702, "entitlements"));
    return cases.stream();
  }

  static Stream<Arguments> oversize() {
    return Stream.of(
        refused("16,385 bytes, signed", "activate", padded(16_385), 1718),
        unsigned("16,385 bytes, unsigned", "activate", padded(16_385), 1718),
        refused("1 MiB, signed", "activate", padded(1 << 20), 1718),
        unsigned("1 MiB, unsigned", "status", padded(1 << 20), 1718));
  }

  /** A valid activation padded with whitespace to exactly {@code size} bytes: only its size is wrong. */
  private static Body padded(int size) {
    return (key, machine) -> {
      String json = valid("activate", key, machine).encode();
      return utf8(json + " ".repeat(size - json.length()));
    };
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  @ParameterizedTest
  @MethodSource({"malformedJson", "notAnObject", "wrongTypes", "missingFields", "deepNesting", "nulInStrings",
      "injections", "overLong", "oversize"})
  void badInputIsRefusedWith4xxAndWritesNothing(Case c, Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    long rowsBefore = Fixtures.totalRows();
    String path = API + c.action();
    byte[] body = c.body().bytes(license.key(), machine);
    MultiMap headers = c.signed()
        ? client.signedHeaders(path, body)
        : MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    client.send(path, body, headers)
        .compose(response -> vertx.executeBlocking(() -> new After(response, Fixtures.totalRows(),
            Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id()))))
        .onComplete(test.succeeding(after -> test.verify(() -> {
          HttpResponse<Buffer> response = after.response();
          assertTrue(response.statusCode() < 500, () -> "a 5xx for bad input: " + response.bodyAsString());
          assertNoLeak(response);
          JsonObject error = assertError(response, c.code());
          if (c.fields().length > 0) {
            for (String field : c.fields()) {
              assertTrue(detailFields(error).stream().anyMatch(f -> f.equals(field) || f.startsWith(field + "[")),
                  () -> "details must name " + field + ": " + response.bodyAsString());
            }
          }
          assertEquals(rowsBefore, after.totalRows(), "a refused request writes no row");
          assertEquals(0, after.machines(), "a refused request binds no machine");
          test.completeNow();
        })));
  }

  /** What a request left behind. */
  private record After(HttpResponse<Buffer> response, long totalRows, long machines) {}

  // ---- Accepted input that only looks dangerous ----

  @ParameterizedTest
  @ValueSource(strings = {"name", "platform", "hostname"})
  void injectionStringsInFreeTextFieldsAreStoredAsPlainText(String field, Vertx vertx, VertxTestContext test) {
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    List<Fixtures.License> licenses = List.of(Fixtures.license(), Fixtures.license());
    long rowsBefore = Fixtures.totalRows();
    long licensesBefore = Fixtures.count("SELECT count(*) FROM licenses");
    for (int i = 0; i < INJECTIONS.size(); i++) {
      Fixtures.License license = licenses.get(i);
      calls.add(client.call("activate", valid("activate", license.key(), Fixtures.randomMachineId())
          .put(field, INJECTIONS.get(i))));
    }
    Future.all(calls)
        .compose(done -> vertx.executeBlocking(() -> List.of(
            Fixtures.totalRows(),
            Fixtures.count("SELECT count(*) FROM licenses"),
            Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ? AND " + field + " = ?",
                licenses.get(0).id(), OR_TRUE),
            Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ? AND " + field + " = ?",
                licenses.get(1).id(), DROP_TABLE))))
        .onComplete(test.succeeding(counts -> test.verify(() -> {
          for (Future<HttpResponse<Buffer>> call : calls) {
            assertEquals(200, call.result().statusCode(), call.result().bodyAsString());
          }
          assertEquals(rowsBefore + 2, counts.get(0), "one machine per activation and nothing else");
          assertEquals(licensesBefore, counts.get(1), "the licenses table is intact");
          assertEquals(1, counts.get(2), "stored verbatim: " + OR_TRUE);
          assertEquals(1, counts.get(3), "stored verbatim: " + DROP_TABLE);
          test.completeNow();
        })));
  }

  @ParameterizedTest
  @ValueSource(strings = {OR_TRUE, DROP_TABLE})
  void anInjectionStringAsEntitlementIsOnlyAnUngrantedEntitlement(String injection, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    client.call("activate", valid("activate", license.key(), machine))
        .compose(activated -> client.call("validate", valid("validate", license.key(), machine)
            .put("entitlements", new JsonArray().add(injection))))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertError(response, 1712);
          test.completeNow();
        })));
  }

  @Test
  void freeTextOf255CharactersIsAccepted(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    String text = "é".repeat(255); // characters, not bytes: 510 bytes of UTF-8
    client.call("activate", valid("activate", license.key(), Fixtures.randomMachineId())
            .put("name", text).put("platform", text).put("hostname", text))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals(200, response.statusCode(), response.bodyAsString());
          assertEquals(1, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ? AND name = ?"
              + " AND platform = ? AND hostname = ?", license.id(), text, text, text));
          test.completeNow();
        })));
  }

  @Test
  void aBodyOfExactly16KiBIsAccepted(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    byte[] body = padded(16_384).bytes(license.key(), Fixtures.randomMachineId());
    client.send(API + "activate", body, client.signedHeaders(API + "activate", body))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals(16_384, body.length);
          assertEquals(200, response.statusCode(), response.bodyAsString());
          test.completeNow();
        })));
  }
}
