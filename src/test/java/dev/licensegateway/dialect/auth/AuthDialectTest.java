package dev.licensegateway.dialect.auth;

import static dev.licensegateway.testing.DialectWire.assertCommonHeaders;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.testing.DialectClient;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.LegacyBox;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/dialects.md over HTTP: every {@code /auth} row of docs/dialects.md, the HMAC signature of every body
 * (computed here with the JDK alone), sessions and heartbeats, and the credits they spend,
 * also under concurrency.
 */
class AuthDialectTest {

  private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Set<String> FAILURE_FIELDS = Set.of("status", "error", "message", "nonce");

  private static Gateway gateway;
  private static Vertx vertx;
  private static DialectClient client;
  /** Two more instances on the same Postgres and Redis, for the races: pods behind one balancer. */
  private static List<Gateway> others;
  /** One client per instance: the first is {@link #client}. */
  private static List<DialectClient> pods;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    others = TestGateway.startMany(2);
    vertx = Vertx.vertx();
    client = new DialectClient(vertx, gateway.port());
    pods = List.of(client, new DialectClient(vertx, others.get(0).port()), new DialectClient(vertx, others.get(1).port()));
  }

  @AfterAll
  static void stop() {
    pods.forEach(DialectClient::close);
    vertx.close();
    TestGateway.stop(gateway);
    TestGateway.stopAll(others);
  }

  // ---- requests ----

  private static String nonce() {
    return "n-" + UUID.randomUUID();
  }

  private static JsonObject loginBody(Fixtures.License license, String hwid, String nonce) {
    return new JsonObject().put("app_id", license.appId()).put("app_secret", license.appSecret())
        .put("license_key", license.key()).put("hwid", hwid).put("nonce", nonce);
  }

  private static HttpResponse<Buffer> login(Fixtures.License license, String hwid, String nonce) {
    return client.post("/auth/validate", loginBody(license, hwid, nonce));
  }

  private static Future<HttpResponse<Buffer>> sendHeartbeat(String appId, String token, String nonce) {
    return client.send("/auth/heartbeat",
        new JsonObject().put("app_id", appId).put("session_token", token).put("nonce", nonce));
  }

  private static HttpResponse<Buffer> heartbeat(Fixtures.License license, String token, String nonce) {
    return DialectClient.await(sendHeartbeat(license.appId(), token, nonce));
  }

  /** A session opened by a successful login. */
  private record Session(String token, Instant expiresAt, JsonObject body) {}

  private static Session loggedIn(Fixtures.License license, String hwid) {
    String nonce = nonce();
    JsonObject body = assertSuccess(login(license, hwid, nonce), license, nonce);
    return new Session(body.getString("session_token"), Instant.parse(body.getString("session_expires_at")), body);
  }

  // ---- docs/dialects.md wire assertions ----

  /**
   * HTTP 200, the headers of every answer, and {@code X-Auth-Signature} equal to the HMAC of
   * the raw body with {@code secret}, or absent when {@code secret} is null.
   */
  private static JsonObject assertWire(HttpResponse<Buffer> response, String secret) {
    return assertWire(response, secret, 200);
  }

  private static JsonObject assertWire(HttpResponse<Buffer> response, String secret, int status) {
    String where = response.statusCode() + " " + response.bodyAsString();
    assertEquals(status, response.statusCode(), where);
    assertCommonHeaders(response);
    String signature = response.getHeader("X-Auth-Signature");
    if (secret == null) {
      assertNull(signature, "an answer that cannot name the app is not signed: " + where);
    } else {
      assertNotNull(signature, "every body is signed: " + where);
      assertTrue(HEX_SHA256.matcher(signature).matches(), "lowercase hex HMAC-SHA256: " + signature);
      assertEquals(DialectClient.hmacHex(secret, response.body().getBytes()), signature,
          "X-Auth-Signature is not HMAC-SHA256(app_secret, body): " + where);
    }
    return response.bodyAsJsonObject();
  }

  private static JsonObject assertSuccess(HttpResponse<Buffer> response, Fixtures.License license, String nonce) {
    JsonObject body = assertWire(response, license.appSecret());
    String where = body.encode();
    assertEquals("success", body.getString("status"), where);
    assertEquals(Set.of("status", "nonce", "timestamp", "session_token", "session_expires_at", "license"),
        body.fieldNames(), where);
    assertEquals(nonce, body.getString("nonce"), where);
    long timestamp = assertInstanceOf(Number.class, body.getValue("timestamp"), where).longValue();
    assertTrue(Math.abs(timestamp - Instant.now().getEpochSecond()) < 60, "timestamp is the server's now: " + where);
    String token = body.getString("session_token");
    assertNotNull(token, where);
    // docs/domain.md: >= 128 bits of entropy; 22 base64url characters carry 132 bits.
    assertTrue(token.length() >= 22 && BASE64URL.matcher(token).matches(), "session_token " + token);
    Instant expires = Instant.parse(body.getString("session_expires_at"));
    assertTrue(expires.isAfter(Instant.now()), "session_expires_at is in the future: " + where);
    JsonObject lic = body.getJsonObject("license");
    assertNotNull(lic, where);
    assertEquals(license.key(), lic.getString("key"), where);
    assertEquals("active", lic.getString("status"), where);
    return body;
  }

  private static JsonObject assertFailed(HttpResponse<Buffer> response, String secret, String code, String nonce) {
    // A wrong app id/secret pair is the dialect's transport-level auth failure: 401, unsigned.
    boolean appRefused = code.equals("invalid_app") && secret == null;
    JsonObject body = assertWire(response, secret, appRefused ? 401 : 200);
    String where = body.encode();
    assertEquals("failed", body.getString("status"), where);
    assertEquals(code, body.getString("error"), where);
    assertInstanceOf(String.class, body.getValue("message"), where);
    assertFalse(body.getString("message").isBlank(), where);
    assertEquals(nonce, body.getValue("nonce"), where);
    if (code.equals("bad_request")) {
      assertInstanceOf(JsonArray.class, body.getValue("details"), where);
    } else {
      assertEquals(FAILURE_FIELDS, body.fieldNames(), where);
    }
    return body;
  }

  private static long credits(Fixtures.License license) {
    return Fixtures.count("SELECT credits FROM accounts WHERE id = ?", license.accountId());
  }

  private static long machines(Fixtures.License license) {
    return Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id());
  }

  private static long sessions(Fixtures.License license) {
    return Fixtures.count("SELECT count(*) FROM sessions WHERE license_id = ?", license.id());
  }

  // ---- login: every row ----

  @Test
  void aLoginAnswersASignedSessionAndTheLicense() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(2));
    String hwid = Fixtures.randomMachineId();
    Session session = loggedIn(license, hwid);
    JsonObject lic = session.body().getJsonObject("license");
    assertEquals(2, lic.getInteger("max_machines"));
    assertEquals(1, lic.getInteger("machines_used"));
    assertEquals(new JsonArray().add("export").add("pro"), lic.getJsonArray("entitlements"));
    assertEquals(1, machines(license));
    assertEquals(1, sessions(license));
    // Without a heartbeat policy a session lasts an hour.
    long seconds = session.expiresAt().getEpochSecond() - Instant.now().getEpochSecond();
    assertTrue(seconds > 3500 && seconds <= 3600, "session lasts " + seconds + " s");

    Session second = loggedIn(license, hwid);
    assertNotEquals(session.token(), second.token(), "every login opens its own session");
  }

  @Test
  void aWrongAppSecretOrAnUnknownAppIsInvalidAppUnsigned() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().credits(5L));
    String hwid = Fixtures.randomMachineId();
    String nonce = nonce();
    assertFailed(client.post("/auth/validate", loginBody(license, hwid, nonce)
        .put("app_secret", license.appSecret() + "x")), null, "invalid_app", nonce);
    // The secret of another app is as wrong as any other.
    Fixtures.License other = Fixtures.license();
    assertFailed(client.post("/auth/validate", loginBody(license, hwid, nonce)
        .put("app_secret", other.appSecret())), null, "invalid_app", nonce);
    assertFailed(client.post("/auth/validate", loginBody(license, hwid, nonce)
        .put("app_id", "app_" + UUID.randomUUID())), null, "invalid_app", nonce);
    assertEquals(0, machines(license));
    assertEquals(5, credits(license), "a refused app spends nothing");
  }

  @Test
  void anUnknownKeyOrALicenseOfAnotherProductOfTheSameAccountIsInvalidKey() {
    Fixtures.License license = Fixtures.license();
    String nonce = nonce();
    assertFailed(client.post("/auth/validate", loginBody(license, Fixtures.randomMachineId(), nonce)
        .put("license_key", Secrets.licenseKey())), license.appSecret(), "invalid_key", nonce);

    String otherKey = licenseOfAnotherProduct(license);
    assertFailed(client.post("/auth/validate", loginBody(license, Fixtures.randomMachineId(), nonce)
        .put("license_key", otherKey)), license.appSecret(), "invalid_key", nonce);
    assertEquals(0, Fixtures.count("SELECT count(*) FROM machines m JOIN licenses l ON l.id = m.license_id"
        + " WHERE l.key = ?", otherKey));

    Fixtures.exec("UPDATE licenses SET deleted_at = now() WHERE id = ?", license.id());
    assertFailed(login(license, Fixtures.randomMachineId(), nonce), license.appSecret(), "invalid_key", nonce);
  }

  /** A second product, policy and license in the account of {@code license}; returns the key. */
  private static String licenseOfAnotherProduct(Fixtures.License license) {
    String key = Secrets.licenseKey();
    assertEquals(1, Fixtures.exec("""
        WITH p AS (INSERT INTO products (account_id, environment, name, app_id, app_secret_digest, product_key_digest)
                   VALUES (?, 'live', 'other app', ?, ?, ?) RETURNING id),
             po AS (INSERT INTO policies (account_id, product_id, name, max_machines)
                    SELECT ?, id, 'other policy', 3 FROM p RETURNING id, product_id)
        INSERT INTO licenses (account_id, product_id, policy_id, environment, key)
        SELECT ?, product_id, id, 'live', ? FROM po
        """, license.accountId(), Secrets.appId(), Secrets.digest(Secrets.appSecret()),
        Secrets.digest(Secrets.productKey("live")), license.accountId(), license.accountId(), key));
    return key;
  }

  @ParameterizedTest
  @ValueSource(strings = {"revoked", "suspended", "inactive"})
  void aRevokedSuspendedOrInactiveLicenseIsRevokedAndSpendsNoCredit(String status) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().licenseStatus(status).credits(5L));
    String nonce = nonce();
    assertFailed(login(license, Fixtures.randomMachineId(), nonce), license.appSecret(), "revoked", nonce);
    assertEquals(5, credits(license));
    assertEquals(0, machines(license));
    assertEquals(0, sessions(license));
  }

  @Test
  void anExpiredLicenseIsExpired() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().expiresAt(Instant.now().minusSeconds(1)));
    String nonce = nonce();
    assertFailed(login(license, Fixtures.randomMachineId(), nonce), license.appSecret(), "expired", nonce);
  }

  @Test
  void allSlotsBoundToOtherHwidsIsHwidMismatchWhileABoundHwidLogsInWithoutASlot() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(2).credits(10L));
    String first = Fixtures.randomMachineId();
    String second = Fixtures.randomMachineId();
    loggedIn(license, first);
    loggedIn(license, second);
    assertEquals(8, credits(license));

    String nonce = nonce();
    assertFailed(login(license, Fixtures.randomMachineId(), nonce), license.appSecret(), "hwid_mismatch", nonce);
    assertEquals(2, machines(license));
    assertEquals(8, credits(license), "a refused login spends no credit");

    Session again = loggedIn(license, first);
    assertEquals(2, again.body().getJsonObject("license").getInteger("machines_used"));
    assertEquals(2, machines(license), "a bound HWID takes no new slot");
    assertEquals(7, credits(license));
  }

  @Test
  void aBlockedHwidOrIpIsBlocked() {
    Fixtures.License license = Fixtures.license();
    String hwid = Fixtures.randomMachineId();
    Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value) VALUES (?, ?, 'block_hwid', ?)",
        license.accountId(), license.productId(), hwid);
    String nonce = nonce();
    assertFailed(login(license, hwid, nonce), license.appSecret(), "blocked", nonce);
    assertEquals(0, machines(license));
    loggedIn(license, Fixtures.randomMachineId());

    Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value, cidr)"
        + " VALUES (?, ?, 'block_ip', '127.0.0.1/32', '127.0.0.1/32'::cidr)", license.accountId(), license.productId());
    assertFailed(login(license, Fixtures.randomMachineId(), nonce), license.appSecret(), "blocked", nonce);
  }

  @ParameterizedTest
  @ValueSource(strings = {"archived", "disabled"})
  void anArchivedOrDisabledProductIsInvalidAppSignedSinceThePairIsRight(String status) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().productStatus(status).credits(3L));
    String nonce = nonce();
    assertFailed(login(license, Fixtures.randomMachineId(), nonce), license.appSecret(), "invalid_app", nonce);
    assertEquals(3, credits(license));
    assertEquals(0, machines(license));
  }

  @ParameterizedTest
  @ValueSource(strings = {"suspended", "billing_suspended"})
  void aSuspendedAccountIsAppDisabled(String status) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().accountStatus(status).credits(3L));
    String nonce = nonce();
    assertFailed(login(license, Fixtures.randomMachineId(), nonce), license.appSecret(), "app_disabled", nonce);
    assertEquals(3, credits(license));
  }

  @Test
  void anAccountWithoutCreditsIsNoCredits() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().credits(0L));
    String nonce = nonce();
    assertFailed(login(license, Fixtures.randomMachineId(), nonce), license.appSecret(), "no_credits", nonce);
    assertEquals(0, credits(license));
    assertEquals(0, machines(license), "an unpaid login binds nothing");
    assertEquals(0, sessions(license));
  }

  // ---- bad_request ----

  private static Set<String> detailFields(JsonObject body) {
    return body.getJsonArray("details").stream()
        .map(d -> ((JsonObject) d).getString("field"))
        .collect(Collectors.toSet());
  }

  @Test
  void missingFieldsAreBadRequestListingEveryField() {
    JsonObject login = assertFailed(client.post("/auth/validate", new JsonObject()), null, "bad_request", null);
    assertEquals(Set.of("app_id", "app_secret", "license_key", "hwid", "nonce"), detailFields(login));
    for (Object detail : login.getJsonArray("details")) {
      assertInstanceOf(String.class, ((JsonObject) detail).getValue("message"));
    }
    JsonObject beat = assertFailed(client.post("/auth/heartbeat", new JsonObject()), null, "bad_request", null);
    assertEquals(Set.of("app_id", "session_token", "nonce"), detailFields(beat));

    // The nonce is echoed even when other fields are wrong.
    Fixtures.License license = Fixtures.license();
    String nonce = nonce();
    JsonObject noSecret = assertFailed(client.post("/auth/validate", loginBody(license, "not-a-hash", nonce)
        .putNull("app_secret")), null, "bad_request", nonce);
    assertEquals(Set.of("app_secret", "hwid"), detailFields(noSecret));
    assertEquals(0, machines(license));
  }

  @Test
  void aBadRequestWithTheRightAppPairIsSigned() {
    Fixtures.License license = Fixtures.license();
    String nonce = nonce();
    JsonObject body = assertFailed(client.post("/auth/validate", loginBody(license, "not-a-hash", nonce)),
        license.appSecret(), "bad_request", nonce);
    assertEquals(Set.of("hwid"), detailFields(body));
    // A wrong pair still signs nothing.
    assertFailed(client.post("/auth/validate", loginBody(license, "not-a-hash", nonce)
        .put("app_secret", "as_wrong")), null, "bad_request", nonce);

    // A heartbeat proves its app by a session token of that app.
    Session session = loggedIn(license, Fixtures.randomMachineId());
    JsonObject noNonce = assertFailed(client.post("/auth/heartbeat", new JsonObject().put("app_id", license.appId())
        .put("session_token", session.token())), license.appSecret(), "bad_request", null);
    assertEquals(Set.of("nonce"), detailFields(noNonce));
    Fixtures.License other = Fixtures.license();
    assertFailed(client.post("/auth/heartbeat", new JsonObject().put("app_id", other.appId())
        .put("session_token", session.token())), null, "bad_request", null);
  }

  @Test
  void unreadableBodiesAreBadRequestNeverAnError() {
    List<byte[]> bodies = List.of(new byte[0], "{".getBytes(StandardCharsets.UTF_8),
        "[]".getBytes(StandardCharsets.UTF_8), "\"x\"".getBytes(StandardCharsets.UTF_8),
        ("{\"nonce\": \"" + "n".repeat(500) + "\", \"app_id\": 7}").getBytes(StandardCharsets.UTF_8));
    for (String path : List.of("/auth/validate", "/auth/heartbeat")) {
      for (byte[] body : bodies) {
        assertFailed(client.postRaw(path, "application/json", body), null, "bad_request", null);
      }
      assertFailed(client.postRaw(path, "text/plain", "{}".getBytes(StandardCharsets.UTF_8)), null,
          "bad_request", null);
      byte[] huge = new JsonObject().put("nonce", "n").put("pad", "x".repeat(17 * 1024)).encode()
          .getBytes(StandardCharsets.UTF_8);
      assertFailed(client.postRaw(path, "application/json", huge), null, "bad_request", null);
    }
  }

  // ---- heartbeat ----

  @Test
  void aHeartbeatExtendsTheSession() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().heartbeatIntervalS(60));
    Session session = loggedIn(license, Fixtures.randomMachineId());
    // docs/domain.md: with a heartbeat policy a session lives until its machine would be overdue.
    long lifetime = session.expiresAt().getEpochSecond() - Instant.now().getEpochSecond();
    assertTrue(lifetime > 80 && lifetime <= 90, "session lasts " + lifetime + " s");
    Fixtures.exec("UPDATE sessions SET expires_at = now() + interval '5 seconds' WHERE license_id = ?", license.id());

    String nonce = nonce();
    JsonObject body = assertSuccess(heartbeat(license, session.token(), nonce), license, nonce);
    assertEquals(session.token(), body.getString("session_token"), "a heartbeat keeps the session's token");
    Instant extended = Instant.parse(body.getString("session_expires_at"));
    long left = extended.getEpochSecond() - Instant.now().getEpochSecond();
    assertTrue(left > 80 && left <= 90, "extended by " + left + " s");
    long stored = Fixtures.count("SELECT extract(epoch FROM expires_at)::bigint FROM sessions WHERE license_id = ?",
        license.id());
    assertTrue(Math.abs(stored - extended.getEpochSecond()) <= 1, "the stored expiry moved too: " + stored);
  }

  @Test
  void aHeartbeatWithAnUnknownTokenIsSessionExpired() {
    Fixtures.License license = Fixtures.license();
    String nonce = nonce();
    // No session names the app, so there is no secret to sign with.
    assertFailed(heartbeat(license, Secrets.sessionToken(), nonce), null, "session_expired", nonce);
  }

  @Test
  void aHeartbeatOfAnExpiredSessionIsSessionExpired() {
    Fixtures.License license = Fixtures.license();
    Session session = loggedIn(license, Fixtures.randomMachineId());
    assertEquals(1, Fixtures.exec("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE license_id = ?",
        license.id()));
    String nonce = nonce();
    assertFailed(heartbeat(license, session.token(), nonce), license.appSecret(), "session_expired", nonce);
  }

  @Test
  void aHeartbeatWithTheTokenOfAnotherAppIsInvalidApp() {
    Fixtures.License license = Fixtures.license();
    Session session = loggedIn(license, Fixtures.randomMachineId());
    Fixtures.License other = Fixtures.license();
    String nonce = nonce();
    assertFailed(DialectClient.await(sendHeartbeat(other.appId(), session.token(), nonce)), null, "invalid_app",
        nonce);
  }

  /** A change of state after login, and the heartbeat code it must produce. */
  private void assertHeartbeatAfter(String sql, Function<Fixtures.License, Object> id, String code) {
    Fixtures.License license = Fixtures.license();
    Session session = loggedIn(license, Fixtures.randomMachineId());
    assertSuccess(heartbeat(license, session.token(), "before"), license, "before");
    assertEquals(1, Fixtures.exec(sql, id.apply(license)));
    String nonce = nonce();
    assertFailed(heartbeat(license, session.token(), nonce), license.appSecret(), code, nonce);
  }

  @Test
  void aLicenseRevokedAfterLoginIsRevokedAtTheNextHeartbeat() {
    assertHeartbeatAfter("UPDATE licenses SET status = 'revoked' WHERE id = ?", Fixtures.License::id, "revoked");
  }

  @Test
  void aLicenseSuspendedAfterLoginIsRevokedAtTheNextHeartbeat() {
    assertHeartbeatAfter("UPDATE licenses SET status = 'suspended' WHERE id = ?", Fixtures.License::id, "revoked");
  }

  @Test
  void aLicenseExpiredAfterLoginIsExpiredAtTheNextHeartbeat() {
    assertHeartbeatAfter("UPDATE licenses SET expires_at = now() - interval '1 second' WHERE id = ?",
        Fixtures.License::id, "expired");
  }

  @Test
  void anAccountSuspendedAfterLoginIsAppDisabledAtTheNextHeartbeat() {
    assertHeartbeatAfter("UPDATE accounts SET status = 'suspended' WHERE id = ?", Fixtures.License::accountId,
        "app_disabled");
  }

  @Test
  void aHeartbeatOfAMachineOverdueIsSessionExpired() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().heartbeatIntervalS(60));
    String hwid = Fixtures.randomMachineId();
    Session session = loggedIn(license, hwid);
    assertEquals(1, Fixtures.exec("UPDATE machines SET last_heartbeat_at = now() - interval '100 seconds'"
        + " WHERE license_id = ? AND machine_id = ?", license.id(), hwid));
    String nonce = nonce();
    assertFailed(heartbeat(license, session.token(), nonce), license.appSecret(), "session_expired", nonce);
  }

  // ---- credits ----

  @Test
  void aLoginSpendsExactlyOneCredit() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().credits(5L));
    loggedIn(license, Fixtures.randomMachineId());
    assertEquals(4, credits(license));
  }

  @Test
  void heartbeatsWithinThePaidHourSpendNothingAndTheNextHourCostsOne() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().credits(5L));
    Session session = loggedIn(license, Fixtures.randomMachineId());
    for (int i = 0; i < 3; i++) {
      String nonce = nonce();
      assertSuccess(heartbeat(license, session.token(), nonce), license, nonce);
    }
    assertEquals(4, credits(license), "heartbeats in the first hour are paid by the login");

    assertEquals(1, Fixtures.exec("UPDATE sessions SET billed_until = now() - interval '1 second' WHERE license_id = ?",
        license.id()));
    String nonce = nonce();
    assertSuccess(heartbeat(license, session.token(), nonce), license, nonce);
    assertEquals(3, credits(license));
    assertSuccess(heartbeat(license, session.token(), "again"), license, "again");
    assertEquals(3, credits(license), "the new hour is paid once");
    long paidFor = Fixtures.count("SELECT extract(epoch FROM billed_until - now())::bigint FROM sessions"
        + " WHERE license_id = ?", license.id());
    assertTrue(paidFor > 3500 && paidFor <= 3600, "paid until " + paidFor + " s from now");
  }

  @Test
  void concurrentHeartbeatsAfterThePaidHourSpendExactlyOneCredit() {
    // Four sessions of one account, each due to pay its next hour; 15 heartbeats of each, all
    // in flight at once and spread over the three instances, so that many heartbeats of one
    // session read its billing state together. Each session must pay exactly one hour.
    int sessionCount = 4;
    int beatsPerSession = 15;
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(sessionCount).credits(20L));
    List<Session> sessions = new ArrayList<>();
    for (int s = 0; s < sessionCount; s++) {
      sessions.add(loggedIn(license, Fixtures.randomMachineId()));
    }
    assertEquals(16, credits(license), "a login costs one credit");
    Fixtures.exec("UPDATE sessions SET billed_until = date_trunc('second', now()) - interval '1 second'"
        + " WHERE license_id = ?", license.id());
    long billedBefore = Fixtures.count("SELECT max(extract(epoch FROM billed_until))::bigint FROM sessions"
        + " WHERE license_id = ?", license.id());

    List<Future<HttpResponse<Buffer>>> beats = new ArrayList<>();
    List<String> nonces = new ArrayList<>();
    for (int i = 0; i < beatsPerSession; i++) {
      for (int s = 0; s < sessionCount; s++) {
        String nonce = "beat-" + s + "-" + i;
        nonces.add(nonce);
        beats.add(pods.get(beats.size() % 3).send("/auth/heartbeat", new JsonObject().put("app_id", license.appId())
            .put("session_token", sessions.get(s).token()).put("nonce", nonce)));
      }
    }
    List<HttpResponse<Buffer>> answers = DialectClient.awaitAll(beats);
    for (int i = 0; i < answers.size(); i++) {
      assertSuccess(answers.get(i), license, nonces.get(i));
    }
    assertEquals(16 - sessionCount, credits(license), "racing heartbeats pay each session's hour once");
    assertEquals(sessionCount, sessions(license), "heartbeats open no session");
    assertEquals(sessionCount, Fixtures.count("SELECT count(*) FROM sessions WHERE license_id = ?"
        + " AND extract(epoch FROM billed_until)::bigint = ?", license.id(), billedBefore + 3600),
        "each session is paid exactly one hour further");
  }

  @Test
  void aHeartbeatDueToPayWithoutCreditsIsNoCredits() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().credits(1L));
    Session session = loggedIn(license, Fixtures.randomMachineId());
    assertEquals(0, credits(license));
    Fixtures.exec("UPDATE sessions SET billed_until = now() - interval '1 second' WHERE license_id = ?", license.id());
    String nonce = nonce();
    assertFailed(heartbeat(license, session.token(), nonce), license.appSecret(), "no_credits", nonce);
    assertEquals(0, credits(license));
  }

  @Test
  void concurrentLoginsNeverSpendMoreCreditsThanTheBalance() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(100).credits(10L));
    List<Future<HttpResponse<Buffer>>> logins = new ArrayList<>();
    List<String> nonces = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String nonce = "race-" + i;
      nonces.add(nonce);
      logins.add(pods.get(i % 3).send("/auth/validate", loginBody(license, Fixtures.randomMachineId(), nonce)));
    }
    List<HttpResponse<Buffer>> answers = DialectClient.awaitAll(logins);
    Map<String, Integer> tally = new java.util.TreeMap<>();
    Set<String> tokens = new HashSet<>();
    for (int i = 0; i < answers.size(); i++) {
      JsonObject body = answers.get(i).bodyAsJsonObject();
      String outcome = "success".equals(body.getString("status")) ? "success" : body.getString("error");
      tally.merge(outcome, 1, Integer::sum);
      if (outcome.equals("success")) {
        tokens.add(assertSuccess(answers.get(i), license, nonces.get(i)).getString("session_token"));
      } else {
        assertFailed(answers.get(i), license.appSecret(), "no_credits", nonces.get(i));
      }
    }
    assertEquals(Map.of("success", 10, "no_credits", 20), tally);
    assertEquals(10, tokens.size());
    assertEquals(0, credits(license), "the balance is spent exactly, never below zero");
    assertEquals(10, machines(license));
    assertEquals(10, sessions(license));
  }

  // ---- storage ----

  /** Every column of the license's one session, as Postgres prints the row. */
  private static String sessionRowText(Fixtures.License license) {
    try (Connection c = Fixtures.connect();
        PreparedStatement ps = c.prepareStatement("SELECT s::text FROM sessions s WHERE license_id = ?")) {
      ps.setObject(1, license.id());
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "no session row");
        String text = rs.getString(1);
        assertFalse(rs.next(), "one login, one session");
        return text;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void sessionsAreStoredOnlyAsTheTokensDigest() {
    Fixtures.License license = Fixtures.license();
    Session session = loggedIn(license, Fixtures.randomMachineId());
    String token = session.token();
    assertEquals(1, Fixtures.count("SELECT count(*) FROM sessions WHERE license_id = ?"
        + " AND token_digest = sha256(convert_to(?, 'UTF8'))", license.id(), token));

    // No column holds the token in any plain form: its text, its bytes, or its decoded bytes.
    String rowText = sessionRowText(license);
    String tokenHex = HexFormat.of().formatHex(token.getBytes(StandardCharsets.UTF_8));
    String rawHex = HexFormat.of().formatHex(Base64.getUrlDecoder().decode(token));
    String secretHex = HexFormat.of().formatHex(license.appSecret().getBytes(StandardCharsets.UTF_8));
    assertFalse(rowText.contains(token), rowText);
    assertFalse(rowText.contains(tokenHex), rowText);
    assertFalse(rowText.contains(rawHex), rowText);
    assertFalse(rowText.contains(license.appSecret()), "the app secret is not stored in the clear");
    assertFalse(rowText.contains(secretHex), "the app secret is not stored in the clear");
  }

  /** The license's one session's secret box, as stored. */
  private static byte[] secretBox(Fixtures.License license) {
    try (Connection c = Fixtures.connect();
        PreparedStatement ps = c.prepareStatement("SELECT secret_box FROM sessions WHERE license_id = ?")) {
      ps.setObject(1, license.id());
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "no session row");
        return rs.getBytes(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aLoginSealsTheAppSecretInAV2Box() {
    Fixtures.License license = Fixtures.license();
    loggedIn(license, Fixtures.randomMachineId());
    byte[] box = secretBox(license);
    assertEquals(0x02, box[0]);
    assertEquals(1 + 12 + license.appSecret().length() + 16, box.length);
  }

  @Test
  void aHeartbeatOfASessionSealedBeforeV2IsSignedAndResealsItsBox() {
    Fixtures.License license = Fixtures.license();
    Session session = loggedIn(license, Fixtures.randomMachineId());
    // The row as the gateway wrote it before v2: the app secret XOR-ed with the token's keystream.
    byte[] legacy = LegacyBox.box(license.appSecret().getBytes(StandardCharsets.UTF_8), session.token());
    assertEquals(1, Fixtures.exec("UPDATE sessions SET secret_box = ? WHERE license_id = ?", legacy, license.id()));

    String nonce = nonce();
    assertSuccess(heartbeat(license, session.token(), nonce), license, nonce);
    byte[] migrated = secretBox(license);
    assertEquals(0x02, migrated[0], "re-sealed in the v2 format");
    assertEquals(1 + 12 + license.appSecret().length() + 16, migrated.length);
    assertFalse(Arrays.equals(legacy, migrated));

    // The migrated box serves the next heartbeats, and is not re-sealed again.
    assertSuccess(heartbeat(license, session.token(), "after"), license, "after");
    assertArrayEquals(migrated, secretBox(license));
  }

  @Test
  void anExpiredSessionSealedBeforeV2IsLeftToThePurge() {
    Fixtures.License license = Fixtures.license();
    Session session = loggedIn(license, Fixtures.randomMachineId());
    byte[] legacy = LegacyBox.box(license.appSecret().getBytes(StandardCharsets.UTF_8), session.token());
    assertEquals(1, Fixtures.exec("UPDATE sessions SET secret_box = ?, expires_at = now() - interval '1 second'"
        + " WHERE license_id = ?", legacy, license.id()));
    String nonce = nonce();
    assertFailed(heartbeat(license, session.token(), nonce), license.appSecret(), "session_expired", nonce);
    assertArrayEquals(legacy, secretBox(license));
  }

  @Test
  void aTamperedBoxProvesNothingSoItsHeartbeatIsSessionExpiredUnsigned() {
    Fixtures.License license = Fixtures.license();
    Session session = loggedIn(license, Fixtures.randomMachineId());
    byte[] box = secretBox(license);
    box[box.length - 1] ^= 1;
    assertEquals(1, Fixtures.exec("UPDATE sessions SET secret_box = ? WHERE license_id = ?", box, license.id()));

    String nonce = nonce();
    assertFailed(heartbeat(license, session.token(), nonce), null, "session_expired", nonce);
    // Nor does it sign a bad request.
    assertFailed(client.post("/auth/heartbeat", new JsonObject().put("app_id", license.appId())
        .put("session_token", session.token())), null, "bad_request", null);
  }
}
