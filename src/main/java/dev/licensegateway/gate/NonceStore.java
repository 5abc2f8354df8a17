package dev.licensegateway.gate;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.concurrent.TimeUnit;

/**
 * SPEC 2.1 step 7: a nonce is accepted once across every instance, because the first
 * {@code SET NX} wins in the one Redis they share.
 */
public final class NonceStore {

  private final Redis redis;
  private final long ttlSeconds;
  private final long timeoutMs;

  public NonceStore(Redis redis, long ttlSeconds, long timeoutMs) {
    this.redis = redis;
    this.ttlSeconds = ttlSeconds;
    this.timeoutMs = timeoutMs;
  }

  /** True when the nonce was unseen and is now stored; fails when Redis cannot answer. */
  public Future<Boolean> claim(String nonce) {
    // The hash tag keeps the key's slot fixed on Redis Cluster.
    return redis.send(Request.cmd(Command.SET).arg("lgw:{nonce:" + nonce + "}").arg("1")
            .arg("NX").arg("EX").arg(ttlSeconds))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(response -> response != null);
  }
}
