package dev.licensegateway.client;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Heartbeats of one machine on one license, from {@link LicenseClient#startHeartbeats}: one
 * at once, then each at half the time left until the {@code heartbeat_due_at} of the last
 * answer, so that a failed one has time to be tried again before the deadline. A missed
 * interval (1711) activates the machine again and goes on; any other refusal ends the
 * heartbeats. Close the handle to stop.
 */
public final class Heartbeats implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Heartbeats.class.getName());
  /** Without a {@code heartbeat_due_at} (a policy without heartbeats), beat this often. */
  static final Duration NO_SCHEDULE_INTERVAL = Duration.ofMinutes(10);
  private static final Duration MIN_DELAY = Duration.ofSeconds(1);

  private final LicenseClient client;
  private final String licenseKey;
  private final String machineId;
  private final HeartbeatListener listener;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private volatile boolean running = true;
  private volatile ScheduledFuture<?> next;
  private volatile LicenseResult last;
  private int failures;

  Heartbeats(LicenseClient client, String licenseKey, String machineId, HeartbeatListener listener,
      ScheduledExecutorService scheduler, Clock clock) {
    this.client = client;
    this.licenseKey = licenseKey;
    this.machineId = machineId;
    this.listener = listener;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  void start() {
    schedule(Duration.ZERO);
  }

  /** Whether heartbeats go on. */
  public boolean running() {
    return running;
  }

  /** The last successful heartbeat, or null. */
  public LicenseResult lastResult() {
    return last;
  }

  @Override
  public void close() {
    running = false;
    ScheduledFuture<?> scheduled = next;
    if (scheduled != null) {
      scheduled.cancel(false);
    }
  }

  private synchronized void schedule(Duration delay) {
    if (!running) {
      return;
    }
    try {
      next = scheduler.schedule(this::beat, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      running = false; // the client was closed
    }
  }

  private void beat() {
    if (!running) {
      return;
    }
    try {
      LicenseResult result = client.heartbeat(licenseKey, machineId);
      succeeded(result);
    } catch (LicenseException e) {
      HeartbeatFailure.Reason reason = HeartbeatFailure.Reason.of(e);
      if (reason == HeartbeatFailure.Reason.HEARTBEAT_OVERDUE) {
        tell(new HeartbeatFailure(reason, e, false, dueAt()));
        reactivate();
        return;
      }
      failed(reason, e);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "heartbeat failed unexpectedly: " + e.getClass().getSimpleName());
      schedule(client.backoff(++failures));
    }
  }

  /** After a missed interval the gateway wants the machine activated again, which revives it. */
  private void reactivate() {
    try {
      client.activate(licenseKey, machineId);
      schedule(Duration.ZERO);
    } catch (LicenseException e) {
      failed(HeartbeatFailure.Reason.of(e), e);
    }
  }

  private void succeeded(LicenseResult result) {
    failures = 0;
    last = result;
    try {
      listener.onSuccess(result);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "heartbeat listener failed: " + e.getClass().getSimpleName());
    }
    Instant due = result.heartbeatDueAt();
    if (due == null) {
      schedule(NO_SCHEDULE_INTERVAL);
      return;
    }
    // Half of what is left, measured on the server's clock: issued_at to heartbeat_due_at.
    Duration left = Duration.between(result.issuedAt(), due);
    schedule(max(MIN_DELAY, left.dividedBy(2)));
  }

  private void failed(HeartbeatFailure.Reason reason, LicenseException e) {
    boolean stop = e instanceof LicenseRefusedException;
    if (stop) {
      running = false;
    }
    tell(new HeartbeatFailure(reason, e, stop, dueAt()));
    if (stop) {
      return;
    }
    // Try again soon, but not later than halfway to the deadline when one is known.
    Duration wait = client.backoff(++failures);
    Instant due = dueAt();
    if (due != null) {
      Duration half = Duration.between(clock.instant(), due).dividedBy(2);
      if (half.compareTo(wait) < 0) {
        wait = max(MIN_DELAY, half);
      }
    }
    schedule(wait);
  }

  private Instant dueAt() {
    LicenseResult r = last;
    return r == null ? null : r.heartbeatDueAt();
  }

  private void tell(HeartbeatFailure failure) {
    try {
      listener.onFailure(failure);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "heartbeat listener failed: " + e.getClass().getSimpleName());
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
