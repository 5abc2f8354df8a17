package dev.licensegateway.http;

import dev.licensegateway.ops.ThrottledLog;
import io.netty.util.AsciiString;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a connection may cost the gateway, for the connections of one verticle (its event loop
 * alone touches this state):
 *
 * <ul>
 *   <li>a cap on the open connections of the whole gateway ({@link Census}): past it a new one
 *       is closed at once, with a throttled warning, so that idle sockets cannot exhaust the
 *       process's file descriptors;
 *   <li>a head deadline: a connection must complete its first request head within the header
 *       timeout of opening, and the next one within the idle timeout plus the header timeout of
 *       its last answer, however slowly it keeps sending (the idle timeout alone restarts on
 *       every byte);
 *   <li>strict framing ({@link StrictFraming}), answered by {@link ProtocolRefusal};
 *   <li>the drain (SIGTERM, docs/operations.md): every answer from then on says {@code Connection: close}
 *       and its connection closes after it; a kept-alive connection (answered before, nothing in
 *       flight) is closed once it has been quiet for {@link #DRAIN_QUIET_MS}, while the listener still
 *       accepts, so a client's pool learns of it before its next request rather than by a
 *       failed one.
 * </ul>
 */
public final class ConnectionGuard {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final ThrottledLog THROTTLED = new ThrottledLog(LOG);
  private static final CharSequence CLOSE = HttpHeaders.createOptimized("close");

  /**
   * During a drain, how long a kept-alive connection must have been quiet before it is closed:
   * long enough that a client answered a moment ago is not caught sending its next request on it.
   */
  static final long DRAIN_QUIET_MS = 1_000;

  /**
   * The open connections of one gateway, across its verticles, against its cap. The cap never
   * exceeds what the process's file-descriptor limit leaves after a reserve for the database
   * pools, logs and jars.
   */
  public static final class Census {
    private static final long FD_RESERVE = 512;

    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final int cap;

    public Census(int configured) {
      this.cap = capWithinDescriptors(configured);
    }

    private static int capWithinDescriptors(int configured) {
      if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
        long room = unix.getMaxFileDescriptorCount() - FD_RESERVE;
        if (room < configured) {
          int lowered = (int) Math.max(1, room);
          LOG.warn("LGW_HTTP_MAX_CONNECTIONS={} is more than the file-descriptor limit ({}) leaves; capping at {}",
              configured, unix.getMaxFileDescriptorCount(), lowered);
          return lowered;
        }
      }
      return configured;
    }

    boolean tryOpen() {
      while (true) {
        int now = open.get();
        if (now >= cap) {
          refused.incrementAndGet();
          return false;
        }
        if (open.compareAndSet(now, now + 1)) {
          return true;
        }
      }
    }

    void closed() {
      open.decrementAndGet();
    }

    public int open() {
      return open.get();
    }

    public long refused() {
      return refused.get();
    }

    public int cap() {
      return cap;
    }
  }

  /** One open connection: its head deadline, the requests it has in flight, its last request. */
  private static final class Tracked {
    final HttpConnection connection;
    long headDeadline;
    long quietSince;
    int inFlight;
    /** Whether it has been answered at least once: only then is it a kept-alive connection waiting. */
    boolean answered;
    HttpServerRequest latest;

    Tracked(HttpConnection connection, long now, long headTimeout) {
      this.connection = connection;
      this.quietSince = now;
      this.headDeadline = now + headTimeout;
    }
  }

  private final Vertx vertx;
  private final HttpServerOptions options;
  private final Census census;
  private final long headerTimeoutNanos;
  private final long nextHeadTimeoutNanos;
  private final ProtocolRefusal.Form form;
  private final Map<HttpConnection, Tracked> tracked = new HashMap<>();
  private final long sweepTimer;
  private final BooleanSupplier draining;

  /**
   * {@code options}: the server's, for the decoder {@link StrictFraming} puts in place;
   * {@code form}: the error form of a refusal, by path; {@code draining}: whether SIGTERM's
   * drain has begun (read at each answer, so every verticle sees it at the same moment).
   */
  public ConnectionGuard(Vertx vertx, HttpServerOptions options, Census census, int idleTimeoutSeconds,
      int headerTimeoutSeconds, ProtocolRefusal.Form form, BooleanSupplier draining) {
    this.vertx = vertx;
    this.draining = draining;
    this.options = options;
    this.census = census;
    this.headerTimeoutNanos = headerTimeoutSeconds * 1_000_000_000L;
    this.nextHeadTimeoutNanos = (idleTimeoutSeconds + (long) headerTimeoutSeconds) * 1_000_000_000L;
    this.form = form;
    // One sweep a quarter of the header timeout (at most a second) bounds how late a deadline
    // is enforced, at no cost per request beyond reading the clock.
    long sweepMs = Math.max(50, Math.min(1_000, headerTimeoutSeconds * 250L));
    this.sweepTimer = vertx.setPeriodic(sweepMs, id -> sweep());
  }

  /** A new connection: counted against the cap (or closed), framed strictly, its head deadline started. */
  public void accept(HttpConnection connection) {
    if (!census.tryOpen()) {
      THROTTLED.warn("connection-cap", "connection cap reached: " + census.cap() + " connections open "
          + "(LGW_HTTP_MAX_CONNECTIONS); closing new connections until some close, such as one from "
          + connection.remoteAddress(), null);
      connection.close();
      return;
    }
    StrictFraming.install(connection, options);
    Tracked state = new Tracked(connection, System.nanoTime(), headerTimeoutNanos);
    tracked.put(connection, state);
    connection.closeHandler(v -> {
      tracked.remove(connection);
      census.closed();
    });
    connection.exceptionHandler(failure -> failed(state, failure));
  }

  /**
   * A request whose head is complete. False when it was refused here (its framing), in which case
   * the answer is written and the connection closing; true when the router should serve it.
   */
  public boolean admit(HttpServerRequest request) {
    Tracked state = tracked.get(request.connection());
    if (state != null) {
      state.inFlight++;
      state.latest = request;
    }
    String framing = StrictFraming.problem(request);
    if (framing != null) {
      ProtocolRefusal.answer(request, 400, "bad_request", framing, form);
      return false;
    }
    // Decided when the head is written, so that an answer begun before the drain and finished in
    // it says so too. (A router handler that adds headers-end handlers would replace this one.)
    request.response().headersEndHandler(v -> {
      if (draining.getAsBoolean()) {
        request.response().putHeader(HttpHeaders.CONNECTION, CLOSE);
      }
    });
    return true;
  }

  /** A request's answer has ended (or its connection closed first). */
  public void responded(HttpServerRequest request) {
    Tracked state = tracked.get(request.connection());
    if (state == null) {
      return;
    }
    long now = System.nanoTime();
    state.inFlight = Math.max(0, state.inFlight - 1);
    state.quietSince = now;
    state.answered = true;
    if (state.latest == request) {
      state.latest = null;
    }
    if (state.inFlight == 0) {
      state.headDeadline = now + nextHeadTimeoutNanos;
    }
    // Closed only after an answer that said so. An answer whose head went out before the drain
    // promised keep-alive, and its client may already be sending the next request on it: that
    // connection is left to the sweep, which closes it once quiet.
    if (draining.getAsBoolean() && request.version() != HttpVersion.HTTP_2
        && AsciiString.contentEqualsIgnoreCase(CLOSE, request.response().headers().get(HttpHeaders.CONNECTION))) {
      request.connection().close();
    }
  }

  /** SIGTERM's drain has begun: quiet connections are closed from now on, starting now. */
  public void drain() {
    sweep();
  }

  /**
   * Completes once every connection has had a request read (or has been answered before), or
   * after {@code maxMs}: the listener's shutdown closes a connection it has read nothing from,
   * and a request its client sent just before may still be in the socket, unread on a busy
   * event loop. Called before the listener shuts down, so that such a request is served.
   */
  public Future<Void> settle(long maxMs) {
    long deadline = System.nanoTime() + maxMs * 1_000_000;
    Promise<Void> settled = Promise.promise();
    vertx.setPeriodic(1, 20, id -> {
      boolean unread = tracked.values().stream().anyMatch(state -> state.inFlight == 0 && !state.answered);
      if (!unread || System.nanoTime() - deadline >= 0) {
        vertx.cancelTimer(id);
        settled.tryComplete();
      }
    });
    return settled.future();
  }

  public void stop() {
    vertx.cancelTimer(sweepTimer);
  }

  private void sweep() {
    long now = System.nanoTime();
    boolean drain = draining.getAsBoolean();
    List<HttpConnection> expired = new ArrayList<>();
    for (Tracked state : tracked.values()) {
      if (state.inFlight > 0) {
        continue;
      }
      if (now - state.headDeadline >= 0) {
        expired.add(state.connection);
      } else if (drain && state.answered && now - state.quietSince >= DRAIN_QUIET_MS * 1_000_000) {
        // A connection not yet answered may hold a request the event loop has not read yet: it is
        // left to its head deadline and to the listener's own shutdown, which waits for what it reads.
        expired.add(state.connection);
      }
    }
    // Closing runs the close handlers, which change the map: close after the walk.
    expired.forEach(HttpConnection::close);
  }

  /**
   * The connection failed. A body whose chunked framing broke is the client's error: its request
   * is answered now, with a 400, since the connection closes right after this.
   */
  private void failed(Tracked state, Throwable failure) {
    HttpServerRequest request = state.latest;
    if (failure instanceof StrictFraming.MalformedBody && request != null && !request.response().ended()) {
      ProtocolRefusal.answer(request, 400, "bad_request", "the request body's chunked framing is malformed", form);
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("connection from {} failed: {}", state.connection.remoteAddress(), failure.toString());
    }
  }
}
