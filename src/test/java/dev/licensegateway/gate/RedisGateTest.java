package dev.licensegateway.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.RedisProbe;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/native-protocol.md step 7 and docs/rate-limits.md across three instances sharing one Redis: a nonce is accepted
 * once, a bucket admits exactly its capacity, the daily quota stops at its limit.
 */
@ExtendWith(VertxExtension.class)
class RedisGateTest {

  /**
   * Small license buckets so that the arithmetic is visible; a large IP bucket. A token
   * refills in 100 s, so no burst sees a refill however slowly a busy machine sends it; the
   * refill itself is shown by moving a bucket's state back in time ({@link RedisProbe#elapse}).
   */
  static final RateLimit.Limit LICENSE_BUCKET = new RateLimit.Limit(10, 0.01);
  private static final RedisProbe REDIS = RedisProbe.single();
  private static List<Gateway> gateways;

  @BeforeAll
  static void startThreeInstances() {
    gateways = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      gateways.add(TestGateway.start(c -> c.withRateLimits(new GatewayConfig.RateLimits(true,
          LICENSE_BUCKET, TestGateway.UNLIMITED, TestGateway.UNLIMITED, TestGateway.UNLIMITED))));
    }
  }

  @AfterAll
  static void stop() {
    TestGateway.stopAll(gateways);
    REDIS.close();
  }

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  void aNonceIsAcceptedOnceAcrossInstances(Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    List<NativeClient> clients = clients(vertx);
    byte[] body = new JsonObject().put("license_key", license.key()).encode().getBytes(StandardCharsets.UTF_8);
    MultiMap headers = clients.get(0).signedHeaders("/api/v1/license/status", body);
    List<Future<HttpResponse<Buffer>>> copies = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      copies.add(clients.get(i % 3).send("/api/v1/license/status", body, headers));
    }
    Future.join(copies).onComplete(done -> test.verify(() -> {
      assertEquals(Map.of("200", 1, "1700", 999), tally(copies));
      copies.stream().filter(c -> c.result().statusCode() == 401).findFirst().ifPresent(refused ->
          assertEquals("replayed nonce", refused.result().bodyAsJsonObject().getJsonObject("error").getString("message")));
      test.completeNow();
    }));
  }

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  void aSharedBucketAdmitsExactlyItsCapacityThenRefillsAtItsRate(Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    List<NativeClient> clients = clients(vertx);
    JsonObject status = new JsonObject().put("license_key", license.key());
    String bucketKey = "lgw:{rl:license:" + license.key() + "}";
    List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      burst.add(clients.get(i % 3).call("status", status));
    }
    Future.join(burst).compose(done -> {
      test.verify(() -> {
        assertEquals(Map.of("200", 10, "1706", 20), tally(burst));
        for (Future<HttpResponse<Buffer>> call : burst) {
          HttpResponse<Buffer> r = call.result();
          assertEquals("10", r.getHeader("X-RateLimit-Limit"));
          assertNotNull(r.getHeader("X-RateLimit-Reset"));
          if (r.statusCode() == 429) {
            assertEquals("0", r.getHeader("X-RateLimit-Remaining"));
            // One token refills in 100 s; the burst itself took a few of them at most.
            long retryAfter = Long.parseLong(r.getHeader("Retry-After"));
            assertTrue(retryAfter >= 60 && retryAfter <= 100, "Retry-After " + retryAfter);
            assertEquals(true, r.bodyAsJsonObject().getJsonObject("error").getBoolean("retryable"));
          }
        }
        // The ten admitted requests saw the bucket count down 9..0, each value once.
        List<Integer> remaining = burst.stream().map(Future::result).filter(r -> r.statusCode() == 200)
            .map(r -> Integer.parseInt(r.getHeader("X-RateLimit-Remaining"))).sorted().toList();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), remaining);
      });
      // Retry-After is honest: once that much time has passed (the bucket's state moved back
      // by it, as if waited), the request passes.
      long retryAfter = burst.stream().map(Future::result).filter(r -> r.statusCode() == 429)
          .mapToLong(r -> Long.parseLong(r.getHeader("Retry-After"))).max().orElseThrow();
      return elapse(vertx, bucketKey, retryAfter * 1000).compose(v -> clients.get(1).call("status", status));
    }).compose(retry -> {
      test.verify(() -> assertEquals(200, retry.statusCode(), retry.bodyAsString()));
      // 420 s at 0.01 token/s refill 4.2 tokens: exactly 4 of 10 pass, however slow the machine.
      return elapse(vertx, bucketKey, 420_000).compose(v -> {
        List<Future<HttpResponse<Buffer>>> second = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          second.add(clients.get(i % 3).call("status", status));
        }
        return Future.join(second).map(v2 -> second);
      });
    }).onComplete(test.succeeding(second -> test.verify(() -> {
      assertEquals(Map.of("200", 4, "1706", 6), tally(second), "refilled tokens after 420 s at 0.01/s");
      test.completeNow();
    })));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void theDailyQuotaStopsAtExactlyItsLimitAcrossInstances(Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().dailyLimit(25).maxMachines(1));
    List<NativeClient> clients = clients(vertx);
    String machine = Fixtures.randomMachineId();
    JsonObject body = new JsonObject().put("license_key", license.key()).put("machine_id", machine);
    // The quota counts per product; spreading the 40 validations over five licenses of the
    // product keeps each license within its bucket of 10.
    List<String> keys = extraLicenses(license, 4, machine);
    clients.get(0).call("activate", body).compose(activated -> {
      List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String key = i < 8 ? license.key() : keys.get(i % 4);
        calls.add(clients.get(i % 3).call("validate",
            new JsonObject().put("license_key", key).put("machine_id", machine)));
      }
      return Future.join(calls).map(v -> calls);
    }).onComplete(test.succeeding(calls -> test.verify(() -> {
      // Every license has the machine bound: the first 25 are valid, the rest past the quota.
      assertEquals(Map.of("200", 25, "1716", 15), tally(calls));
      long toMidnight = 86_400 - Instant.now().getEpochSecond() % 86_400; // a UTC day is 86,400 s
      for (Future<HttpResponse<Buffer>> call : calls) {
        if (call.result().statusCode() == 429) {
          long retryAfter = Long.parseLong(call.result().getHeader("Retry-After"));
          assertTrue(Math.abs(retryAfter - toMidnight) <= 5, retryAfter + " vs " + toMidnight);
          assertEquals("LICENSE_API_QUOTA_EXHAUSTED",
              call.result().bodyAsJsonObject().getJsonObject("error").getString("name"));
        }
      }
      test.completeNow();
    })));
  }

  /** More licenses of the same product and policy, each with the machine bound. */
  private static List<String> extraLicenses(Fixtures.License base, int count, String machine) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = dev.licensegateway.infra.Secrets.licenseKey();
      Fixtures.exec("INSERT INTO licenses (account_id, product_id, policy_id, environment, key) "
          + "VALUES (?, ?, ?, 'live', ?)", base.accountId(), base.productId(), base.policyId(), key);
      Fixtures.exec("INSERT INTO machines (license_id, machine_id, activated_at, last_heartbeat_at) "
          + "SELECT id, ?, now(), now() FROM licenses WHERE key = ?", machine, key);
      keys.add(key);
    }
    return keys;
  }

  /** {@link RedisProbe#elapse}, off the event loop (the probe waits for Redis). */
  private static Future<Void> elapse(Vertx vertx, String bucketKey, long ms) {
    return vertx.executeBlocking(() -> {
      REDIS.elapse(bucketKey, ms);
      return null;
    });
  }

  private static List<NativeClient> clients(Vertx vertx) {
    return gateways.stream().map(g -> new NativeClient(vertx, g.port())).toList();
  }

  static Map<String, Integer> tally(List<Future<HttpResponse<Buffer>>> calls) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Future<HttpResponse<Buffer>> call : calls) {
      String key = call.failed() ? "transport" : call.result().statusCode() == 200 ? "200"
          : String.valueOf(call.result().bodyAsJsonObject().getJsonObject("error").getInteger("code"));
      counts.merge(key, 1, Integer::sum);
    }
    return counts;
  }
}
