package dev.licensegateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.dev.EmbeddedServers;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.gate.RedisGate;
import dev.licensegateway.gate.RedisLanes;
import dev.licensegateway.testing.FaultProxy;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.TestServers;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Redis;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 3's failure modes, driven by TCP proxies in front of the real Redis and Postgres:
 * Redis down or hung gives 1717 (nonces fail closed), Postgres down or hung gives 1717,
 * readiness follows, liveness never does, and the gateway recovers by itself.
 *
 * <p>Blocking style on purpose: each step waits for the previous one's answer.
 */
class FaultToleranceTest {

  // Deadlines well above what a busy shared machine needs for a healthy call, far below the
  // outage-detection bounds the tests assert.
  private static final long PG_DEADLINE_MS = 1000;
  private static final long REDIS_DEADLINE_MS = 1000;

  private static FaultProxy redisProxy;
  private static FaultProxy pgProxy;
  private static Gateway gateway;
  private static Vertx vertx;
  private static NativeClient client;

  /** Vert.x warns through this logger when an event loop is blocked. */
  private static final ListAppender<ILoggingEvent> BLOCKED = new ListAppender<>();

  @BeforeAll
  static void start() {
    // The logger's name, as Vert.x 5 gives it (not the class's): io.vertx.core.impl.BlockedThreadChecker.
    Logger checker = (Logger) LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker");
    BLOCKED.start();
    checker.addAppender(BLOCKED);
    EmbeddedServers servers = TestServers.get();
    redisProxy = new FaultProxy(servers.redisPort());
    pgProxy = new FaultProxy(servers.postgresPort());
    gateway = TestGateway.start(c -> c
        .withPostgresUri("postgresql://postgres@127.0.0.1:" + pgProxy.port() + "/postgres")
        .withRedisUri("redis://127.0.0.1:" + redisProxy.port())
        .withTimeouts(PG_DEADLINE_MS, REDIS_DEADLINE_MS));
    vertx = Vertx.vertx();
    client = new NativeClient(vertx, gateway.port());
  }

  @AfterEach
  void restore() {
    redisProxy.restore();
    pgProxy.restore();
  }

  @AfterAll
  static void stop() {
    List<String> blocked = BLOCKED.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    // Stopped first, so that a failure below leaves no gateway or proxy behind for later tests.
    TestGateway.stop(gateway);
    vertx.close();
    redisProxy.close();
    pgProxy.close();
    // Through every outage and hang above, no event loop was ever blocked.
    assertEquals(List.of(), blocked);
  }

  @Test
  void redisDownFailsNoncesClosedThenRecovers() throws Exception {
    JsonObject validate = boundMachine();
    redisProxy.cut();
    long detected = timeUntil(1717, validate, 10_000);
    HttpResponse<Buffer> refused = call("validate", validate);
    assertEquals(503, refused.statusCode());
    assertEquals("1", refused.getHeader("Retry-After"));
    assertEquals(true, refused.bodyAsJsonObject().getJsonObject("error").getBoolean("retryable"));
    assertEquals(503, get("/health/ready").statusCode());
    assertEquals(200, get("/health/live").statusCode());
    assertTrue(detected < 5_000, "Redis outage answered after " + detected + " ms");

    redisProxy.restore();
    long recovered = timeUntil(200, validate, 15_000);
    assertTrue(recovered < 10_000, "recovered after " + recovered + " ms");
    assertEquals(200, get("/health/ready").statusCode());
    System.out.printf("redis cut: 1717 after %d ms; recovery %d ms after restore%n", detected, recovered);
  }

  @Test
  void hungRedisAnswers1717WithinItsDeadlineWithoutBlockingTheEventLoop() throws Exception {
    JsonObject validate = boundMachine();
    redisProxy.pause();
    long started = System.nanoTime();
    HttpResponse<Buffer> refused = call("validate", validate);
    long elapsed = (System.nanoTime() - started) / 1_000_000;
    assertEquals(503, refused.statusCode());
    assertEquals(1717, refused.bodyAsJsonObject().getJsonObject("error").getInteger("code"));
    assertTrue(elapsed < REDIS_DEADLINE_MS + 3_000, "hung Redis answered after " + elapsed + " ms");
    long liveStarted = System.nanoTime();
    assertEquals(200, get("/health/live").statusCode());
    long live = (System.nanoTime() - liveStarted) / 1_000_000;
    assertTrue(live < 2_000, "liveness took " + live + " ms while Redis hung");

    redisProxy.restore();
    long recovered = timeUntil(200, validate, 15_000);
    assertTrue(recovered < 10_000, "recovered after " + recovered + " ms");
    System.out.printf("redis hang: 1717 after %d ms; liveness %d ms; recovery %d ms%n", elapsed, live, recovered);
  }

  @Test
  void postgresDownAnswers1717AndReadinessFollowsThenRecovers() throws Exception {
    JsonObject validate = boundMachine();
    pgProxy.cut();
    long detected = timeUntil(1717, validate, 10_000);
    HttpResponse<Buffer> refused = call("validate", validate);
    assertEquals(503, refused.statusCode());
    assertEquals("1", refused.getHeader("Retry-After"));
    assertEquals(503, get("/health/ready").statusCode());
    assertEquals(200, get("/health/live").statusCode());
    assertTrue(detected < 5_000, "Postgres outage answered after " + detected + " ms");

    pgProxy.restore();
    long recovered = timeUntil(200, validate, 15_000);
    assertTrue(recovered < 10_000, "recovered after " + recovered + " ms");
    assertEquals(200, get("/health/ready").statusCode());
    System.out.printf("postgres cut: 1717 after %d ms; recovery %d ms after restore%n", detected, recovered);
  }

  @Test
  void hungPostgresAnswers1717WithinItsDeadline() throws Exception {
    JsonObject validate = boundMachine();
    pgProxy.pause();
    long started = System.nanoTime();
    HttpResponse<Buffer> refused = call("validate", validate);
    long elapsed = (System.nanoTime() - started) / 1_000_000;
    assertEquals(1717, refused.bodyAsJsonObject().getJsonObject("error").getInteger("code"));
    assertTrue(elapsed < PG_DEADLINE_MS + 3_000, "hung Postgres answered after " + elapsed + " ms");
    assertEquals(200, get("/health/live").statusCode());
    pgProxy.restore();
    long recovered = timeUntil(200, validate, 15_000);
    assertTrue(recovered < 10_000, "recovered after " + recovered + " ms");
    System.out.printf("postgres hang: 1717 after %d ms; recovery %d ms%n", elapsed, recovered);
  }

  /** docs/operations.md: readiness is 200 or 503, never anything else, and fast even when a dependency hangs. */
  @Test
  void readinessAnswers503WithinItsDeadlineWhenPostgresHangs() throws Exception {
    assertEquals(200, get("/health/ready").statusCode());
    pgProxy.pause();
    assertReadinessRefusedFast("postgres");
    pgProxy.restore();
    assertEquals(200, get("/health/ready").statusCode());
  }

  @Test
  void readinessAnswers503WithinItsDeadlineWhenRedisHangs() throws Exception {
    assertEquals(200, get("/health/ready").statusCode());
    redisProxy.pause();
    assertReadinessRefusedFast("redis");
    redisProxy.restore();
    assertEquals(200, get("/health/ready").statusCode());
  }

  /** Two probes in a row, as a kubelet sends them: each 503 with the hung dependency DOWN, within the deadline. */
  private static void assertReadinessRefusedFast(String hung) throws Exception {
    for (int probe = 0; probe < 2; probe++) {
      long started = System.nanoTime();
      HttpResponse<Buffer> ready = get("/health/ready");
      long elapsed = (System.nanoTime() - started) / 1_000_000;
      assertEquals(503, ready.statusCode(), ready.bodyAsString());
      JsonObject body = ready.bodyAsJsonObject();
      assertEquals("DOWN", body.getString("status"), body.encode());
      String state = body.getJsonArray("checks").stream().map(c -> (JsonObject) c)
          .filter(c -> c.getString("id").equals(hung)).findFirst().orElseThrow().getString("status");
      assertEquals("DOWN", state, body.encode());
      // The kubelet gives the probe 3 s (its checks' own deadline is the longer of the two timeouts, 1 s).
      assertTrue(elapsed < 3_000,
          "readiness answered after " + elapsed + " ms while " + hung + " hung");
    }
  }

  @Test
  void bucketsFailOpenWhenRedisIsDownAndCountIt() throws Exception {
    Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:" + redisProxy.port());
    var metrics = gateway.metrics();
    RedisGate gate = new RedisGate(new RedisLanes(redis, 1), false, 600, REDIS_DEADLINE_MS, true, metrics);
    RateLimit.Bucket bucket = RateLimit.Bucket.of("ip", "198.51.100.1", new RateLimit.Limit(5, 1));
    assertEquals(RedisGate.Verdict.PASS, gate.admit(null, List.of(bucket)).await(5, TimeUnit.SECONDS).verdict());
    double before = failOpenCount();
    redisProxy.cut();
    RedisGate.Decision open = gate.admit(null, List.of(bucket)).await(5, TimeUnit.SECONDS);
    assertEquals(RedisGate.Verdict.PASS, open.verdict());
    assertEquals(before + 1, failOpenCount());
    // A nonce never fails open.
    boolean nonceFailed = gate.admit(NativeClient.nonce(), List.of(bucket))
        .transform(ar -> io.vertx.core.Future.succeededFuture(ar.failed())).await(5, TimeUnit.SECONDS);
    assertTrue(nonceFailed, "a nonce check with Redis down must fail");
    redis.close();
  }

  private static double failOpenCount() {
    Counter counter = gateway.metrics().registry().find("lgw_ratelimit_fail_open_total").counter();
    return counter == null ? 0 : counter.count();
  }

  /**
   * A license with one machine bound, and the validate body for it. Set-up, not the behaviour
   * under test: the outage of the test before may still be wearing off (pooled connections to
   * a restored proxy reconnect on first use), so it waits until the gateway is ready and the
   * activation answers 200, up to 20 s.
   */
  private static JsonObject boundMachine() throws Exception {
    Fixtures.License license = Fixtures.license();
    JsonObject body = new JsonObject().put("license_key", license.key()).put("machine_id", Fixtures.randomMachineId());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int status;
    do {
      status = get("/health/ready").statusCode() == 200 ? call("activate", body).statusCode() : 503;
      if (status == 503) {
        Thread.sleep(200);
      }
    } while (status == 503 && System.nanoTime() < deadline);
    assertEquals(200, status, "the gateway never recovered from the previous test's outage");
    return body;
  }

  /** Milliseconds until a validate answers {@code expected} (200 or a native code), polling. */
  private static long timeUntil(int expected, JsonObject body, long limitMs) throws Exception {
    long started = System.nanoTime();
    while (true) {
      HttpResponse<Buffer> r = call("validate", body);
      int outcome = r.statusCode() == 200 ? 200 : r.bodyAsJsonObject().getJsonObject("error").getInteger("code");
      long elapsed = (System.nanoTime() - started) / 1_000_000;
      if (outcome == expected) {
        return elapsed;
      }
      if (elapsed > limitMs) {
        throw new AssertionError("no " + expected + " within " + limitMs + " ms; last: " + r.bodyAsString());
      }
      Thread.sleep(100);
    }
  }

  private static HttpResponse<Buffer> call(String action, JsonObject body) throws Exception {
    return client.call(action, body).await(20, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> get(String path) throws Exception {
    return client.get(path).await(20, TimeUnit.SECONDS);
  }
}
