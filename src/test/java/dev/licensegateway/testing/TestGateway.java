package dev.licensegateway.testing;

import dev.licensegateway.Gateway;
import dev.licensegateway.config.ConfigLoader;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.dev.EmbeddedServers;
import dev.licensegateway.gate.RateLimit;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** Starts real gateway instances on the shared embedded servers, each on its own port. */
public final class TestGateway {

  public static final String SECRET = "test-secret-0123456789";
  public static final RateLimit.Limit UNLIMITED = new RateLimit.Limit(1_000_000, 1_000_000);

  /** Every gateway a test started and has not stopped: each must see a test's direct writes before its next call. */
  private static final List<Gateway> RUNNING = new CopyOnWriteArrayList<>();

  private TestGateway() {}

  /**
   * Waits until every running gateway's read model has seen what was committed before: for a
   * test that changes state straight in Postgres (or through the admin command) and calls next.
   * The gateways learn of such changes by NOTIFY, like pods of a change made elsewhere.
   */
  public static void syncAll() {
    for (Gateway gateway : RUNNING) {
      try {
        gateway.syncReadModel().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // Its channel is down (a fault test cut Postgres off): it serves nothing from memory then.
      }
    }
  }

  /** The ports of the gateways running now (a client's way to them, e.g. to read the JWKS). */
  public static List<Integer> runningPorts() {
    return RUNNING.stream().map(Gateway::port).toList();
  }

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
    return start(Clock.systemUTC(), customize);
  }

  /** A gateway whose every notion of "now" is {@code clock} (a {@link TestClock} for rules about time). */
  public static Gateway start(Clock clock, UnaryOperator<GatewayConfig> customize) {
    GatewayConfig config = customize.apply(config());
    try {
      Gateway gateway = Gateway.start(config, TestServers.keyRing(), TestServers.schemaVersion(), clock)
          .await(30, TimeUnit.SECONDS);
      RUNNING.add(gateway);
      return gateway;
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

  /** Starts stopping it (SIGTERM's drain), for a test that watches the drain; the future completes when stopped. */
  public static io.vertx.core.Future<Void> beginStop(Gateway gateway) {
    RUNNING.remove(gateway);
    return gateway.stop();
  }

  public static void stop(Gateway gateway) {
    if (gateway == null) {
      return;
    }
    RUNNING.remove(gateway);
    try {
      gateway.stop().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test gateway failed to stop", e);
    }
  }
}
