package dev.licensegateway.store;

import dev.licensegateway.ops.GatewayMetrics;
import dev.licensegateway.store.SnapshotCache.Change;
import dev.licensegateway.store.SnapshotCache.Target;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invalidation channel: Postgres triggers (migration V6) announce every committed change
 * on {@value #CHANNEL}, whichever instance, command or script made it, and this instance
 * listens on a connection of its own. The cache serves only while the channel is proven
 * live: subscribed, and a ping sent through Postgres came back in time. Lost, the cache goes
 * dark and every request reads Postgres until the channel is back.
 */
public final class Invalidations {

  public static final String CHANNEL = "lgw_invalidate";
  private static final Logger LOG = LoggerFactory.getLogger(Invalidations.class);
  private static final String PING = "ping:";

  private final Vertx vertx;
  private final Pool pool;
  private final PgConnectOptions connect;
  private final SnapshotCache cache;
  private final GatewayMetrics metrics;
  private final long pingEveryMs;
  private final long pingTimeoutMs;
  private final String instance = UUID.randomUUID().toString();
  private final AtomicLong pings = new AtomicLong();
  private final ConcurrentHashMap<String, Promise<Void>> awaited = new ConcurrentHashMap<>();
  private PgSubscriber subscriber;
  private long timer = -1;

  public Invalidations(Vertx vertx, Pool pool, PgConnectOptions connect, SnapshotCache cache, GatewayMetrics metrics,
      long pingEveryMs, long pingTimeoutMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.connect = connect;
    this.cache = cache;
    this.metrics = metrics;
    this.pingEveryMs = pingEveryMs;
    this.pingTimeoutMs = pingTimeoutMs;
  }

  /** Starts listening; the cache goes live at the first ping that comes back. Never fails the start. */
  public Future<Void> start() {
    subscriber = PgSubscriber.subscriber(vertx, new PgConnectOptions(connect))
        .reconnectPolicy(retries -> {
          // Called when the connection is lost: nothing announced meanwhile reaches us.
          if (cache.live()) {
            LOG.warn("invalidation channel lost; every request reads Postgres until it is back");
          }
          cache.goDark();
          return 1_000L;
        });
    subscriber.channel(CHANNEL)
        .handler(this::announced)
        .subscribeHandler(v -> ping());
    timer = vertx.setPeriodic(pingEveryMs, id -> ping());
    return subscriber.connect()
        .onFailure(e -> LOG.warn("invalidation channel not listening yet ({}); retrying", e.getMessage()))
        .otherwise(e -> {
          vertx.setTimer(1_000, id -> reconnect());
          return null;
        });
  }

  private void reconnect() {
    if (subscriber != null && subscriber.closed()) {
      subscriber.connect().onFailure(e -> vertx.setTimer(1_000, id -> reconnect()));
    }
  }

  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    cache.goDark();
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }

  /**
   * Completes once every change committed before the call has reached this instance's
   * cache: a ping sent now comes back after them, as Postgres delivers in commit order.
   */
  public Future<Void> sync() {
    String token = instance + ":" + pings.incrementAndGet();
    Promise<Void> back = Promise.promise();
    awaited.put(token, back);
    send(token);
    return back.future().timeout(pingTimeoutMs, TimeUnit.MILLISECONDS)
        .onComplete(ar -> awaited.remove(token));
  }

  /** A ping through Postgres; the channel is live while pings come back within the timeout. */
  private void ping() {
    sync().onSuccess(v -> {
      if (!cache.live()) {
        LOG.info("invalidation channel live; serving licenses from memory");
        cache.goLive();
      }
    }).onFailure(e -> {
      if (cache.live()) {
        LOG.warn("invalidation channel silent for {} ms; every request reads Postgres until it answers", pingTimeoutMs);
        cache.goDark();
      }
    });
  }

  private void send(String token) {
    pool.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(CHANNEL, PING + token))
        .onFailure(e -> {
          Promise<Void> back = awaited.remove(token);
          if (back != null) {
            back.tryFail(e);
          }
        });
  }

  private void announced(String payload) {
    if (payload.startsWith(PING)) {
      Promise<Void> back = awaited.remove(payload.substring(PING.length()));
      if (back != null) {
        back.tryComplete();
      }
      return;
    }
    Change change = parse(payload);
    if (change != null) {
      cache.changed(change);
      metrics.count("lgw_cache_invalidations_total", "Announced changes applied to the license read model");
    }
  }

  /**
   * {@code K:<license key>}, {@code L:<license id>}, {@code P:<policy id>}, {@code R:<product id>},
   * {@code A:<account id>}, {@code C:<API key id>}.
   */
  static Change parse(String payload) {
    if (payload.length() < 3 || payload.charAt(1) != ':') {
      return null;
    }
    String id = payload.substring(2);
    return switch (payload.charAt(0)) {
      case 'K' -> new Change(Target.KEY, id);
      case 'L' -> new Change(Target.LICENSE, id);
      case 'P' -> new Change(Target.POLICY, id);
      case 'R' -> new Change(Target.PRODUCT, id);
      case 'A' -> new Change(Target.ACCOUNT, id);
      case 'C' -> new Change(Target.API_KEY, id);
      default -> null;
    };
  }
}
