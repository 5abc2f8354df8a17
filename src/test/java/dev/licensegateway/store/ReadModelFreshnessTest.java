package dev.licensegateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.cli.AccountAdmin;
import dev.licensegateway.testing.DialectClient;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing gets stale: three instances keep licenses in memory, and a change made through any
 * write path (the management API, the native and dialect endpoints, the admin command) is
 * seen by another instance's next validate within a second. Every validate here is warm: the
 * instance that answers has the license in memory before the change.
 */
class ReadModelFreshnessTest {

  private static final long SECOND_NS = 1_000_000_000L;

  private static List<Gateway> gateways;
  private static Vertx vertx;
  private static List<NativeClient> sdk;
  private static List<DialectClient> dialects;
  private static io.vertx.ext.web.client.WebClient web;

  @BeforeAll
  static void start() {
    gateways = TestGateway.startMany(3);
    vertx = Vertx.vertx();
    sdk = gateways.stream().map(g -> new NativeClient(vertx, g.port())).toList();
    dialects = gateways.stream().map(g -> new DialectClient(vertx, g.port())).toList();
    web = io.vertx.ext.web.client.WebClient.create(vertx);
  }

  @AfterAll
  static void stop() {
    TestGateway.stopAll(gateways);
    vertx.close();
  }

  /** One change and the validate code another instance must then answer. */
  private record Step(String name, Runnable change, int expected) {}

  @Test
  void aChangeThroughAnyWritePathReachesEveryOtherInstanceWithinASecond() throws Exception {
    AccountAdmin.NewAccount account = ManageClient.newAccount(null);
    ManageClient api = new ManageClient(vertx, gateways.get(0).port(), account.apiKey());
    String product = api.create("/products", new JsonObject().put("name", "Fresh")).getString("id");
    String policy = api.create("/policies", new JsonObject().put("product_id", product).put("name", "P")
        .put("max_machines", 3).put("entitlements", new JsonArray().add("pro"))).getString("id");
    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policy));
    String id = license.getString("id");
    String key = license.getString("key");
    String machine = Fixtures.randomMachineId();
    JsonObject body = new JsonObject().put("license_key", key).put("machine_id", machine);
    JsonObject validate = body.copy().put("entitlements", new JsonArray().add("pro"));
    String v1Key = api.create("/keys", new JsonObject().put("name", "v1")
        .put("scopes", new JsonArray().add("licenses:validate"))).getString("key");
    assertEquals(200, call(sdk.get(1), "activate", body));

    List<Step> steps = new ArrayList<>();
    steps.add(new Step("manage: suspend", () -> api.patch("/licenses/" + id, new JsonObject().put("status", "suspended")), 1704));
    steps.add(new Step("manage: reinstate", () -> api.patch("/licenses/" + id, new JsonObject().put("status", "active")), 200));
    steps.add(new Step("manage: revoke", () -> api.patch("/licenses/" + id, new JsonObject().put("status", "revoked")), 1708));
    steps.add(new Step("manage: active again", () -> api.patch("/licenses/" + id, new JsonObject().put("status", "active")), 200));
    steps.add(new Step("manage: expire", () -> api.patch("/licenses/" + id,
        new JsonObject().put("expires_at", Instant.now().minusSeconds(60).toString())), 1710));
    steps.add(new Step("manage: extend", () -> api.patch("/licenses/" + id, new JsonObject().putNull("expires_at")), 200));
    steps.add(new Step("manage: entitlement taken", () -> api.patch("/licenses/" + id,
        new JsonObject().put("entitlements", new JsonArray())), 1712));
    steps.add(new Step("manage: entitlement back via the policy", () -> api.patch("/licenses/" + id,
        new JsonObject().putNull("entitlements")), 200));
    steps.add(new Step("manage: policy drops the entitlement", () -> api.patch("/policies/" + policy,
        new JsonObject().put("entitlements", new JsonArray())), 1712));
    steps.add(new Step("manage: policy grants it again", () -> api.patch("/policies/" + policy,
        new JsonObject().put("entitlements", new JsonArray().add("pro"))), 200));
    steps.add(new Step("manage: product archived", () -> api.patch("/products/" + product,
        new JsonObject().put("status", "archived")), 1714));
    steps.add(new Step("manage: product active", () -> api.patch("/products/" + product,
        new JsonObject().put("status", "active")), 200));
    String[] rule = new String[1];
    steps.add(new Step("manage: HWID blocked", () -> rule[0] = api.create("/rules", new JsonObject()
        .put("product_id", product).put("kind", "block_hwid").put("value", machine)).getString("id"), 1713));
    steps.add(new Step("manage: HWID rule deleted", () -> api.delete("/rules/" + rule[0]), 200));
    steps.add(new Step("manage: machine deactivated", () -> api.delete("/licenses/" + id + "/machines/" + machine), 1709));
    steps.add(new Step("native: activated", () -> call(sdk.get(1), "activate", body), 200));
    steps.add(new Step("native: deactivated", () -> call(sdk.get(1), "deactivate", body), 1709));
    steps.add(new Step("/v1: activated", () -> v1(gateways.get(0), v1Key, key, machine), 200));
    steps.add(new Step("/license: deactivated", () -> DialectClient.await(dialects.get(1).send("/license/deactivate",
        body)), 1709));
    steps.add(new Step("/license: activated", () -> DialectClient.await(dialects.get(0).send("/license/activate",
        body)), 200));
    steps.add(new Step("admin: account suspended", () -> admin(a -> a.setStatus(account.id(), "suspended")), 1715));
    steps.add(new Step("admin: account active", () -> admin(a -> a.setStatus(account.id(), "active")), 200));
    steps.add(new Step("manage: license deleted", () -> api.delete("/licenses/" + id), 1703));

    List<Long> lags = new ArrayList<>();
    for (int round = 0; round < 5 && lags.size() < 100; round++) {
      for (Step step : steps) {
        if (step.name().equals("manage: license deleted") && round < 4) {
          continue;
        }
        for (NativeClient reader : sdk) {
          call(reader, "validate", validate); // warm: every instance holds the license before the change
        }
        step.change().run();
        long changed = System.nanoTime();
        for (int i = 0; i < sdk.size(); i++) {
          NativeClient reader = sdk.get(i);
          lags.add(awaitLag(() -> call(reader, "validate", validate) == step.expected(), changed,
              step.name() + ": instance " + i + " still answered the old state"));
        }
      }
    }
    Collections.sort(lags);
    long p50 = lags.get(lags.size() / 2);
    long p99 = lags.get((int) Math.ceil(lags.size() * 0.99) - 1);
    System.out.printf("read model freshness over %d reads after a change: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        lags.size(), p50 / 1e6, p99 / 1e6, lags.get(lags.size() - 1) / 1e6);
    assertTrue(p99 <= SECOND_NS, "p99 " + p99 / 1e6 + " ms");
  }

  @Test
  void aRevokedApiKeyOrAChangedProductKeyIsRefusedByEveryInstanceWithinASecond() throws Exception {
    AccountAdmin.NewAccount account = ManageClient.newAccount(null);
    ManageClient api = new ManageClient(vertx, gateways.get(1).port(), account.apiKey());
    JsonObject product = api.create("/products", new JsonObject().put("name", "Credentials"));
    String policy = api.create("/policies", new JsonObject().put("product_id", product.getString("id"))
        .put("name", "P").put("max_machines", 1)).getString("id");
    String key = api.create("/licenses", new JsonObject().put("policy_id", policy)).getString("key");
    String machine = Fixtures.randomMachineId();
    assertEquals(200, call(sdk.get(0), "activate", new JsonObject().put("license_key", key).put("machine_id", machine)));

    String productKey = product.getString("product_key");
    List<Long> lags = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      // An API key every instance has found (and keeps), revoked through instance 1.
      JsonObject v1Key = api.create("/keys", new JsonObject().put("name", "v1 " + round)
          .put("scopes", new JsonArray().add("licenses:validate")));
      for (Gateway g : gateways) {
        assertEquals(200, v1Validate(g, v1Key.getString("key"), key, machine), "round " + round);
        assertEquals(200, v1Validate(g, v1Key.getString("key"), key, machine), "round " + round);
      }
      assertEquals(200, api.delete("/keys/" + v1Key.getString("id")).statusCode());
      long revoked = System.nanoTime();
      assertEquals(401, v1Validate(gateways.get(1), v1Key.getString("key"), key, machine),
          "the instance that revoked the key still took it");
      for (Gateway g : gateways) {
        lags.add(awaitLag(() -> v1Validate(g, v1Key.getString("key"), key, machine) == 401, revoked,
            "revoked API key still taken by port " + g.port()));
      }

      // A product key every instance has found, replaced by hand-written SQL (announced by its trigger).
      String replacedKey = productKey;
      for (Gateway g : gateways) {
        assertEquals("valid", keyportStatus(g, replacedKey, key), "round " + round);
        assertEquals("valid", keyportStatus(g, replacedKey, key), "round " + round);
      }
      String next = dev.licensegateway.infra.Secrets.productKey("live");
      try (java.sql.Connection c = Fixtures.connect(); java.sql.PreparedStatement ps = c.prepareStatement(
          "UPDATE products SET product_key_digest = ? WHERE id = ?")) {
        ps.setBytes(1, dev.licensegateway.infra.Secrets.digest(next));
        ps.setObject(2, java.util.UUID.fromString(product.getString("id")));
        assertEquals(1, ps.executeUpdate());
      }
      long replaced = System.nanoTime();
      productKey = next;
      for (Gateway g : gateways) {
        lags.add(awaitLag(() -> "product_not_found".equals(keyportStatus(g, replacedKey, key)), replaced,
            "a replaced product key still taken by port " + g.port()));
        assertEquals("valid", keyportStatus(g, next, key));
      }
    }
    Collections.sort(lags);
    System.out.printf("credentials freshness over %d reads after a change: p50 %.1f ms, max %.1f ms%n",
        lags.size(), lags.get(lags.size() / 2) / 1e6, lags.get(lags.size() - 1) / 1e6);
    long p99 = lags.get((int) Math.ceil(lags.size() * 0.99) - 1);
    assertTrue(p99 <= SECOND_NS, "p99 " + p99 / 1e6 + " ms");
  }

  private interface Probe {
    boolean holds() throws Exception;
  }

  /** Nanoseconds from {@code since} until the probe holds; fails after 5 s. */
  private static long awaitLag(Probe probe, long since, String failure) throws Exception {
    long deadline = since + 5 * SECOND_NS;
    while (System.nanoTime() < deadline) {
      if (probe.holds()) {
        return System.nanoTime() - since;
      }
      Thread.sleep(5);
    }
    throw new AssertionError(failure + " after 5 s");
  }

  /** {@code /v1} validate: the HTTP status (200 whatever the license says; 401 for a key refused). */
  private static int v1Validate(Gateway gateway, String apiKey, String key, String machine) {
    return DialectClient.await(web
        .post(gateway.port(), "127.0.0.1", "/v1/licenses/validate")
        .putHeader("Authorization", "Bearer " + apiKey)
        .sendJsonObject(new JsonObject().put("key", key).put("fingerprint", machine))).statusCode();
  }

  /** {@code /api/v1/validate}: the answer's status ({@code valid}, {@code product_not_found}, …). */
  private static String keyportStatus(Gateway gateway, String productKey, String key) {
    HttpResponse<Buffer> answer = DialectClient.await(web
        .post(gateway.port(), "127.0.0.1", "/api/v1/validate")
        .putHeader("Authorization", "Bearer " + productKey)
        .sendJsonObject(new JsonObject().put("license_key", key)));
    assertEquals(200, answer.statusCode(), answer.bodyAsString());
    return answer.bodyAsJsonObject().getString("status");
  }

  @Test
  void anInstanceReadsItsOwnWritesAtOnce() throws Exception {
    AccountAdmin.NewAccount account = ManageClient.newAccount(null);
    ManageClient api = new ManageClient(vertx, gateways.get(2).port(), account.apiKey());
    String product = api.create("/products", new JsonObject().put("name", "Own")).getString("id");
    String policy = api.create("/policies", new JsonObject().put("product_id", product).put("name", "P")
        .put("max_machines", 1)).getString("id");
    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policy));
    JsonObject body = new JsonObject().put("license_key", license.getString("key"))
        .put("machine_id", Fixtures.randomMachineId());
    NativeClient same = sdk.get(2);
    assertEquals(200, call(same, "activate", body));
    // No sleep, no sync: the instance that wrote drops its copy before it answers the write.
    for (int i = 0; i < 25; i++) {
      assertEquals(200, call(same, "validate", body));
      api.patch("/licenses/" + license.getString("id"), new JsonObject().put("status", "suspended"));
      assertEquals(1704, call(same, "validate", body), "round " + i);
      api.patch("/licenses/" + license.getString("id"), new JsonObject().put("status", "active"));
      assertEquals(200, call(same, "validate", body), "round " + i);
      assertEquals(200, call(same, "deactivate", body));
      assertEquals(1709, call(same, "validate", body), "round " + i);
      assertEquals(200, call(same, "activate", body));
    }
  }

  @Test
  void withItsChannelLostAnInstanceReadsPostgresAndServesNothingStale() throws Exception {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    JsonObject body = new JsonObject().put("license_key", license.key()).put("machine_id", machine);
    assertEquals(200, call(sdk.get(2), "activate", body));
    assertEquals(200, call(sdk.get(2), "validate", body));

    // Cut every instance's listening connection: each notices, goes dark, and listens again
    // after a second, forgetting all it held.
    long cut = Fixtures.count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'");
    assertTrue(cut >= 3, "listening connections cut: " + cut);
    for (Gateway gateway : gateways) {
      long deadline = System.nanoTime() + 5 * SECOND_NS;
      while (live(gateway) && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      assertTrue(!live(gateway), "an instance did not notice that its channel was cut");
    }
    // A change nobody hears of: an instance that served from memory now would answer 200.
    try (java.sql.Connection c = Fixtures.connect(); java.sql.PreparedStatement ps = c.prepareStatement(
        "UPDATE licenses SET status = 'suspended' WHERE id = ?")) {
      ps.setObject(1, license.id());
      ps.executeUpdate();
    }
    for (NativeClient reader : sdk) {
      assertEquals(1704, call(reader, "validate", body), "an instance served a stale license");
    }
  }

  private static boolean live(Gateway gateway) {
    return gateway.metrics().registry().get("lgw_cache_live").gauge().value() == 1;
  }

  private static int call(NativeClient client, String action, JsonObject body) {
    try {
      HttpResponse<Buffer> answer = client.call(action, body).await(10, TimeUnit.SECONDS);
      return answer.statusCode() == 200 ? 200 : answer.bodyAsJsonObject().getJsonObject("error").getInteger("code");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void v1(Gateway gateway, String apiKey, String key, String machine) {
    HttpResponse<Buffer> answer = DialectClient.await(web
        .post(gateway.port(), "127.0.0.1", "/v1/licenses/activate")
        .putHeader("Authorization", "Bearer " + apiKey)
        .sendJsonObject(new JsonObject().put("key", key).put("fingerprint", machine)));
    assertEquals("VALID", answer.bodyAsJsonObject().getString("code"), answer.bodyAsString());
  }

  private interface AdminStep {
    void run(AccountAdmin admin) throws Exception;
  }

  private static void admin(AdminStep step) {
    try (AccountAdmin admin = new AccountAdmin(TestServers.get().postgresUri())) {
      step.run(admin);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
