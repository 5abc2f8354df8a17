package dev.licensegateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook delivery through a real receiver: signing, retries, rotation, the API's view. */
class WebhookDeliveryTest {

  /** Generous: the machine may be busy; nothing here depends on speed. */
  static final long WAIT_MS = 60_000;

  private static Gateway gateway;
  private static Vertx vertx;
  private ManageClient api;
  private UUID account;
  private WebhookReceiver receiver;

  /** Local receivers (private targets allowed), quick polls and small retry delays. */
  static GatewayConfig quick(GatewayConfig c) {
    return c.withWebhooks(c.webhooks().withAllowPrivate(true).withRetries(50, 400, 60_000)
        .withTiming(2_000, 5_000, 100, 300));
  }

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(WebhookDeliveryTest::quick);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    TestGateway.stop(gateway);
    vertx.close();
  }

  @BeforeEach
  void newAccount() {
    var created = ManageClient.newAccount(null);
    account = created.id();
    api = new ManageClient(vertx, gateway.port(), created.apiKey());
    receiver = new WebhookReceiver();
  }

  @AfterEach
  void cleanUp() {
    Fixtures.exec("DELETE FROM webhook_endpoints WHERE account_id = ?", account);
    receiver.close();
  }

  private String policy() {
    String product = api.create("/products", new JsonObject().put("name", "App")).getString("id");
    return api.create("/policies", new JsonObject().put("product_id", product).put("name", "P").put("max_machines", 2))
        .getString("id");
  }

  private JsonObject webhook(String url, String... events) {
    JsonObject body = new JsonObject().put("url", url);
    if (events.length > 0) {
      body.put("events", new JsonArray(List.of(events)));
    }
    return api.create("/webhooks", body);
  }

  @Test
  void eventsAreSignedToTheStandardWebhooksScheme() {
    JsonObject hook = webhook(receiver.url(), "license.created");
    String secret = hook.getString("secret");
    assertTrue(secret.matches("whsec_[A-Za-z0-9+/]{43}="), secret);
    assertEquals(32, Base64.getDecoder().decode(secret.substring(6)).length);
    assertEquals(List.of("license.created"), hook.getJsonArray("events").getList());
    assertEquals("enabled", hook.getString("status"));
    assertFalse(api.get("/webhooks/" + hook.getString("id")).bodyAsJsonObject().containsKey("secret"),
        "the secret is shown once");

    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policy()));
    WebhookReceiver.await("the license.created delivery", WAIT_MS, () -> receiver.received().size() == 1);
    WebhookReceiver.Received r = receiver.received().get(0);

    assertTrue(StandardWebhooks.verifies(secret, r), "signature under the secret: " + r.headers());
    assertFalse(StandardWebhooks.verifies(WebhookSecrets.newSecret(), r), "another secret must not verify");
    JsonObject body = r.json();
    assertEquals(r.header("webhook-id"), body.getString("id"));
    assertTrue(body.getString("id").startsWith("evt_"));
    assertEquals("license.created", body.getString("type"));
    assertEquals("live", body.getString("environment"));
    Instant created = Instant.parse(body.getString("created_at"));
    assertTrue(Math.abs(created.getEpochSecond() - Instant.now().getEpochSecond()) < 300, "created_at " + created);
    assertTrue(body.getString("created_at").endsWith("Z"));
    // The data is the license as the management API shows it.
    assertEquals(api.get("/licenses/" + license.getString("id")).bodyAsJsonObject(), body.getJsonObject("data"));
    assertEquals("application/json", r.header("content-type"));
    // The key is the secret's bytes, not its text: a receiver keyed by the text must fail.
    String textKeyed = "whsec_" + Base64.getEncoder().encodeToString(secret.getBytes());
    assertFalse(StandardWebhooks.verifies(textKeyed, r));
  }

  @Test
  void aReceiverThatFailsOnceGetsTheSameEventAgainAndTheDeliveryEndsDelivered() {
    receiver.answering(r -> receiver.received().size() == 1 ? 500 : 200);
    JsonObject hook = webhook(receiver.url(), "license.created");
    api.create("/licenses", new JsonObject().put("policy_id", policy()));
    WebhookReceiver.await("a second attempt", WAIT_MS, () -> receiver.received().size() >= 2);
    List<WebhookReceiver.Received> got = receiver.received();
    assertEquals(got.get(0).header("webhook-id"), got.get(1).header("webhook-id"), "webhook-id is stable");
    assertEquals(got.get(0).body(), got.get(1).body(), "the same body on every attempt");
    assertTrue(StandardWebhooks.verifies(hook.getString("secret"), got.get(1)));

    String path = "/webhooks/" + hook.getString("id") + "/deliveries";
    WebhookReceiver.await("the delivery to be delivered", WAIT_MS, () -> "delivered".equals(
        api.get(path).bodyAsJsonObject().getJsonArray("data").getJsonObject(0).getString("state")));
    JsonObject delivery = api.get(path).bodyAsJsonObject().getJsonArray("data").getJsonObject(0);
    assertEquals(2, delivery.getInteger("attempts"));
    assertEquals(200, delivery.getInteger("last_status_code"));
    assertEquals(got.get(0).header("webhook-id"), delivery.getString("event_id"));
    assertEquals("license.created", delivery.getString("type"));
    assertNull(delivery.getValue("next_attempt_at"));
    assertEquals(2, receiver.received().size(), "delivered: no further attempt");
  }

  @Test
  void duringARotationBothSecretsSignForADay() {
    JsonObject hook = webhook(receiver.url(), "license.created");
    String old = hook.getString("secret");
    JsonObject rotated = api.post("/webhooks/" + hook.getString("id") + "/rotate-secret", null).bodyAsJsonObject();
    String fresh = rotated.getString("secret");
    assertNotEquals(old, fresh);
    assertTrue(Fixtures.count("SELECT count(*) FROM webhook_endpoints WHERE id = ?::uuid AND previous_secret_until "
        + "BETWEEN now() + interval '23 hours 59 minutes' AND now() + interval '24 hours'", hook.getString("id")) == 1);

    String policy = policy();
    api.create("/licenses", new JsonObject().put("policy_id", policy));
    WebhookReceiver.await("the delivery", WAIT_MS, () -> receiver.received().size() == 1);
    WebhookReceiver.Received during = receiver.received().get(0);
    assertEquals(2, during.header("webhook-signature").split(" ").length, during.header("webhook-signature"));
    assertTrue(StandardWebhooks.verifies(old, during), "a receiver still on the old secret verifies");
    assertTrue(StandardWebhooks.verifies(fresh, during), "a receiver on the new secret verifies");

    // A day later the old secret signs no more.
    Fixtures.exec("UPDATE webhook_endpoints SET previous_secret_until = now() - interval '1 second' WHERE id = ?::uuid",
        hook.getString("id"));
    api.create("/licenses", new JsonObject().put("policy_id", policy));
    WebhookReceiver.await("the second delivery", WAIT_MS, () -> receiver.received().size() == 2);
    WebhookReceiver.Received after = receiver.received().get(1);
    assertEquals(1, after.header("webhook-signature").split(" ").length);
    assertTrue(StandardWebhooks.verifies(fresh, after));
    assertFalse(StandardWebhooks.verifies(old, after));
  }

  @Test
  void theApiAnswersBeforeAnyDeliveryIsAttempted() {
    // A receiver that never answers: creating licenses still answers at once, and each
    // license's event waits in the queue (held by one attempt at a time).
    receiver.answering(r -> null);
    webhook(receiver.url(), "license.created");
    String policy = policy();
    long started = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      api.create("/licenses", new JsonObject().put("policy_id", policy));
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(ms < 30_000, "creating 3 licenses took " + ms + " ms");
    assertEquals(3, Fixtures.count("SELECT count(*) FROM webhook_deliveries d JOIN webhook_endpoints e "
        + "ON e.id = d.endpoint_id WHERE e.account_id = ?", account), "each event is queued in its transaction");
  }

  @Test
  void metricsCountDeliveriesAndReportTheBacklog() throws Exception {
    webhook(receiver.url(), "license.created");
    api.create("/licenses", new JsonObject().put("policy_id", policy()));
    WebhookReceiver.await("the delivery", WAIT_MS, () -> receiver.received().size() == 1);
    String metrics = WebClient.create(vertx).get(gateway.port(), "127.0.0.1", "/metrics").send()
        .await(30, TimeUnit.SECONDS).bodyAsString();
    assertTrue(metrics.contains("lgw_webhook_queue_depth"), "queue depth gauge");
    assertTrue(metrics.contains("lgw_webhook_oldest_pending_seconds"), "oldest pending gauge");
    double delivered = metrics.lines().filter(l -> l.startsWith("lgw_webhook_deliveries_total{")
            && l.contains("outcome=\"delivered\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    assertTrue(delivered >= 1, "delivered counter: " + delivered);
  }

  @Test
  void webhooksAreIsolatedByAccountEnvironmentAndScope() {
    JsonObject hook = webhook(receiver.url());
    String path = "/webhooks/" + hook.getString("id");
    assertEquals(1, api.get("/webhooks").bodyAsJsonObject().getJsonArray("data").size());

    ManageClient other = new ManageClient(vertx, gateway.port(), ManageClient.newAccount(null).apiKey());
    assertEquals(403, other.get(path).statusCode(), "another account's webhook");
    assertEquals(403, other.delete(path).statusCode());
    assertEquals(403, other.get(path + "/deliveries").statusCode());
    assertEquals(0, other.get("/webhooks").bodyAsJsonObject().getJsonArray("data").size());

    String testKey = api.create("/keys", new JsonObject().put("name", "t").put("environment", "test")
        .put("scopes", new JsonArray().add("webhooks:read").add("webhooks:write"))).getString("key");
    ManageClient testEnv = api.withKey(testKey);
    assertEquals(404, testEnv.get(path).statusCode(), "the other environment's webhook");
    assertEquals(0, testEnv.get("/webhooks").bodyAsJsonObject().getJsonArray("data").size());

    String readOnly = api.create("/keys", new JsonObject().put("name", "r")
        .put("scopes", new JsonArray().add("webhooks:read"))).getString("key");
    assertEquals(200, api.withKey(readOnly).get(path).statusCode());
    assertEquals(403, api.withKey(readOnly).post(path + "/rotate-secret", null).statusCode());
    assertEquals(403, api.withKey(readOnly).post("/webhooks", new JsonObject().put("url", receiver.url())).statusCode());
    String noWebhooks = api.create("/keys", new JsonObject().put("name", "n")
        .put("scopes", new JsonArray().add("licenses:read"))).getString("key");
    assertEquals(403, api.withKey(noWebhooks).get("/webhooks").statusCode());

    // Bad input: every bad field reported, as 400.
    var bad = api.post("/webhooks", new JsonObject().put("events", new JsonArray().add("license.exploded")));
    assertEquals(400, bad.statusCode());
    assertEquals(2, bad.bodyAsJsonObject().getJsonArray("details").size(), bad.bodyAsString());
    assertEquals(400, api.post("/webhooks", new JsonObject().put("url", receiver.url())
        .put("events", new JsonArray())).statusCode());
    assertEquals(400, api.patch(path, new JsonObject().put("status", "paused")).statusCode());
    assertEquals(400, api.patch(path, new JsonObject().put("url", (String) null)).statusCode());

    assertEquals(List.of("license.revoked"), api.patch(path, new JsonObject()
        .put("events", new JsonArray().add("license.revoked")).put("status", "disabled")).bodyAsJsonObject()
        .getJsonArray("events").getList());
    assertEquals(new JsonObject().put("id", hook.getString("id")).put("deleted", true),
        api.delete(path).bodyAsJsonObject());
    assertEquals(404, api.get(path).statusCode());
  }
}
