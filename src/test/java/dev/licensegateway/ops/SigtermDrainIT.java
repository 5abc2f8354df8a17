package dev.licensegateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.dev.EmbeddedServers;
import dev.licensegateway.gate.RequestSignature;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestServers;
import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md drain, on the built jar as a real process: under steady load on kept-alive
 * connections, SIGTERM turns readiness 503 while the listener still serves; the load balancer
 * (here: the load loop, which goes on for a while after it sees 503, as a balancer's endpoints
 * take a moment to update) is told {@code Connection: close} on every answer from then on;
 * every request sent got its answer; the process exits within its grace period.
 */
class SigtermDrainIT {

  private static final long DRAIN_DELAY_MS = 5000;
  /** How long the balancer keeps sending after readiness turned 503: well inside the drain delay. */
  private static final long BALANCER_LAG_MS = 1000;
  private static final long GRACE_MS = 10_000;

  @Test
  void sigtermUnderLoadDrainsWithoutAFailedRequest() throws Exception {
    EmbeddedServers servers = TestServers.get();
    int port = EmbeddedServers.freePort();
    String secret = "it-secret-0123456789";
    ProcessBuilder builder = new ProcessBuilder(javaBin(), "-Xmx256m", "-jar", jar().toString(), "run")
        .redirectErrorStream(true)
        .redirectOutput(File.createTempFile("lgw-it", ".log"));
    builder.environment().putAll(Map.of(
        "LGW_HTTP_PORT", Integer.toString(port),
        "LGW_PG_URI", servers.postgresUri(),
        "LGW_REDIS_URI", servers.redisUri(),
        "LICENSE_API_SECRET", secret,
        "LGW_SIGNING_KEYS_DIR", TestServers.keysDir().toString(),
        "LGW_DRAIN_DELAY_MS", Long.toString(DRAIN_DELAY_MS),
        "LGW_SHUTDOWN_GRACE_MS", Long.toString(GRACE_MS),
        "LGW_RL_LICENSE_CAPACITY", "1000000", "LGW_RL_IP_CAPACITY", "1000000"));
    // The drain is under test, not dependency deadlines: on a busy shared machine a Postgres call
    // took over the default 2 s and its request answered 503 (1717).
    builder.environment().put("LGW_PG_TIMEOUT_MS", "15000");
    builder.environment().put("LGW_REDIS_TIMEOUT_MS", "15000");
    Process gateway = builder.start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      awaitReady(http, port);
      Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(1000));
      RequestSignature signer = new RequestSignature(secret);

      AtomicBoolean drainSeen = new AtomicBoolean();
      AtomicBoolean readinessDown = new AtomicBoolean();
      AtomicInteger sent = new AtomicInteger();
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger afterSigterm = new AtomicInteger();
      AtomicInteger keptAliveAfterSigterm = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      AtomicInteger retried = new AtomicInteger();
      AtomicLong lastFailure = new AtomicLong();
      ExecutorService load = Executors.newFixedThreadPool(8);
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        int worker = w;
        workers.add(load.submit(() -> {
          int i = 0;
          while (!drainSeen.get()) {
            String body = "{\"license_key\":\"" + license.key() + "\",\"machine_id\":\""
                + Fixtures.machineId("drain-" + worker + "-" + (i++ % 50)) + "\"}";
            sent.incrementAndGet();
            // Sent once readiness answered 503, so surely within the drain.
            boolean duringDrain = readinessDown.get();
            try {
              HttpResponse<String> r;
              try {
                r = http.send(signed(port, signer, body), HttpResponse.BodyHandlers.ofString());
              } catch (IOException closed) {
                // A kept-alive connection can close as the next request goes out on it (an
                // HTTP/1.1 race no server can close, RFC 9112 §9.3.1): a client, like a load
                // balancer, sends it again once, on a new connection, with a fresh nonce.
                // Activation of the same machine is idempotent. A second failure counts.
                retried.incrementAndGet();
                r = http.send(signed(port, signer, body), HttpResponse.BodyHandlers.ofString());
              }
              if (duringDrain) {
                afterSigterm.incrementAndGet();
                if (!r.headers().firstValue("connection").orElse("").equalsIgnoreCase("close")) {
                  keptAliveAfterSigterm.incrementAndGet();
                }
              }
              if (r.statusCode() == 200) {
                ok.incrementAndGet();
              } else {
                failed.incrementAndGet();
                lastFailure.set(r.statusCode());
              }
            } catch (Exception e) {
              failed.incrementAndGet();
              lastFailure.set(-1);
            }
          }
          return null;
        }));
      }
      // Steady load: enough answered requests, however long a cold JVM on a busy machine takes.
      long loadDeadline = System.nanoTime() + 30_000_000_000L;
      while (ok.get() < 100 && System.nanoTime() < loadDeadline) {
        Thread.sleep(20);
      }
      long sigterm = System.nanoTime();
      gateway.destroy(); // SIGTERM
      // The load balancer's view: readiness goes 503 while the listener still answers.
      long readyFalseAfterMs = -1;
      while ((System.nanoTime() - sigterm) / 1_000_000 < DRAIN_DELAY_MS) {
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + "/health/ready")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 503) {
            readinessDown.set(true);
            readyFalseAfterMs = (System.nanoTime() - sigterm) / 1_000_000;
            break;
          }
        } catch (ConnectException e) {
          break;
        } catch (IOException slow) {
          // A probe that a busy machine did not answer in time: not 503 yet, ask again.
        }
        Thread.sleep(20);
      }
      // The balancer notices a moment later; until then it sends as before, on its open connections.
      Thread.sleep(BALANCER_LAG_MS);
      drainSeen.set(true);
      for (Future<?> worker : workers) {
        worker.get(30, TimeUnit.SECONDS);
      }
      load.shutdown();
      boolean exited = gateway.waitFor(GRACE_MS + DRAIN_DELAY_MS, TimeUnit.MILLISECONDS);
      long exitMs = (System.nanoTime() - sigterm) / 1_000_000;

      System.out.printf("SIGTERM drain: %d requests, %d ok, %d failed, %d sent again after a closed connection; %d "
          + "answered after readiness went 503, %d of them keeping the connection; readiness 503 after %d ms; exit after "
          + "%d ms%n", sent.get(), ok.get(), failed.get(), retried.get(), afterSigterm.get(), keptAliveAfterSigterm.get(),
          readyFalseAfterMs, exitMs);
      assertTrue(readyFalseAfterMs >= 0, "readiness never answered 503 before the listener closed");
      // What matters is order, not speed: readiness is down early enough in the drain delay for the
      // balancer's lag to pass before the listener closes (the failed-request count checks the rest).
      assertTrue(readyFalseAfterMs + BALANCER_LAG_MS < DRAIN_DELAY_MS,
          "readiness went 503 only after " + readyFalseAfterMs + " ms of a " + DRAIN_DELAY_MS + " ms drain delay");
      assertEquals(0, failed.get(), "failed requests (last status " + lastFailure.get() + ")");
      assertTrue(afterSigterm.get() > 0, "no request was answered during the drain: the test showed nothing");
      assertEquals(0, keptAliveAfterSigterm.get(), "answers during the drain must say Connection: close");
      assertTrue(ok.get() > 50, "too little load to show anything: " + ok.get());
      assertTrue(exited, "still running " + exitMs + " ms after SIGTERM");
      assertTrue(exitMs < GRACE_MS + DRAIN_DELAY_MS, "exit took " + exitMs + " ms");
    } finally {
      gateway.destroyForcibly();
    }
  }

  private static HttpRequest signed(int port, RequestSignature signer, String body) {
    long now = System.currentTimeMillis() / 1000;
    String nonce = NativeClient.nonce();
    String path = "/api/v1/license/activate";
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .header(RequestSignature.TIMESTAMP_HEADER, Long.toString(now))
        .header(RequestSignature.NONCE_HEADER, nonce)
        .header(RequestSignature.SIGNATURE_HEADER,
            signer.sign(now, nonce, "POST", path, body.getBytes(StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static void awaitReady(HttpClient http, int port) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/health/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (Exception e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the gateway process did not become ready");
  }

  private static Path jar() {
    Path jar = Path.of("target", "license-gateway.jar");
    if (!jar.toFile().isFile()) {
      throw new AssertionError("run through `mvn verify`: the integration test needs the packaged jar");
    }
    return jar;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
