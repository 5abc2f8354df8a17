package dev.licensegateway.testing;

import dev.licensegateway.Gateway;
import dev.licensegateway.config.ConfigLoader;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.dev.EmbeddedServers;
import dev.licensegateway.gate.RateLimit;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** Starts real gateway instances on the shared embedded servers, each on its own port. */
public final class TestGateway {

  public static final String SECRET = "test-secret-0123456789";
  public static final RateLimit.Limit UNLIMITED = new RateLimit.Limit(1_000_000, 1_000_000);

  private TestGateway() {}

  /** The configuration a test gateway runs with, before a test's own changes. */
  public static GatewayConfig config() {
    EmbeddedServers servers = TestServers.get();
    return ConfigLoader.load(Map.of())
        .withPostgresUri(servers.postgresUri())
        .withRedisUri(servers.redisUri())
        .withSigning("RSA-SHA256", TestServers.keysDir().toString())
        .withSecret(SECRET)
        // Tests burst hundreds of requests into a cold JVM on two cores: deadlines fit that.
        .withTimeouts(10_000, 5_000)
        // Buckets too large to matter, except in the tests about buckets, which set their own.
        .withRateLimits(new GatewayConfig.RateLimits(true, UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED))
        .withHttpPort(EmbeddedServers.freePort());
  }

  public static Gateway start() {
    return start(c -> c);
  }

  public static Gateway start(UnaryOperator<GatewayConfig> customize) {
    GatewayConfig config = customize.apply(config());
    try {
      return Gateway.start(config, TestServers.keyRing(), TestServers.schemaVersion(), Clock.systemUTC())
          .await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test gateway failed to start", e);
    }
  }

  /** Several instances sharing one Postgres and one Redis, as pods do. */
  public static List<Gateway> startMany(int count) {
    List<Gateway> gateways = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      gateways.add(start());
    }
    return gateways;
  }

  public static void stopAll(List<Gateway> gateways) {
    for (Gateway g : gateways) {
      stop(g);
    }
  }

  public static void stop(Gateway gateway) {
    if (gateway == null) {
      return;
    }
    try {
      gateway.stop().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test gateway failed to stop", e);
    }
  }
}
