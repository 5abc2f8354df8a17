package dev.licensegateway.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * The load generator of {@code bench http}: HTTP/1.1 keep-alive connections from Vert.x
 * HttpClients, one client per event loop of this JVM, each owning its share of the
 * connections. Two ways to load a server:
 *
 * <ul>
 *   <li>closed loop: every connection sends its next request as soon as the previous answer
 *       has arrived; measures the peak rate and its latency;
 *   <li>open loop: requests fall due at a fixed rate whatever the server does, and latency
 *       runs from each request's intended send time. A due request that finds every
 *       connection busy waits for one, and that wait is in its latency: when the server (or
 *       this client) falls behind, the backlog is in the figures (no coordinated omission).
 * </ul>
 *
 * <p>The open loop is paced by one thread that parks until the next request is due and hands
 * the due ones to the event loops. Vert.x timers were tried first: a 1 ms periodic timer cost
 * most of a core on the 2-core development VM, and was the load generator's limit.
 */
final class LoadGenerator implements AutoCloseable {

  /** What one request sends. */
  record Request(RequestOptions options, Buffer body) {}

  /** One endpoint: the seq-th request, and how to judge an answer. */
  interface Target {
    String name();

    Request request(long seq);

    /** Null for a success; else a short label under which the answer is counted. */
    String judge(int status, Buffer body);
  }

  /**
   * A measured run. Latencies in microseconds; {@code sendLag}, open loop only, is how late
   * this client handed each due request to its event loop (its own pacing error, part of the
   * latency).
   */
  record Result(long answered, double seconds, Histogram latency, Histogram sendLag, Map<String, Long> failures,
      Map<String, String> samples, long unanswered) {
    double rate() {
      return answered / seconds;
    }

    long failed() {
      return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Percentile in milliseconds. */
    double ms(double percentile) {
      return ms(latency, percentile);
    }

    static double ms(Histogram h, double percentile) {
      return h == null || h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  /** The pacer sleeps at least this long: at high rates it hands requests over in batches. */
  private static final long MIN_PARK_NANOS = 200_000;

  private final Vertx vertx;
  private final List<Worker> workers = new CopyOnWriteArrayList<>();
  private final LongAdder completions = new LongAdder();

  LoadGenerator(int connections) throws TimeoutException {
    int loops = Math.max(1, Math.min(connections, Runtime.getRuntime().availableProcessors()));
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    int[] index = {0};
    vertx.deployVerticle(() -> {
      int i = index[0]++;
      // Connections are shared out over the event loops; the first ones take the remainder.
      Worker w = new Worker(i, connections / loops + (i < connections % loops ? 1 : 0));
      workers.add(w);
      return w;
    }, new DeploymentOptions().setInstances(loops)).await(30, TimeUnit.SECONDS);
    workers.sort((a, b) -> Integer.compare(a.index, b.index));
  }

  /** Every answer (or failure) received so far, in any phase: the denominator of CPU per request. */
  long completions() {
    return completions.sum();
  }

  /**
   * Closed loop: every connection sends back to back from now until {@code measureEnd};
   * answers arriving in [{@code measureStart}, {@code measureEnd}) are measured, latency from
   * each request's actual send.
   */
  Future<Result> closed(String host, int port, Target target, long measureStart, long measureEnd) {
    List<Future<Worker>> runs = new ArrayList<>();
    for (Worker w : workers) {
      runs.add(w.run(() -> w.closed(host, port, target, measureStart, measureEnd)));
    }
    return Future.all(runs).map(v -> merge((measureEnd - measureStart) / 1e9));
  }

  /**
   * Open loop: {@code rate} requests per second fall due from {@code start} to {@code end},
   * whatever the answers do; latency from each request's intended send time; the rate
   * achieved is the answers received in that window. Completes when every request sent has
   * been answered or has failed.
   */
  Future<Result> open(String host, int port, Target target, double rate, long start, long end) {
    List<Future<Worker>> runs = new ArrayList<>();
    for (Worker w : workers) {
      runs.add(w.run(() -> w.open(host, port, target, start, end)));
    }
    Thread pacer = new Thread(() -> pace(rate, start, end), "bench-pacer");
    pacer.setDaemon(true);
    pacer.start();
    return Future.all(runs).map(v -> merge((end - start) / 1e9));
  }

  /** Hands request i, due at start + i / rate, to worker i mod n, as soon as it is due. */
  private void pace(double rate, long start, long end) {
    int n = workers.size();
    double period = 1e9 / rate;
    long i = 0;
    long[][] due = new long[n][];
    int[] count = new int[n];
    while (true) {
      long intended = start + Math.round(i * period);
      if (intended >= end) {
        break;
      }
      long now = System.nanoTime();
      if (intended > now) {
        LockSupport.parkNanos(Math.max(intended - now, MIN_PARK_NANOS));
        continue;
      }
      Arrays.fill(count, 0);
      while (intended <= now && intended < end) {
        int w = (int) (i % n);
        if (due[w] == null || count[w] == due[w].length) {
          due[w] = due[w] == null ? new long[16] : Arrays.copyOf(due[w], due[w].length * 2);
        }
        due[w][count[w]++] = intended;
        i++;
        intended = start + Math.round(i * period);
      }
      for (int w = 0; w < n; w++) {
        if (count[w] > 0) {
          workers.get(w).hand(Arrays.copyOf(due[w], count[w]));
        }
      }
    }
    workers.forEach(Worker::scheduled);
  }

  /**
   * Sends requests 0 to {@code count - 1} of {@code target} once each over this generator's
   * connections; the result counts their failures (none when all succeeded).
   */
  Future<Result> each(String host, int port, Target target, int count) {
    List<Future<Worker>> runs = new ArrayList<>();
    int n = workers.size();
    long start = System.nanoTime();
    for (Worker w : workers) {
      runs.add(w.run(() -> w.each(host, port, target, count, n)));
    }
    return Future.all(runs).map(v -> merge((System.nanoTime() - start) / 1e9));
  }

  /** Requests still without an answer, when a run was given up on. */
  long outstanding() {
    return workers.stream().mapToLong(w -> w.outstanding).sum();
  }

  private Result merge(double seconds) {
    Histogram latency = new Histogram(3);
    Histogram lag = new Histogram(3);
    Map<String, Long> failures = new TreeMap<>();
    Map<String, String> samples = new TreeMap<>();
    long answered = 0;
    long unanswered = 0;
    for (Worker w : workers) {
      latency.add(w.latency);
      lag.add(w.lag);
      w.failures.forEach((k, v) -> failures.merge(k, v[0], Long::sum));
      w.samples.forEach(samples::putIfAbsent);
      answered += w.inWindow;
      unanswered += w.outstanding;
    }
    return new Result(answered, seconds, latency, lag.getTotalCount() == 0 ? null : lag, failures, samples,
        unanswered);
  }

  @Override
  public void close() {
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // leaving: the JVM ends anyway
    }
  }

  /** One event loop's share: its own client, connections and statistics (touched only on its loop). */
  private final class Worker extends VerticleBase {
    final int index;
    final int share;
    HttpClient client;
    Histogram latency = new Histogram(3);
    Histogram lag = new Histogram(3);
    Map<String, long[]> failures = new HashMap<>();
    Map<String, String> samples = new HashMap<>();
    long inWindow;
    volatile long outstanding;
    long seq;
    /** The open loop in progress, if any. */
    OpenRun openRun;

    Worker(int index, int share) {
      this.index = index;
      this.share = Math.max(1, share);
    }

    @Override
    public Future<?> start() {
      client = vertx.createHttpClient(new HttpClientOptions()
              .setProtocolVersion(HttpVersion.HTTP_1_1)
              .setKeepAlive(true)
              .setPipelining(false)
              .setTcpNoDelay(true),
          new PoolOptions().setHttp1MaxSize(share).setMaxWaitQueueSize(-1));
      return Future.succeededFuture();
    }

    /** Runs a phase on this worker's event loop, with fresh statistics. */
    Future<Worker> run(Supplier<Future<Void>> phase) {
      Promise<Worker> done = Promise.promise();
      context.runOnContext(v -> {
        latency = new Histogram(3);
        lag = new Histogram(3);
        failures = new HashMap<>();
        samples = new HashMap<>();
        inWindow = 0;
        outstanding = 0;
        openRun = null;
        phase.get().onComplete(ar -> done.complete(this));
      });
      return done.future();
    }

    Future<Void> closed(String host, int port, Target target, long measureStart, long measureEnd) {
      Promise<Void> done = Promise.promise();
      int[] live = {share};
      for (int i = 0; i < share; i++) {
        nextClosed(host, port, target, measureStart, measureEnd, live, done);
      }
      return done.future();
    }

    private void nextClosed(String host, int port, Target target, long measureStart, long measureEnd, int[] live,
        Promise<Void> done) {
      long sent = System.nanoTime();
      if (sent >= measureEnd) {
        if (--live[0] == 0) {
          done.complete();
        }
        return;
      }
      send(host, port, target, nextSeq()).onComplete(ar -> {
        long answered = System.nanoTime();
        completions.increment();
        if (answered >= measureStart && answered < measureEnd) {
          inWindow++;
          record(ar, answered - sent);
        }
        nextClosed(host, port, target, measureStart, measureEnd, live, done);
      });
    }

    /** Requests index, index + stride, … below count, {@code share} of them in flight at once. */
    Future<Void> each(String host, int port, Target target, int count, int stride) {
      Promise<Void> done = Promise.promise();
      long[] next = {index};
      int[] live = {share};
      for (int i = 0; i < share; i++) {
        nextEach(host, port, target, count, stride, next, live, done);
      }
      return done.future();
    }

    private void nextEach(String host, int port, Target target, int count, int stride, long[] next, int[] live,
        Promise<Void> done) {
      if (next[0] >= count) {
        if (--live[0] == 0) {
          done.complete();
        }
        return;
      }
      long seq = next[0];
      next[0] += stride;
      long sent = System.nanoTime();
      send(host, port, target, seq).onComplete(ar -> {
        completions.increment();
        inWindow++;
        record(ar, System.nanoTime() - sent);
        nextEach(host, port, target, count, stride, next, live, done);
      });
    }

    /** An open loop on this worker: requests handed over by the pacer, at most {@code share} in flight. */
    final class OpenRun {
      final String host;
      final int port;
      final Target target;
      final long start;
      final long end;
      final Promise<Void> done = Promise.promise();
      final ArrayDeque<Long> backlog = new ArrayDeque<>();
      int inFlight;
      boolean scheduled;

      OpenRun(String host, int port, Target target, long start, long end) {
        this.host = host;
        this.port = port;
        this.target = target;
        this.start = start;
        this.end = end;
      }

      void dispatch() {
        while (inFlight < share && !backlog.isEmpty()) {
          long intended = backlog.poll();
          inFlight++;
          send(host, port, target, nextSeq()).onComplete(ar -> {
            long answered = System.nanoTime();
            completions.increment();
            inFlight--;
            outstanding--;
            if (answered >= start && answered < end) {
              inWindow++;
            }
            record(ar, answered - intended);
            dispatch();
            finishIfDone();
          });
        }
      }

      void finishIfDone() {
        if (scheduled && outstanding == 0) {
          done.tryComplete();
        }
      }
    }

    Future<Void> open(String host, int port, Target target, long start, long end) {
      openRun = new OpenRun(host, port, target, start, end);
      return openRun.done.future();
    }

    /** From the pacer thread: these requests are due now. */
    void hand(long[] intended) {
      context.runOnContext(v -> {
        long now = System.nanoTime();
        OpenRun run = openRun;
        for (long t : intended) {
          lag.recordValue(Math.max(0, (now - t) / 1000));
          run.backlog.add(t);
        }
        outstanding += intended.length;
        run.dispatch();
      });
    }

    /** From the pacer thread: no more requests will fall due. */
    void scheduled() {
      context.runOnContext(v -> {
        openRun.scheduled = true;
        openRun.finishIfDone();
      });
    }

    /** This worker's next request number: workers interleave, so each license gets its turn. */
    private long nextSeq() {
      return seq++ * workers.size() + index;
    }

    private Future<String> send(String host, int port, Target target, long number) {
      Request r;
      try {
        r = target.request(number);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      RequestOptions options = r.options().setHost(host).setPort(port);
      return client.request(options)
          .compose(request -> request.send(r.body()))
          .compose(response -> response.body().map(body -> {
            String failure = target.judge(response.statusCode(), body);
            if (failure != null) {
              samples.putIfAbsent(failure, abbreviate(body.toString()));
            }
            return failure;
          }));
    }

    private void record(AsyncResult<String> ar, long nanos) {
      latency.recordValue(Math.max(0, nanos / 1000));
      String failure = ar.succeeded() ? ar.result() : "transport error";
      if (ar.failed()) {
        samples.putIfAbsent(failure, String.valueOf(ar.cause()));
      }
      if (failure != null) {
        failures.computeIfAbsent(failure, k -> new long[1])[0]++;
      }
    }
  }

  private static String abbreviate(String s) {
    String flat = s.replaceAll("\\s+", " ");
    return flat.length() <= 160 ? flat : flat.substring(0, 160) + "…";
  }
}
