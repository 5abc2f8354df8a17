package dev.licensegateway.dialect.license;

import static dev.licensegateway.testing.DialectWire.assertCommonHeaders;
import static dev.licensegateway.testing.DialectWire.header;
import static dev.licensegateway.testing.ResponseSignatures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.testing.DialectClient;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ResponseSignatures;
import dev.licensegateway.testing.ResponseSignatures.PublishedKey;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/dialects.md over HTTP: every row of the docs/dialects.md table that {@code /license} can reach, with
 * its exact status, code and body, the RSA-signed success, field errors, and the headers
 * docs/native-protocol.md puts on every answer.
 */
class LicenseDialectTest {

  private static final List<String> ACTIONS = List.of("activate", "validate", "deactivate");

  private static Gateway gateway;
  private static Vertx vertx;
  private static DialectClient client;
  private static Map<String, PublishedKey> jwks;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    vertx = Vertx.vertx();
    client = new DialectClient(vertx, gateway.port());
    HttpResponse<Buffer> keys = client.get("/api/v1/keys");
    assertEquals(200, keys.statusCode());
    jwks = ResponseSignatures.readJwks(keys.bodyAsJsonObject());
  }

  @AfterAll
  static void stop() {
    client.close();
    vertx.close();
    TestGateway.stop(gateway);
  }

  // ---- helpers ----

  private static HttpResponse<Buffer> call(String action, String key, String machine) {
    return call(client, action, key, machine);
  }

  private static HttpResponse<Buffer> call(DialectClient via, String action, String key, String machine) {
    return via.post("/license/" + action, new JsonObject().put("license_key", key).put("machine_id", machine));
  }

  /**
   * docs/dialects.md error: exactly {@code {"error": {"code", "message"}}} (plus the field errors on
   * 422) with this status, and the headers of every answer. Returns the body.
   */
  private static JsonObject assertError(HttpResponse<Buffer> response, int status, String code) {
    String where = response.statusCode() + " " + response.bodyAsString();
    assertEquals(status, response.statusCode(), where);
    assertCommonHeaders(response);
    JsonObject body = response.bodyAsJsonObject();
    JsonObject error = body.getJsonObject("error");
    assertNotNull(error, where);
    assertEquals(code, error.getValue("code"), where);
    assertInstanceOf(String.class, error.getValue("message"), where);
    assertFalse(error.getString("message").isBlank(), where);
    if (status == 422) {
      assertInstanceOf(JsonObject.class, body.getValue("errors"), "422 names its fields: " + where);
    } else {
      assertEquals(Set.of("error"), body.fieldNames(), where);
      assertEquals(Set.of("code", "message"), error.fieldNames(), where);
    }
    assertNull(response.getHeader("X-Auth-Signature"), where);
    return body;
  }

  /**
   * docs/dialects.md success: {@code {"data", "signature"}} where the signature is RSA-SHA256 over
   * the canonical bytes of {@code data}, verifying against a key of {@code /api/v1/keys}.
   */
  private static JsonObject assertSigned(HttpResponse<Buffer> response, String key, String machine) {
    String where = response.statusCode() + " " + response.bodyAsString();
    assertEquals(200, response.statusCode(), where);
    assertCommonHeaders(response);
    JsonObject envelope = response.bodyAsJsonObject();
    JsonObject data = envelope.getJsonObject("data");
    assertNotNull(data, where);
    byte[] sent = ResponseSignatures.rawMember(response.body().getBytes(), "data");
    assertArrayEquals(utf8(ResponseSignatures.canonical(data)), sent, "data is not in canonical form: " + where);
    byte[] signature = ResponseSignatures.signatureBytes(envelope.getString("signature"));
    // docs/dialects.md: RSA-SHA256, whichever published RSA key signed it.
    PublishedKey signer = jwks.values().stream()
        .filter(k -> k.alg().equals("RSA-SHA256"))
        .filter(k -> ResponseSignatures.verifies(k, sent, signature))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no published RSA-SHA256 key verifies the signature: " + where));
    JsonObject tampered = data.copy().put("machines_used", data.getInteger("machines_used") + 1);
    assertFalse(ResponseSignatures.verifies(signer, utf8(ResponseSignatures.canonical(tampered)), signature),
        "a changed data must not verify");

    assertEquals(key, data.getString("license_key"), where);
    assertEquals(machine, data.getString("machine_id"), where);
    assertTrue(Set.of("active", "suspended").contains(data.getString("status")), where);
    assertTrue(data.containsKey("expires_at"), where);
    assertInstanceOf(Integer.class, data.getValue("max_machines"), where);
    assertInstanceOf(Integer.class, data.getValue("machines_used"), where);
    assertInstanceOf(JsonArray.class, data.getValue("entitlements"), where);
    Instant issued = Instant.parse(data.getString("issued_at"));
    assertTrue(Math.abs(issued.getEpochSecond() - Instant.now().getEpochSecond()) < 60, where);
    return data;
  }

  private static long machines(Fixtures.License license) {
    return Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id());
  }

  // ---- valid (docs/dialects.md row 1) ----

  @Test
  void activateAndValidateAnswerRsaSignedDataThatVerifiesAgainstTheJwks() {
    Instant expires = Instant.now().plus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    Fixtures.License license = Fixtures.license(Fixtures.spec().expiresAt(expires).maxMachines(2));
    String machine = Fixtures.randomMachineId();

    JsonObject activated = assertSigned(call("activate", license.key(), machine), license.key(), machine);
    assertEquals("active", activated.getString("status"));
    assertEquals(1, activated.getInteger("machines_used"));
    assertEquals(2, activated.getInteger("max_machines"));
    assertEquals(expires, Instant.parse(activated.getString("expires_at")));
    assertEquals(new JsonArray().add("export").add("pro"), activated.getJsonArray("entitlements"));
    assertEquals(1, machines(license));

    JsonObject validated = assertSigned(call("validate", license.key(), machine), license.key(), machine);
    assertEquals("active", validated.getString("status"));
    assertEquals(Boolean.TRUE, validated.getValue("valid"));
    assertEquals(1, validated.getInteger("machines_used"));

    // docs/domain.md: activating an active machine again succeeds and takes no slot.
    JsonObject again = assertSigned(call("activate", license.key(), machine), license.key(), machine);
    assertEquals(1, again.getInteger("machines_used"));
    assertEquals(1, machines(license));
  }

  @Test
  void answersAreSignedWithRsaEvenWhenTheNativeDialectSignsWithEd25519() {
    Gateway ed = TestGateway.start(c -> c.withSigning("Ed25519", TestServers.keysDir().toString()));
    DialectClient edClient = new DialectClient(vertx, ed.port());
    try {
      Fixtures.License license = Fixtures.license();
      String machine = Fixtures.randomMachineId();
      HttpResponse<Buffer> response = call(edClient, "activate", license.key(), machine);
      assertEquals("active", assertSigned(response, license.key(), machine).getString("status"));
      assertEquals("RSA-SHA256", response.bodyAsJsonObject().getString("alg"));
    } finally {
      edClient.close();
      TestGateway.stop(ed);
    }
  }

  // ---- license unknown or deleted: 404 license_not_found ----

  @Test
  void anUnknownKeyIsLicenseNotFoundOnEveryEndpoint() {
    String unknown = Secrets.licenseKey();
    for (String action : ACTIONS) {
      assertError(call(action, unknown, Fixtures.randomMachineId()), 404, "license_not_found");
    }
  }

  @Test
  void aSoftDeletedLicenseIsLicenseNotFound() {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    assertSigned(call("activate", license.key(), machine), license.key(), machine);
    assertEquals(1, Fixtures.exec("UPDATE licenses SET deleted_at = now() WHERE id = ?", license.id()));
    for (String action : ACTIONS) {
      assertError(call(action, license.key(), machine), 404, "license_not_found");
    }
  }

  // ---- license state ----

  @Test
  void aRevokedLicenseIsLicenseRevoked() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().licenseStatus("revoked"));
    String machine = Fixtures.randomMachineId();
    assertError(call("activate", license.key(), machine), 403, "license_revoked");
    assertError(call("validate", license.key(), machine), 403, "license_revoked");
    assertEquals(0, machines(license), "a refused activation binds nothing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"inactive", "suspended"})
  void anInactiveOrSuspendedLicenseIsLicenseSuspended(String status) {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    assertSigned(call("activate", license.key(), machine), license.key(), machine);
    assertEquals(1, Fixtures.exec("UPDATE licenses SET status = ? WHERE id = ?", status, license.id()));
    assertError(call("validate", license.key(), machine), 403, "license_suspended");
    assertError(call("activate", license.key(), Fixtures.randomMachineId()), 403, "license_suspended");
    assertEquals(1, machines(license));
  }

  @Test
  void anExpiredLicenseIsLicenseExpired() {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    assertSigned(call("activate", license.key(), machine), license.key(), machine);
    Fixtures.exec("UPDATE licenses SET expires_at = now() - interval '1 second' WHERE id = ?", license.id());
    assertError(call("validate", license.key(), machine), 403, "license_expired");
    assertError(call("activate", license.key(), Fixtures.randomMachineId()), 403, "license_expired");
  }

  @Test
  void theFirstFailingCheckDecidesInTheOrderOfSpec50() {
    // revoked comes before expired
    Fixtures.License revokedAndExpired = Fixtures.license(Fixtures.spec().licenseStatus("revoked")
        .expiresAt(Instant.now().minusSeconds(60)));
    assertError(call("validate", revokedAndExpired.key(), Fixtures.randomMachineId()), 403, "license_revoked");
    // account status comes before the license's own state
    Fixtures.License suspendedAccount = Fixtures.license(Fixtures.spec().accountStatus("suspended")
        .licenseStatus("revoked"));
    assertError(call("validate", suspendedAccount.key(), Fixtures.randomMachineId()), 403, "license_suspended");
    // expiry comes before the HWID rules
    Fixtures.License expired = Fixtures.license(Fixtures.spec().expiresAt(Instant.now().minusSeconds(60)));
    String machine = Fixtures.randomMachineId();
    blockHwid(expired, machine);
    assertError(call("validate", expired.key(), machine), 403, "license_expired");
  }

  // ---- machines ----

  @Test
  void theActivationCapIs409AndDeactivatingFreesTheSlot() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(1));
    String first = Fixtures.randomMachineId();
    String second = Fixtures.randomMachineId();
    assertSigned(call("activate", license.key(), first), license.key(), first);
    assertError(call("activate", license.key(), second), 409, "activation_limit_reached");
    assertEquals(1, machines(license));

    JsonObject freed = assertSigned(call("deactivate", license.key(), first), license.key(), first);
    assertEquals(0, freed.getInteger("machines_used"));
    assertEquals("active", freed.getString("status"));
    assertNull(freed.getValue("valid"), "only a validation says valid");
    assertEquals(0, machines(license));
    assertError(call("validate", license.key(), first), 403, "machine_not_activated");

    JsonObject taken = assertSigned(call("activate", license.key(), second), license.key(), second);
    assertEquals(1, taken.getInteger("machines_used"));
    assertError(call("activate", license.key(), first), 409, "activation_limit_reached");
  }

  @Test
  void aMachineNeverActivatedIsMachineNotActivated() {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    assertError(call("validate", license.key(), machine), 403, "machine_not_activated");
    assertError(call("deactivate", license.key(), machine), 403, "machine_not_activated");
    assertEquals(0, machines(license), "a validation binds nothing");
  }

  @Test
  void aMachineOverdueForItsHeartbeatIsMachineNotActivatedUntilActivatedAgain() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().heartbeatIntervalS(60));
    String machine = Fixtures.randomMachineId();
    JsonObject activated = assertSigned(call("activate", license.key(), machine), license.key(), machine);
    assertNotNull(activated.getString("heartbeat_due_at"), "a heartbeat policy sets a due time");
    assertSigned(call("validate", license.key(), machine), license.key(), machine);

    // docs/domain.md: overdue when silent for more than interval + 30 s.
    assertEquals(1, Fixtures.exec("UPDATE machines SET last_heartbeat_at = now() - interval '100 seconds'"
        + " WHERE license_id = ? AND machine_id = ?", license.id(), machine));
    assertError(call("validate", license.key(), machine), 403, "machine_not_activated");

    assertSigned(call("activate", license.key(), machine), license.key(), machine);
    assertEquals("active", assertSigned(call("validate", license.key(), machine), license.key(), machine)
        .getString("status"));
  }

  // ---- rules ----

  private static void blockHwid(Fixtures.License license, String machine) {
    Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value) VALUES (?, ?, 'block_hwid', ?)",
        license.accountId(), license.productId(), machine);
  }

  private static void ipRule(Fixtures.License license, String kind, String cidr) {
    Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value, cidr) VALUES (?, ?, ?, ?, ?::cidr)",
        license.accountId(), license.productId(), kind, cidr, cidr);
  }

  @Test
  void aBlockedHwidIsLicenseSuspended() {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    assertSigned(call("activate", license.key(), machine), license.key(), machine);
    blockHwid(license, machine);
    assertError(call("validate", license.key(), machine), 403, "license_suspended");
    assertError(call("activate", license.key(), machine), 403, "license_suspended");
    String other = Fixtures.randomMachineId();
    assertSigned(call("activate", license.key(), other), license.key(), other);
  }

  @Test
  void anHwidOutsideTheAllowListIsLicenseSuspended() {
    Fixtures.License license = Fixtures.license();
    String allowed = Fixtures.randomMachineId();
    Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value) VALUES (?, ?, 'allow_hwid', ?)",
        license.accountId(), license.productId(), allowed);
    assertError(call("activate", license.key(), Fixtures.randomMachineId()), 403, "license_suspended");
    assertSigned(call("activate", license.key(), allowed), license.key(), allowed);
  }

  @Test
  void aBlockedIpIsLicenseSuspended() {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    assertSigned(call("activate", license.key(), machine), license.key(), machine);
    ipRule(license, "block_ip", "127.0.0.1/32");
    assertError(call("validate", license.key(), machine), 403, "license_suspended");
    assertError(call("activate", license.key(), Fixtures.randomMachineId()), 403, "license_suspended");
  }

  @Test
  void anIpOffTheAllowListIsLicenseSuspended() {
    Fixtures.License byProduct = Fixtures.license();
    ipRule(byProduct, "allow_ip", "10.0.0.0/8");
    assertError(call("activate", byProduct.key(), Fixtures.randomMachineId()), 403, "license_suspended");

    Fixtures.License byPolicy = Fixtures.license(Fixtures.spec().ipMode("allowlist"));
    assertError(call("activate", byPolicy.key(), Fixtures.randomMachineId()), 403, "license_suspended");
    Fixtures.exec("INSERT INTO license_ips (license_id, ip) VALUES (?, '127.0.0.1'::inet)", byPolicy.id());
    String machine = Fixtures.randomMachineId();
    assertSigned(call("activate", byPolicy.key(), machine), byPolicy.key(), machine);
  }

  @Test
  void anIpBeyondTheLicensesIpLimitIsLicenseSuspended() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxIps(1));
    Fixtures.exec("INSERT INTO license_ips (license_id, ip) VALUES (?, '192.0.2.7'::inet)", license.id());
    assertError(call("activate", license.key(), Fixtures.randomMachineId()), 403, "license_suspended");
    assertEquals(1, Fixtures.count("SELECT count(*) FROM license_ips WHERE license_id = ?", license.id()));
  }

  // ---- owner: product and account ----

  @ParameterizedTest
  @CsvSource({"products, archived", "products, disabled", "accounts, suspended", "accounts, billing_suspended"})
  void anUnavailableProductOrSuspendedAccountIsLicenseSuspended(String table, String status) {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    assertSigned(call("activate", license.key(), machine), license.key(), machine);
    Object id = table.equals("products") ? license.productId() : license.accountId();
    assertEquals(1, Fixtures.exec("UPDATE " + table + " SET status = ? WHERE id = ?", status, id));
    assertError(call("validate", license.key(), machine), 403, "license_suspended");
    assertError(call("activate", license.key(), Fixtures.randomMachineId()), 403, "license_suspended");
    assertError(call("deactivate", license.key(), machine), 403, "license_suspended");
    assertEquals(1, machines(license));
  }

  // ---- 429 ----

  @Test
  void theDailyQuotaUsedIs429WithRetryAfterUntilMidnightUtc() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().dailyLimit(2));
    String machine = Fixtures.randomMachineId();
    assertSigned(call("activate", license.key(), machine), license.key(), machine);
    assertSigned(call("validate", license.key(), machine), license.key(), machine);
    assertSigned(call("validate", license.key(), machine), license.key(), machine);

    long before = secondsToMidnightUtc();
    HttpResponse<Buffer> refused = call("validate", license.key(), machine);
    long after = secondsToMidnightUtc();
    assertError(refused, 429, "rate_limit_exceeded");
    long retryAfter = header(refused, "Retry-After");
    assertTrue(retryAfter >= after - 2 && retryAfter <= before + 2,
        "Retry-After " + retryAfter + " is not the time to midnight UTC (" + after + ".." + before + ")");
  }

  private static long secondsToMidnightUtc() {
    long now = Instant.now().getEpochSecond();
    return LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond() - now;
  }

  @Test
  void anEmptyLicenseBucketIs429WithRetryAfter() {
    RateLimit.Limit small = new RateLimit.Limit(3, 0.01);
    Gateway limited = TestGateway.start(c -> c.withRateLimits(new GatewayConfig.RateLimits(true, small,
        TestGateway.UNLIMITED, TestGateway.UNLIMITED, TestGateway.UNLIMITED)));
    DialectClient limitedClient = new DialectClient(vertx, limited.port());
    try {
      Fixtures.License license = Fixtures.license();
      String machine = Fixtures.randomMachineId();
      for (int i = 0; i < 3; i++) {
        HttpResponse<Buffer> ok = call(limitedClient, "activate", license.key(), machine);
        assertSigned(ok, license.key(), machine);
        assertEquals(3, header(ok, "X-RateLimit-Limit"), "the license bucket applies");
        assertEquals(2 - i, header(ok, "X-RateLimit-Remaining"));
      }
      HttpResponse<Buffer> refused = call(limitedClient, "validate", license.key(), machine);
      assertError(refused, 429, "rate_limit_exceeded");
      assertEquals(3, header(refused, "X-RateLimit-Limit"));
      assertEquals(0, header(refused, "X-RateLimit-Remaining"));
      assertTrue(header(refused, "Retry-After") >= 1);
      // Another license has its own bucket.
      Fixtures.License other = Fixtures.license();
      assertSigned(call(limitedClient, "activate", other.key(), machine), other.key(), machine);
    } finally {
      limitedClient.close();
      TestGateway.stop(limited);
    }
  }

  // ---- bad input: 422, 415, 413, never 5xx ----

  @Test
  void missingFieldsAre422NamingEveryField() {
    for (String action : ACTIONS) {
      JsonObject body = assertError(client.post("/license/" + action, new JsonObject()), 422, "validation_error");
      JsonObject errors = body.getJsonObject("errors");
      assertEquals(Set.of("license_key", "machine_id"), errors.fieldNames(), body.encode());
      assertFalse(errors.getJsonArray("machine_id").isEmpty());
      assertInstanceOf(String.class, errors.getJsonArray("machine_id").getValue(0));
    }
  }

  @Test
  void anInvalidMachineIdIs422ForThatFieldAlone() {
    Fixtures.License license = Fixtures.license();
    for (Object bad : List.of("xyz", "g".repeat(64), "a".repeat(63), "a".repeat(65), 42, new JsonArray(), "")) {
      JsonObject body = assertError(client.post("/license/validate",
          new JsonObject().put("license_key", license.key()).put("machine_id", bad)), 422, "validation_error");
      assertEquals(Set.of("machine_id"), body.getJsonObject("errors").fieldNames(), "machine_id " + bad);
    }
    assertEquals(0, machines(license));
  }

  @Test
  void aLicenseKeyNotInTheFiveByFiveFormIs422ForThatFieldAlone() {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    for (Object bad : List.of(license.key().toLowerCase(java.util.Locale.ROOT), license.key().replace("-", ""),
        license.key() + "-AAAAA", license.key().substring(1), "ABCDE-FGHIJ-KLMNO-PQRST-UVWX_", 42)) {
      for (String action : ACTIONS) {
        JsonObject body = assertError(client.post("/license/" + action,
            new JsonObject().put("license_key", bad).put("machine_id", machine)), 422, "validation_error");
        assertEquals(Set.of("license_key"), body.getJsonObject("errors").fieldNames(), action + " " + bad);
      }
    }
    assertEquals(0, machines(license));
  }

  @Test
  void malformedJsonIs422() {
    for (String bad : List.of("{", "{\"license_key\": ", "not json", "[1,2", "")) {
      assertError(client.postRaw("/license/activate", "application/json", utf8(bad)), 422, "validation_error");
    }
    // JSON that is not an object
    for (String notObject : List.of("[]", "\"x\"", "42", "null")) {
      assertError(client.postRaw("/license/activate", "application/json", utf8(notObject)), 422,
          "validation_error");
    }
  }

  @Test
  void aContentTypeOtherThanJsonIs415() {
    Fixtures.License license = Fixtures.license();
    byte[] body = utf8(new JsonObject().put("license_key", license.key())
        .put("machine_id", Fixtures.randomMachineId()).encode());
    for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "application/jsonx", null}) {
      assertError(client.postRaw("/license/activate", type, body), 415, "unsupported_media_type");
    }
    assertEquals(0, machines(license));
    // docs/native-protocol.md: parameters such as charset are allowed.
    HttpResponse<Buffer> withCharset = client.postRaw("/license/activate", "application/json; charset=utf-8", body);
    assertEquals(200, withCharset.statusCode(), withCharset.bodyAsString());
  }

  @Test
  void aBodyOverTheLimitIs413() {
    Fixtures.License license = Fixtures.license();
    String padding = "x".repeat(17 * 1024);
    byte[] body = utf8(new JsonObject().put("license_key", license.key())
        .put("machine_id", Fixtures.randomMachineId()).put("pad", padding).encode());
    assertError(client.postRaw("/license/activate", "application/json", body), 413, "payload_too_large");
    assertEquals(0, machines(license));
  }

  @Test
  void hostileBodiesNeverAnswer5xx() {
    Fixtures.License license = Fixtures.license();
    List<String> bodies = List.of(
        "{\"license_key\": null, \"machine_id\": null}",
        "{\"license_key\": 1e999, \"machine_id\": {}}",
        "{\"license_key\": \"" + "K".repeat(5000) + "\", \"machine_id\": \"" + Fixtures.randomMachineId() + "\"}",
        "{\"license_key\": \"a\\u0000b\", \"machine_id\": \"" + Fixtures.randomMachineId() + "\"}",
        "{\"license_key\": \"\\ud800\", \"machine_id\": \"" + Fixtures.randomMachineId() + "\"}",
        "{\"license_key\": \"" + license.key() + "' OR '1'='1\", \"machine_id\": \"" + Fixtures.randomMachineId() + "\"}",
        "{\"license_key\": \"" + license.key() + "\", \"machine_id\": \"" + Fixtures.randomMachineId() + "\", "
            + "\"license_key\": \"DUPLI-CATED-KEY00-00000-00000\"}",
        "{\"a\":" + "[".repeat(3000) + "]".repeat(3000) + "}",
        "\u00ff\u00fe garbage");
    for (String body : bodies) {
      for (String action : ACTIONS) {
        HttpResponse<Buffer> response = client.postRaw("/license/" + action, "application/json",
            body.getBytes(StandardCharsets.UTF_8));
        int status = response.statusCode();
        assertTrue(status == 404 || status == 413 || status == 422,
            action + " " + body.substring(0, Math.min(80, body.length())) + " answered " + status + " "
                + response.bodyAsString());
        assertCommonHeaders(response);
        assertNotNull(response.bodyAsJsonObject().getJsonObject("error"));
      }
    }
    assertEquals(0, machines(license));
  }
}
