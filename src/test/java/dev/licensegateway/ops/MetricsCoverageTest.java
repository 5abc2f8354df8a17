package dev.licensegateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 6: after ordinary traffic, a scrape of /metrics holds every series that the
 * Grafana dashboard and the alert rules in k8s/ query, so none of them reads an empty series.
 */
class MetricsCoverageTest {

  private static final Pattern METRIC = Pattern.compile("\\b((?:lgw|vertx|jvm|process)_[a-z_]+)");

  @Test
  void everyMetricTheDashboardAndAlertsQueryIsScraped() throws Exception {
    Set<String> queried = new TreeSet<>();
    for (String file : new String[] {"k8s/prometheusrule.yaml", "k8s/dashboards/license-gateway.json"}) {
      Matcher m = METRIC.matcher(Files.readString(Path.of(file)));
      while (m.find()) {
        queried.add(m.group(1));
      }
    }
    assertTrue(queried.size() >= 10, "found the queries: " + queried);

    Gateway gateway = TestGateway.start();
    Vertx vertx = Vertx.vertx();
    try {
      NativeClient sdk = new NativeClient(vertx, gateway.port());
      Fixtures.License license = Fixtures.license();
      JsonObject body = new JsonObject().put("license_key", license.key()).put("machine_id", Fixtures.randomMachineId());
      assertEquals(200, sdk.call("activate", body).await(10, TimeUnit.SECONDS).statusCode());
      assertEquals(200, sdk.call("validate", body).await(10, TimeUnit.SECONDS).statusCode());
      new ManageClient(vertx, gateway.port(), ManageClient.newAccount(null).apiKey()).get("/account");
      String scrape = sdk.get("/metrics").await(10, TimeUnit.SECONDS).bodyAsString();
      Set<String> missing = new TreeSet<>();
      for (String metric : queried) {
        if (!Pattern.compile("(?m)^" + metric + "[{ ]").matcher(scrape).find()) {
          missing.add(metric);
        }
      }
      assertTrue(missing.isEmpty(), "queried by k8s/ but absent from /metrics: " + missing);
      // The two native calls above answered 200: their series carry that status and count them.
      Matcher ok = Pattern.compile("(?m)^lgw_requests_seconds_count\\{([^}]*)\\} ([0-9.eE+]+)$").matcher(scrape);
      double answered200 = 0;
      while (ok.find()) {
        if (ok.group(1).contains("status=\"200\"") && ok.group(1).contains("dialect=\"native\"")) {
          answered200 += Double.parseDouble(ok.group(2));
        }
      }
      assertTrue(answered200 >= 2, "native requests counted with status=\"200\": " + answered200);
    } finally {
      TestGateway.stop(gateway);
      vertx.close();
    }
  }
}
