package dev.licensegateway.gate;

import dev.licensegateway.infra.Unavailable;
import dev.licensegateway.licensing.ValidationQuota;
import dev.licensegateway.ops.GatewayMetrics;
import dev.licensegateway.ops.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
    String key = key(productId, day);
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

  /** A read for the management API's usage overview: unlike {@link #take}, it fails when Redis does. */
  @Override
  public Future<Long> counted(UUID productId, LocalDate day) {
    long started = System.nanoTime();
    return redis.send(Request.cmd(Command.GET).arg(key(productId, day)))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onComplete(ar -> metrics.timeRedis("quota_read", System.nanoTime() - started, ar.succeeded()))
        .map(reply -> reply == null ? 0L : reply.toLong())
        .recover(e -> Future.failedFuture(new Unavailable(Unavailable.REDIS, e)));
  }

  /** One counter per product and UTC day; the hash tag keeps it on one Redis Cluster slot. */
  private static String key(UUID productId, LocalDate day) {
    return "lgw:{quota:" + productId + "}:" + day;
  }
}
