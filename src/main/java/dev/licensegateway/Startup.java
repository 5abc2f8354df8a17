package dev.licensegateway;

import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.infra.Uris;
import dev.licensegateway.signing.KeyRing;
import dev.licensegateway.store.Migrations;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * docs/operations.md startup: the gateway waits for what it needs (Postgres, Redis, migrations another
 * instance is applying), retrying with backoff until one deadline, {@code LGW_STARTUP_TIMEOUT_S}
 * from the start, then fails with a message that names what it waited for. Pods started
 * together, or before their database, come up on their own instead of crash-looping.
 */
public final class Startup {

  private static final Logger LOG = LoggerFactory.getLogger(Startup.class);
  private static final long FIRST_PAUSE_MS = 200;
  private static final long MAX_PAUSE_MS = 5_000;
  /** The least an attempt is given, so that one close to the deadline can still succeed. */
  private static final long MIN_ATTEMPT_MS = 250;

  private final int timeoutSeconds;
  private final long deadlineNanos;

  private Startup(int timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
    this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
  }

  /** A deadline {@code seconds} from now. */
  public static Startup within(int seconds) {
    return new Startup(seconds);
  }

  /**
   * {@code run}: the migrations (waiting for any another instance holds), then the gateway, all
   * within the configured startup timeout. Blocking; called before anything serves.
   */
  public static Gateway run(GatewayConfig config, KeyRing keys, Clock clock) throws Exception {
    Startup startup = within(config.startup().timeoutSeconds());
    String schema = startup.migrate(config.postgres().uri());
    // The gateway's own wait ends at the same deadline; the await only guards against a hang.
    return Gateway.start(config, keys, schema, clock, startup)
        .await(startup.remainingMs() + TimeUnit.MINUTES.toMillis(1), TimeUnit.MILLISECONDS);
  }

  /** Applies pending migrations, waiting for Postgres and for another instance's migration lock. */
  public String migrate(String pgUri) throws InterruptedException {
    PgConnectOptions options = PgConnectOptions.fromUri(pgUri);
    String what = "the Postgres migrations at " + options.getHost() + ":" + options.getPort() + "/"
        + options.getDatabase();
    // Flyway waits for another instance's lock itself, a second per try: as long as we have left.
    return awaitBlocking(what, () -> Migrations.apply(pgUri, (int) Math.max(1, remainingMs() / 1000)));
  }

  public long remainingMs() {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  /**
   * Retries {@code attempt} with backoff until it succeeds or the deadline passes. Each attempt
   * gets its own timeout, at most what is left; {@code what} names the dependency in the log and
   * in the final failure.
   */
  public <T> Future<T> await(Vertx vertx, String what, long attemptTimeoutMs, Supplier<Future<T>> attempt) {
    Promise<T> done = Promise.promise();
    attempt(vertx, what, attemptTimeoutMs, attempt, 1, FIRST_PAUSE_MS, done);
    return done.future();
  }

  private <T> void attempt(Vertx vertx, String what, long attemptTimeoutMs, Supplier<Future<T>> attempt, int n,
      long pause, Promise<T> done) {
    long timeout = Math.max(MIN_ATTEMPT_MS, Math.min(attemptTimeoutMs, remainingMs()));
    Future<T> tried;
    try {
      tried = attempt.get().timeout(timeout, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      tried = Future.failedFuture(e);
    }
    tried.onSuccess(done::complete).onFailure(e -> {
      long left = remainingMs();
      if (left <= 0) {
        done.fail(gaveUp(what, n, e));
        return;
      }
      LOG.warn("waiting for {} (attempt {} failed: {}); retrying for up to {} s more", what, n,
          Uris.redact(String.valueOf(e.getMessage())), (left + 999) / 1000);
      vertx.setTimer(Math.max(1, Math.min(pause, left)),
          id -> attempt(vertx, what, attemptTimeoutMs, attempt, n + 1, Math.min(pause * 2, MAX_PAUSE_MS), done));
    });
  }

  /** The blocking form, for work done before Vert.x starts (Flyway). */
  public <T> T awaitBlocking(String what, Callable<T> attempt) throws InterruptedException {
    long pause = FIRST_PAUSE_MS;
    for (int n = 1; ; n++) {
      try {
        return attempt.call();
      } catch (Exception e) {
        long left = remainingMs();
        if (left <= 0) {
          throw gaveUp(what, n, e);
        }
        LOG.warn("waiting for {} (attempt {} failed: {}); retrying for up to {} s more", what, n,
            Uris.redact(String.valueOf(e.getMessage())), (left + 999) / 1000);
        Thread.sleep(Math.max(1, Math.min(pause, left)));
        pause = Math.min(pause * 2, MAX_PAUSE_MS);
      }
    }
  }

  private IllegalStateException gaveUp(String what, int attempts, Throwable last) {
    return new IllegalStateException("gave up waiting for " + what + " after " + timeoutSeconds + " s ("
        + attempts + " attempts, LGW_STARTUP_TIMEOUT_S); last error: "
        + Uris.redact(String.valueOf(last.getMessage())), last);
  }
}
