package dev.licensegateway.dialect.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.cli.AccountAdmin;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.testing.DialectWire;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/dialects.md through HTTP: every row of docs/dialects.md that {@code /v1/licenses/*} can reach, its
 * transport refusals (401, 403, 429), live/test isolation and bad bodies.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class V1DialectTest {

  private static final String SCOPE = "licenses:validate";

  private static final String VALIDATE = "/v1/licenses/validate";
  private static final String ACTIVATE = "/v1/licenses/activate";
  private static final String HEARTBEAT = "/v1/licenses/heartbeat";

  private static Gateway gateway;
  private static Vertx vertx;
  private static WebClient web;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() {
    TestGateway.stop(gateway);
    vertx.close();
  }

  // ---- every row of docs/dialects.md reachable by /v1 ------------------------------------------

  @Test
  void anActiveLicenseIsValidWithAndWithoutFingerprintAndActivatesAndHeartbeats() {
    Fixtures.License license = Fixtures.license();
    String key = validateKey(license);
    String machine = Fixtures.randomMachineId();

    JsonObject activated = outcome(call(key, ACTIVATE, body(license, machine)), true, "VALID", license);
    assertEquals(1, activated.getInteger("machines_used"));
    assertEquals(3, activated.getInteger("max_machines"));
    assertEquals("active", activated.getString("status"));
    assertEquals(new JsonArray().add("export").add("pro"), activated.getJsonArray("entitlements"));
    assertNull(activated.getValue("expires_at"), "a perpetual license has no expiry");
    assertEquals(1, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ? AND machine_id = ?",
        license.id(), machine), "activation binds the machine");

    outcome(call(key, VALIDATE, new JsonObject().put("key", license.key())), true, "VALID", license);
    outcome(call(key, VALIDATE, body(license, machine)), true, "VALID", license);
    // An explicit null fingerprint is the same as none: the license alone is validated.
    outcome(call(key, VALIDATE, new JsonObject().put("key", license.key()).putNull("fingerprint")), true, "VALID",
        license);
    // SDKs may send the fingerprint in upper case; it is the same machine.
    outcome(call(key, VALIDATE, body(license, machine.toUpperCase())), true, "VALID", license);
    outcome(call(key, HEARTBEAT, body(license, machine)), true, "VALID", license);
  }

  @Test
  void unknownDeletedAndForeignLicensesAreNotFoundAndRevealNothing() {
    Fixtures.License mine = Fixtures.license();
    Fixtures.License foreign = Fixtures.license();
    String key = validateKey(mine);
    String machine = Fixtures.randomMachineId();

    outcome(call(key, VALIDATE, new JsonObject().put("key", Secrets.licenseKey())), false, "NOT_FOUND", null);
    outcome(call(key, VALIDATE, new JsonObject().put("key", "not-even-a-license-key")), false, "NOT_FOUND", null);

    // The foreign license is valid for its own account's key: only the account boundary hides it.
    outcome(call(validateKey(foreign), VALIDATE, new JsonObject().put("key", foreign.key())), true, "VALID", foreign);
    for (String path : List.of(VALIDATE, ACTIVATE, HEARTBEAT)) {
      outcome(call(key, path, body(foreign, machine)), false, "NOT_FOUND", null);
    }
    assertEquals(0, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", foreign.id()),
        "another account's key bound no machine");

    outcome(call(key, ACTIVATE, body(mine, machine)), true, "VALID", mine);
    Fixtures.exec("UPDATE licenses SET deleted_at = now() WHERE id = ?", mine.id());
    for (String path : List.of(VALIDATE, ACTIVATE, HEARTBEAT)) {
      outcome(call(key, path, body(mine, machine)), false, "NOT_FOUND", null);
    }
  }

  @Test
  void aRevokedLicenseIsRevoked() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().licenseStatus("revoked"));
    String key = validateKey(license);
    String machine = Fixtures.randomMachineId();
    JsonObject shown = outcome(call(key, VALIDATE, new JsonObject().put("key", license.key())), false, "REVOKED",
        license);
    assertEquals("revoked", shown.getString("status"));
    outcome(call(key, ACTIVATE, body(license, machine)), false, "REVOKED", license);
    outcome(call(key, HEARTBEAT, body(license, machine)), false, "REVOKED", license);
    assertEquals(0, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id()));
  }

  @Test
  void inactiveAndSuspendedLicensesAreSuspended() {
    for (String status : List.of("inactive", "suspended")) {
      Fixtures.License license = Fixtures.license(Fixtures.spec().licenseStatus(status));
      String key = validateKey(license);
      JsonObject shown = outcome(call(key, VALIDATE, new JsonObject().put("key", license.key())), false,
          "SUSPENDED", license);
      assertEquals(status, shown.getString("status"));
      outcome(call(key, ACTIVATE, body(license, Fixtures.randomMachineId())), false, "SUSPENDED", license);
    }
  }

  @Test
  void aLicensePastItsExpiryIsExpired() {
    Instant expiry = Instant.now().minusSeconds(3600);
    Fixtures.License license = Fixtures.license(Fixtures.spec().expiresAt(expiry));
    String key = validateKey(license);
    JsonObject shown = outcome(call(key, VALIDATE, new JsonObject().put("key", license.key())), false, "EXPIRED",
        license);
    assertEquals("expired", shown.getString("status"));
    assertEquals(Instant.ofEpochSecond(expiry.getEpochSecond()).toString(), shown.getString("expires_at"));
    outcome(call(key, ACTIVATE, body(license, Fixtures.randomMachineId())), false, "EXPIRED", license);
  }

  @Test
  void activatingPastMaxMachinesIsMachineLimitExceeded() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(2));
    String key = validateKey(license);
    String first = Fixtures.randomMachineId();
    outcome(call(key, ACTIVATE, body(license, first)), true, "VALID", license);
    outcome(call(key, ACTIVATE, body(license, Fixtures.randomMachineId())), true, "VALID", license);
    String third = Fixtures.randomMachineId();
    JsonObject refused = outcome(call(key, ACTIVATE, body(license, third)), false, "MACHINE_LIMIT_EXCEEDED", license);
    assertEquals(2, refused.getInteger("machines_used"));
    // docs/domain.md: an already-active machine activates again without a slot.
    outcome(call(key, ACTIVATE, body(license, first)), true, "VALID", license);
    assertEquals(2, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id()));
    outcome(call(key, VALIDATE, body(license, third)), false, "FINGERPRINT_NOT_FOUND", license);
  }

  @Test
  void aFingerprintNeverActivatedIsFingerprintNotFound() {
    Fixtures.License license = Fixtures.license();
    String key = validateKey(license);
    String stranger = Fixtures.randomMachineId();
    outcome(call(key, VALIDATE, body(license, stranger)), false, "FINGERPRINT_NOT_FOUND", license);
    outcome(call(key, HEARTBEAT, body(license, stranger)), false, "FINGERPRINT_NOT_FOUND", license);
    assertEquals(0, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id()),
        "a heartbeat of an unknown machine binds nothing");
  }

  @Test
  void aMachineSilentPastItsHeartbeatIntervalIsHeartbeatRequired() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().heartbeatIntervalS(60));
    String key = validateKey(license);
    String machine = Fixtures.randomMachineId();
    outcome(call(key, ACTIVATE, body(license, machine)), true, "VALID", license);
    outcome(call(key, VALIDATE, body(license, machine)), true, "VALID", license);
    // 100 s of silence: past 60 + 30 s (overdue), not past 3 × 60 + 30 s (slot released).
    Fixtures.exec("UPDATE machines SET last_heartbeat_at = now() - interval '100 seconds' WHERE license_id = ?",
        license.id());
    outcome(call(key, VALIDATE, body(license, machine)), false, "HEARTBEAT_REQUIRED", license);
    outcome(call(key, HEARTBEAT, body(license, machine)), false, "HEARTBEAT_REQUIRED", license);
    // Without a fingerprint no machine is asked about: the license itself is fine.
    outcome(call(key, VALIDATE, new JsonObject().put("key", license.key())), true, "VALID", license);
  }

  @Test
  void anEntitlementNotGrantedIsEntitlementsMissing() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().entitlements(List.of("export", "pro")));
    String key = validateKey(license);
    outcome(call(key, VALIDATE, new JsonObject().put("key", license.key())
        .put("entitlements", new JsonArray().add("pro").add("export"))), true, "VALID", license);
    outcome(call(key, VALIDATE, new JsonObject().put("key", license.key())
        .put("entitlements", new JsonArray().add("pro").add("enterprise"))), false, "ENTITLEMENTS_MISSING", license);
  }

  @Test
  void blockedHwidsAndIpsAreBlocked() {
    Fixtures.License hwid = Fixtures.license();
    String hwidKey = validateKey(hwid);
    String banned = Fixtures.randomMachineId();
    outcome(call(hwidKey, ACTIVATE, body(hwid, banned)), true, "VALID", hwid);
    Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value) VALUES (?, ?, 'block_hwid', ?)",
        hwid.accountId(), hwid.productId(), banned);
    outcome(call(hwidKey, VALIDATE, body(hwid, banned)), false, "BLOCKED", hwid);
    outcome(call(hwidKey, ACTIVATE, body(hwid, banned)), false, "BLOCKED", hwid);
    outcome(call(hwidKey, HEARTBEAT, body(hwid, banned)), false, "BLOCKED", hwid);
    outcome(call(hwidKey, ACTIVATE, body(hwid, Fixtures.randomMachineId())), true, "VALID", hwid);

    Fixtures.License ip = Fixtures.license();
    String ipKey = validateKey(ip);
    outcome(call(ipKey, VALIDATE, new JsonObject().put("key", ip.key())), true, "VALID", ip);
    Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value, cidr) "
        + "VALUES (?, ?, 'block_ip', '127.0.0.1/32', '127.0.0.1/32'::cidr)", ip.accountId(), ip.productId());
    outcome(call(ipKey, VALIDATE, new JsonObject().put("key", ip.key())), false, "BLOCKED", ip);
    outcome(call(ipKey, ACTIVATE, body(ip, Fixtures.randomMachineId())), false, "BLOCKED", ip);
    assertEquals(0, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", ip.id()));
  }

  @Test
  void anIpOffTheAllowListOrPastTheIpLimitIsBlocked() {
    Fixtures.License allowList = Fixtures.license(Fixtures.spec().ipMode("allowlist"));
    String key = validateKey(allowList);
    outcome(call(key, VALIDATE, new JsonObject().put("key", allowList.key())), false, "BLOCKED", allowList);
    Fixtures.exec("INSERT INTO license_ips (license_id, ip) VALUES (?, '127.0.0.1'::inet)", allowList.id());
    outcome(call(key, VALIDATE, new JsonObject().put("key", allowList.key())), true, "VALID", allowList);

    Fixtures.License limited = Fixtures.license(Fixtures.spec().maxIps(1));
    Fixtures.exec("INSERT INTO license_ips (license_id, ip) VALUES (?, '198.51.100.7'::inet)", limited.id());
    outcome(call(validateKey(limited), VALIDATE, new JsonObject().put("key", limited.key())), false, "BLOCKED",
        limited);
    assertEquals(1, Fixtures.count("SELECT count(*) FROM license_ips WHERE license_id = ?", limited.id()));
  }

  @Test
  void archivedAndDisabledProductsAreProductUnavailable() {
    for (String status : List.of("archived", "disabled")) {
      Fixtures.License license = Fixtures.license(Fixtures.spec().productStatus(status));
      String key = validateKey(license);
      outcome(call(key, VALIDATE, new JsonObject().put("key", license.key())), false, "PRODUCT_UNAVAILABLE", license);
      outcome(call(key, ACTIVATE, body(license, Fixtures.randomMachineId())), false, "PRODUCT_UNAVAILABLE", license);
    }
  }

  @Test
  void suspendedAndBillingSuspendedAccountsAreAccountSuspended() {
    for (String status : List.of("suspended", "billing_suspended")) {
      Fixtures.License license = Fixtures.license(Fixtures.spec().accountStatus(status));
      String key = validateKey(license);
      outcome(call(key, VALIDATE, new JsonObject().put("key", license.key())), false, "ACCOUNT_SUSPENDED", license);
      outcome(call(key, ACTIVATE, body(license, Fixtures.randomMachineId())), false, "ACCOUNT_SUSPENDED", license);
    }
  }

  @Test
  void aUsedDailyQuotaIs429WithRetryAfterTheSecondsToMidnightUtc() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().dailyLimit(2));
    String key = validateKey(license);
    JsonObject request = new JsonObject().put("key", license.key());
    outcome(call(key, VALIDATE, request), true, "VALID", license);
    outcome(call(key, VALIDATE, request), true, "VALID", license);
    Answer refused = call(key, VALIDATE, request);
    assertEquals(429, refused.status(), refused.toString());
    assertCloseToMidnight(Long.parseLong(refused.headers().get("Retry-After")));
    assertErrorForm(refused, "QUOTA_EXHAUSTED");
  }

  // ---- transport: 401, 403, 429 -------------------------------------------------------

  @Test
  void missingMalformedUnknownAndRevokedKeysAre401() {
    ManageClient api = new ManageClient(vertx, gateway.port(), ManageClient.newAccount(null).apiKey());
    JsonObject created = api.create("/keys", new JsonObject().put("name", "v")
        .put("scopes", new JsonArray().add(SCOPE)));
    String revoked = created.getString("key");
    Fixtures.License license = Fixtures.license();
    JsonObject request = new JsonObject().put("key", license.key());
    // Before its revocation the key authenticates (the license is another account's: NOT_FOUND).
    outcome(call(revoked, VALIDATE, request), false, "NOT_FOUND", null);
    assertEquals(200, api.delete("/keys/" + created.getString("id")).statusCode());

    Map<String, String> authorizations = new java.util.LinkedHashMap<>();
    authorizations.put("no header", null);
    authorizations.put("empty bearer", "Bearer ");
    authorizations.put("basic", "Basic dXNlcjpwYXNz");
    authorizations.put("malformed", "Bearer lk_live_short");
    authorizations.put("product key", "Bearer " + license.productKey());
    authorizations.put("unknown", "Bearer " + Secrets.apiKey("live"));
    authorizations.put("revoked", "Bearer " + revoked);
    for (Map.Entry<String, String> auth : authorizations.entrySet()) {
      for (String path : List.of(VALIDATE, ACTIVATE, HEARTBEAT)) {
        Answer refused = send(path, auth.getValue(), "application/json", body(license, Fixtures.randomMachineId())
            .toBuffer());
        assertEquals(401, refused.status(), auth.getKey() + " on " + path + ": " + refused);
        assertErrorForm(refused, "INVALID_API_KEY");
      }
    }
  }

  @Test
  void aKeyWithoutLicensesValidateIs403() {
    Fixtures.License license = Fixtures.license();
    List<String> others = new ArrayList<>(AccountAdmin.ALL_SCOPES);
    others.remove(SCOPE);
    String without = apiKey(license.accountId(), "live", others);
    for (String path : List.of(VALIDATE, ACTIVATE, HEARTBEAT)) {
      Answer refused = call(without, path, body(license, Fixtures.randomMachineId()));
      assertEquals(403, refused.status(), path + ": " + refused);
      assertErrorForm(refused, "FORBIDDEN");
    }
    assertEquals(0, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id()),
        "a refused activation binds nothing");
    // The scope alone is what is missing: with it the same request passes.
    outcome(call(apiKey(license.accountId(), "live", List.of(SCOPE)), VALIDATE,
        new JsonObject().put("key", license.key())), true, "VALID", license);
  }

  @Test
  void anEmptyApiKeyBucketIs429WithRetryAfter() {
    // Three tokens, one back every 100 s: the fourth request within the test finds none.
    RateLimit.Limit small = new RateLimit.Limit(3, 0.01);
    Gateway limited = TestGateway.start(c -> c.withRateLimits(new GatewayConfig.RateLimits(true,
        TestGateway.UNLIMITED, TestGateway.UNLIMITED, small, TestGateway.UNLIMITED)));
    try {
      Fixtures.License license = Fixtures.license();
      String key = validateKey(license);
      JsonObject request = new JsonObject().put("key", license.key());
      for (int i = 0; i < 3; i++) {
        Answer passed = send(limited.port(), VALIDATE, "Bearer " + key, "application/json", request.toBuffer());
        outcome(passed, true, "VALID", license);
        assertEquals("3", passed.headers().get("X-RateLimit-Limit"), "the API-key bucket applies");
        assertEquals(Integer.toString(2 - i), passed.headers().get("X-RateLimit-Remaining"));
      }
      Answer refused = send(limited.port(), VALIDATE, "Bearer " + key, "application/json", request.toBuffer());
      assertEquals(429, refused.status(), refused.toString());
      assertErrorForm(refused, "RATE_LIMITED");
      long retryAfter = Long.parseLong(refused.headers().get("Retry-After"));
      assertTrue(retryAfter >= 1 && retryAfter <= 100, "Retry-After " + retryAfter + " s for one token at 0.01/s");
      assertEquals("0", refused.headers().get("X-RateLimit-Remaining"));
      // The bucket is the key's: another key of the same account still passes.
      outcome(send(limited.port(), VALIDATE, "Bearer " + validateKey(license), "application/json",
          request.toBuffer()), true, "VALID", license);
    } finally {
      TestGateway.stop(limited);
    }
  }

  // ---- live/test isolation ---------------------------------------------------------------

  @Test
  void liveKeysSeeOnlyLiveLicensesAndTestKeysOnlyTestLicenses() {
    ManageClient live = new ManageClient(vertx, gateway.port(), ManageClient.newAccount(null).apiKey());
    ManageClient test = live.withKey(live.create("/keys", new JsonObject().put("name", "t")
        .put("scopes", new JsonArray(AccountAdmin.ALL_SCOPES)).put("environment", "test")).getString("key"));
    String liveLicense = licenseThrough(live);
    String testLicense = licenseThrough(test);
    String liveKey = live.create("/keys", new JsonObject().put("name", "lv")
        .put("scopes", new JsonArray().add(SCOPE))).getString("key");
    String testKey = test.create("/keys", new JsonObject().put("name", "tv")
        .put("scopes", new JsonArray().add(SCOPE))).getString("key");
    assertTrue(liveKey.startsWith("lk_live_"), liveKey);
    assertTrue(testKey.startsWith("lk_test_"), testKey);

    assertEquals("VALID", call(liveKey, VALIDATE, new JsonObject().put("key", liveLicense)).body().getString("code"));
    assertEquals("VALID", call(testKey, VALIDATE, new JsonObject().put("key", testLicense)).body().getString("code"));
    String machine = Fixtures.randomMachineId();
    for (String path : List.of(VALIDATE, ACTIVATE, HEARTBEAT)) {
      outcome(call(testKey, path, new JsonObject().put("key", liveLicense).put("fingerprint", machine)), false,
          "NOT_FOUND", null);
      outcome(call(liveKey, path, new JsonObject().put("key", testLicense).put("fingerprint", machine)), false,
          "NOT_FOUND", null);
    }
    assertEquals(0, Fixtures.count("SELECT count(*) FROM machines m JOIN licenses l ON l.id = m.license_id "
        + "WHERE l.key IN (?, ?)", liveLicense, testLicense), "no cross-environment activation bound a machine");
    // Each key activates in its own environment.
    assertEquals("VALID", call(testKey, ACTIVATE, new JsonObject().put("key", testLicense).put("fingerprint", machine))
        .body().getString("code"));
  }

  // ---- bad bodies -------------------------------------------------------------------------

  @Test
  void badBodiesAre400InTheDialectsErrorFormNever5xx() {
    Fixtures.License license = Fixtures.license();
    String key = validateKey(license);
    String fp = Fixtures.randomMachineId();
    String k = license.key();
    String deep = "[".repeat(200) + "]".repeat(200);
    List<String> anyEndpoint = List.of(
        "", "{", "not json", "[]", "null", "\"key\"", "42", "{}",
        "{\"key\": null}",
        "{\"key\": 12345}",
        "{\"key\": \"\"}",
        "{\"key\": \"" + "A".repeat(256) + "\"}",
        "{\"key\": \"A\\u0000B\", \"fingerprint\": \"" + fp + "\"}",
        "{\"key\": \"\\ud800\", \"fingerprint\": \"" + fp + "\"}",
        "{\"key\": [\"" + k + "\"], \"fingerprint\": \"" + fp + "\"}",
        "{\"key\": \"" + k + "\", \"fingerprint\": \"xyz\"}",
        "{\"key\": \"" + k + "\", \"fingerprint\": 7}",
        "{\"key\": \"" + k + "\", \"fingerprint\": \"" + fp + "0\"}",
        "{\"key\": \"" + k + "\", \"fingerprint\": \"" + "g".repeat(64) + "\"}",
        "{\"key\": \"" + k + "\", \"fingerprint\": \"" + fp + "\"} trailing",
        "{\"key\": \"" + k + "\", \"fingerprint\": \"" + fp + "\", \"x\": " + deep + "}");
    for (String path : List.of(VALIDATE, ACTIVATE, HEARTBEAT)) {
      List<String> bodies = new ArrayList<>(anyEndpoint);
      if (path.equals(VALIDATE)) {
        bodies.add("{\"key\": \"" + k + "\", \"entitlements\": \"pro\"}");
        bodies.add("{\"key\": \"" + k + "\", \"entitlements\": [1]}");
        bodies.add("{\"key\": \"" + k + "\", \"entitlements\": [\"\"]}");
        bodies.add("{\"key\": \"" + k + "\", \"entitlements\": " + new JsonArray(java.util.Collections.nCopies(65, "x"))
            + "}");
      } else {
        bodies.add("{\"key\": \"" + k + "\"}");
        bodies.add("{\"key\": \"" + k + "\", \"fingerprint\": null}");
      }
      for (String raw : bodies) {
        Answer refused = send(path, "Bearer " + key, "application/json", Buffer.buffer(raw));
        assertEquals(400, refused.status(), path + " with " + abbreviate(raw) + ": " + refused);
        assertErrorForm(refused, "BAD_REQUEST");
      }
      Answer wrongType = send(path, "Bearer " + key, "text/plain", body(license, fp).toBuffer());
      assertEquals(400, wrongType.status(), path + " as text/plain: " + wrongType);
      assertErrorForm(wrongType, "BAD_REQUEST");
      Answer noType = send(path, "Bearer " + key, null, body(license, fp).toBuffer());
      assertEquals(400, noType.status(), path + " without Content-Type: " + noType);
    }
    assertEquals(0, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id()),
        "no refused body bound a machine");
  }

  @Test
  void formBodiesOversizedBodiesAndOddExpectationsAreRefusedAs4xxNever5xx() {
    Fixtures.License license = Fixtures.license();
    String key = validateKey(license);
    String fp = Fixtures.randomMachineId();
    Map<String, String> forms = Map.of(
        "application/x-www-form-urlencoded", "key=%zz&fingerprint=%",
        "multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nA\r\n--XY");
    for (String path : List.of(VALIDATE, ACTIVATE, HEARTBEAT)) {
      for (Map.Entry<String, String> form : forms.entrySet()) {
        Answer refused = send(path, "Bearer " + key, form.getKey(), Buffer.buffer(form.getValue()));
        assertEquals(400, refused.status(), path + " as " + form.getKey() + ": " + refused);
        assertErrorForm(refused, "BAD_REQUEST");
      }
      String padded = body(license, fp).encode();
      Answer tooLarge = send(path, "Bearer " + key, "application/json",
          Buffer.buffer(padded + " ".repeat(16_385 - padded.length())));
      assertEquals(413, tooLarge.status(), path + " with 16,385 bytes: " + tooLarge);
      assertErrorForm(tooLarge, "PAYLOAD_TOO_LARGE");
      MultiMap odd = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + key)
          .add("Content-Type", "application/json").add("Expect", "the-unexpected");
      Answer expectation = send(gateway.port(), path, odd, body(license, fp).toBuffer());
      assertEquals(417, expectation.status(), path + " with Expect: the-unexpected: " + expectation);
    }
    assertEquals(0, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id()));
  }

  @Test
  void everyBadFieldIsReportedWithItsPointer() {
    Fixtures.License license = Fixtures.license();
    Answer refused = call(validateKey(license), ACTIVATE, new JsonObject().put("key", 5).put("fingerprint", "zz"));
    assertEquals(400, refused.status(), refused.toString());
    JsonArray errors = refused.body().getJsonArray("errors");
    Set<String> pointers = new java.util.HashSet<>();
    errors.forEach(e -> pointers.add(((JsonObject) e).getJsonObject("source").getString("pointer")));
    assertEquals(Set.of("/key", "/fingerprint"), pointers, refused.toString());
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** One HTTP answer: status, headers and the JSON body. */
  private record Answer(int status, MultiMap headers, JsonObject body) {
    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  private static JsonObject body(Fixtures.License license, String fingerprint) {
    return new JsonObject().put("key", license.key()).put("fingerprint", fingerprint);
  }

  private static Answer call(String apiKey, String path, JsonObject body) {
    return send(path, "Bearer " + apiKey, "application/json", body.toBuffer());
  }

  private static Answer send(String path, String authorization, String contentType, Buffer body) {
    return send(gateway.port(), path, authorization, contentType, body);
  }

  /**
   * Sends one request and checks what docs/native-protocol.md asks of every answer of every dialect: the
   * rate-limit headers of the bucket that applied and a request id; and that no client
   * input earns a 5xx.
   */
  private static Answer send(int port, String path, String authorization, String contentType, Buffer body) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (authorization != null) {
      headers.add("Authorization", authorization);
    }
    if (contentType != null) {
      headers.add("Content-Type", contentType);
    }
    return send(port, path, headers, body);
  }

  private static Answer send(int port, String path, MultiMap headers, Buffer body) {
    HttpRequest<Buffer> request = web.request(HttpMethod.POST, port, "127.0.0.1", path).putHeaders(headers);
    HttpResponse<Buffer> response;
    try {
      response = request.sendBuffer(body).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(path + " did not answer", e);
    }
    // docs/native-protocol.md on every answer: no 5xx, JSON, a unique request id, a real bucket.
    DialectWire.assertCommonHeaders(response);
    return new Answer(response.statusCode(), response.headers(), response.bodyAsJsonObject());
  }

  /**
   * docs/dialects.md: HTTP 200 with exactly {@code valid}, {@code code} and {@code license}; the
   * license is null when not found and otherwise the asked license. Returns the license.
   */
  private static JsonObject outcome(Answer answer, boolean valid, String code, Fixtures.License license) {
    assertEquals(200, answer.status(), answer.toString());
    JsonObject body = answer.body();
    assertEquals(Set.of("valid", "code", "license"), body.fieldNames(), answer.toString());
    assertEquals(code, body.getString("code"), answer.toString());
    assertEquals(valid, body.getBoolean("valid"), answer.toString());
    JsonObject shown = body.getJsonObject("license");
    if (license == null) {
      assertNull(shown, "NOT_FOUND shows no license: " + answer);
      assertTrue(body.containsKey("license"), "license is present as null");
    } else {
      assertNotNull(shown, answer.toString());
      assertEquals(license.key(), shown.getString("key"), answer.toString());
      assertEquals(license.id().toString(), shown.getString("id"), answer.toString());
    }
    return shown;
  }

  /** The dialect's error form: {@code {"errors": [{"title", "detail", "code", …}]}}. */
  private static void assertErrorForm(Answer answer, String code) {
    JsonArray errors = answer.body().getJsonArray("errors");
    assertNotNull(errors, answer.toString());
    assertFalse(errors.isEmpty(), answer.toString());
    for (Object e : errors) {
      JsonObject error = (JsonObject) e;
      assertEquals(code, error.getString("code"), answer.toString());
      assertNotNull(error.getString("title"), answer.toString());
      assertNotNull(error.getString("detail"), answer.toString());
    }
    assertFalse(answer.body().containsKey("valid"), "an error is not an outcome: " + answer);
  }

  private static void assertCloseToMidnight(long retryAfter) {
    long now = Instant.now().getEpochSecond();
    long midnight = LocalDate.ofEpochDay(now / 86_400 + 1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    assertTrue(Math.abs((midnight - now) - retryAfter) <= 5,
        "Retry-After " + retryAfter + " s, seconds to midnight UTC " + (midnight - now));
  }

  /** A key of the license's account and environment holding only {@code licenses:validate}. */
  private static String validateKey(Fixtures.License license) {
    String environment = Fixtures.count("SELECT count(*) FROM licenses WHERE id = ? AND environment = 'test'",
        license.id()) == 1 ? "test" : "live";
    return apiKey(license.accountId(), environment, List.of(SCOPE));
  }

  /** An API key written as the management API writes one: only its digest is stored. */
  private static String apiKey(UUID accountId, String environment, List<String> scopes) {
    String key = Secrets.apiKey(environment);
    try (Connection c = Fixtures.connect(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO api_keys (account_id, name, key_digest, key_hint, scopes, environment) VALUES (?, 'v1 test', ?, ?, ?, ?)")) {
      ps.setObject(1, accountId);
      ps.setBytes(2, Secrets.digest(key));
      ps.setString(3, Secrets.hint(key));
      ps.setArray(4, c.createArrayOf("text", scopes.toArray()));
      ps.setString(5, environment);
      ps.executeUpdate();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return key;
  }

  /** A product, policy and license made through the management API with this key; the license key. */
  private static String licenseThrough(ManageClient api) {
    JsonObject product = api.create("/products", new JsonObject().put("name", "p"));
    JsonObject policy = api.create("/policies", new JsonObject().put("product_id", product.getString("id"))
        .put("name", "p").put("max_machines", 2));
    return api.create("/licenses", new JsonObject().put("policy_id", policy.getString("id"))).getString("key");
  }

  private static String abbreviate(String raw) {
    return raw.length() > 80 ? raw.substring(0, 80) + "…" : raw;
  }
}
