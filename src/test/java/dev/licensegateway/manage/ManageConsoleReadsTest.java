package dev.licensegateway.manage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The management reads the vendor console is built on: search on lists, whether a machine
 * holds its slot, a license's IPs, and the usage overview.
 */
class ManageConsoleReadsTest {

  private static Gateway gateway;
  private static Vertx vertx;
  private static NativeClient sdk;
  private ManageClient api;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    vertx = Vertx.vertx();
    sdk = new NativeClient(vertx, gateway.port());
  }

  @AfterAll
  static void stop() {
    sdk.close();
    TestGateway.stop(gateway);
    vertx.close();
  }

  @BeforeEach
  void newAccount() {
    api = new ManageClient(vertx, gateway.port(), ManageClient.newAccount(null).apiKey());
  }

  private static String q(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private Set<String> names(String path) {
    HttpResponse<Buffer> r = api.get(path);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("name"))
        .collect(Collectors.toSet());
  }

  @Test
  void listsFindByAPieceOfNameOrKeyCaseInsensitivelyWithWildcardsTakenLiterally() {
    String editorPro = api.create("/products", new JsonObject().put("name", "Editor Pro")).getString("id");
    api.create("/products", new JsonObject().put("name", "editor lite"));
    api.create("/products", new JsonObject().put("name", "Viewer 100%"));
    api.create("/products", new JsonObject().put("name", "a_b"));
    api.create("/products", new JsonObject().put("name", "axb"));

    assertEquals(Set.of("Editor Pro", "editor lite"), names("/products?q=EDITOR"));
    assertEquals(Set.of("Viewer 100%"), names("/products?q=" + q("%")), "% is a character, not a wildcard");
    assertEquals(Set.of("a_b"), names("/products?q=" + q("_")), "_ is a character, not a wildcard");
    assertEquals(5, names("/products?q=" + q("  ")).size(), "a blank search is no filter");

    // Cursor paging within a search.
    JsonObject first = api.get("/products?q=editor&limit=1").bodyAsJsonObject();
    assertTrue(first.getBoolean("has_more"));
    String cursor = first.getJsonArray("data").getJsonObject(0).getString("id");
    JsonObject second = api.get("/products?q=editor&limit=1&starting_after=" + cursor).bodyAsJsonObject();
    assertFalse(second.getBoolean("has_more"));
    assertEquals(Set.of("Editor Pro", "editor lite"), Set.of(first.getJsonArray("data").getJsonObject(0).getString("name"),
        second.getJsonArray("data").getJsonObject(0).getString("name")));

    String policy = api.create("/policies", new JsonObject().put("product_id", editorPro).put("name", "Pro yearly")
        .put("max_machines", 1)).getString("id");
    api.create("/policies", new JsonObject().put("product_id", editorPro).put("name", "Trial").put("max_machines", 1));
    assertEquals(Set.of("Pro yearly"), names("/policies?q=yearly"));
    assertEquals(Set.of(), names("/policies?q=yearly&product_id=" + api.create("/products",
        new JsonObject().put("name", "other")).getString("id")), "the search and the product filter both apply");

    String key = api.create("/licenses", new JsonObject().put("policy_id", policy)).getString("key");
    api.create("/licenses", new JsonObject().put("policy_id", policy));
    JsonArray found = api.get("/licenses?q=" + key.substring(6, 17).toLowerCase()).bodyAsJsonObject().getJsonArray("data");
    assertEquals(1, found.size());
    assertEquals(key, found.getJsonObject(0).getString("key"));

    HttpResponse<Buffer> tooLong = api.get("/licenses?q=" + "x".repeat(256));
    assertEquals(400, tooLong.statusCode());
    assertEquals("q", tooLong.bodyAsJsonObject().getJsonArray("details").getJsonObject(0).getString("field"));
  }

  @Test
  void machinesSayWhetherTheyStillHoldTheirSlot() throws Exception {
    String product = api.create("/products", new JsonObject().put("name", "p")).getString("id");
    String policy = api.create("/policies", new JsonObject().put("product_id", product).put("name", "hb")
        .put("max_machines", 2).put("heartbeat_interval_s", 60)).getString("id");
    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policy));
    String silent = Fixtures.randomMachineId();
    String live = Fixtures.randomMachineId();
    for (String machine : List.of(silent, live)) {
      assertEquals(200, sdk.call("activate", new JsonObject().put("license_key", license.getString("key"))
          .put("machine_id", machine)).await(30, TimeUnit.SECONDS).statusCode());
    }
    // Silent for 300 s under a 60 s interval: past its release (3 × 60 + 30 s).
    Fixtures.exec("UPDATE machines SET last_heartbeat_at = now() - interval '300 seconds' WHERE machine_id = ?", silent);

    String base = "/licenses/" + license.getString("id");
    Map<String, Boolean> holds = api.get(base + "/machines").bodyAsJsonObject().getJsonArray("data").stream()
        .map(o -> (JsonObject) o).collect(Collectors.toMap(m -> m.getString("machine_id"), m -> m.getBoolean("holds_slot")));
    assertEquals(Map.of(silent, false, live, true), holds);
    assertEquals(1, api.get(base).bodyAsJsonObject().getInteger("machines_used"), "the license counts the same way");
  }

  @Test
  void aLicensesRegisteredAndBlockedIpsAreListedToWhoeverReadsTheLicense() {
    String product = api.create("/products", new JsonObject().put("name", "p")).getString("id");
    String policy = api.create("/policies", new JsonObject().put("product_id", product).put("name", "x")
        .put("max_machines", 1)).getString("id");
    String base = "/licenses/" + api.create("/licenses", new JsonObject().put("policy_id", policy)).getString("id");
    assertEquals(0, api.get(base + "/ips").bodyAsJsonObject().getJsonArray("data").size());
    api.create(base + "/ips", new JsonObject().put("ip", "203.0.113.7"));
    api.create(base + "/ips", new JsonObject().put("ip", "2001:DB8::1").put("blocked", true));

    JsonObject page = api.get(base + "/ips").bodyAsJsonObject();
    assertFalse(page.getBoolean("has_more"));
    Map<String, Boolean> ips = page.getJsonArray("data").stream().map(o -> (JsonObject) o)
        .collect(Collectors.toMap(i -> i.getString("ip"), i -> i.getBoolean("blocked")));
    assertEquals(Map.of("203.0.113.7", false, "2001:db8::1", true), ips);

    String reader = api.create("/keys", new JsonObject().put("name", "r").put("scopes", new JsonArray().add("licenses:read")))
        .getString("key");
    assertEquals(200, api.withKey(reader).get(base + "/ips").statusCode());
    String productsOnly = api.create("/keys", new JsonObject().put("name", "p")
        .put("scopes", new JsonArray().add("products:read"))).getString("key");
    assertEquals(403, api.withKey(productsOnly).get(base + "/ips").statusCode());
    ManageClient stranger = api.withKey(ManageClient.newAccount(null).apiKey());
    assertEquals(403, stranger.get(base + "/ips").statusCode());
  }

  @Test
  void usageCountsWhatTheAccountHoldsAndTodaysValidationsAgainstEachLimit() throws Exception {
    JsonObject empty = api.get("/usage").bodyAsJsonObject();
    assertEquals(0L, empty.getLong("products"));
    assertEquals(LocalDate.now(ZoneOffset.UTC).toString(), empty.getString("day"));

    String limited = api.create("/products", new JsonObject().put("name", "Limited").put("daily_validation_limit", 2))
        .getString("id");
    String open = api.create("/products", new JsonObject().put("name", "Open")).getString("id");
    String policy = api.create("/policies", new JsonObject().put("product_id", limited).put("name", "x")
        .put("max_machines", 3)).getString("id");
    api.create("/policies", new JsonObject().put("product_id", open).put("name", "y").put("max_machines", 3));
    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policy));
    String deleted = api.create("/licenses", new JsonObject().put("policy_id", policy)).getString("id");
    assertEquals(200, api.delete("/licenses/" + deleted).statusCode());
    String machine = Fixtures.randomMachineId();
    JsonObject query = new JsonObject().put("license_key", license.getString("key")).put("machine_id", machine);
    assertEquals(200, sdk.call("activate", query).await(30, TimeUnit.SECONDS).statusCode());
    List<Integer> statuses = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      statuses.add(sdk.call("validate", query).await(30, TimeUnit.SECONDS).statusCode());
    }
    assertEquals(List.of(200, 200, 429), statuses, "the third is past the limit of 2");

    JsonObject usage = api.get("/usage").bodyAsJsonObject();
    assertEquals(2L, usage.getLong("products"));
    assertEquals(1L, usage.getLong("licenses"), "a deleted license is not counted");
    assertEquals(1L, usage.getLong("active_machines"));
    assertFalse(usage.getBoolean("validations_has_more"));
    Map<String, JsonObject> byProduct = usage.getJsonArray("validations").stream().map(o -> (JsonObject) o)
        .collect(Collectors.toMap(p -> p.getString("product_id"), p -> p));
    assertEquals(Set.of(limited, open), byProduct.keySet());
    assertEquals(3L, byProduct.get(limited).getLong("validations_today"), "refused ones count too");
    assertEquals(2, byProduct.get(limited).getInteger("daily_validation_limit"));
    assertEquals("Limited", byProduct.get(limited).getString("name"));
    assertNull(byProduct.get(open).getValue("validations_today"), "no limit: not counted");
    assertTrue(byProduct.get(open).containsKey("validations_today"));

    // Reading usage means reading products; another environment of the same account sees its own.
    String licensesOnly = api.create("/keys", new JsonObject().put("name", "l")
        .put("scopes", new JsonArray().add("licenses:read"))).getString("key");
    assertEquals(403, api.withKey(licensesOnly).get("/usage").statusCode());
    String testKey = api.create("/keys", new JsonObject().put("name", "t").put("environment", "test")
        .put("scopes", new JsonArray().add("products:read"))).getString("key");
    JsonObject testUsage = api.withKey(testKey).get("/usage").bodyAsJsonObject();
    assertEquals(0L, testUsage.getLong("products"));
    assertEquals(0, testUsage.getJsonArray("validations").size());
  }
}
