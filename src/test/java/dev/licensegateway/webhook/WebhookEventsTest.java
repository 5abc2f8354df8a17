package dev.licensegateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every event type, fired by the write path that makes its change, in that change's transaction. */
class WebhookEventsTest {

  private static final long WAIT_MS = WebhookDeliveryTest.WAIT_MS;
  /** Not the default (10), so that an event at this threshold proves the setting reaches the database. */
  private static final long CREDITS_LOW = 5;

  private static Gateway gateway;
  private static Vertx vertx;
  private static NativeClient sdk;
  private ManageClient api;
  private UUID account;
  private WebhookReceiver receiver;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(c -> {
      var quick = WebhookDeliveryTest.quick(c);
      return quick.withWebhooks(quick.webhooks().withCreditsLow(CREDITS_LOW));
    });
    vertx = Vertx.vertx();
    sdk = new NativeClient(vertx, gateway.port());
  }

  @AfterAll
  static void stop() {
    TestGateway.stop(gateway);
    vertx.close();
  }

  @BeforeEach
  void setUp() {
    receiver = new WebhookReceiver();
  }

  @AfterEach
  void cleanUp() {
    Fixtures.exec("DELETE FROM webhook_endpoints WHERE account_id = ?", account);
    receiver.close();
  }

  private void newAccount(Long credits) {
    var created = ManageClient.newAccount(credits);
    account = created.id();
    api = new ManageClient(vertx, gateway.port(), created.apiKey());
  }

  private int nativeCall(String action, String key, String machine) throws Exception {
    return sdk.call(action, new JsonObject().put("license_key", key).put("machine_id", machine))
        .await(30, TimeUnit.SECONDS).statusCode();
  }

  private Set<String> typesReceived() {
    return receiver.received().stream().map(WebhookReceiver.Received::type).collect(Collectors.toCollection(TreeSet::new));
  }

  private WebhookReceiver.Received awaitOne(String type) {
    WebhookReceiver.await(type, WAIT_MS, () -> !receiver.ofType(type).isEmpty());
    return receiver.ofType(type).get(0);
  }

  @Test
  void everyEventTypeFiresFromItsWritePath() throws Exception {
    newAccount(CREDITS_LOW + 1);
    JsonObject hook = api.create("/webhooks", new JsonObject().put("url", receiver.url()));
    assertEquals(EventType.all(), hook.getJsonArray("events").getList(), "events omitted: every type");

    JsonObject product = api.create("/products", new JsonObject().put("name", "App"));
    String productId = product.getString("id");
    api.patch("/products/" + productId, new JsonObject().put("name", "App 2"));
    assertEquals("App 2", awaitOne("product.updated").json().getJsonObject("data").getString("name"));

    JsonObject policy = api.create("/policies", new JsonObject().put("product_id", productId).put("name", "P")
        .put("max_machines", 3).put("heartbeat_interval_s", 60));
    api.patch("/policies/" + policy.getString("id"), new JsonObject().put("name", "P2"));
    assertEquals("P2", awaitOne("policy.updated").json().getJsonObject("data").getString("name"));

    // Credits: 6 → 5 stays at the threshold; 5 → 4 falls below it.
    JsonObject first = api.create("/licenses", new JsonObject().put("policy_id", policy.getString("id")));
    JsonObject second = api.create("/licenses", new JsonObject().put("policy_id", policy.getString("id")));
    String key = first.getString("key");
    String id = first.getString("id");
    JsonObject low = awaitOne("account.credits_low").json().getJsonObject("data");
    assertEquals(CREDITS_LOW - 1, low.getLong("credits"));
    assertEquals(account.toString(), low.getString("id"));
    WebhookReceiver.await("two license.created", WAIT_MS, () -> receiver.ofType("license.created").size() == 2);

    api.patch("/licenses/" + id, new JsonObject().put("max_machines", 2));
    assertEquals(2, awaitOne("license.updated").json().getJsonObject("data").getInteger("max_machines"));
    api.patch("/licenses/" + id, new JsonObject().put("status", "suspended"));
    assertEquals("suspended", awaitOne("license.suspended").json().getJsonObject("data").getString("status"));
    api.patch("/licenses/" + id, new JsonObject().put("status", "active"));
    assertEquals("active", awaitOne("license.reinstated").json().getJsonObject("data").getString("status"));
    api.patch("/licenses/" + second.getString("id"), new JsonObject().put("status", "revoked"));
    assertEquals(second.getString("id"), awaitOne("license.revoked").json().getJsonObject("data").getString("id"));
    api.delete("/licenses/" + second.getString("id"));
    assertEquals(second.getString("id"), awaitOne("license.deleted").json().getJsonObject("data").getString("id"));

    // The native dialect: activate, deactivate.
    String m1 = Fixtures.randomMachineId();
    String m2 = Fixtures.randomMachineId();
    assertEquals(200, nativeCall("activate", key, m1));
    JsonObject activated = awaitOne("machine.activated").json().getJsonObject("data");
    assertEquals(m1, activated.getString("machine_id"));
    assertEquals(id, activated.getString("license_id"));
    assertEquals(200, nativeCall("deactivate", key, m1));
    assertEquals(m1, awaitOne("machine.deactivated").json().getJsonObject("data").getString("machine_id"));

    // Silence: a machine whose last heartbeat is older than the release time has lost its slot.
    assertEquals(200, nativeCall("activate", key, m2));
    Fixtures.exec("UPDATE machines SET last_heartbeat_at = now() - interval '1 hour' WHERE machine_id = ?", m2);
    assertEquals(m2, awaitOne("machine.released").json().getJsonObject("data").getString("machine_id"));

    // Expiry, found by the sweep once expires_at has passed.
    api.patch("/licenses/" + id, new JsonObject().put("expires_at", Instant.now().plusSeconds(2).toString()));
    JsonObject expired = awaitOne("license.expired").json().getJsonObject("data");
    assertEquals(id, expired.getString("id"));

    Set<String> expected = new TreeSet<>(EventType.all());
    expected.remove("webhook.disabled"); // WebhookFailureTest: an endpoint failing for the whole window
    assertEquals(expected, typesReceived());
    for (WebhookReceiver.Received r : receiver.received()) {
      assertTrue(StandardWebhooks.verifies(hook.getString("secret"), r), r.type());
    }

    // One license's events arrive in the order they were recorded.
    List<String> recorded = new ArrayList<>();
    try (Connection c = Fixtures.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT d.event_id FROM webhook_deliveries d WHERE d.license_id = ?::uuid ORDER BY d.seq")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          recorded.add(rs.getString(1));
        }
      }
    }
    List<String> arrived = receiver.received().stream()
        .filter(r -> id.equals(r.json().getJsonObject("data").getString("license_id"))
            || id.equals(r.json().getJsonObject("data").getString("id")))
        .map(r -> r.header("webhook-id")).toList();
    assertEquals(recorded, arrived);
  }

  @Test
  void aChangeMadeOutsideTheGatewayIsAnnouncedToo() {
    newAccount(null);
    api.create("/webhooks", new JsonObject().put("url", receiver.url()).put("events",
        new io.vertx.core.json.JsonArray().add("license.suspended")));
    String product = api.create("/products", new JsonObject().put("name", "App")).getString("id");
    String policy = api.create("/policies", new JsonObject().put("product_id", product).put("name", "P")
        .put("max_machines", 1)).getString("id");
    String id = api.create("/licenses", new JsonObject().put("policy_id", policy)).getString("id");
    // A script (or an operator at psql) writes straight to Postgres.
    Fixtures.exec("UPDATE licenses SET status = 'suspended' WHERE id = ?::uuid", id);
    assertEquals(id, awaitOne("license.suspended").json().getJsonObject("data").getString("id"));
    assertEquals(Set.of("license.suspended"), typesReceived(), "only the subscribed type");
  }

  @Test
  void aRefusedChangeRecordsNoEvent() throws Exception {
    newAccount(null);
    api.create("/webhooks", new JsonObject().put("url", receiver.url()));
    String product = api.create("/products", new JsonObject().put("name", "App")).getString("id");
    String policy = api.create("/policies", new JsonObject().put("product_id", product).put("name", "P")
        .put("max_machines", 1)).getString("id");
    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policy));
    String key = license.getString("key");
    assertEquals(200, nativeCall("activate", key, Fixtures.randomMachineId()));
    // The cap is reached: this activation is refused and its transaction rolled back.
    assertTrue(nativeCall("activate", key, Fixtures.randomMachineId()) >= 400);
    awaitOne("machine.activated");
    assertEquals(1, Fixtures.count("SELECT count(*) FROM webhook_events WHERE license_id = ?::uuid "
        + "AND type = 'machine.activated'", license.getString("id")));
  }

  @Test
  void aSlotFreedWhileBindingAnotherMachineIsAnnouncedOnce() throws Exception {
    newAccount(null);
    api.create("/webhooks", new JsonObject().put("url", receiver.url()).put("events",
        new io.vertx.core.json.JsonArray().add("machine.released").add("machine.activated")));
    String product = api.create("/products", new JsonObject().put("name", "App")).getString("id");
    String policy = api.create("/policies", new JsonObject().put("product_id", product).put("name", "P")
        .put("max_machines", 1).put("heartbeat_interval_s", 60)).getString("id");
    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policy));
    String m1 = Fixtures.randomMachineId();
    assertEquals(200, nativeCall("activate", license.getString("key"), m1));

    // The activation path frees silent slots as it binds (LicenseStore.insertMachine): done
    // here in one transaction the sweep cannot see into, so the delete itself must announce it.
    try (Connection c = Fixtures.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement silence = c.prepareStatement(
              "UPDATE machines SET last_heartbeat_at = now() - interval '1 hour' WHERE machine_id = ?");
          PreparedStatement release = c.prepareStatement(
              "DELETE FROM machines WHERE license_id = ?::uuid AND last_heartbeat_at < now() - interval '210 seconds'")) {
        silence.setString(1, m1);
        silence.executeUpdate();
        release.setString(1, license.getString("id"));
        assertEquals(1, release.executeUpdate());
      }
      c.commit();
    }
    assertEquals(m1, awaitOne("machine.released").json().getJsonObject("data").getString("machine_id"));

    // Through the gateway: a silent machine, then another binds; released once, by either path.
    String m2 = Fixtures.randomMachineId();
    String m3 = Fixtures.randomMachineId();
    assertEquals(200, nativeCall("activate", license.getString("key"), m2));
    Fixtures.exec("UPDATE machines SET last_heartbeat_at = now() - interval '1 hour' WHERE machine_id = ?", m2);
    assertEquals(200, nativeCall("activate", license.getString("key"), m3), "m2's slot is free");
    WebhookReceiver.await("m2 released", WAIT_MS, () -> receiver.ofType("machine.released").stream()
        .anyMatch(r -> m2.equals(r.json().getJsonObject("data").getString("machine_id"))));
    // Give a second announcement every chance to appear before counting.
    WebhookReceiver.await("m3 activated", WAIT_MS, () -> receiver.ofType("machine.activated").stream()
        .anyMatch(r -> m3.equals(r.json().getJsonObject("data").getString("machine_id"))));
    Thread.sleep(1_000);
    assertEquals(1, Fixtures.count("SELECT count(*) FROM webhook_events WHERE type = 'machine.released' "
        + "AND payload -> 'data' ->> 'machine_id' = ?", m2));
  }
}
