package dev.licensegateway.manage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/management-api.md boundaries: scopes, accounts, environments, credits under concurrency, and
 * management changes seen by the next native request on another instance.
 */
class ManageIsolationTest {

  /** docs/management-api.md's scopes. */
  private static final List<String> SCOPES = List.of("products:read", "products:write", "licenses:read",
      "licenses:write", "machines:write", "rules:write", "keys:write", "licenses:validate");

  private static List<Gateway> gateways;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    gateways = TestGateway.startMany(2);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    TestGateway.stopAll(gateways);
    vertx.close();
  }

  private static ManageClient admin() {
    return new ManageClient(vertx, gateways.get(0).port(), ManageClient.newAccount(null).apiKey());
  }

  /** A product, policy, license, machine, rule and key of the admin's account; their paths by name. */
  private static Map<String, String> resources(ManageClient api) {
    JsonObject product = api.create("/products", new JsonObject().put("name", "p"));
    JsonObject policy = api.create("/policies", new JsonObject().put("product_id", product.getString("id"))
        .put("name", "p").put("max_machines", 2));
    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policy.getString("id")));
    JsonObject rule = api.create("/rules", new JsonObject().put("product_id", product.getString("id"))
        .put("kind", "block_hwid").put("value", Fixtures.randomMachineId()));
    JsonObject key = api.create("/keys", new JsonObject().put("name", "k").put("scopes", new JsonArray()));
    return Map.of("product", product.getString("id"), "policy", policy.getString("id"),
        "license", license.getString("id"), "rule", rule.getString("id"), "key", key.getString("id"),
        "licenseKey", license.getString("key"));
  }

  /** Every endpoint, with the scope it needs and a request that succeeds when the scope is held. */
  private record Call(HttpMethod method, String path, String scope, JsonObject body) {}

  private static List<Call> endpoints(Map<String, String> r) {
    String lic = "/licenses/" + r.get("license");
    return List.of(
        new Call(HttpMethod.GET, "/account", null, null),
        new Call(HttpMethod.POST, "/products", "products:write", new JsonObject().put("name", "n")),
        new Call(HttpMethod.GET, "/products", "products:read", null),
        new Call(HttpMethod.GET, "/products/" + r.get("product"), "products:read", null),
        new Call(HttpMethod.PATCH, "/products/" + r.get("product"), "products:write", new JsonObject().put("name", "m")),
        new Call(HttpMethod.POST, "/policies", "products:write", new JsonObject().put("product_id", r.get("product"))
            .put("name", "q").put("max_machines", 1)),
        new Call(HttpMethod.GET, "/policies/" + r.get("policy"), "products:read", null),
        new Call(HttpMethod.PATCH, "/policies/" + r.get("policy"), "products:write", new JsonObject().put("name", "r")),
        new Call(HttpMethod.POST, "/licenses", "licenses:write", new JsonObject().put("policy_id", r.get("policy"))),
        new Call(HttpMethod.GET, "/licenses", "licenses:read", null),
        new Call(HttpMethod.GET, lic, "licenses:read", null),
        new Call(HttpMethod.PATCH, lic, "licenses:write", new JsonObject().put("status", "active")),
        new Call(HttpMethod.GET, lic + "/machines", "licenses:read", null),
        new Call(HttpMethod.DELETE, lic + "/machines", "machines:write", null),
        new Call(HttpMethod.POST, "/rules", "rules:write", new JsonObject().put("product_id", r.get("product"))
            .put("kind", "allow_ip").put("value", "10.0.0.0/8")),
        new Call(HttpMethod.GET, "/rules", "rules:write", null),
        new Call(HttpMethod.POST, lic + "/ips", "rules:write", new JsonObject().put("ip", "192.0.2.1")),
        new Call(HttpMethod.DELETE, lic + "/ips/192.0.2.1", "rules:write", null),
        new Call(HttpMethod.POST, "/keys", "keys:write", new JsonObject().put("name", "x").put("scopes", new JsonArray())),
        new Call(HttpMethod.GET, "/keys", "keys:write", null),
        new Call(HttpMethod.DELETE, "/rules/" + r.get("rule"), "rules:write", null),
        new Call(HttpMethod.DELETE, "/keys/" + r.get("key"), "keys:write", null),
        new Call(HttpMethod.DELETE, lic, "licenses:write", null));
  }

  @Test
  void everyEndpointNeedsItsScope() {
    ManageClient api = admin();
    Map<String, String> r = resources(api);
    for (Call call : endpoints(r)) {
      if (call.scope() == null) {
        continue;
      }
      List<String> others = new ArrayList<>(SCOPES);
      others.remove(call.scope());
      ManageClient without = api.withKey(api.create("/keys", new JsonObject().put("name", "w")
          .put("scopes", new JsonArray(others))).getString("key"));
      HttpResponse<Buffer> refused = without.call(call.method(), call.path(), call.body());
      assertEquals(403, refused.statusCode(), call + " without " + call.scope() + ": " + refused.bodyAsString());
      assertEquals("forbidden", refused.bodyAsJsonObject().getString("error"));
    }
    // The same calls, each with a key holding exactly its scope, succeed (in order: deletes last).
    for (Call call : endpoints(r)) {
      ManageClient with = call.scope() == null ? api : api.withKey(api.create("/keys", new JsonObject()
          .put("name", "w").put("scopes", new JsonArray().add(call.scope()))).getString("key"));
      int status = with.call(call.method(), call.path(), call.body()).statusCode();
      assertTrue(status == 200 || status == 201, call + " with its scope answered " + status);
    }
  }

  @Test
  void anotherAccountGets403OnEveryIdAndSeesNoForeignRows() {
    ManageClient owner = admin();
    Map<String, String> r = resources(owner);
    ManageClient stranger = admin();
    for (Call call : endpoints(r)) {
      boolean namesAnId = r.values().stream().anyMatch(id -> call.path().contains(id)
          || call.body() != null && call.body().encode().contains(id));
      if (!namesAnId) {
        continue;
      }
      HttpResponse<Buffer> refused = stranger.call(call.method(), call.path(), call.body());
      assertEquals(403, refused.statusCode(), call + " by another account: " + refused.bodyAsString());
      assertFalse(refused.bodyAsString().contains(r.get("licenseKey")), "a refusal reveals nothing");
    }
    for (String list : List.of("/products", "/licenses", "/rules", "/keys")) {
      String body = stranger.get(list).bodyAsString();
      for (String id : r.values()) {
        assertFalse(body.contains(id), list + " shows a foreign row");
      }
    }
    // And the owner's resources are untouched by the stranger's attempts.
    assertEquals(200, owner.get("/licenses/" + r.get("license")).statusCode());
  }

  @Test
  void liveAndTestKeysSeeOnlyTheirOwnEnvironment() {
    ManageClient live = admin();
    Map<String, String> liveResources = resources(live);
    ManageClient test = live.withKey(live.create("/keys", new JsonObject().put("name", "t")
        .put("scopes", new JsonArray(SCOPES)).put("environment", "test")).getString("key"));
    assertTrue(test.apiKey().startsWith("lk_test_"));
    JsonObject testProduct = test.create("/products", new JsonObject().put("name", "sandbox"));
    assertTrue(testProduct.getString("product_key").startsWith("kp_test_"));
    assertEquals("test", testProduct.getString("environment"));

    assertEquals(404, test.get("/products/" + liveResources.get("product")).statusCode());
    assertEquals(404, test.get("/licenses/" + liveResources.get("license")).statusCode());
    assertEquals(404, live.get("/products/" + testProduct.getString("id")).statusCode());
    assertFalse(test.get("/products").bodyAsString().contains(liveResources.get("product")));
    assertFalse(live.get("/products").bodyAsString().contains(testProduct.getString("id")));

    HttpResponse<Buffer> escalation = test.post("/keys", new JsonObject().put("name", "l")
        .put("scopes", new JsonArray()).put("environment", "live"));
    assertEquals(403, escalation.statusCode(), "a test key can create only test keys");
    JsonObject defaulted = test.create("/keys", new JsonObject().put("name", "d").put("scopes", new JsonArray()));
    assertTrue(defaulted.getString("key").startsWith("lk_test_"));
  }

  @Test
  void concurrentCreationsNeverSpendMoreCreditsThanTheAccountHas() throws Exception {
    var account = ManageClient.newAccount(10L);
    ManageClient api = new ManageClient(vertx, gateways.get(0).port(), account.apiKey());
    JsonObject product = api.create("/products", new JsonObject().put("name", "p"));
    JsonObject policy = api.create("/policies", new JsonObject().put("product_id", product.getString("id"))
        .put("name", "p").put("max_machines", 1));
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ManageClient via = new ManageClient(vertx, gateways.get(i % 2).port(), account.apiKey());
      calls.add(via.send(HttpMethod.POST, "/licenses", new JsonObject().put("policy_id", policy.getString("id"))));
    }
    Future.join(calls).await(60, TimeUnit.SECONDS);
    long created = calls.stream().filter(c -> c.result().statusCode() == 201).count();
    long refused = calls.stream().filter(c -> c.result().statusCode() == 402).count();
    assertEquals(10, created);
    assertEquals(40, refused);
    assertEquals(10, Fixtures.count("SELECT count(*) FROM licenses WHERE account_id = ?::uuid",
        api.get("/account").bodyAsJsonObject().getString("id")));
    assertEquals(0, api.get("/account").bodyAsJsonObject().getInteger("credits"));
  }

  @Test
  void managementChangesReachTheNativeApiOfAnotherInstance() throws Exception {
    ManageClient api = admin(); // talks to instance 0
    NativeClient sdk = new NativeClient(vertx, gateways.get(1).port()); // the SDK talks to instance 1
    Map<String, String> r = resources(api);
    String key = r.get("licenseKey");
    String machine = Fixtures.randomMachineId();
    JsonObject validate = new JsonObject().put("license_key", key).put("machine_id", machine);
    assertEquals(200, code(sdk, "activate", validate));
    assertEquals(200, code(sdk, "validate", validate));

    String lic = "/licenses/" + r.get("license");
    api.patch(lic, new JsonObject().put("status", "suspended"));
    assertEquals(1704, code(sdk, "validate", validate));
    api.patch(lic, new JsonObject().put("status", "revoked"));
    assertEquals(1708, code(sdk, "validate", validate));
    api.patch(lic, new JsonObject().put("status", "active"));
    assertEquals(200, code(sdk, "validate", validate));

    api.patch("/products/" + r.get("product"), new JsonObject().put("status", "disabled"));
    assertEquals(1714, code(sdk, "validate", validate));
    api.patch("/products/" + r.get("product"), new JsonObject().put("status", "active"));

    JsonObject block = api.create("/rules", new JsonObject().put("product_id", r.get("product"))
        .put("kind", "block_hwid").put("value", machine));
    assertEquals(1713, code(sdk, "validate", validate));
    api.delete("/rules/" + block.getString("id"));
    assertEquals(200, code(sdk, "validate", validate));

    api.delete(lic + "/machines/" + machine);
    assertEquals(1709, code(sdk, "validate", validate));
    assertEquals(200, code(sdk, "activate", validate));
    api.delete(lic + "/machines");
    assertEquals(1709, code(sdk, "validate", validate));

    try (var admin = new dev.licensegateway.cli.AccountAdmin(dev.licensegateway.testing.TestServers.get().postgresUri())) {
      java.util.UUID accountId = java.util.UUID.fromString(api.get("/account").bodyAsJsonObject().getString("id"));
      admin.setStatus(accountId, "suspended");
      assertEquals(1715, code(sdk, "validate", validate));
      admin.setStatus(accountId, "active");
    }

    api.delete(lic);
    assertEquals(1703, code(sdk, "validate", validate));
  }

  /** A native call to the other instance, once the read models have seen every change made before it. */
  private static int code(NativeClient sdk, String action, JsonObject body) throws Exception {
    dev.licensegateway.testing.TestGateway.syncAll();
    HttpResponse<Buffer> r = sdk.call(action, body).await(10, TimeUnit.SECONDS);
    return r.statusCode() == 200 ? 200 : r.bodyAsJsonObject().getJsonObject("error").getInteger("code");
  }
}
