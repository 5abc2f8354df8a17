package dev.licensegateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The gateway's own meters, beside the ones Vert.x and the JVM binders publish. */
public final class GatewayMetrics {

  private final PrometheusMeterRegistry registry;

  public GatewayMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    // Counters exist from the start at 0, so that alerts and dashboards never read an empty
    // series before the first event.
    count0("lgw_nonce_replays_total", "Requests refused for a nonce seen before");
    count0("lgw_quota_rejections_total", "Validations refused by a product's daily quota");
    count0("lgw_ratelimit_fail_open_total", "Requests let through because Redis could not be asked");
    for (String bucket : new String[] {"license", "ip", "apikey", "productkey"}) {
      count0("lgw_ratelimit_rejections_total", "Requests refused by an empty token bucket", "bucket", bucket);
    }
    for (String op : new String[] {"gate", "quota"}) {
      count0("lgw_redis_errors_total", "Redis calls that failed or timed out", "op", op);
    }
  }

  private void count0(String name, String description, String... tags) {
    Counter.builder(name).description(description).tags(tags).register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * One request: its dialect, route (a fixed path, never the raw URI), outcome (the
   * dialect's own code) and HTTP status.
   */
  public void request(String dialect, String route, String outcome, int status, long nanos) {
    Timer.builder("lgw_requests")
        .description("Requests by dialect, route, outcome code and HTTP status")
        .tag("dialect", dialect)
        .tag("route", route)
        .tag("outcome", outcome)
        .tag("status", Integer.toString(status))
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Latency and outcome of one call to a dependency ({@code redis} or {@code postgres}). */
  public void timeDependency(String dependency, String op, long nanos, boolean ok) {
    Timer.builder("lgw_dependency_calls")
        .description("Calls to Postgres and Redis by operation and result")
        .tag("dependency", dependency)
        .tag("op", op)
        .tag("result", ok ? "ok" : "error")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(50_000))
        .maximumExpectedValue(Duration.ofSeconds(5))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  public void timeRedis(String op, long nanos, boolean ok) {
    timeDependency("redis", op, nanos, ok);
  }

  public void count(String name, String description, String... tags) {
    Counter.builder(name).description(description).tags(tags).register(registry).increment();
  }
}
