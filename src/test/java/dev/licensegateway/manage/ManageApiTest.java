package dev.licensegateway.manage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.cli.AccountAdmin;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** docs/management-api.md through HTTP: each endpoint's happy path and each error code. */
class ManageApiTest {

  private static Gateway gateway;
  private static Vertx vertx;
  private ManageClient api;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    TestGateway.stop(gateway);
    vertx.close();
  }

  @BeforeEach
  void newAccount() {
    api = new ManageClient(vertx, gateway.port(), ManageClient.newAccount(null).apiKey());
  }

  @Test
  void aVendorGoesFromProductToValidatedLicense() throws Exception {
    JsonObject account = api.get("/account").bodyAsJsonObject();
    assertEquals(Set.of("id", "name", "status", "credits"), account.fieldNames());
    assertEquals("active", account.getString("status"));
    assertNull(account.getValue("credits"));

    JsonObject product = api.create("/products", new JsonObject().put("name", "Editor").put("daily_validation_limit", 1000));
    assertEquals("active", product.getString("status"));
    assertTrue(product.getString("app_id").startsWith("app_"));
    assertTrue(product.getString("app_secret").startsWith("as_"));
    assertTrue(product.getString("product_key").matches("kp_live_[0-9A-Za-z]{32}"));
    String productId = product.getString("id");
    JsonObject fetched = api.get("/products/" + productId).bodyAsJsonObject();
    assertFalse(fetched.containsKey("app_secret"), "the app secret is shown once");
    assertFalse(fetched.containsKey("product_key"), "the product key is shown once");
    assertEquals(1000, fetched.getInteger("daily_validation_limit"));

    JsonObject patched = api.patch("/products/" + productId,
        new JsonObject().put("name", "Editor Pro").put("daily_validation_limit", null)).bodyAsJsonObject();
    assertEquals("Editor Pro", patched.getString("name"));
    assertNull(patched.getValue("daily_validation_limit"));

    JsonObject policy = api.create("/policies", new JsonObject().put("product_id", productId).put("name", "Pro")
        .put("max_machines", 2).put("duration_days", 30).put("entitlements", new JsonArray().add("pro")));
    assertEquals(2, policy.getInteger("max_machines"));
    assertEquals("open", policy.getString("ip_mode"));
    assertEquals(5, api.patch("/policies/" + policy.getString("id"), new JsonObject().put("max_machines", 5))
        .bodyAsJsonObject().getInteger("max_machines"));
    assertEquals("Pro", api.get("/policies/" + policy.getString("id")).bodyAsJsonObject().getString("name"));

    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policy.getString("id")));
    assertTrue(license.getString("key").matches("[A-Z0-9]{5}(-[A-Z0-9]{5}){4}"));
    assertEquals("active", license.getString("status"));
    Instant expires = Instant.parse(license.getString("expires_at"));
    assertTrue(Math.abs(ChronoUnit.SECONDS.between(Instant.now().plus(30, ChronoUnit.DAYS), expires)) < 120,
        "expires_at from duration_days: " + expires);
    assertEquals(5, license.getInteger("max_machines"));

    // The license works on the public side at once.
    NativeClient sdk = new NativeClient(vertx, gateway.port());
    String machine = Fixtures.randomMachineId();
    JsonObject activate = new JsonObject().put("license_key", license.getString("key")).put("machine_id", machine);
    assertEquals(200, sdk.call("activate", activate).await(10, TimeUnit.SECONDS).statusCode());
    JsonArray machines = api.get("/licenses/" + license.getString("id") + "/machines").bodyAsJsonObject()
        .getJsonArray("data");
    assertEquals(1, machines.size());
    assertEquals(machine, machines.getJsonObject(0).getString("machine_id"));

    JsonObject custom = api.create("/licenses", new JsonObject().put("policy_id", policy.getString("id"))
        .put("key", "ABCDE-12345-FGHIJ-67890-" + randomBlock()).put("expires_at", "2030-01-01T00:00:00Z")
        .put("max_machines", 1).put("entitlements", new JsonArray().add("a").add("b")).put("status", "inactive"));
    assertEquals("2030-01-01T00:00:00Z", custom.getString("expires_at"));
    assertEquals(1, custom.getInteger("max_machines"));
    assertEquals(new JsonArray().add("a").add("b"), custom.getJsonArray("entitlements"));
    assertEquals("inactive", custom.getString("status"));
    JsonObject changed = api.patch("/licenses/" + custom.getString("id"), new JsonObject().put("status", "active")
        .put("expires_at", null).put("max_machines", null).put("entitlements", null)).bodyAsJsonObject();
    assertEquals("active", changed.getString("status"));
    assertNull(changed.getValue("expires_at"));
    assertEquals(5, changed.getInteger("max_machines"), "a cleared override falls back to the policy");
    assertEquals(new JsonArray().add("pro"), changed.getJsonArray("entitlements"));

    JsonObject page = api.get("/licenses?product_id=" + productId + "&status=active").bodyAsJsonObject();
    assertEquals(2, page.getJsonArray("data").size());
    assertFalse(page.getBoolean("has_more"));

    assertEquals(200, api.delete("/licenses/" + custom.getString("id")).statusCode());
    assertEquals(404, api.get("/licenses/" + custom.getString("id")).statusCode());
    HttpResponse<Buffer> deletedKey = sdk.call("status", new JsonObject().put("license_key", custom.getString("key")))
        .await(10, TimeUnit.SECONDS);
    assertEquals(1703, deletedKey.bodyAsJsonObject().getJsonObject("error").getInteger("code"));
  }

  @Test
  void listsPageWithACursor() {
    JsonObject product = api.create("/products", new JsonObject().put("name", "Paged"));
    JsonObject policy = api.create("/policies", new JsonObject().put("product_id", product.getString("id"))
        .put("name", "p").put("max_machines", 1));
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      created.add(api.create("/licenses", new JsonObject().put("policy_id", policy.getString("id"))).getString("id"));
    }
    Set<String> seen = new HashSet<>();
    String after = null;
    int pages = 0;
    boolean more = true;
    while (more) {
      JsonObject page = api.get("/licenses?limit=2" + (after == null ? "" : "&starting_after=" + after))
          .bodyAsJsonObject();
      JsonArray data = page.getJsonArray("data");
      assertTrue(data.size() <= 2);
      for (int i = 0; i < data.size(); i++) {
        assertTrue(seen.add(data.getJsonObject(i).getString("id")), "no license twice");
      }
      after = data.getJsonObject(data.size() - 1).getString("id");
      more = page.getBoolean("has_more");
      pages++;
    }
    assertEquals(created, seen);
    assertEquals(3, pages);
    assertEquals(400, api.get("/licenses?limit=101").statusCode());
    assertEquals(400, api.get("/licenses?limit=0").statusCode());
    assertEquals(400, api.get("/licenses?starting_after=not-an-id").statusCode());
  }

  @Test
  void machinesRulesIpsAndKeys() throws Exception {
    Fixtures.License license = licenseOfThisAccount();
    NativeClient sdk = new NativeClient(vertx, gateway.port());
    String m1 = Fixtures.randomMachineId();
    String m2 = Fixtures.randomMachineId();
    for (String m : List.of(m1, m2)) {
      assertEquals(200, sdk.call("activate", new JsonObject().put("license_key", license.key()).put("machine_id", m))
          .await(10, TimeUnit.SECONDS).statusCode());
    }
    String base = "/licenses/" + license.id();
    assertEquals(200, api.delete(base + "/machines/" + m1).statusCode());
    assertEquals(404, api.delete(base + "/machines/" + m1).statusCode());
    assertEquals(1, api.delete(base + "/machines").bodyAsJsonObject().getInteger("deleted"));
    assertEquals(0, api.get(base + "/machines").bodyAsJsonObject().getJsonArray("data").size());

    JsonObject rule = api.create("/rules", new JsonObject().put("product_id", license.productId().toString())
        .put("kind", "block_ip").put("value", "203.0.113.0/24"));
    assertEquals("block_ip", rule.getString("kind"));
    assertEquals(1, api.get("/rules?product_id=" + license.productId()).bodyAsJsonObject().getJsonArray("data").size());
    assertEquals(200, api.delete("/rules/" + rule.getString("id")).statusCode());
    HttpResponse<Buffer> badRule = api.post("/rules", new JsonObject().put("product_id", license.productId().toString())
        .put("kind", "block_ip").put("value", "not-an-ip"));
    assertEquals(400, badRule.statusCode());
    assertEquals("value", badRule.bodyAsJsonObject().getJsonArray("details").getJsonObject(0).getString("field"));

    JsonObject ip = api.create(base + "/ips", new JsonObject().put("ip", "198.51.100.7").put("blocked", true));
    assertEquals(true, ip.getBoolean("blocked"));
    assertEquals(200, api.delete(base + "/ips/198.51.100.7").statusCode());
    assertEquals(404, api.delete(base + "/ips/198.51.100.7").statusCode());

    JsonObject key = api.create("/keys", new JsonObject().put("name", "ci").put("scopes",
        new JsonArray().add("licenses:read")));
    String plaintext = key.getString("key");
    assertTrue(plaintext.matches("lk_live_[0-9A-Za-z]{32}"));
    ManageClient reader = api.withKey(plaintext);
    assertEquals(200, reader.get("/licenses").statusCode());
    assertEquals(403, reader.get("/products").statusCode());
    assertFalse(api.get("/keys").bodyAsString().contains(plaintext), "a key is shown only at creation");
    assertEquals(200, api.delete("/keys/" + key.getString("id")).statusCode());
    HttpResponse<Buffer> revoked = reader.get("/licenses");
    assertEquals(401, revoked.statusCode());
    assertEquals("invalid_api_key", revoked.bodyAsJsonObject().getString("error"));
  }

  @Test
  void everyErrorCodeHasItsShape() {
    HttpResponse<Buffer> missing = api.withKey(null).get("/account");
    assertEquals(401, missing.statusCode());
    assertEquals("invalid_api_key", missing.bodyAsJsonObject().getString("error"));
    assertEquals(401, api.withKey("lk_live_short").get("/account").statusCode());
    assertEquals(401, api.withKey("lk_live_" + "x".repeat(32)).get("/account").statusCode());

    HttpResponse<Buffer> bad = api.post("/policies", new JsonObject().put("max_machines", 0).put("ip_mode", "closed"));
    assertEquals(400, bad.statusCode());
    JsonObject body = bad.bodyAsJsonObject();
    assertEquals("bad_request", body.getString("error"));
    Set<String> fields = new HashSet<>();
    body.getJsonArray("details").forEach(d -> fields.add(((JsonObject) d).getString("field")));
    assertEquals(Set.of("product_id", "name", "max_machines", "ip_mode"), fields);

    assertEquals(404, api.get("/products/" + java.util.UUID.randomUUID()).statusCode());
    assertEquals("not_found", api.get("/licenses/nope").bodyAsJsonObject().getString("error"));

    AccountAdmin.NewAccount broke = ManageClient.newAccount(0L);
    ManageClient brokeApi = api.withKey(broke.apiKey());
    JsonObject product = brokeApi.create("/products", new JsonObject().put("name", "x"));
    JsonObject policy = brokeApi.create("/policies", new JsonObject().put("product_id", product.getString("id"))
        .put("name", "p").put("max_machines", 1));
    HttpResponse<Buffer> noCredits = brokeApi.post("/licenses", new JsonObject().put("policy_id", policy.getString("id")));
    assertEquals(402, noCredits.statusCode());
    assertEquals("no_credits", noCredits.bodyAsJsonObject().getString("error"));
    assertEquals(0, brokeApi.get("/licenses").bodyAsJsonObject().getJsonArray("data").size());

    // No body, so no Content-Type: the dialects' media-type check answers first (issue 11, item 8).
    HttpResponse<Buffer> notJson = api.call(io.vertx.core.http.HttpMethod.POST, "/products", null);
    assertEquals(415, notJson.statusCode());
    assertEquals("unsupported_media_type", notJson.bodyAsJsonObject().getString("error"));
    HttpResponse<Buffer> unknownRoute = api.get("/nothing-here");
    assertEquals(404, unknownRoute.statusCode());
    assertEquals("not_found", unknownRoute.bodyAsJsonObject().getString("error"), "in this API's error form");
  }

  @Test
  void anEmptyBucketAnswers429WithRetryAfter() {
    Gateway strict = TestGateway.start(c -> c.withRateLimits(new dev.licensegateway.config.GatewayConfig.RateLimits(
        // A token refills in 100 s: exactly 3 pass however slowly the five requests go out.
        true, TestGateway.UNLIMITED, TestGateway.UNLIMITED, new dev.licensegateway.gate.RateLimit.Limit(3, 0.01),
        TestGateway.UNLIMITED)));
    try {
      ManageClient limited = new ManageClient(vertx, strict.port(), api.apiKey());
      int ok = 0;
      HttpResponse<Buffer> last = null;
      for (int i = 0; i < 5; i++) {
        last = limited.get("/account");
        ok += last.statusCode() == 200 ? 1 : 0;
        assertNotNull(last.getHeader("X-RateLimit-Limit"));
      }
      assertEquals(3, ok);
      assertEquals(429, last.statusCode());
      assertEquals("rate_limited", last.bodyAsJsonObject().getString("error"));
      long retryAfter = Long.parseLong(last.getHeader("Retry-After"));
      assertTrue(retryAfter >= 60 && retryAfter <= 100, "one token in 100 s: Retry-After " + retryAfter);
    } finally {
      TestGateway.stop(strict);
    }
  }

  /** A license (with account, product, policy) created through the API of this test's account. */
  private Fixtures.License licenseOfThisAccount() {
    JsonObject product = api.create("/products", new JsonObject().put("name", "App"));
    JsonObject policy = api.create("/policies", new JsonObject().put("product_id", product.getString("id"))
        .put("name", "p").put("max_machines", 3));
    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policy.getString("id")));
    return new Fixtures.License(java.util.UUID.fromString(api.get("/account").bodyAsJsonObject().getString("id")),
        java.util.UUID.fromString(product.getString("id")), java.util.UUID.fromString(policy.getString("id")),
        java.util.UUID.fromString(license.getString("id")), license.getString("key"), product.getString("app_id"),
        product.getString("app_secret"), product.getString("product_key"));
  }

  private static String randomBlock() {
    return dev.licensegateway.infra.Secrets.licenseKey().substring(0, 5);
  }
}
