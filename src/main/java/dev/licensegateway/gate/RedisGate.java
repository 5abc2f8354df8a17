package dev.licensegateway.gate;

import dev.licensegateway.infra.Unavailable;
import dev.licensegateway.ops.GatewayMetrics;
import dev.licensegateway.ops.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * docs/native-protocol.md step 7 and docs/rate-limits.md: the nonce and every token bucket of a request, decided by one
 * Lua script in one round trip on a single Redis. On Redis Cluster, where a request's keys
 * live in several slots, each key gets its own call; the outcome is the same as on one Redis
 * (see {@link #admitOnCluster}): a replay or an empty bucket takes nothing and spends no nonce.
 *
 * <p>Failure policy: a nonce check fails closed (the caller answers 1717); buckets alone
 * fail open when so configured, counted in {@code lgw_ratelimit_fail_open_total}.
 */
public final class RedisGate {

  private static final ThrottledLog LOG = new ThrottledLog(LoggerFactory.getLogger(RedisGate.class));
  private static final RedisScript GATE = RedisScript.load("gate.lua");

  public enum Verdict { PASS, REPLAY, LIMITED }

  /** The decision and the bucket to report in the rate-limit headers (null when none applied). */
  public record Decision(Verdict verdict, RateLimit applied) {}

  private final RedisLanes redis;
  private final boolean cluster;
  private final long nonceTtlSeconds;
  private final long timeoutMs;
  private final boolean failOpen;
  private final GatewayMetrics metrics;

  public RedisGate(RedisLanes redis, boolean cluster, long nonceTtlSeconds, long timeoutMs, boolean failOpen,
      GatewayMetrics metrics) {
    this.redis = redis;
    this.cluster = cluster;
    this.nonceTtlSeconds = nonceTtlSeconds;
    this.timeoutMs = timeoutMs;
    this.failOpen = failOpen;
    this.metrics = metrics;
  }

  /** Loads the gate's and the quota's scripts into Redis at start; failures only mean EVAL later. */
  public Future<Void> preloadScripts() {
    return Future.join(GATE.preload(redis, timeoutMs), DailyQuota.SCRIPT.preload(redis, timeoutMs))
        .<Void>mapEmpty()
        .otherwise(e -> null);
  }

  public static String nonceKey(String nonce) {
    return "lgw:{nonce:" + nonce + "}";
  }

  /**
   * Claims the nonce (when not null) and takes one token from every bucket, or nothing at
   * all when the nonce was seen or a bucket is empty.
   */
  public Future<Decision> admit(String nonce, List<RateLimit.Bucket> buckets) {
    Future<Decision> decided = cluster && buckets.size() + (nonce == null ? 0 : 1) > 1
        ? admitOnCluster(nonce, buckets)
        : run("take", nonce, buckets);
    return decided
        .onSuccess(d -> {
          if (d.verdict() == Verdict.REPLAY) {
            metrics.count("lgw_nonce_replays_total", "Requests refused for a nonce seen before");
          } else if (d.verdict() == Verdict.LIMITED) {
            metrics.count("lgw_ratelimit_rejections_total", "Requests refused by an empty token bucket",
                "bucket", d.applied().kind());
          }
        })
        .recover(e -> {
          metrics.count("lgw_redis_errors_total", "Redis calls that failed or timed out", "op", "gate");
          if (nonce != null || !failOpen) {
            LOG.warn("redis-gate", "Redis unavailable for the gate; failing closed", e);
            return Future.failedFuture(Unavailable.fromRedis(e));
          }
          LOG.warn("redis-gate-open", "Redis unavailable for rate limiting; failing open", e);
          metrics.count("lgw_ratelimit_fail_open_total", "Requests let through because Redis could not be asked");
          long now = System.currentTimeMillis() / 1000;
          return Future.succeededFuture(new Decision(Verdict.PASS, RateLimit.unknown(buckets.get(0), now)));
        });
  }

  /**
   * The single script's decision in calls of one slot each, in an order that takes nothing on
   * a refusal: first the nonce is claimed (a replay answers at once, nothing taken); then every
   * bucket is taken at once, and if one is empty the others get their token back and the nonce
   * is forgotten. The answer comes once Redis is settled, so a client that reads a refusal
   * finds nothing taken and may send the same request again.
   */
  private Future<Decision> admitOnCluster(String nonce, List<RateLimit.Bucket> buckets) {
    Future<Decision> claimed = nonce == null ? Future.succeededFuture(null) : run("take", nonce, List.of());
    return claimed.compose(claim -> {
      if (claim != null && claim.verdict() == Verdict.REPLAY) {
        return Future.succeededFuture(claim);
      }
      if (buckets.isEmpty()) {
        return Future.succeededFuture(claim);
      }
      List<Future<Decision>> takes = new ArrayList<>();
      for (RateLimit.Bucket bucket : buckets) {
        takes.add(run("take", null, List.of(bucket)));
      }
      return Future.join(takes).transform(joined -> {
        List<RateLimit.Bucket> taken = new ArrayList<>();
        List<Decision> decisions = new ArrayList<>();
        for (int i = 0; i < buckets.size(); i++) {
          if (takes.get(i).succeeded()) {
            decisions.add(takes.get(i).result());
            if (takes.get(i).result().verdict() == Verdict.PASS) {
              taken.add(buckets.get(i));
            }
          }
        }
        if (joined.failed()) {
          return giveBack(nonce, taken).compose(v -> Future.failedFuture(joined.cause()));
        }
        Decision worst = worst(decisions);
        return worst.verdict() == Verdict.LIMITED
            ? giveBack(nonce, taken).map(v -> worst)
            : Future.succeededFuture(worst);
      });
    });
  }

  /** Undoes a partial take: forgets the nonce, hands each bucket its token back. A failure only leaves them taken. */
  private Future<Void> giveBack(String nonce, List<RateLimit.Bucket> buckets) {
    List<Future<Decision>> each = new ArrayList<>();
    if (nonce != null) {
      each.add(run("give", nonce, List.of()));
    }
    for (RateLimit.Bucket bucket : buckets) {
      each.add(run("give", null, List.of(bucket)));
    }
    return Future.join(each).<Void>mapEmpty().otherwise(e -> {
      LOG.warn("redis-gate-give", "Redis did not take back what a refused request took", e);
      return null;
    });
  }

  /** The decision to report among several buckets': a refusal first, else the bucket closest to empty. */
  private static Decision worst(List<Decision> decisions) {
    Decision worst = null;
    for (Decision d : decisions) {
      if (worst == null || d.verdict() == Verdict.LIMITED && worst.verdict() != Verdict.LIMITED
          || d.verdict() == worst.verdict() && d.applied().remaining() * 1.0 / d.applied().limit()
              < worst.applied().remaining() * 1.0 / worst.applied().limit()) {
        worst = d;
      }
    }
    return worst;
  }

  /** The state of the buckets, taking and storing nothing: for answers refused before step 7. */
  public Future<RateLimit> peek(List<RateLimit.Bucket> buckets) {
    long now = System.currentTimeMillis() / 1000;
    return run("peek", null, buckets)
        .map(Decision::applied)
        .otherwise(e -> RateLimit.unknown(buckets.get(0), now));
  }

  private Future<Decision> run(String mode, String nonce, List<RateLimit.Bucket> buckets) {
    if (cluster && buckets.size() > 1) {
      List<Future<Decision>> each = new ArrayList<>();
      for (RateLimit.Bucket bucket : buckets) {
        each.add(run(mode, null, List.of(bucket)));
      }
      return Future.all(each).map(all -> worst(each.stream().map(Future::result).toList()));
    }
    List<String> keys = new ArrayList<>(buckets.size() + 1);
    List<Object> args = new ArrayList<>(3 + buckets.size() * 3);
    args.add(mode);
    args.add(nonce != null ? "1" : "0");
    args.add(nonceTtlSeconds);
    if (nonce != null) {
      keys.add(nonceKey(nonce));
    }
    for (RateLimit.Bucket bucket : buckets) {
      keys.add(bucket.key());
      args.add(bucket.limit().capacity());
      args.add(bucket.limit().refillPerSecond());
      args.add(1);
    }
    long started = System.nanoTime();
    return GATE.call(redis, keys, args, timeoutMs)
        .onComplete(ar -> metrics.timeRedis("gate", System.nanoTime() - started, ar.succeeded()))
        .map(reply -> decode(reply, buckets));
  }

  private static Decision decode(Response reply, List<RateLimit.Bucket> buckets) {
    long verdict = reply.get(0).toLong();
    if (verdict == -1) {
      return new Decision(Verdict.REPLAY, null);
    }
    if (buckets.isEmpty() || reply.get(1).toInteger() == 0) {
      return new Decision(Verdict.PASS, null); // a nonce alone, or a 'give'
    }
    RateLimit.Bucket bucket = buckets.get(reply.get(1).toInteger() - 1);
    long remaining = reply.get(2).toLong();
    long fullMs = reply.get(3).toLong();
    long waitMs = reply.get(4).toLong();
    long nowSeconds = reply.get(5).toLong();
    RateLimit state = new RateLimit(bucket.kind(), bucket.limit().capacity(), remaining,
        nowSeconds + (fullMs + 999) / 1000, Math.max(1, (waitMs + 999) / 1000));
    return new Decision(verdict == 1 ? Verdict.PASS : Verdict.LIMITED, state);
  }
}
