package dev.licensegateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deliveries that keep failing: retried until the retry window ends, then failed; an endpoint
 * failing for the whole window is disabled. The window is 1.5 s here instead of 3 days.
 */
class WebhookFailureTest {

  private static final long WAIT_MS = WebhookDeliveryTest.WAIT_MS;
  private static final long WINDOW_MS = 1_500;

  private static Gateway gateway;
  private static Vertx vertx;
  private ManageClient api;
  private UUID account;
  private WebhookReceiver receiver;
  private WebhookReceiver watcher;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(c -> c.withWebhooks(c.webhooks().withAllowPrivate(true)
        .withRetries(50, 200, WINDOW_MS).withTiming(2_000, 5_000, 100, 300)));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    TestGateway.stop(gateway);
    vertx.close();
  }

  @BeforeEach
  void setUp() {
    var created = ManageClient.newAccount(null);
    account = created.id();
    api = new ManageClient(vertx, gateway.port(), created.apiKey());
    receiver = new WebhookReceiver();
    watcher = new WebhookReceiver();
  }

  @AfterEach
  void cleanUp() {
    Fixtures.exec("DELETE FROM webhook_endpoints WHERE account_id = ?", account);
    receiver.close();
    watcher.close();
  }

  private String policy() {
    String product = api.create("/products", new JsonObject().put("name", "App")).getString("id");
    return api.create("/policies", new JsonObject().put("product_id", product).put("name", "P").put("max_machines", 1))
        .getString("id");
  }

  private JsonArray deliveries(String hook, String query) {
    return api.get("/webhooks/" + hook + "/deliveries" + query).bodyAsJsonObject().getJsonArray("data");
  }

  @Test
  void failedDeliveriesAreListedAndRetriedByHand() {
    receiver.answering(r -> 500);
    String hook = api.create("/webhooks", new JsonObject().put("url", receiver.url())
        .put("events", new JsonArray().add("license.created"))).getString("id");
    String policy = policy();
    api.create("/licenses", new JsonObject().put("policy_id", policy));
    api.create("/licenses", new JsonObject().put("policy_id", policy));

    // The first to give up disables the endpoint (nothing was delivered during its window), so
    // the other may stay pending: a disabled endpoint is sent nothing.
    WebhookReceiver.await("a delivery to fail", WAIT_MS, () -> deliveries(hook, "?state=failed").size() >= 1);
    JsonArray failed = deliveries(hook, "?state=failed");
    assertEquals(2, failed.size() + deliveries(hook, "?state=pending").size());
    for (Object o : failed) {
      JsonObject d = (JsonObject) o;
      assertTrue(d.getInteger("attempts") >= 2, "retried before giving up: " + d);
      assertEquals(500, d.getInteger("last_status_code"));
      assertEquals("the endpoint answered HTTP 500", d.getString("last_error"));
      assertNull(d.getValue("next_attempt_at"), "a failed delivery is not scheduled");
      long arrived = receiver.received().stream()
          .filter(r -> d.getString("event_id").equals(r.header("webhook-id"))).count();
      assertEquals(d.getInteger("attempts").longValue(), arrived, "every attempt reached the receiver");
    }

    // Cursor paging, newest first, and the state filter.
    JsonObject firstPage = api.get("/webhooks/" + hook + "/deliveries?limit=1").bodyAsJsonObject();
    assertEquals(1, firstPage.getJsonArray("data").size());
    assertTrue(firstPage.getBoolean("has_more"));
    String newest = firstPage.getJsonArray("data").getJsonObject(0).getString("id");
    JsonObject secondPage = api.get("/webhooks/" + hook + "/deliveries?limit=1&starting_after=" + newest)
        .bodyAsJsonObject();
    assertFalse(secondPage.getBoolean("has_more"));
    assertFalse(newest.equals(secondPage.getJsonArray("data").getJsonObject(0).getString("id")));
    assertEquals(0, deliveries(hook, "?state=delivered").size());
    assertEquals(400, api.get("/webhooks/" + hook + "/deliveries?state=lost").statusCode());
    assertEquals(400, api.get("/webhooks/" + hook + "/deliveries?starting_after=" + UUID.randomUUID()).statusCode());

    // The receiver is fixed and the endpoint enabled again; the failed delivery is retried by hand.
    String retry = failed.getJsonObject(0).getString("id");
    receiver.answering(r -> 200);
    assertEquals("enabled", api.patch("/webhooks/" + hook, new JsonObject().put("status", "enabled"))
        .bodyAsJsonObject().getString("status"));
    HttpResponse<Buffer> retried = api.post("/webhooks/" + hook + "/deliveries/" + retry + "/retry", null);
    assertEquals(202, retried.statusCode(), retried.bodyAsString());
    assertEquals("pending", retried.bodyAsJsonObject().getString("state"));
    WebhookReceiver.await("the retried delivery", WAIT_MS, () -> deliveries(hook, "?state=delivered").stream()
        .anyMatch(d -> retry.equals(((JsonObject) d).getString("id"))));
    JsonObject delivered = deliveries(hook, "?state=delivered").stream().map(JsonObject.class::cast)
        .filter(d -> retry.equals(d.getString("id"))).findFirst().orElseThrow();
    assertEquals(200, delivered.getInteger("last_status_code"));
    assertEquals(delivered.getInteger("attempts").longValue(), receiver.received().stream()
        .filter(r -> delivered.getString("event_id").equals(r.header("webhook-id"))).count(),
        "the same event, under the same webhook-id, on every attempt including the retry");

    assertEquals(404, api.post("/webhooks/" + hook + "/deliveries/" + UUID.randomUUID() + "/retry", null)
        .statusCode());
  }

  @Test
  void anEndpointFailingForTheWholeWindowIsDisabledAndThatIsAnnounced() {
    receiver.answering(r -> 500);
    String hook = api.create("/webhooks", new JsonObject().put("url", receiver.url())
        .put("events", new JsonArray().add("license.created"))).getString("id");
    JsonObject watch = api.create("/webhooks", new JsonObject().put("url", watcher.url())
        .put("events", new JsonArray().add("webhook.disabled")));
    String policy = policy();
    api.create("/licenses", new JsonObject().put("policy_id", policy));

    WebhookReceiver.await("the endpoint to be disabled", WAIT_MS,
        () -> "disabled".equals(api.get("/webhooks/" + hook).bodyAsJsonObject().getString("status")));
    JsonObject disabled = api.get("/webhooks/" + hook).bodyAsJsonObject();
    assertNotNull(disabled.getString("disabled_reason"));
    WebhookReceiver.await("webhook.disabled", WAIT_MS, () -> !watcher.ofType("webhook.disabled").isEmpty());
    WebhookReceiver.Received announced = watcher.ofType("webhook.disabled").get(0);
    assertEquals(hook, announced.json().getJsonObject("data").getString("id"));
    assertEquals("disabled", announced.json().getJsonObject("data").getString("status"));
    assertTrue(StandardWebhooks.verifies(watch.getString("secret"), announced));

    // A disabled endpoint is sent nothing new.
    long before = Fixtures.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?::uuid", hook);
    api.create("/licenses", new JsonObject().put("policy_id", policy));
    assertEquals(before, Fixtures.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?::uuid", hook));
    assertEquals(400, api.post("/webhooks/" + hook + "/deliveries/"
        + deliveries(hook, "").getJsonObject(0).getString("id") + "/retry", null).statusCode(),
        "retrying needs the endpoint enabled");
  }
}
