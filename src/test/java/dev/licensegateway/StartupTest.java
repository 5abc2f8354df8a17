package dev.licensegateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.dev.EmbeddedServers;
import dev.licensegateway.testing.FaultProxy;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 11, items 14 and 11: startup waits for what it needs (a dependency that comes up late,
 * migrations another instance is applying), up to LGW_STARTUP_TIMEOUT_S, then fails with a
 * message naming what it waited for, and never shows a password, in the message or a log line.
 */
class StartupTest {

  @Test
  void twoInstancesStartedTogetherOnAFreshDatabaseBothStart() throws Exception {
    String db = "fresh_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
        + TestServers.get().postgresPort() + "/postgres", "postgres", "")) {
      admin.createStatement().execute("CREATE DATABASE " + db);
    }
    String uri = "postgresql://postgres@127.0.0.1:" + TestServers.get().postgresPort() + "/" + db;
    GatewayConfig config = TestGateway.config().withPostgresUri(uri);
    ExecutorService pods = Executors.newFixedThreadPool(2);
    CountDownLatch together = new CountDownLatch(1);
    List<Future<Gateway>> starts = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      GatewayConfig own = config.withHttpPort(EmbeddedServers.freePort());
      starts.add(pods.submit(() -> {
        together.await();
        return Startup.run(own, TestServers.keyRing(), Clock.systemUTC());
      }));
    }
    together.countDown();
    List<Gateway> started = new ArrayList<>();
    try {
      for (Future<Gateway> start : starts) {
        started.add(start.get(120, TimeUnit.SECONDS));
      }
      for (Gateway gateway : started) {
        assertTrue(gateway.health().ready().await(10, TimeUnit.SECONDS), "an instance is not ready");
      }
    } finally {
      started.forEach(TestGateway::stop);
      pods.shutdownNow();
    }
  }

  @Test
  void dependenciesThatComeUpLateAreWaitedFor() throws Exception {
    try (FaultProxy redis = new FaultProxy(TestServers.get().redisPort());
         FaultProxy postgres = new FaultProxy(TestServers.get().postgresPort())) {
      redis.cut();
      postgres.cut();
      io.vertx.core.Future<Gateway> starting = Gateway.start(TestGateway.config()
              .withRedisUri("redis://127.0.0.1:" + redis.port())
              .withPostgresUri("postgresql://postgres@127.0.0.1:" + postgres.port() + "/postgres")
              .withTimeouts(1_000, 1_000)
              .withStartupTimeout(60),
          TestServers.keyRing(), TestServers.schemaVersion(), Clock.systemUTC());
      Thread.sleep(1_500);
      assertFalse(starting.isComplete(), "the start ended while both dependencies were down: " + starting.cause());
      redis.restore();
      postgres.restore();
      Gateway gateway = starting.await(60, TimeUnit.SECONDS);
      TestGateway.stop(gateway);
    }
  }

  @Test
  void startupGivesUpAtItsDeadlineNamingWhatItWaitedForWithoutAPassword() {
    String redisPassword = "S3cretRedisPass";
    String pgPassword = "S3cretPgPass";
    int closedPort = EmbeddedServers.freePort();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    try {
      long started = System.nanoTime();
      Exception failure = assertThrows(Exception.class, () -> Gateway.start(TestGateway.config()
              .withRedisUri("redis://:" + redisPassword + "@127.0.0.1:" + closedPort)
              .withPostgresUri("postgresql://postgres:" + pgPassword + "@127.0.0.1:" + TestServers.get().postgresPort()
                  + "/postgres")
              .withStartupTimeout(2),
          TestServers.keyRing(), TestServers.schemaVersion(), Clock.systemUTC()).await(60, TimeUnit.SECONDS));
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      String message = failure.getMessage();
      assertTrue(message.contains("Redis at redis://:***@127.0.0.1:" + closedPort), message);
      assertTrue(message.contains("gave up waiting") && message.contains("LGW_STARTUP_TIMEOUT_S"), message);
      assertTrue(tookMs >= 2_000, "gave up before its deadline, after " + tookMs + " ms");
      for (Throwable t = failure; t != null; t = t.getCause()) {
        assertFalse(String.valueOf(t.getMessage()).contains(redisPassword), "password in: " + t);
        assertFalse(String.valueOf(t.getMessage()).contains(pgPassword), "password in: " + t);
      }
      for (ILoggingEvent event : logs.list) {
        String line = event.getFormattedMessage() + throwableText(event.getThrowableProxy());
        assertFalse(line.contains(redisPassword) || line.contains(pgPassword), "password logged: " + line);
      }
      assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("waiting for Redis at redis://:***@")),
          "the wait is logged");
    } finally {
      root.detachAppender(logs);
    }
  }

  private static String throwableText(IThrowableProxy proxy) {
    StringBuilder text = new StringBuilder();
    for (IThrowableProxy t = proxy; t != null; t = t.getCause()) {
      text.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
    }
    return text.toString();
  }
}
