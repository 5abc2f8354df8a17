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

  public void count(String name, String description, String... tags) {
    Counter.builder(name).description(description).tags(tags).register(registry).increment();
  }
}
