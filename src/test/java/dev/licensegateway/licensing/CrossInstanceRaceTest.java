package dev.licensegateway.licensing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/domain.md and docs/dialects.md invariants when the racing requests are spread over three instances (as pods
 * behind a balancer) and over two dialects: one Postgres row lock decides, not one process.
 */
class CrossInstanceRaceTest {

  private static List<Gateway> gateways;
  private static Vertx vertx;
  private static WebClient web;
  private static List<NativeClient> natives;

  @BeforeAll
  static void start() {
    gateways = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      gateways.add(TestGateway.start(c -> c.withTrustedProxies(List.of("127.0.0.0/8"))));
    }
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    natives = gateways.stream().map(g -> new NativeClient(vertx, g.port())).toList();
  }

  @AfterAll
  static void stop() {
    natives.forEach(NativeClient::close);
    vertx.close();
    TestGateway.stopAll(gateways);
  }

  /** 60 validations from 60 addresses, over three instances and two dialects: exactly max_ips (5) are registered. */
  @Test
  void ipRegistrationHoldsMaxIpsAcrossInstancesAndDialects() throws Exception {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxIps(5));
    String machine = Fixtures.randomMachineId();
    assertEquals(200, natives.get(0).call("activate", new JsonObject().put("license_key", license.key())
        .put("machine_id", machine)).await(30, TimeUnit.SECONDS).statusCode());
    // Whatever the activation registered (its own 127.0.0.1 or nothing) leaves the rest to the race.
    int before = (int) Fixtures.count("SELECT count(*) FROM license_ips WHERE license_id = ?", license.id());
    List<String> registeredBefore = Fixtures.strings("SELECT host(ip) FROM license_ips WHERE license_id = ?",
        license.id());
    List<String> ips = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String ip = "192.0.2." + (i + 1);
      ips.add(ip);
      Gateway via = gateways.get(i % 3);
      if (i % 2 == 0) {
        calls.add(web.post(via.port(), "127.0.0.1", "/api/v1/validate")
            .putHeader("Authorization", "Bearer " + license.productKey())
            .putHeader("X-Forwarded-For", ip)
            .sendJsonObject(new JsonObject().put("license_key", license.key())));
      } else {
        byte[] body = new JsonObject().put("license_key", license.key()).put("machine_id", machine).encode()
            .getBytes(StandardCharsets.UTF_8);
        MultiMap headers = natives.get(i % 3).signedHeaders("/api/v1/license/validate", body).add("X-Forwarded-For", ip);
        calls.add(natives.get(i % 3).send("/api/v1/license/validate", body, headers));
      }
    }
    Future.join(calls).await(90, TimeUnit.SECONDS);
    Set<String> admitted = new HashSet<>();
    Map<String, Integer> tally = new TreeMap<>();
    for (int i = 0; i < calls.size(); i++) {
      assertTrue(calls.get(i).succeeded(), "request " + i + ": " + calls.get(i).cause());
      HttpResponse<Buffer> r = calls.get(i).result();
      JsonObject json = r.bodyAsJsonObject();
      String outcome = i % 2 == 0 ? "keyport " + json.getString("status")
          : r.statusCode() == 200 ? "native 200" : "native " + json.getJsonObject("error").getInteger("code");
      tally.merge(outcome, 1, Integer::sum);
      if (outcome.equals("keyport valid") || outcome.equals("native 200")) {
        admitted.add(ips.get(i));
      }
    }
    assertEquals(5 - before, admitted.size(), "addresses admitted: " + tally);
    assertEquals(55 + before, tally.getOrDefault("keyport ip_limit_reached", 0) + tally.getOrDefault("native 1713", 0),
        tally.toString());
    assertEquals(5, Fixtures.count("SELECT count(*) FROM license_ips WHERE license_id = ?", license.id()));
    admitted.addAll(registeredBefore);
    assertEquals(admitted, new HashSet<>(Fixtures.strings(
        "SELECT host(ip) FROM license_ips WHERE license_id = ?", license.id())), "admitted = registered");
  }

  /**
   * Activate and deactivate of three machines churned over three instances against a cap of 2:
   * no answer ever reports more than 2 machines, and the rows left agree with the last word.
   */
  @Test
  void deactivateAndReactivateChurnNeverExceedsTheCapAcrossInstances() throws Exception {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(2));
    List<String> machines = List.of(Fixtures.randomMachineId(), Fixtures.randomMachineId(), Fixtures.randomMachineId());
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      String action = i % 2 == 0 ? "activate" : "deactivate";
      calls.add(natives.get(i % 3).call(action, new JsonObject().put("license_key", license.key())
          .put("machine_id", machines.get((i / 2) % 3))));
    }
    Future.join(calls).await(90, TimeUnit.SECONDS);
    Map<String, Integer> tally = new TreeMap<>();
    for (Future<HttpResponse<Buffer>> call : calls) {
      assertTrue(call.succeeded(), String.valueOf(call.cause()));
      HttpResponse<Buffer> r = call.result();
      JsonObject json = r.bodyAsJsonObject();
      if (r.statusCode() == 200) {
        tally.merge("200", 1, Integer::sum);
        int used = json.getJsonObject("data").getInteger("machines_used");
        assertTrue(used >= 0 && used <= 2, "machines_used " + used + " in " + r.bodyAsString());
      } else {
        tally.merge(String.valueOf(json.getJsonObject("error").getInteger("code")), 1, Integer::sum);
      }
    }
    // Only the cap (1705) and deactivating an absent machine (1709) may refuse.
    Set<String> outcomes = new HashSet<>(tally.keySet());
    outcomes.removeAll(Set.of("200", "1705", "1709"));
    assertEquals(Set.of(), outcomes, tally.toString());
    assertTrue(tally.getOrDefault("200", 0) > 0, tally.toString());
    long left = Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id());
    assertTrue(left <= 2, "machines bound after the churn: " + left);
    // Each instance now answers the same count the rows hold.
    TestGateway.syncAll();
    for (NativeClient client : natives) {
      HttpResponse<Buffer> status = client.call("status", new JsonObject().put("license_key", license.key()))
          .await(30, TimeUnit.SECONDS);
      assertEquals(left, status.bodyAsJsonObject().getJsonObject("data").getInteger("machines_used").longValue());
    }
  }
}
