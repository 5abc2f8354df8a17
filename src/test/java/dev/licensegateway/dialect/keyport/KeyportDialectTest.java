package dev.licensegateway.dialect.keyport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.testing.DialectWire;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/dialects.md through HTTP: every status of {@code POST /api/v1/validate}, its 401 and 429
 * answers, IP registration up to {@code max_ips} (also under concurrency), and bad bodies.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KeyportDialectTest {

  private static final String PATH = "/api/v1/validate";

  /** Trusts the loopback as a proxy, so X-Forwarded-For names the client (docs/rate-limits.md). */
  private static Gateway trusting;
  /** Trusts no proxy: every request comes from 127.0.0.1 whatever it forwards. */
  private static Gateway untrusting;
  private static Vertx vertx;
  private static WebClient web;

  @BeforeAll
  static void start() {
    trusting = TestGateway.start(c -> c.withTrustedProxies(List.of("127.0.0.0/8")));
    untrusting = TestGateway.start();
    vertx = Vertx.vertx();
    web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
  }

  @AfterAll
  static void stop() {
    TestGateway.stop(trusting);
    TestGateway.stop(untrusting);
    vertx.close();
  }

  // ---- every status of docs/dialects.md -------------------------------------------------------

  @Test
  void anActiveLicenseOfTheKeysProductIsValid() {
    Fixtures.License license = Fixtures.license();
    status(validate(untrusting, license), true, "valid");
    assertEquals(List.of(), ips(license), "without max_ips no IP is registered");
  }

  @Test
  void unknownDeletedAndOtherProductsLicensesAreLicenseNotFound() {
    Fixtures.License license = Fixtures.license();
    status(validate(untrusting, license.productKey(), Secrets.licenseKey(), null), false, "license_not_found");
    status(validate(untrusting, license.productKey(), "whatever", null), false, "license_not_found");

    // Another product of the same account: its license is valid with its own key, not with this one.
    Sibling sibling = siblingProduct(license);
    status(validate(untrusting, sibling.productKey(), sibling.licenseKey(), null), true, "valid");
    status(validate(untrusting, license.productKey(), sibling.licenseKey(), null), false, "license_not_found");
    status(validate(untrusting, sibling.productKey(), license.key(), null), false, "license_not_found");
    // And a license of another account altogether.
    Fixtures.License stranger = Fixtures.license();
    status(validate(untrusting, license.productKey(), stranger.key(), null), false, "license_not_found");

    status(validate(untrusting, license), true, "valid");
    Fixtures.exec("UPDATE licenses SET deleted_at = now() WHERE id = ?", license.id());
    status(validate(untrusting, license), false, "license_not_found");
  }

  @Test
  void revokedInactiveAndSuspendedLicensesAreRevoked() {
    for (String state : List.of("revoked", "inactive", "suspended")) {
      Fixtures.License license = Fixtures.license(Fixtures.spec().licenseStatus(state));
      status(validate(untrusting, license), false, "revoked");
    }
  }

  @Test
  void aLicensePastItsExpiryIsExpired() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().expiresAt(Instant.now().minusSeconds(60)));
    status(validate(untrusting, license), false, "expired");
    Fixtures.License later = Fixtures.license(Fixtures.spec().expiresAt(Instant.now().plusSeconds(3600)));
    status(validate(untrusting, later), true, "valid");
  }

  @Test
  void aBlockedLicenseIpOrAProductBlockIpRuleIsIpBlocked() {
    Fixtures.License byLicense = Fixtures.license();
    status(validate(untrusting, byLicense), true, "valid");
    Fixtures.exec("INSERT INTO license_ips (license_id, ip, blocked) VALUES (?, '127.0.0.1'::inet, true)",
        byLicense.id());
    status(validate(untrusting, byLicense), false, "ip_blocked");

    Fixtures.License byRule = Fixtures.license();
    status(validate(untrusting, byRule), true, "valid");
    Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value, cidr) "
        + "VALUES (?, ?, 'block_ip', '127.0.0.1/32', '127.0.0.1/32'::cidr)", byRule.accountId(), byRule.productId());
    status(validate(untrusting, byRule), false, "ip_blocked");
    // Behind a trusted proxy the rule judges the forwarded client, not the proxy.
    status(validate(trusting, byRule.productKey(), byRule.key(), "203.0.113.50"), true, "valid");
  }

  @Test
  void aNewIpPastMaxIpsIsIpLimitReached() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxIps(1));
    status(validate(trusting, license.productKey(), license.key(), "203.0.113.1"), true, "valid");
    status(validate(trusting, license.productKey(), license.key(), "203.0.113.2"), false, "ip_limit_reached");
    // The registered IP keeps passing.
    status(validate(trusting, license.productKey(), license.key(), "203.0.113.1"), true, "valid");
    assertEquals(List.of("203.0.113.1"), ips(license));
  }

  @Test
  void inAllowListModeOnlyPreRegisteredIpsPass() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().ipMode("allowlist").maxIps(5));
    status(validate(untrusting, license), false, "ip_not_registered");
    assertEquals(List.of(), ips(license), "allow-list mode registers nothing by itself");
    Fixtures.exec("INSERT INTO license_ips (license_id, ip) VALUES (?, '127.0.0.1'::inet)", license.id());
    status(validate(untrusting, license), true, "valid");
    status(validate(trusting, license.productKey(), license.key(), "203.0.113.9"), false, "ip_not_registered");
    assertEquals(List.of("127.0.0.1"), ips(license));
  }

  @Test
  void aWellFormedUnknownProductKeyIsProductNotFound() {
    Fixtures.License license = Fixtures.license();
    status(validate(untrusting, Secrets.productKey("live"), license.key(), null), false, "product_not_found");
    status(validate(untrusting, Secrets.productKey("test"), license.key(), null), false, "product_not_found");
  }

  @Test
  void archivedAndDisabledProductsSayWhich() {
    status(validate(untrusting, Fixtures.license(Fixtures.spec().productStatus("archived"))), false,
        "product_archived");
    status(validate(untrusting, Fixtures.license(Fixtures.spec().productStatus("disabled"))), false,
        "product_disabled");
  }

  @Test
  void suspendedAndBillingSuspendedAccountsSayWhich() {
    status(validate(untrusting, Fixtures.license(Fixtures.spec().accountStatus("suspended"))), false,
        "org_suspended");
    status(validate(untrusting, Fixtures.license(Fixtures.spec().accountStatus("billing_suspended"))), false,
        "billing_suspended");
  }

  // ---- 401 and 429 ---------------------------------------------------------------------------

  @Test
  void aMissingOrMalformedProductKeyIs401InvalidApiKey() {
    Fixtures.License license = Fixtures.license();
    Map<String, String> authorizations = new java.util.LinkedHashMap<>();
    authorizations.put("no header", null);
    authorizations.put("empty bearer", "Bearer ");
    authorizations.put("basic", "Basic dXNlcjpwYXNz");
    authorizations.put("too short", "Bearer kp_live_abc");
    authorizations.put("too long", "Bearer " + license.productKey() + "x");
    authorizations.put("bad alphabet", "Bearer kp_live_" + "-".repeat(32));
    authorizations.put("unknown environment", "Bearer kp_prod_" + "a".repeat(32));
    authorizations.put("an API key", "Bearer " + ManageClient.newAccount(null).apiKey());
    for (Map.Entry<String, String> auth : authorizations.entrySet()) {
      Answer refused = send(untrusting, auth.getValue(), null, "application/json",
          new JsonObject().put("license_key", license.key()).toBuffer());
      assertEquals(401, refused.status(), auth.getKey() + ": " + refused);
      assertEquals(Set.of("valid", "status", "message"), refused.body().fieldNames(), refused.toString());
      assertEquals(false, refused.body().getBoolean("valid"));
      assertEquals("invalid_api_key", refused.body().getString("status"), auth.getKey());
    }
  }

  @Test
  void anEmptyProductKeyBucketIs429WithRetryAfterInBodyAndHeader() {
    // Two tokens, one back every 100 s: the third request within the test finds none.
    RateLimit.Limit small = new RateLimit.Limit(2, 0.01);
    Gateway limited = TestGateway.start(c -> c.withRateLimits(new GatewayConfig.RateLimits(true,
        TestGateway.UNLIMITED, TestGateway.UNLIMITED, TestGateway.UNLIMITED, small)));
    try {
      Fixtures.License license = Fixtures.license();
      for (int i = 0; i < 2; i++) {
        Answer passed = validate(limited, license);
        status(passed, true, "valid");
        assertEquals("2", passed.headers().get("X-RateLimit-Limit"), "the product-key bucket applies");
      }
      Answer refused = validate(limited, license);
      long retryAfter = tooMany(refused);
      assertTrue(retryAfter >= 1 && retryAfter <= 100, "retry_after " + retryAfter + " s for one token at 0.01/s");
      assertEquals("0", refused.headers().get("X-RateLimit-Remaining"));
      // The bucket is the product key's: another product passes on the same gateway.
      status(validate(limited, Fixtures.license()), true, "valid");
    } finally {
      TestGateway.stop(limited);
    }
  }

  @Test
  void aUsedDailyQuotaIs429WithRetryAfterTheSecondsToMidnightUtc() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().dailyLimit(3));
    for (int i = 0; i < 3; i++) {
      status(validate(untrusting, license), true, "valid");
    }
    long retryAfter = tooMany(validate(untrusting, license));
    long now = Instant.now().getEpochSecond();
    long midnight = LocalDate.ofEpochDay(now / 86_400 + 1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    assertTrue(Math.abs((midnight - now) - retryAfter) <= 5,
        "retry_after " + retryAfter + " s, seconds to midnight UTC " + (midnight - now));
  }

  // ---- IP registration ------------------------------------------------------------------

  @Test
  void newIpsAreRegisteredUntilMaxIps() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxIps(3));
    List<String> clients = List.of("198.51.100.1", "198.51.100.2", "198.51.100.3");
    for (String ip : clients) {
      status(validate(trusting, license.productKey(), license.key(), ip), true, "valid");
    }
    assertEquals(clients, ips(license));
    // Again from a registered IP: valid, and no duplicate row.
    status(validate(trusting, license.productKey(), license.key(), "198.51.100.2"), true, "valid");
    status(validate(trusting, license.productKey(), license.key(), "198.51.100.4"), false, "ip_limit_reached");
    assertEquals(clients, ips(license));
    // A registered IP the vendor then blocks is refused as blocked, not as over the limit.
    Fixtures.exec("UPDATE license_ips SET blocked = true WHERE license_id = ? AND ip = '198.51.100.3'::inet",
        license.id());
    status(validate(trusting, license.productKey(), license.key(), "198.51.100.3"), false, "ip_blocked");
  }

  @Test
  void concurrentValidationsFromDistinctIpsRegisterExactlyMaxIps() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxIps(5));
    List<String> clients = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      String ip = "192.0.2." + i;
      clients.add(ip);
      calls.add(request(trusting, "Bearer " + license.productKey(), ip, "application/json")
          .sendBuffer(new JsonObject().put("license_key", license.key()).toBuffer()));
    }
    try {
      Future.join(calls).await(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the concurrent validations did not all answer", e);
    }
    Set<String> validFrom = new HashSet<>();
    Map<String, Integer> tally = new TreeMap<>();
    for (int i = 0; i < calls.size(); i++) {
      assertTrue(calls.get(i).succeeded(), "request " + i + " failed: " + calls.get(i).cause());
      HttpResponse<Buffer> r = calls.get(i).result();
      assertEquals(200, r.statusCode(), r.bodyAsString());
      String status = r.bodyAsJsonObject().getString("status");
      tally.merge(status, 1, Integer::sum);
      if ("valid".equals(status)) {
        validFrom.add(clients.get(i));
      }
    }
    assertEquals(Map.of("valid", 5, "ip_limit_reached", 35), tally);
    assertEquals(5, Fixtures.count("SELECT count(*) FROM license_ips WHERE license_id = ?", license.id()));
    assertEquals(validFrom, new HashSet<>(ips(license)), "the IPs answered valid are the IPs registered");
  }

  @Test
  void anUntrustedPeersForwardedForIsIgnored() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxIps(2));
    for (String forged : List.of("203.0.113.1", "203.0.113.2", "203.0.113.3")) {
      status(validate(untrusting, license.productKey(), license.key(), forged), true, "valid");
    }
    assertEquals(List.of("127.0.0.1"), ips(license), "every request counts as the socket peer");
  }

  // ---- bad bodies ----------------------------------------------------------------------------

  @Test
  void badBodiesAre400NeverFiveHundred() {
    Fixtures.License license = Fixtures.license();
    String deep = "[".repeat(200) + "]".repeat(200);
    List<String> bodies = List.of(
        "", "{", "not json", "[]", "null", "\"x\"", "7", "{}",
        "{\"license_key\": null}",
        "{\"license_key\": 5}",
        "{\"license_key\": true}",
        "{\"license_key\": \"\"}",
        "{\"license_key\": \"" + "A".repeat(256) + "\"}",
        "{\"license_key\": \"A\\u0000B\"}",
        "{\"license_key\": \"\\udc00\"}",
        "{\"license_key\": [\"" + license.key() + "\"]}",
        "{\"license_key\": {\"k\": \"" + license.key() + "\"}}",
        "{\"license_key\": \"" + license.key() + "\"} {}",
        "{\"license_key\": \"" + license.key() + "\", \"x\": " + deep + "}");
    for (String raw : bodies) {
      Answer refused = send(untrusting, "Bearer " + license.productKey(), null, "application/json", Buffer.buffer(raw));
      assertBadRequest(refused, raw);
    }
    Buffer fine = new JsonObject().put("license_key", license.key()).toBuffer();
    assertBadRequest(send(untrusting, "Bearer " + license.productKey(), null, "text/plain", fine), "as text/plain");
    assertBadRequest(send(untrusting, "Bearer " + license.productKey(), null, null, fine), "without Content-Type");
    // The same product key with a good body is fine: only the bodies were refused.
    status(send(untrusting, "Bearer " + license.productKey(), null, "application/json; charset=utf-8", fine), true,
        "valid");
  }

  @Test
  void formBodiesOversizedBodiesAndOddExpectationsAreRefusedAs4xxNever5xx() {
    Fixtures.License license = Fixtures.license();
    String bearer = "Bearer " + license.productKey();
    Map<String, String> forms = Map.of(
        "application/x-www-form-urlencoded", "license_key=%zz&x=%",
        "multipart/form-data; boundary=XYZ",
        "--XYZ\r\nContent-Disposition: form-data; name=\"license_key\"\r\n\r\nA\r\n--XY");
    for (Map.Entry<String, String> form : forms.entrySet()) {
      assertBadRequest(send(untrusting, bearer, null, form.getKey(), Buffer.buffer(form.getValue())), form.getKey());
    }
    String json = new JsonObject().put("license_key", license.key()).encode();
    Answer tooLarge = send(untrusting, bearer, null, "application/json",
        Buffer.buffer(json + " ".repeat(16_385 - json.length())));
    assertEquals(413, tooLarge.status(), tooLarge.toString());
    assertEquals(false, tooLarge.body().getBoolean("valid"), tooLarge.toString());
    Answer expectation = send(request(untrusting, bearer, null, "application/json").putHeader("Expect", "the-unexpected"),
        Buffer.buffer(json));
    assertEquals(417, expectation.status(), expectation.toString());
    assertEquals(false, expectation.body().getBoolean("valid"), expectation.toString());
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** One HTTP answer: status, headers and the JSON body. */
  private record Answer(int status, MultiMap headers, JsonObject body) {
    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  /** A second product, policy and license in the license's account. */
  private record Sibling(String productKey, String licenseKey) {}

  private static Answer validate(Gateway via, Fixtures.License license) {
    return validate(via, license.productKey(), license.key(), null);
  }

  private static Answer validate(Gateway via, String productKey, String licenseKey, String forwardedFor) {
    return send(via, "Bearer " + productKey, forwardedFor, "application/json",
        new JsonObject().put("license_key", licenseKey).toBuffer());
  }

  private static HttpRequest<Buffer> request(Gateway via, String authorization, String forwardedFor,
      String contentType) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (authorization != null) {
      headers.add("Authorization", authorization);
    }
    if (forwardedFor != null) {
      headers.add("X-Forwarded-For", forwardedFor);
    }
    if (contentType != null) {
      headers.add("Content-Type", contentType);
    }
    return web.request(HttpMethod.POST, via.port(), "127.0.0.1", PATH).putHeaders(headers);
  }

  /**
   * Sends one request and checks what docs/native-protocol.md asks of every answer of every dialect: the
   * rate-limit headers of the bucket that applied and a request id; and that no client
   * input earns a 5xx.
   */
  private static Answer send(Gateway via, String authorization, String forwardedFor, String contentType, Buffer body) {
    return send(request(via, authorization, forwardedFor, contentType), body);
  }

  private static Answer send(HttpRequest<Buffer> request, Buffer body) {
    HttpResponse<Buffer> response;
    try {
      response = request.sendBuffer(body).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(PATH + " did not answer", e);
    }
    // docs/native-protocol.md on every answer: no 5xx, JSON, a unique request id, a real bucket.
    DialectWire.assertCommonHeaders(response);
    return new Answer(response.statusCode(), response.headers(), response.bodyAsJsonObject());
  }

  /** docs/dialects.md: a business outcome is HTTP 200 with exactly {@code valid}, {@code status}, {@code message}. */
  private static void status(Answer answer, boolean valid, String status) {
    assertEquals(200, answer.status(), answer.toString());
    assertEquals(Set.of("valid", "status", "message"), answer.body().fieldNames(), answer.toString());
    assertEquals(status, answer.body().getString("status"), answer.toString());
    assertEquals(valid, answer.body().getBoolean("valid"), answer.toString());
    assertFalse(answer.body().getString("message").isBlank(), answer.toString());
  }

  /** docs/dialects.md: 429 {@code rate_limit_exceeded}, {@code retry_after} equal to Retry-After; returns it. */
  private static long tooMany(Answer answer) {
    assertEquals(429, answer.status(), answer.toString());
    JsonObject body = answer.body();
    assertEquals("rate_limit_exceeded", body.getString("status"), answer.toString());
    assertEquals(false, body.getBoolean("valid"), answer.toString());
    String header = answer.headers().get("Retry-After");
    assertNotNull(header, "Retry-After missing: " + answer);
    assertEquals(Long.parseLong(header), body.getLong("retry_after"), "retry_after equals Retry-After");
    return body.getLong("retry_after");
  }

  private static void assertBadRequest(Answer answer, String what) {
    String raw = what.length() > 80 ? what.substring(0, 80) + "…" : what;
    assertEquals(400, answer.status(), raw + ": " + answer);
    assertEquals(false, answer.body().getBoolean("valid"), raw + ": " + answer);
    assertEquals("invalid_request", answer.body().getString("status"), raw + ": " + answer);
  }

  /** The license's registered (unblocked and blocked) IPs, in order of address. */
  private static List<String> ips(Fixtures.License license) {
    List<String> ips = new ArrayList<>();
    try (Connection c = Fixtures.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT host(ip) FROM license_ips WHERE license_id = ? ORDER BY ip")) {
      ps.setObject(1, license.id());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ips.add(rs.getString(1));
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return ips;
  }

  private static Sibling siblingProduct(Fixtures.License license) {
    String productKey = Secrets.productKey("live");
    String licenseKey = Secrets.licenseKey();
    try (Connection c = Fixtures.connect()) {
      UUID product = insert(c, "INSERT INTO products (account_id, environment, name, app_id, app_secret_digest, "
              + "product_key_digest) VALUES (?, 'live', 'sibling', ?, ?, ?) RETURNING id",
          license.accountId(), Secrets.appId(), Secrets.digest(Secrets.appSecret()), Secrets.digest(productKey));
      UUID policy = insert(c, "INSERT INTO policies (account_id, product_id, name, max_machines) "
          + "VALUES (?, ?, 'sibling', 1) RETURNING id", license.accountId(), product);
      insert(c, "INSERT INTO licenses (account_id, product_id, policy_id, environment, key) "
          + "VALUES (?, ?, ?, 'live', ?) RETURNING id", license.accountId(), product, policy, licenseKey);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return new Sibling(productKey, licenseKey);
  }

  private static UUID insert(Connection c, String sql, Object... args) throws java.sql.SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getObject(1, UUID.class);
      }
    }
  }
}
