package dev.licensegateway.dialect.nativeapi;

import static dev.licensegateway.testing.NativeWire.assertError;
import static dev.licensegateway.testing.NativeWire.assertSigned;
import static dev.licensegateway.testing.NativeWire.detailFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.gate.RequestSignature;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.NativeWire;
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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/native-protocol.md over HTTP: every native error code a request can provoke, with its exact
 * status, name and retryable flag, and the signed success shape of each of the five endpoints.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class NativeErrorCodesTest {

  private static final String API = "/api/v1/license/";
  private static final int HEARTBEAT_S = 3600;

  private static Gateway gateway;
  /** docs/native-protocol.md step 2: a gateway started without LICENSE_API_SECRET. */
  private static Gateway withoutSecret;

  private NativeClient client;

  @BeforeAll
  static void startGateways() {
    gateway = TestGateway.start();
    withoutSecret = TestGateway.start(c -> c.withSecret(null));
  }

  @AfterAll
  static void stopGateways() {
    TestGateway.stop(gateway);
    TestGateway.stop(withoutSecret);
  }

  @BeforeEach
  void client(Vertx vertx) {
    client = new NativeClient(vertx, gateway.port());
  }

  private static JsonObject body(Fixtures.License license, String machineId) {
    return new JsonObject().put("license_key", license.key()).put("machine_id", machineId);
  }

  private static JsonObject keyOnly(Fixtures.License license) {
    return new JsonObject().put("license_key", license.key());
  }

  /** A correctly signed call whose nonce the test keeps, to compare with {@code data.nonce}. */
  private record Sent(String nonce, HttpResponse<Buffer> response) {}

  private Future<Sent> signed(String action, JsonObject body) {
    byte[] bytes = body.encode().getBytes(StandardCharsets.UTF_8);
    MultiMap headers = client.signedHeaders(API + action, bytes);
    return client.send(API + action, bytes, headers)
        .map(response -> new Sent(headers.get(RequestSignature.NONCE_HEADER), response));
  }

  /** Signed headers for {@code body}, with {@code name} replaced by {@code value} (or removed when null). */
  private MultiMap headersWith(String path, byte[] body, String name, String value) {
    MultiMap headers = client.signedHeaders(path, body);
    headers.remove(name);
    if (value != null) {
      headers.add(name, value);
    }
    return headers;
  }

  private static void expectError(VertxTestContext test, Future<HttpResponse<Buffer>> call, int code) {
    call.onComplete(test.succeeding(response -> test.verify(() -> {
      assertError(response, code);
      test.completeNow();
    })));
  }

  private static long machines(Fixtures.License license) {
    return Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id());
  }

  // ---- Success shapes (docs/native-protocol.md) ----

  @Test
  void activateAnswersSignedDataWithTheMachineItsSlotAndHeartbeatDue(VertxTestContext test) {
    Instant expires = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    Fixtures.License license = Fixtures.license(Fixtures.spec().heartbeatIntervalS(HEARTBEAT_S).expiresAt(expires));
    String machine = Fixtures.randomMachineId();
    signed("activate", body(license, machine)).onComplete(test.succeeding(sent -> test.verify(() -> {
      JsonObject data = assertSigned(sent.response(), license.key(), sent.nonce());
      assertEquals(machine, data.getString("machine_id"));
      assertEquals("active", data.getString("status"));
      assertEquals(expires, Instant.parse(data.getString("expires_at")));
      assertEquals(3, data.getInteger("max_machines"));
      assertEquals(1, data.getInteger("machines_used"));
      assertEquals(new JsonArray().add("export").add("pro"), data.getJsonArray("entitlements"));
      Instant issued = Instant.parse(data.getString("issued_at"));
      Instant due = NativeWire.assertRfc3339Utc("heartbeat_due_at", data.getValue("heartbeat_due_at"));
      assertEquals(issued.plusSeconds(HEARTBEAT_S), due, "a fresh activation is due one interval from now");
      assertEquals(1, machines(license));
      test.completeNow();
    })));
  }

  @Test
  void activateWithoutAHeartbeatPolicyAnswersNoHeartbeatDueAndANullExpiry(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    signed("activate", body(license, Fixtures.randomMachineId())).onComplete(test.succeeding(sent -> test.verify(() -> {
      JsonObject data = assertSigned(sent.response(), license.key(), sent.nonce());
      assertTrue(data.containsKey("expires_at"));
      assertNull(data.getValue("expires_at"), "a perpetual license expires at null");
      assertNull(data.getValue("heartbeat_due_at"), "no heartbeat is required, so none is due");
      test.completeNow();
    })));
  }

  @Test
  void validateAnswersValidTrueWithTheMachineAndItsHeartbeatDue(VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().heartbeatIntervalS(HEARTBEAT_S));
    String machine = Fixtures.randomMachineId();
    signed("activate", body(license, machine)).compose(activated -> {
      test.verify(() -> assertEquals(200, activated.response().statusCode(), activated.response().bodyAsString()));
      String due = activated.response().bodyAsJsonObject().getJsonObject("data").getString("heartbeat_due_at");
      return signed("validate", body(license, machine).put("entitlements", new JsonArray().add("pro")))
          .map(validated -> List.of(due, validated));
    }).onComplete(test.succeeding(results -> test.verify(() -> {
      Sent validated = (Sent) results.get(1);
      JsonObject data = assertSigned(validated.response(), license.key(), validated.nonce());
      assertEquals(Boolean.TRUE, data.getValue("valid"));
      assertEquals(machine, data.getString("machine_id"));
      assertEquals("active", data.getString("status"));
      assertEquals(1, data.getInteger("machines_used"));
      assertEquals(3, data.getInteger("max_machines"));
      assertEquals(results.get(0), data.getString("heartbeat_due_at"), "validation does not move the heartbeat");
      test.completeNow();
    })));
  }

  @Test
  void heartbeatRecordsTheBeatAndMovesHeartbeatDueAt(Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().heartbeatIntervalS(HEARTBEAT_S));
    String machine = Fixtures.randomMachineId();
    signed("activate", body(license, machine))
        .compose(activated -> vertx.executeBlocking(() -> Fixtures.exec(
            "UPDATE machines SET last_heartbeat_at = now() - interval '600 seconds' WHERE license_id = ?",
            license.id())))
        .compose(updated -> signed("heartbeat", body(license, machine)))
        .onComplete(test.succeeding(sent -> test.verify(() -> {
          JsonObject data = assertSigned(sent.response(), license.key(), sent.nonce());
          assertEquals(machine, data.getString("machine_id"));
          assertEquals("active", data.getString("status"));
          assertEquals(1, data.getInteger("machines_used"));
          Instant issued = Instant.parse(data.getString("issued_at"));
          assertEquals(issued.plusSeconds(HEARTBEAT_S), Instant.parse(data.getString("heartbeat_due_at")),
              "after a beat the next one is due one interval from now");
          assertEquals(1, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?"
              + " AND last_heartbeat_at > now() - interval '60 seconds'", license.id()));
          test.completeNow();
        })));
  }

  @Test
  void deactivateAnswersSignedDataAndRemovesTheMachine(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    signed("activate", body(license, machine))
        .compose(activated -> signed("deactivate", body(license, machine)))
        .onComplete(test.succeeding(sent -> test.verify(() -> {
          JsonObject data = assertSigned(sent.response(), license.key(), sent.nonce());
          assertEquals(machine, data.getString("machine_id"));
          assertEquals("active", data.getString("status"));
          assertEquals(0, data.getInteger("machines_used"));
          assertEquals(0, machines(license));
          test.completeNow();
        })));
  }

  @Test
  void statusAnswersSignedDataWithoutAMachine(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    signed("activate", body(license, machine))
        .compose(activated -> signed("status", keyOnly(license)))
        .onComplete(test.succeeding(sent -> test.verify(() -> {
          JsonObject data = assertSigned(sent.response(), license.key(), sent.nonce());
          assertFalse(data.containsKey("machine_id"), "status names no machine");
          assertEquals("active", data.getString("status"));
          assertEquals(1, data.getInteger("machines_used"));
          assertEquals(3, data.getInteger("max_machines"));
          assertEquals(new JsonArray().add("export").add("pro"), data.getJsonArray("entitlements"));
          test.completeNow();
        })));
  }

  @Test
  void everyResponseCarriesItsOwnRequestId(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    Future.all(client.call("status", keyOnly(license)), client.call("status", keyOnly(license)))
        .onComplete(test.succeeding(both -> test.verify(() -> {
          HttpResponse<Buffer> first = both.resultAt(0);
          HttpResponse<Buffer> second = both.resultAt(1);
          assertEquals(200, first.statusCode());
          assertEquals(200, second.statusCode());
          assertNotNull(first.getHeader("X-Request-Id"));
          assertNotNull(second.getHeader("X-Request-Id"));
          assertNotEquals(first.getHeader("X-Request-Id"), second.getHeader("X-Request-Id"));
          test.completeNow();
        })));
  }

  // ---- Slots (docs/domain.md) ----

  @Test
  void reactivatingAnActiveMachineSucceedsWithoutTakingASecondSlot(VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(1));
    String machine = Fixtures.randomMachineId();
    client.call("activate", body(license, machine))
        .compose(first -> client.call("activate", body(license, machine)))
        .onComplete(test.succeeding(second -> test.verify(() -> {
          assertEquals(200, second.statusCode(), second.bodyAsString());
          assertEquals(1, second.bodyAsJsonObject().getJsonObject("data").getInteger("machines_used"));
          assertEquals(1, machines(license));
          test.completeNow();
        })));
  }

  @Test
  void deactivatingFreesTheSlotForAnotherMachine(VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(1));
    String first = Fixtures.randomMachineId();
    String second = Fixtures.randomMachineId();
    client.call("activate", body(license, first))
        .compose(a -> client.call("activate", body(license, second)))
        .compose(refused -> {
          test.verify(() -> assertError(refused, 1705));
          return client.call("deactivate", body(license, first));
        })
        .compose(freed -> {
          test.verify(() -> assertEquals(200, freed.statusCode(), freed.bodyAsString()));
          return client.call("activate", body(license, second));
        })
        .onComplete(test.succeeding(taken -> test.verify(() -> {
          assertEquals(200, taken.statusCode(), taken.bodyAsString());
          assertEquals(1, taken.bodyAsJsonObject().getJsonObject("data").getInteger("machines_used"));
          assertEquals(1, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ? AND machine_id = ?",
              license.id(), second));
          assertEquals(1, machines(license));
          test.completeNow();
        })));
  }

  // ---- Status answers every existing license (docs/native-protocol.md) ----

  @ParameterizedTest
  @ValueSource(strings = {"revoked", "suspended", "inactive", "expired"})
  void statusAnswers200WithTheLicenseStateWhateverItIs(String state, VertxTestContext test) {
    Fixtures.License license = Fixtures.license(state.equals("expired")
        ? Fixtures.spec().expiresAt(Instant.now().minusSeconds(60))
        : Fixtures.spec().licenseStatus(state));
    signed("status", keyOnly(license)).onComplete(test.succeeding(sent -> test.verify(() -> {
      JsonObject data = assertSigned(sent.response(), license.key(), sent.nonce());
      assertEquals(state, data.getString("status"));
      test.completeNow();
    })));
  }

  // ---- 1700 LICENSE_API_BAD_SIGNATURE ----

  @ParameterizedTest
  @ValueSource(strings = {RequestSignature.TIMESTAMP_HEADER, RequestSignature.NONCE_HEADER,
      RequestSignature.SIGNATURE_HEADER})
  void aMissingSignatureHeaderIs1700(String header, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    byte[] bytes = keyOnly(license).encode().getBytes(StandardCharsets.UTF_8);
    expectError(test, client.send(API + "status", bytes, headersWith(API + "status", bytes, header, null)), 1700);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "abcdefghijklmno",                                                     // 15: too short
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_X",    // 65: too long
      "abcdefghijklmno!",                                                    // a character outside the set
      "abcdefgh.ijklmnop",
      "abcdefgh ijklmnop",
      "abcdefghijklmnop+/"})
  void aMalformedNonceIs1700EvenWhenTheSignatureCoversIt(String nonce, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    byte[] bytes = keyOnly(license).encode().getBytes(StandardCharsets.UTF_8);
    long now = Instant.now().getEpochSecond();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/json")
        .add(RequestSignature.TIMESTAMP_HEADER, Long.toString(now))
        .add(RequestSignature.NONCE_HEADER, nonce)
        .add(RequestSignature.SIGNATURE_HEADER, client.sign(now, nonce, API + "status", bytes));
    expectError(test, client.send(API + "status", bytes, headers), 1700);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abcdefghijklmnop", "A_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"})
  void aNonceOfSixteenOrSixtyFourAllowedCharactersPasses(String nonce, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    // Each run needs its own nonce (docs/native-protocol.md step 7), at the same boundary length.
    String fresh = nonce.substring(0, nonce.length() - 8) + NativeClient.nonce().substring(0, 8);
    byte[] bytes = keyOnly(license).encode().getBytes(StandardCharsets.UTF_8);
    long now = Instant.now().getEpochSecond();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/json")
        .add(RequestSignature.TIMESTAMP_HEADER, Long.toString(now))
        .add(RequestSignature.NONCE_HEADER, fresh)
        .add(RequestSignature.SIGNATURE_HEADER, client.sign(now, fresh, API + "status", bytes));
    client.send(API + "status", bytes, headers).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(nonce.length(), fresh.length());
      assertSigned(response, license.key(), fresh);
      test.completeNow();
    })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "17000000x0", "1700000000.0", "-1700000000", "1e9"})
  void aMalformedTimestampIs1700(String timestamp, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    byte[] bytes = keyOnly(license).encode().getBytes(StandardCharsets.UTF_8);
    expectError(test, client.send(API + "status", bytes,
        headersWith(API + "status", bytes, RequestSignature.TIMESTAMP_HEADER, timestamp)), 1700);
  }

  @Test
  void aSignatureWithAnotherSecretIs1700(Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    NativeClient stranger = new NativeClient(vertx, gateway.port(), "not-the-gateway-secret");
    expectError(test, stranger.call("activate", body(license, Fixtures.randomMachineId())), 1700);
  }

  @Test
  void aReplayedRequestIs1700AndDoesNothing(VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(1));
    String machine = Fixtures.randomMachineId();
    byte[] bytes = body(license, machine).encode().getBytes(StandardCharsets.UTF_8);
    MultiMap headers = client.signedHeaders(API + "deactivate", bytes);
    client.call("activate", body(license, machine))
        .compose(activated -> client.send(API + "deactivate", bytes, headers))
        .compose(first -> {
          test.verify(() -> assertEquals(200, first.statusCode(), first.bodyAsString()));
          return client.call("activate", body(license, machine));
        })
        .compose(again -> {
          test.verify(() -> assertEquals(200, again.statusCode(), again.bodyAsString()));
          return client.send(API + "deactivate", bytes, headers);
        })
        .onComplete(test.succeeding(replayed -> test.verify(() -> {
          assertError(replayed, 1700);
          assertEquals(1, machines(license), "the replayed deactivation must not free the slot");
          test.completeNow();
        })));
  }

  // ---- 1701 LICENSE_API_STALE_TIMESTAMP ----

  @Test
  void aTimestamp301SecondsOldIs1701(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    // In the past the skew can only grow while the request travels.
    expectError(test, sendAt(Instant.now().getEpochSecond() - 301, "status", keyOnly(license)), 1701);
  }

  @Test
  void aTimestamp299SecondsOffPasses(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    // In the future the skew can only shrink while the request travels.
    sendAt(Instant.now().getEpochSecond() + 299, "status", keyOnly(license))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals(200, response.statusCode(), response.bodyAsString());
          test.completeNow();
        })));
  }

  private Future<HttpResponse<Buffer>> sendAt(long timestamp, String action, JsonObject body) {
    byte[] bytes = body.encode().getBytes(StandardCharsets.UTF_8);
    String nonce = NativeClient.nonce();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/json")
        .add(RequestSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
        .add(RequestSignature.NONCE_HEADER, nonce)
        .add(RequestSignature.SIGNATURE_HEADER, client.sign(timestamp, nonce, API + action, bytes));
    return client.send(API + action, bytes, headers);
  }

  // ---- 1702 LICENSE_API_MALFORMED ----

  @Test
  void aBodyMissingTheKeyWithAWrongTypedMachineIdNamesBothFields(VertxTestContext test) {
    client.call("activate", new JsonObject().put("machine_id", 42))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals(Set.of("license_key", "machine_id"), detailFields(assertError(response, 1702)));
          test.completeNow();
        })));
  }

  @Test
  void everyBadFieldOfAnActivationIsListed(VertxTestContext test) {
    JsonObject body = new JsonObject()
        .put("license_key", "")
        .put("machine_id", "not-hex")
        .put("name", 5)
        .put("platform", true)
        .put("hostname", new JsonArray());
    client.call("activate", body).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(Set.of("license_key", "machine_id", "name", "platform", "hostname"),
          detailFields(assertError(response, 1702)));
      test.completeNow();
    })));
  }

  @Test
  void everyBadFieldOfAValidationIsListed(VertxTestContext test) {
    JsonObject body = new JsonObject().put("license_key", 7).putNull("machine_id").put("entitlements", "pro");
    client.call("validate", body).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(Set.of("license_key", "machine_id", "entitlements"), detailFields(assertError(response, 1702)));
      test.completeNow();
    })));
  }

  @Test
  void aStatusWithoutAKeyIs1702NamingTheKey(VertxTestContext test) {
    client.call("status", new JsonObject()).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(Set.of("license_key"), detailFields(assertError(response, 1702)));
      test.completeNow();
    })));
  }

  // ---- 1703 LICENSE_API_NOT_FOUND ----

  @ParameterizedTest
  @ValueSource(strings = {"activate", "validate", "deactivate", "heartbeat", "status"})
  void anUnknownKeyIs1703(String action, VertxTestContext test) {
    JsonObject body = new JsonObject().put("license_key", "NOPE0-NOPE0-NOPE0-NOPE0-NOPE0");
    if (!action.equals("status")) {
      body.put("machine_id", Fixtures.randomMachineId());
    }
    expectError(test, client.call(action, body), 1703);
  }

  @ParameterizedTest
  @ValueSource(strings = {"activate", "validate", "deactivate", "heartbeat", "status"})
  void aSoftDeletedLicenseIs1703(String action, Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    JsonObject body = action.equals("status") ? keyOnly(license) : body(license, machine);
    client.call("activate", body(license, machine))
        .compose(activated -> {
          test.verify(() -> assertEquals(200, activated.statusCode(), activated.bodyAsString()));
          return vertx.executeBlocking(() ->
              Fixtures.exec("UPDATE licenses SET deleted_at = now() WHERE id = ?", license.id()));
        })
        .compose(deleted -> client.call(action, body))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertError(response, 1703);
          test.completeNow();
        })));
  }

  // ---- 1704 LICENSE_API_INACTIVE, 1708 LICENSE_API_REVOKED, 1710 LICENSE_API_EXPIRED ----

  @ParameterizedTest
  @CsvSource({
      "inactive,  activate", "inactive,  validate", "inactive,  heartbeat",
      "suspended, activate", "suspended, validate", "suspended, heartbeat",
      "revoked,   activate", "revoked,   validate", "revoked,   heartbeat"})
  void aLicenseNotActiveIsRefused(String status, String action, VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().licenseStatus(status));
    int code = status.equals("revoked") ? 1708 : 1704;
    client.call(action, body(license, Fixtures.randomMachineId()))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertError(response, code);
          assertEquals(0, machines(license));
          test.completeNow();
        })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"activate", "validate", "heartbeat"})
  void anExpiredLicenseIs1710(String action, VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().expiresAt(Instant.now().minusSeconds(60)));
    client.call(action, body(license, Fixtures.randomMachineId()))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertError(response, 1710);
          assertEquals(0, machines(license));
          test.completeNow();
        })));
  }

  // ---- 1705 LICENSE_API_LIMIT_REACHED ----

  @Test
  void aSecondMachineOnAOneMachineLicenseIs1705(VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(1));
    client.call("activate", body(license, Fixtures.randomMachineId()))
        .compose(first -> {
          test.verify(() -> assertEquals(200, first.statusCode(), first.bodyAsString()));
          return client.call("activate", body(license, Fixtures.randomMachineId()));
        })
        .onComplete(test.succeeding(second -> test.verify(() -> {
          assertError(second, 1705);
          assertEquals(1, machines(license));
          test.completeNow();
        })));
  }

  // ---- 1707 LICENSE_API_SECRET_NOT_SET ----

  @Test
  void aGatewayWithoutASecretAnswers1707(Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    NativeClient unconfigured = new NativeClient(vertx, withoutSecret.port());
    unconfigured.call("activate", body(license, Fixtures.randomMachineId()))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertError(response, 1707);
          assertEquals(0, machines(license));
          test.completeNow();
        })));
  }

  // ---- 1709 LICENSE_API_MACHINE_NOT_ACTIVATED ----

  @ParameterizedTest
  @ValueSource(strings = {"validate", "heartbeat", "deactivate"})
  void aMachineNeverActivatedIs1709(String action, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    client.call("activate", body(license, Fixtures.randomMachineId()))
        .compose(other -> client.call(action, body(license, Fixtures.randomMachineId())))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertError(response, 1709);
          assertEquals(1, machines(license), "only the other machine is bound");
          test.completeNow();
        })));
  }

  // ---- 1711 LICENSE_API_HEARTBEAT_REQUIRED ----

  @Test
  void aMachinePastItsHeartbeatIntervalIs1711UntilItActivatesAgain(Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().heartbeatIntervalS(60));
    String machine = Fixtures.randomMachineId();
    client.call("activate", body(license, machine))
        .compose(activated -> {
          test.verify(() -> assertEquals(200, activated.statusCode(), activated.bodyAsString()));
          // docs/domain.md: overdue when silent for more than interval + 30 s (here 90 s).
          return vertx.executeBlocking(() -> Fixtures.exec(
              "UPDATE machines SET last_heartbeat_at = now() - interval '100 seconds' WHERE license_id = ?",
              license.id()));
        })
        .compose(silenced -> client.call("validate", body(license, machine)))
        .compose(overdue -> {
          test.verify(() -> assertError(overdue, 1711));
          // A heartbeat cannot excuse a missed interval: it answers 1711 too...
          return client.call("heartbeat", body(license, machine));
        })
        .compose(beat -> {
          test.verify(() -> assertError(beat, 1711));
          // ...and activating again revives the machine, which still holds its slot.
          return client.call("activate", body(license, machine));
        })
        .compose(reactivated -> {
          test.verify(() -> {
            assertEquals(200, reactivated.statusCode(), reactivated.bodyAsString());
            assertEquals(1, reactivated.bodyAsJsonObject().getJsonObject("data").getInteger("machines_used"));
          });
          return client.call("validate", body(license, machine));
        })
        .onComplete(test.succeeding(valid -> test.verify(() -> {
          assertEquals(200, valid.statusCode(), valid.bodyAsString());
          test.completeNow();
        })));
  }

  // ---- 1712 LICENSE_API_ENTITLEMENTS_MISSING ----

  @Test
  void aMissingEntitlementIs1712(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    client.call("activate", body(license, machine))
        .compose(activated -> client.call("validate",
            body(license, machine).put("entitlements", new JsonArray().add("pro").add("missing"))))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertError(response, 1712);
          test.completeNow();
        })));
  }

  // ---- 1713 LICENSE_API_BLOCKED ----

  @Test
  void aBlockedMachineIs1713(Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value, cidr)"
        + " VALUES (?, ?, 'block_hwid', ?, NULL)", license.accountId(), license.productId(), machine);
    client.call("activate", body(license, machine))
        .compose(blocked -> {
          test.verify(() -> assertError(blocked, 1713));
          return client.call("activate", body(license, Fixtures.randomMachineId()));
        })
        .onComplete(test.succeeding(other -> test.verify(() -> {
          assertEquals(200, other.statusCode(), "only the blocked machine is refused: " + other.bodyAsString());
          assertEquals(1, machines(license));
          test.completeNow();
        })));
  }

  @Test
  void aBlockedClientIpIs1713(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value, cidr)"
            + " VALUES (?, ?, 'block_ip', ?, ?::cidr)",
        license.accountId(), license.productId(), "127.0.0.1/32", "127.0.0.1/32");
    client.call("activate", body(license, Fixtures.randomMachineId()))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertError(response, 1713);
          assertEquals(0, machines(license));
          test.completeNow();
        })));
  }

  @Test
  void aMachineNotOnTheProductsAllowListIs1713(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    String allowed = Fixtures.randomMachineId();
    Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value, cidr)"
        + " VALUES (?, ?, 'allow_hwid', ?, NULL)", license.accountId(), license.productId(), allowed);
    client.call("activate", body(license, Fixtures.randomMachineId()))
        .compose(refused -> {
          test.verify(() -> assertError(refused, 1713));
          return client.call("activate", body(license, allowed));
        })
        .onComplete(test.succeeding(admitted -> test.verify(() -> {
          assertEquals(200, admitted.statusCode(), "the allow-listed machine passes: " + admitted.bodyAsString());
          assertEquals(1, machines(license));
          test.completeNow();
        })));
  }

  // ---- 1714 LICENSE_API_PRODUCT_UNAVAILABLE, 1715 LICENSE_API_ACCOUNT_SUSPENDED ----

  @ParameterizedTest
  @ValueSource(strings = {"archived", "disabled"})
  void anUnavailableProductIs1714(String productStatus, VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().productStatus(productStatus));
    client.call("activate", body(license, Fixtures.randomMachineId()))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertError(response, 1714);
          assertEquals(0, machines(license));
          test.completeNow();
        })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"suspended", "billing_suspended"})
  void aSuspendedAccountIs1715(String accountStatus, VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().accountStatus(accountStatus));
    client.call("activate", body(license, Fixtures.randomMachineId()))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertError(response, 1715);
          assertEquals(0, machines(license));
          test.completeNow();
        })));
  }

  // ---- 1718 LICENSE_API_PAYLOAD_TOO_LARGE, 1719 LICENSE_API_UNSUPPORTED_MEDIA_TYPE ----

  @Test
  void aBodyOver16KiBIs1718(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    JsonObject body = body(license, Fixtures.randomMachineId());
    String json = body.encode();
    // Whitespace keeps it valid JSON: only the size is wrong.
    byte[] bytes = (json + " ".repeat(16385 - json.length())).getBytes(StandardCharsets.UTF_8);
    client.send(API + "activate", bytes, client.signedHeaders(API + "activate", bytes))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals(16385, bytes.length);
          assertError(response, 1718);
          assertEquals(0, machines(license));
          test.completeNow();
        })));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "application/jsonp"})
  void aBodyThatIsNotDeclaredJsonIs1719(String contentType, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    byte[] bytes = body(license, Fixtures.randomMachineId()).encode().getBytes(StandardCharsets.UTF_8);
    client.send(API + "activate", bytes, headersWith(API + "activate", bytes, "Content-Type", contentType))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertError(response, 1719);
          assertEquals(0, machines(license));
          test.completeNow();
        })));
  }

  @Test
  void jsonWithACharsetParameterIsAccepted(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    byte[] bytes = keyOnly(license).encode().getBytes(StandardCharsets.UTF_8);
    client.send(API + "status", bytes, headersWith(API + "status", bytes, "Content-Type",
            "application/json; charset=utf-8"))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals(200, response.statusCode(), response.bodyAsString());
          test.completeNow();
        })));
  }
}
