package dev.licensegateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway's own meters, beside the ones Vert.x and the JVM binders publish. Each meter
 * is looked up once per label set and kept: building a Micrometer id per request showed up
 * in profiles of the hot path.
 */
public final class GatewayMetrics {

  /**
   * A few fixed buckets, at the latencies alerts and dashboards ask about: a percentile
   * histogram would add some 70 buckets to every route, outcome and status.
   */
  private static final Duration[] REQUEST_SLOS = millis(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500);
  private static final Duration[] DEPENDENCY_SLOS = millis(1, 5, 10, 50, 250, 1000);

  private static final String WEBHOOK_DELIVERIES = "lgw_webhook_deliveries_total";
  private static final String WEBHOOK_DELIVERIES_HELP =
      "Webhook delivery attempts by outcome: delivered, retry (failed, tried again later), failed (gave up), lost "
          + "(the lease ran out first)";
  private static final String[] WEBHOOK_OUTCOMES = {"delivered", "retry", "failed", "lost"};

  private final PrometheusMeterRegistry registry;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong inFlight = new java.util.concurrent.atomic.AtomicLong();
  private final Counter cacheHits;
  private final Counter cacheMisses;

  public GatewayMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    // Counters exist from the start at 0, so that alerts and dashboards never read an empty
    // series before the first event.
    counter("lgw_nonce_replays_total", "Requests refused for a nonce seen before");
    counter("lgw_quota_rejections_total", "Validations refused by a product's daily quota");
    counter("lgw_ratelimit_fail_open_total", "Requests let through because Redis could not be asked");
    for (String bucket : new String[] {"license", "ip", "apikey", "productkey"}) {
      counter("lgw_ratelimit_rejections_total", "Requests refused by an empty token bucket", "bucket", bucket);
    }
    for (String op : new String[] {"gate", "quota"}) {
      counter("lgw_redis_errors_total", "Redis calls that failed or timed out", "op", op);
    }
    counter("lgw_cache_invalidations_total", "Announced changes applied to the license read model");
    io.micrometer.core.instrument.Gauge.builder("lgw_http_requests_active", inFlight::get)
        .description("HTTP requests being served").register(registry);
    for (String outcome : WEBHOOK_OUTCOMES) {
      counter(WEBHOOK_DELIVERIES, WEBHOOK_DELIVERIES_HELP, "outcome", outcome);
    }
    cacheHits = counter("lgw_cache_requests_total", "License reads by whether memory answered", "result", "hit");
    cacheMisses = counter("lgw_cache_requests_total", "License reads by whether memory answered", "result", "miss");
  }

  /** The read model's state: whether it serves (its channel is live) and how many licenses it holds. */
  public void readModel(java.util.function.BooleanSupplier live, java.util.function.LongSupplier size) {
    io.micrometer.core.instrument.Gauge.builder("lgw_cache_live", () -> live.getAsBoolean() ? 1 : 0)
        .description("1 while the license read model serves from memory (its invalidation channel is live)")
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder("lgw_cache_licenses", size::getAsLong)
        .description("Licenses held in the read model").register(registry);
  }

  /**
   * The webhook backlog, as the delivery worker last read it: deliveries pending (due or
   * waiting to be retried) for enabled endpoints, and the age of the oldest. Every instance
   * reports the same shared queue.
   */
  public void webhookBacklog(java.util.function.LongSupplier pending, java.util.function.DoubleSupplier oldestSeconds) {
    io.micrometer.core.instrument.Gauge.builder("lgw_webhook_queue_depth", pending::getAsLong)
        .description("Webhook deliveries pending (due or awaiting a retry) for enabled endpoints").register(registry);
    io.micrometer.core.instrument.Gauge.builder("lgw_webhook_oldest_pending_seconds", oldestSeconds::getAsDouble)
        .description("Age of the oldest pending webhook delivery").register(registry);
  }

  /** One webhook delivery attempt ended: {@code delivered}, {@code retry}, {@code failed} or {@code lost}. */
  public void webhookAttempt(String outcome) {
    counter(WEBHOOK_DELIVERIES, WEBHOOK_DELIVERIES_HELP, "outcome", outcome).increment();
  }

  /** A license read answered from memory. */
  public void cacheHit() {
    cacheHits.increment();
  }

  /** A license read that went to Postgres (not kept, changed, or the read model dark). */
  public void cacheMiss() {
    cacheMisses.increment();
  }

  private static Duration[] millis(long... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Duration.ofMillis(values[i]);
    }
    return out;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** A request began. */
  public void requestStarted() {
    inFlight.incrementAndGet();
  }

  /** A request's response is done with, answered or not (its connection closed). */
  public void requestFinished() {
    inFlight.decrementAndGet();
  }

  /**
   * One request: its dialect, route (a fixed path, never the raw URI), outcome (the
   * dialect's own code) and HTTP status.
   */
  public void request(String dialect, String route, String outcome, int status, long nanos) {
    String key = dialect + '\u0000' + route + '\u0000' + outcome + '\u0000' + status;
    timer(key, () -> Timer.builder("lgw_requests")
        .description("Requests by dialect, route, outcome code and HTTP status")
        .tag("dialect", dialect)
        .tag("route", route)
        .tag("outcome", outcome)
        .tag("status", Integer.toString(status))
        .serviceLevelObjectives(REQUEST_SLOS))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Latency and outcome of one call to a dependency ({@code redis} or {@code postgres}). */
  public void timeDependency(String dependency, String op, long nanos, boolean ok) {
    String key = dependency + '\u0000' + op + '\u0000' + ok;
    timer(key, () -> Timer.builder("lgw_dependency_calls")
        .description("Calls to Postgres and Redis by operation and result")
        .tag("dependency", dependency)
        .tag("op", op)
        .tag("result", ok ? "ok" : "error")
        .serviceLevelObjectives(DEPENDENCY_SLOS))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  public void timeRedis(String op, long nanos, boolean ok) {
    timeDependency("redis", op, nanos, ok);
  }

  public void count(String name, String description, String... tags) {
    counter(name, description, tags).increment();
  }

  private Counter counter(String name, String description, String... tags) {
    String key = name + '\u0000' + String.join("\u0000", tags);
    return counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags)
        .register(registry));
  }

  private Timer timer(String key, Supplier<Timer.Builder> builder) {
    Timer timer = timers.get(key);
    return timer != null ? timer : timers.computeIfAbsent(key, k -> builder.get().register(registry));
  }
}
