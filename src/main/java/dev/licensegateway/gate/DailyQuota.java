package dev.licensegateway.gate;

import dev.licensegateway.ops.GatewayMetrics;
import dev.licensegateway.ops.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/**
 * SPEC 3: a product's {@code daily_validation_limit}, counted per UTC day in Redis across
 * every instance and dialect. Fails open, like the buckets, when Redis cannot answer.
 */
public final class DailyQuota {

  private static final ThrottledLog LOG = new ThrottledLog(LoggerFactory.getLogger(DailyQuota.class));
  static final RedisScript SCRIPT = RedisScript.load("quota.lua");
  private static final long KEEP_SECONDS = 2 * 86_400;

  private final Redis redis;
  private final Clock clock;
  private final long timeoutMs;
  private final GatewayMetrics metrics;

  public DailyQuota(Redis redis, Clock clock, long timeoutMs, GatewayMetrics metrics) {
    this.redis = redis;
    this.clock = clock;
    this.timeoutMs = timeoutMs;
    this.metrics = metrics;
  }

  /** Counts one validation; true while the day's count is within {@code limit}. */
  public Future<Boolean> take(UUID productId, int limit) {
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    String key = "lgw:{quota:" + productId + "}:" + today;
    long started = System.nanoTime();
    return SCRIPT.call(redis, List.of(key), List.of(limit, KEEP_SECONDS), timeoutMs)
        .onComplete(ar -> metrics.timeRedis("quota", System.nanoTime() - started, ar.succeeded()))
        .map(reply -> reply.get(1).toInteger() == 1)
        .onSuccess(within -> {
          if (!within) {
            metrics.count("lgw_quota_rejections_total", "Validations refused by a product's daily quota");
          }
        })
        .recover(e -> {
          metrics.count("lgw_redis_errors_total", "Redis calls that failed or timed out", "op", "quota");
          LOG.warn("quota", "Redis unavailable for the daily quota; failing open", e);
          metrics.count("lgw_ratelimit_fail_open_total", "Requests let through because Redis could not be asked");
          return Future.succeededFuture(true);
        });
  }

  /** SPEC 3: Retry-After for 1716 is the seconds to the next midnight UTC. */
  public static long secondsToMidnightUtc(Clock clock) {
    long now = clock.instant().getEpochSecond();
    long midnight = LocalDate.ofEpochDay(now / 86_400 + 1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    return Math.max(1, midnight - now);
  }
}
