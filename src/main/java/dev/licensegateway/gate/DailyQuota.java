package dev.licensegateway.gate;

import dev.licensegateway.licensing.ValidationQuota;
import dev.licensegateway.ops.GatewayMetrics;
import dev.licensegateway.ops.ThrottledLog;
import io.vertx.core.Future;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/**
 * docs/rate-limits.md: a product's {@code daily_validation_limit}, counted per UTC day in Redis across
 * every instance and dialect. Fails open, like the buckets, when Redis cannot answer.
 */
public final class DailyQuota implements ValidationQuota {

  private static final ThrottledLog LOG = new ThrottledLog(LoggerFactory.getLogger(DailyQuota.class));
  static final RedisScript SCRIPT = RedisScript.load("quota.lua");
  private static final long KEEP_SECONDS = 2 * 86_400;

  private final RedisLanes redis;
  private final long timeoutMs;
  private final GatewayMetrics metrics;

  public DailyQuota(RedisLanes redis, long timeoutMs, GatewayMetrics metrics) {
    this.redis = redis;
    this.timeoutMs = timeoutMs;
    this.metrics = metrics;
  }

  @Override
  public Future<Boolean> take(UUID productId, int limit, LocalDate day) {
    String key = "lgw:{quota:" + productId + "}:" + day;
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
}
