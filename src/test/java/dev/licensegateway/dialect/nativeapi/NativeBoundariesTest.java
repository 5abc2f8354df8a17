package dev.licensegateway.dialect.nativeapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.gate.RequestSignature;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.NativeWire;
import dev.licensegateway.testing.TestClock;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The native dialect at its exact boundaries, on a gateway whose clock the test sets (so a
 * second is a second however slow the machine): the timestamp window of ±300 s, heartbeat
 * lateness of interval + 30 s, rate-limit headers on error answers, and the client IP taken
 * from a multi-hop or IPv6 X-Forwarded-For.
 */
class NativeBoundariesTest {

  private static final TestClock CLOCK = TestClock.atNow();
  private static Gateway gateway;
  private static Vertx vertx;
  private static NativeClient client;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(CLOCK, c -> c.withTrustedProxies(List.of("127.0.0.0/8", "10.0.0.0/8")));
    vertx = Vertx.vertx();
    client = new NativeClient(vertx, gateway.port(), CLOCK);
  }

  @AfterAll
  static void stop() {
    client.close();
    vertx.close();
    TestGateway.stop(gateway);
  }

  @Test
  void aTimestampExactly300SecondsOffPassesAnd301IsRefused() throws Exception {
    Fixtures.License license = Fixtures.license();
    long now = CLOCK.instant().getEpochSecond();
    assertEquals(200, statusSignedAt(license, now - 300).statusCode());
    assertEquals(200, statusSignedAt(license, now + 300).statusCode());
    NativeWire.assertError(statusSignedAt(license, now - 301), 1701);
    NativeWire.assertError(statusSignedAt(license, now + 301), 1701);
  }

  @Test
  void aHeartbeat90SecondsLateIsOnTimeAnd91IsOverdue() throws Exception {
    Fixtures.License license = Fixtures.license(Fixtures.spec().heartbeatIntervalS(60));
    String machine = Fixtures.randomMachineId();
    Instant start = CLOCK.instant().plusSeconds(1_000);
    CLOCK.set(start);
    assertEquals(200, call("activate", license, machine, null).statusCode());
    CLOCK.set(start.plusSeconds(90));
    assertEquals(200, call("validate", license, machine, null).statusCode(), "silent 90 s: interval + 30 s grace");
    CLOCK.set(start.plusSeconds(91));
    NativeWire.assertError(call("validate", license, machine, null), 1711);
  }

  @Test
  void errorAnswersCarryTheRateLimitHeaders() throws Exception {
    Fixtures.License license = Fixtures.license();
    long now = CLOCK.instant().getEpochSecond();
    Fixtures.License unknown = new Fixtures.License(null, null, null, null, "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ",
        null, null, null);
    List<HttpResponse<Buffer>> errors = List.of(
        NativeWire.assertErrorAndReturn(statusSignedAt(unknown, now), 1703),
        NativeWire.assertErrorAndReturn(statusSignedAt(license, now - 301), 1701),
        NativeWire.assertErrorAndReturn(call("validate", license, Fixtures.randomMachineId(), null), 1709));
    for (HttpResponse<Buffer> r : errors) {
      String where = r.bodyAsString();
      assertEquals(Integer.toString(TestGateway.UNLIMITED.capacity()), r.getHeader("X-RateLimit-Limit"), where);
      assertNotNull(r.getHeader("X-RateLimit-Remaining"), where);
      long remaining = Long.parseLong(r.getHeader("X-RateLimit-Remaining"));
      assertTrue(remaining >= 0 && remaining <= TestGateway.UNLIMITED.capacity(), where);
      assertNotNull(r.getHeader("X-RateLimit-Reset"), where);
      assertTrue(Long.parseLong(r.getHeader("X-RateLimit-Reset")) >= now - 5, where);
    }
  }

  @Test
  void theClientIpIsTheRightMostUntrustedForwardedAddressIPv4OrIPv6() throws Exception {
    Fixtures.License license = Fixtures.license();
    for (String cidr : List.of("203.0.113.0/24", "2001:db8::/32")) {
      Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value, cidr) "
          + "VALUES (?, ?, 'block_ip', ?, ?::cidr)", license.accountId(), license.productId(), cidr, cidr);
    }
    // Addresses of this run alone, so that no other test's bucket for them is met.
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    String blocked = "203.0.113." + random.nextInt(1, 255);
    String open = "100.64." + random.nextInt(0, 256) + "." + random.nextInt(1, 255);
    String blocked6 = "2001:db8::" + Integer.toHexString(random.nextInt(1, 0xffff));
    String open6 = "2001:db9::" + Integer.toHexString(random.nextInt(1, 0xffff));
    // Client, then an internal proxy (trusted): the client's address counts.
    NativeWire.assertError(call("validate", license, Fixtures.randomMachineId(), blocked + ", 10.1.2.3"), 1713);
    // Anything left of the right-most untrusted entry may be the client's own spoofing: ignored.
    NativeWire.assertError(call("validate", license, Fixtures.randomMachineId(),
        open + ", " + blocked + ", 10.1.2.3, 127.0.0.9"), 1713);
    assertEquals(200, call("activate", license, Fixtures.randomMachineId(), blocked + ", " + open + ", 10.1.2.3")
        .statusCode(), "a blocked address left of the client's is not the client");
    // IPv6 clients behind the same proxies, written plainly.
    NativeWire.assertError(call("validate", license, Fixtures.randomMachineId(), blocked6 + ", 10.1.2.3"), 1713);
    assertEquals(200, call("activate", license, Fixtures.randomMachineId(), blocked6 + ", " + open6 + ", 10.1.2.3")
        .statusCode(), open6 + " is outside the blocked 2001:db8::/32");
  }

  private static HttpResponse<Buffer> statusSignedAt(Fixtures.License license, long timestamp) throws Exception {
    byte[] body = new JsonObject().put("license_key", license.key()).encode().getBytes(StandardCharsets.UTF_8);
    String nonce = NativeClient.nonce();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/json")
        .add(RequestSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
        .add(RequestSignature.NONCE_HEADER, nonce)
        .add(RequestSignature.SIGNATURE_HEADER, client.sign(timestamp, nonce, "/api/v1/license/status", body));
    return client.send("/api/v1/license/status", body, headers).await(30, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> call(String action, Fixtures.License license, String machine, String forwardedFor)
      throws Exception {
    String path = "/api/v1/license/" + action;
    byte[] body = new JsonObject().put("license_key", license.key()).put("machine_id", machine).encode()
        .getBytes(StandardCharsets.UTF_8);
    MultiMap headers = client.signedHeaders(path, body);
    if (forwardedFor != null) {
      headers.add("X-Forwarded-For", forwardedFor);
    }
    return client.send(path, body, headers).await(30, TimeUnit.SECONDS);
  }
}
