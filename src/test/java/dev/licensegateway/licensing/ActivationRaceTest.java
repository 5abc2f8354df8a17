package dev.licensegateway.licensing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** docs/domain.md invariants under concurrency, across three instances sharing one Postgres. */
@ExtendWith(VertxExtension.class)
class ActivationRaceTest {

  private static List<Gateway> gateways;

  @BeforeAll
  static void startThreeInstances() {
    gateways = TestGateway.startMany(3);
  }

  @AfterAll
  static void stop() {
    TestGateway.stopAll(gateways);
  }

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  void activationCapHoldsUnderConcurrentActivationsAcrossInstances(Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(5));
    List<NativeClient> clients = gateways.stream().map(g -> new NativeClient(vertx, g.port())).toList();
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      calls.add(clients.get(i % 3).call("activate", new JsonObject()
          .put("license_key", license.key())
          .put("machine_id", Fixtures.machineId("race-device-" + i))));
    }
    Future.join(calls).onComplete(done -> test.verify(() -> {
      Map<String, Integer> byOutcome = tally(calls);
      assertEquals(Map.of("200", 5, "1705", 995), byOutcome);
      assertEquals(5, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id()));
      clients.forEach(NativeClient::close);
      test.completeNow();
    }));
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void concurrentActivationsOfOneMachineAllSucceedAndTakeOneSlot(Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(2));
    String machine = Fixtures.randomMachineId();
    List<NativeClient> clients = gateways.stream().map(g -> new NativeClient(vertx, g.port())).toList();
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      calls.add(clients.get(i % 3).call("activate",
          new JsonObject().put("license_key", license.key()).put("machine_id", machine)));
    }
    Future.join(calls).onComplete(done -> test.verify(() -> {
      assertEquals(Map.of("200", 100), tally(calls));
      assertEquals(1, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id()));
      for (Future<HttpResponse<Buffer>> call : calls) {
        assertEquals(1, call.result().bodyAsJsonObject().getJsonObject("data").getInteger("machines_used"));
      }
      clients.forEach(NativeClient::close);
      test.completeNow();
    }));
  }

  /** HTTP 200 counts as "200"; an error counts by its native code. */
  static Map<String, Integer> tally(List<Future<HttpResponse<Buffer>>> calls) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Future<HttpResponse<Buffer>> call : calls) {
      String key;
      if (call.failed()) {
        key = "transport: " + call.cause();
      } else if (call.result().statusCode() == 200) {
        key = "200";
      } else {
        key = String.valueOf(call.result().bodyAsJsonObject().getJsonObject("error").getInteger("code"));
      }
      counts.merge(key, 1, Integer::sum);
    }
    return counts;
  }
}
