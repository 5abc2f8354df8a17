package dev.licensegateway.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * /metrics stays small and its label sets bounded however many and however varied the
 * requests: 10,000 of them over every dialect, outcome and refusal, and unknown paths, add
 * no series per request (routes are fixed labels, never raw URIs), and each timer has a few
 * fixed buckets.
 */
class MetricsSizeTest {

  private static final int REQUESTS = 10_000;
  /** 36 KB measured here; with a percentile histogram per label set it was 109 KB. */
  private static final int MAX_BYTES = 60_000;

  @Test
  void tenThousandMixedRequestsLeaveTheScrapeSmall() throws Exception {
    Gateway gateway = TestGateway.start();
    Vertx vertx = Vertx.vertx();
    try {
      NativeClient sdk = new NativeClient(vertx, gateway.port());
      WebClient web = WebClient.create(vertx);
      Fixtures.License license = Fixtures.license();
      String machine = Fixtures.randomMachineId();
      JsonObject body = new JsonObject().put("license_key", license.key()).put("machine_id", machine);
      sdk.call("activate", body).await(10, TimeUnit.SECONDS);
      int sizeAfterOne = scrape(sdk).length();
      for (int sent = 0; sent < REQUESTS; sent += 200) {
        List<Future<HttpResponse<Buffer>>> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          int n = sent + i;
          batch.add(switch (n % 8) {
            case 0 -> sdk.call("validate", body);
            case 1 -> sdk.call("status", new JsonObject().put("license_key", Secrets.licenseKey()));
            case 2 -> sdk.call("validate", new JsonObject().put("license_key", "x"));
            case 3 -> web.post(gateway.port(), "127.0.0.1", "/license/validate").sendJsonObject(body);
            case 4 -> web.post(gateway.port(), "127.0.0.1", "/auth/validate").sendJsonObject(new JsonObject());
            case 5 -> web.post(gateway.port(), "127.0.0.1", "/v1/licenses/validate").sendJsonObject(new JsonObject());
            case 6 -> web.get(gateway.port(), "127.0.0.1", "/api/v1/manage/licenses/" + n).send();
            default -> web.get(gateway.port(), "127.0.0.1", "/no/such/path/" + n).send();
          });
        }
        Future.join(batch).await(60, TimeUnit.SECONDS);
      }
      String metrics = scrape(sdk);
      System.out.printf("/metrics: %,d bytes after one request, %,d after %,d more%n", sizeAfterOne,
          metrics.length(), REQUESTS);
      assertTrue(metrics.length() < MAX_BYTES, "/metrics is " + metrics.length() + " bytes");
      assertTrue(!metrics.contains("/no/such/path/") && !metrics.contains("/api/v1/manage/licenses/1"),
          "a raw URI became a label");
    } finally {
      TestGateway.stop(gateway);
      vertx.close();
    }
  }

  private static String scrape(NativeClient sdk) throws Exception {
    return sdk.get("/metrics").await(10, TimeUnit.SECONDS).bodyAsString();
  }
}
