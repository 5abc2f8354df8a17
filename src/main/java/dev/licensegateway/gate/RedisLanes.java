package dev.licensegateway.gate;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Every Redis command of the request path goes down one of a few long-lived connections,
 * pipelined: many requests in flight on each, so that Redis reads and answers them in
 * batches. A pool that lends a connection per command keeps one request in flight on each
 * and, under load, makes requests queue for a connection (and time out as if Redis were down).
 *
 * <p>A lane whose connection fails is opened again by the next command that needs it.
 */
public final class RedisLanes {

  private final Redis client;
  private final AtomicReferenceArray<Future<RedisConnection>> lanes;

  public RedisLanes(Redis client, int lanes) {
    this.client = client;
    this.lanes = new AtomicReferenceArray<>(Math.max(1, lanes));
  }

  public Future<Response> send(Request request) {
    int lane = (int) (Thread.currentThread().getId() % lanes.length());
    return connection(lane).compose(conn -> conn.send(request));
  }

  private Future<RedisConnection> connection(int lane) {
    Future<RedisConnection> current = lanes.get(lane);
    if (current != null && !current.failed()) {
      return current;
    }
    Future<RedisConnection> opening = client.connect();
    if (!lanes.compareAndSet(lane, current, opening)) {
      return connection(lane); // another request opened it meanwhile
    }
    opening.onSuccess(conn -> {
      conn.exceptionHandler(e -> drop(lane, opening));
      conn.endHandler(v -> drop(lane, opening));
    });
    return opening;
  }

  private void drop(int lane, Future<RedisConnection> connection) {
    lanes.compareAndSet(lane, connection, null);
  }

  /** Closes every open lane; the client itself is closed by its owner. */
  public Future<Void> close() {
    for (int i = 0; i < lanes.length(); i++) {
      Future<RedisConnection> lane = lanes.getAndSet(i, null);
      if (lane != null) {
        lane.onSuccess(RedisConnection::close);
      }
    }
    return Future.succeededFuture();
  }
}
