package dev.licensegateway.testing;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test's own look into the Redis a gateway uses (one server or a cluster): what a key
 * holds and how long it lives, read with plain commands, never through the gateway's code.
 */
public final class RedisProbe implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final Redis redis;

  private RedisProbe(RedisOptions options) {
    this.redis = Redis.createClient(vertx, options);
  }

  /** The test Redis every {@link TestGateway} shares. */
  public static RedisProbe single() {
    return new RedisProbe(new RedisOptions().setConnectionString(TestServers.get().redisUri()));
  }

  /** A Redis Cluster, given the URIs of its masters. */
  public static RedisProbe cluster(List<String> nodes) {
    RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER);
    nodes.forEach(options::addConnectionString);
    return new RedisProbe(options);
  }

  /** The string value of {@code key}, or null when there is none. */
  public String get(String key) {
    Response r = send(Request.cmd(Command.GET).arg(key));
    return r == null ? null : r.toString();
  }

  public void delete(String key) {
    send(Request.cmd(Command.DEL).arg(key));
  }

  public boolean exists(String key) {
    return send(Request.cmd(Command.EXISTS).arg(key)).toInteger() == 1;
  }

  /** Seconds left to live: −1 without expiry, −2 when the key does not exist. */
  public long ttlSeconds(String key) {
    return send(Request.cmd(Command.TTL).arg(key)).toLong();
  }

  /**
   * Moves a token bucket's state {@code ms} into the past, which is what the passing of that
   * much time does to it (the gate keeps a bucket as the time its next token is due, TAT, and a
   * key that expires when the bucket is full): a refill tested on the test's clock, not the wall's.
   */
  public void elapse(String bucketKey, long ms) {
    String tat = get(bucketKey);
    long ttl = send(Request.cmd(Command.PTTL).arg(bucketKey)).toLong();
    if (tat == null || ttl <= ms) {
      send(Request.cmd(Command.DEL).arg(bucketKey));
      return;
    }
    send(Request.cmd(Command.SET).arg(bucketKey)
        .arg(new java.math.BigDecimal(tat).subtract(java.math.BigDecimal.valueOf(ms)).toPlainString())
        .arg("PX").arg(ttl - ms));
  }

  private Response send(Request request) {
    try {
      return redis.send(request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Redis probe failed: " + request, e);
    }
  }

  @Override
  public void close() {
    redis.close();
    vertx.close();
  }
}
