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
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** One request: its route (a fixed path, never the raw URI), dialect and outcome code. */
  public void request(String dialect, String route, String outcome, long nanos) {
    Timer.builder("lgw_requests")
        .description("Requests by dialect, route and outcome code")
        .tag("dialect", dialect)
        .tag("route", route)
        .tag("outcome", outcome)
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
