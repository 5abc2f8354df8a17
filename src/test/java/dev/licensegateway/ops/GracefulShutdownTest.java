package dev.licensegateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.gate.RequestSignature;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** docs/operations.md: readiness, draining, in-flight requests across a stop, and what /metrics exposes. */
@ExtendWith(VertxExtension.class)
class GracefulShutdownTest {

  private static final int LICENSES = 4;
  private static final int SLOTS_PER_LICENSE = 25;
  private static final int REQUESTS = 200;

  /** What came back for one request: a status and a full body, or the transport failure. */
  private record Answer(int status, Buffer body) {}

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  void requestsInFlightWhenStopIsCalledAllGetCompleteAnswers(Vertx vertx, VertxTestContext test) {
    Gateway gateway = TestGateway.start();
    List<Fixtures.License> licenses = new ArrayList<>();
    for (int i = 0; i < LICENSES; i++) {
      licenses.add(Fixtures.license(Fixtures.spec().maxMachines(SLOTS_PER_LICENSE)));
    }
    // One connection per request: each is accepted and read on its own, so "sent" means the
    // request's bytes were written on a connection the gateway had accepted or was accepting.
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false),
        new PoolOptions().setHttp1MaxSize(REQUESTS + 16));
    RequestSignature signer = new RequestSignature(TestGateway.SECRET);

    List<Future<Void>> written = new ArrayList<>();
    List<Future<Answer>> answers = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      // Even requests activate a new machine (exactly filling every slot); odd ones validate a
      // machine never activated, a business 404 (1709) that still runs the whole gate and core.
      String action = i % 2 == 0 ? "activate" : "validate";
      Fixtures.License license = licenses.get((i / 2) % LICENSES);
      byte[] body = new JsonObject().put("license_key", license.key())
          .put("machine_id", Fixtures.machineId("shutdown-" + license.key() + "-" + i))
          .encode().getBytes(StandardCharsets.UTF_8);
      String path = "/api/v1/license/" + action;
      long now = System.currentTimeMillis() / 1000;
      String nonce = NativeClient.nonce();
      MultiMap headers = MultiMap.caseInsensitiveMultiMap()
          .add("Content-Type", "application/json")
          .add(RequestSignature.TIMESTAMP_HEADER, Long.toString(now))
          .add(RequestSignature.NONCE_HEADER, nonce)
          .add(RequestSignature.SIGNATURE_HEADER, signer.sign(now, nonce, "POST", path, body));
      Promise<Void> sent = Promise.promise();
      Future<Answer> answer = http.request(new RequestOptions().setMethod(HttpMethod.POST)
              .setHost("127.0.0.1").setPort(gateway.port()).setURI(path).setHeaders(headers))
          .compose(request -> {
            request.end(Buffer.buffer(body)).onComplete(done -> {
              if (done.succeeded()) {
                sent.tryComplete();
              } else {
                sent.tryFail(done.cause());
              }
            });
            return request.response();
          })
          .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b)));
      answer.onFailure(sent::tryFail);
      written.add(sent.future());
      answers.add(answer);
    }

    int[] answeredBeforeStop = new int[1];
    Future.all(written)
        .compose(allSent -> {
          answeredBeforeStop[0] = (int) answers.stream().filter(Future::isComplete).count();
          return gateway.stop();
        })
        // Once stop has completed, every answer must already be in: nothing may still be pending.
        .compose(stopped -> {
          long pending = answers.stream().filter(a -> !a.isComplete()).count();
          return Future.join(answers).otherwiseEmpty().map(v -> pending);
        })
        .compose(pendingAfterStop -> vertx.createNetClient().connect(gateway.port(), "127.0.0.1")
            .map(socket -> "connected")
            .otherwise(e -> e instanceof ConnectException ? "refused" : "failed: " + e)
            .map(newConnection -> test.verify(() -> {
              assertTrue(answeredBeforeStop[0] < REQUESTS,
                  "every request was answered before stop(): the test exercised no shutdown");
              assertEquals(0L, pendingAfterStop, "stop() completed with requests still unanswered");
              assertEquals(Map.of("200", REQUESTS / 2, "1709", REQUESTS / 2), tally(answers));
              assertEquals(LICENSES * SLOTS_PER_LICENSE, Fixtures.count(
                  "SELECT count(*) FROM machines WHERE license_id = ANY (?::uuid[])",
                  (Object) licenses.stream().map(l -> l.id().toString()).toArray(String[]::new)));
              assertEquals("refused", newConnection, "the listener still takes connections after stop");
            })))
        .eventually(http::close)
        .onComplete(test.succeedingThenComplete());
  }

  /** "200", a native error code, an HTTP status without one, or the transport failure. */
  private static Map<String, Integer> tally(List<Future<Answer>> answers) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Future<Answer> answer : answers) {
      String key;
      if (answer.failed()) {
        key = "transport: " + answer.cause();
      } else if (answer.result().status() == 200) {
        key = "200";
      } else {
        JsonObject error = new JsonObject(answer.result().body()).getJsonObject("error");
        key = error == null ? "http " + answer.result().status() : String.valueOf(error.getInteger("code"));
      }
      counts.merge(key, 1, Integer::sum);
    }
    return counts;
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void readinessTurns503WhenDrainingWhileLivenessStays200(Vertx vertx, VertxTestContext test) {
    Gateway gateway = TestGateway.start();
    NativeClient client = new NativeClient(vertx, gateway.port());
    client.get("/health/ready")
        .compose(before -> {
          test.verify(() -> {
            assertEquals(200, before.statusCode(), before.bodyAsString());
            assertEquals("UP", before.bodyAsJsonObject().getString("status"));
          });
          gateway.health().startDraining();
          return client.get("/health/ready");
        })
        .compose(draining -> client.get("/health/live").map(live -> test.verify(() -> {
          assertEquals(503, draining.statusCode(), draining.bodyAsString());
          JsonArray checks = draining.bodyAsJsonObject().getJsonArray("checks");
          JsonObject drainingCheck = checks.stream().map(JsonObject.class::cast)
              .filter(c -> "draining".equals(c.getString("id"))).findFirst().orElseThrow();
          assertEquals("DOWN", drainingCheck.getString("status"), draining.bodyAsString());
          assertEquals(200, live.statusCode(), "liveness is the process alone: " + live.bodyAsString());
        })))
        .eventually(() -> {
          client.close();
          return gateway.stop();
        })
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void metricsExposeRequestCountsLatencyHistogramsAndJvm(Vertx vertx, VertxTestContext test) {
    Gateway gateway = TestGateway.start();
    Fixtures.License license = Fixtures.license();
    NativeClient client = new NativeClient(vertx, gateway.port());
    JsonObject machine = new JsonObject().put("license_key", license.key()).put("machine_id", Fixtures.randomMachineId());
    JsonObject stranger = new JsonObject().put("license_key", license.key()).put("machine_id", Fixtures.randomMachineId());
    client.call("activate", machine)
        .compose(activated -> client.call("validate", stranger).map(validated -> test.verify(() -> {
          assertEquals(200, activated.statusCode(), activated.bodyAsString());
          assertEquals(404, validated.statusCode(), validated.bodyAsString());
        })))
        .compose(v -> client.get("/metrics"))
        .map(scrape -> test.verify(() -> {
          assertEquals(200, scrape.statusCode());
          String text = scrape.bodyAsString();
          String activate = "dialect=\"native\",outcome=\"ok\",route=\"/api/v1/license/activate\",status=\"200\"";
          assertEquals(1.0, sample(text, "lgw_requests_seconds_count{" + activate + "}"), 0.0);
          assertEquals(1.0, sample(text, "lgw_requests_seconds_count{"
              + "dialect=\"native\",outcome=\"1709\",route=\"/api/v1/license/validate\",status=\"404\"}"), 0.0);
          // A latency histogram: cumulative buckets ending in +Inf, which holds every sample.
          long buckets = text.lines().filter(l -> l.startsWith("lgw_requests_seconds_bucket{" + activate + ",le=")).count();
          assertTrue(buckets > 5, "expected histogram buckets for activate, found " + buckets);
          assertEquals(1.0, sample(text, "lgw_requests_seconds_bucket{" + activate + ",le=\"+Inf\"}"), 0.0);
          assertTrue(text.lines().anyMatch(l -> l.startsWith("jvm_memory_used_bytes{")), "no JVM memory metrics");
        }))
        .eventually(() -> {
          client.close();
          return gateway.stop();
        })
        .onComplete(test.succeedingThenComplete());
  }

  /** The value of the one sample line that starts with {@code series}, or a failed assertion. */
  private static double sample(String text, String series) {
    Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)", Pattern.MULTILINE).matcher(text);
    assertTrue(m.find(), "no sample " + series);
    return Double.parseDouble(m.group(1));
  }
}
