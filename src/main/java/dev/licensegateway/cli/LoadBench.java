package dev.licensegateway.cli;

import dev.licensegateway.gate.RequestSignature;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code bench load}: signed native validate (or activate) requests from N concurrent
 * connections against a running gateway for S seconds; prints throughput, latency
 * percentiles and the answers by status. Targets 127.0.0.1 only.
 */
public final class LoadBench {

  private LoadBench() {}

  public static void run(int port, String secret, String licenseKey, String machineId, String action, int connections,
      double seconds) throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections));
    RequestSignature signer = new RequestSignature(secret);
    String path = "/api/v1/license/" + action;
    byte[] body = ("{\"license_key\":\"" + licenseKey + "\",\"machine_id\":\"" + machineId + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    long[] latencies = new long[4_000_000];
    AtomicLong recorded = new AtomicLong();
    Map<Integer, AtomicLong> statuses = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicLongArray errors = new AtomicLongArray(1);
    long warmupEnd = System.nanoTime() + 2_000_000_000L;
    long end = warmupEnd + (long) (seconds * 1e9);
    AtomicLong measuredStart = new AtomicLong();
    Future<?>[] loops = new Future<?>[connections];
    for (int i = 0; i < connections; i++) {
      loops[i] = loop(client, port, path, body, signer, end, warmupEnd, latencies, recorded, statuses, errors);
    }
    Future.join(Arrays.asList(loops)).await((long) (seconds + 60), TimeUnit.SECONDS);
    long n = Math.min(recorded.get(), latencies.length);
    long[] sample = Arrays.copyOf(latencies, (int) n);
    Arrays.sort(sample);
    System.out.printf("%s x %d connections, %.0f s measured (after 2 s warm-up)%n", path, connections, seconds);
    System.out.printf("throughput  %,.0f req/s%n", n / seconds);
    if (n > 0) {
      System.out.printf("latency     p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms%n",
          pct(sample, 0.50), pct(sample, 0.90), pct(sample, 0.99), sample[sample.length - 1] / 1e6);
    }
    Map<Integer, Long> byStatus = new TreeMap<>();
    statuses.forEach((k, v) -> byStatus.put(k, v.get()));
    System.out.println("answers     " + byStatus + ", transport errors " + errors.get(0));
    client.close();
    vertx.close();
  }

  private static double pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
  }

  private static Future<Void> loop(HttpClient client, int port, String path, byte[] body, RequestSignature signer,
      long end, long warmupEnd, long[] latencies, AtomicLong recorded, Map<Integer, AtomicLong> statuses,
      AtomicLongArray errors) {
    if (System.nanoTime() >= end) {
      return Future.succeededFuture();
    }
    long now = System.currentTimeMillis() / 1000;
    byte[] nonceBytes = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonceBytes);
    String nonce = HexFormat.of().formatHex(nonceBytes);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI(path)
        .putHeader("Content-Type", "application/json")
        .putHeader(RequestSignature.TIMESTAMP_HEADER, Long.toString(now))
        .putHeader(RequestSignature.NONCE_HEADER, nonce)
        .putHeader(RequestSignature.SIGNATURE_HEADER, signer.sign(now, nonce, "POST", path, body));
    long started = System.nanoTime();
    return client.request(options)
        .compose(request -> request.send(Buffer.buffer(body)))
        .compose(response -> response.body().map(b -> response.statusCode()))
        .transform(ar -> {
          long finished = System.nanoTime();
          if (started >= warmupEnd) {
            if (ar.succeeded()) {
              statuses.computeIfAbsent(ar.result(), k -> new AtomicLong()).incrementAndGet();
              long slot = recorded.getAndIncrement();
              if (slot < latencies.length) {
                latencies[(int) slot] = finished - started;
              }
            } else {
              errors.incrementAndGet(0);
            }
          }
          return loop(client, port, path, body, signer, end, warmupEnd, latencies, recorded, statuses, errors);
        });
  }
}
