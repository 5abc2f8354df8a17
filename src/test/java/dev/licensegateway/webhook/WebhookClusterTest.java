package dev.licensegateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.dev.EmbeddedServers;
import dev.licensegateway.testing.FaultProxy;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.TestServers;
import dev.licensegateway.testing.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several instances share the queue: each event goes out once, and a dead instance's claim is not lost. */
class WebhookClusterTest {

  private static final long WAIT_MS = WebhookDeliveryTest.WAIT_MS;

  private final List<Gateway> gateways = new ArrayList<>();
  private Vertx vertx;
  private UUID account;
  private String apiKey;
  private WebhookReceiver receiver;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    var created = ManageClient.newAccount(null);
    account = created.id();
    apiKey = created.apiKey();
    receiver = new WebhookReceiver();
  }

  @AfterEach
  void tearDown() {
    for (Gateway g : gateways) {
      try {
        TestGateway.stop(g);
      } catch (RuntimeException e) {
        // already stopped (killed) by the test
      }
    }
    Fixtures.exec("DELETE FROM webhook_endpoints WHERE account_id = ?", account);
    receiver.close();
    vertx.close();
  }

  private ManageClient api(Gateway g) {
    return new ManageClient(vertx, g.port(), apiKey);
  }

  @Test
  void threeInstancesDeliverEachEventExactlyOnce() {
    for (int i = 0; i < 3; i++) {
      // Small batches, so that every instance takes part.
      gateways.add(TestGateway.start(c -> {
        var quick = WebhookDeliveryTest.quick(c);
        return quick.withWebhooks(new dev.licensegateway.config.GatewayConfig.Webhooks(true, 50, 400, 60_000, 2_000,
            5_000, 50, 3, 300, 10, null));
      }));
    }
    ManageClient api = api(gateways.get(0));
    String hook = api.create("/webhooks", new JsonObject().put("url", receiver.url())
        .put("events", new io.vertx.core.json.JsonArray().add("license.created").add("license.updated")))
        .getString("id");
    String product = api.create("/products", new JsonObject().put("name", "App")).getString("id");
    String policy = api.create("/policies", new JsonObject().put("product_id", product).put("name", "P")
        .put("max_machines", 1)).getString("id");
    // Changes through every instance: 40 licenses created, each updated once.
    for (int i = 0; i < 40; i++) {
      ManageClient through = api(gateways.get(i % 3));
      String id = through.create("/licenses", new JsonObject().put("policy_id", policy)).getString("id");
      through.patch("/licenses/" + id, new JsonObject().put("max_machines", 2));
    }
    long events = Fixtures.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?::uuid", hook);
    assertEquals(80, events);
    WebhookReceiver.await("every delivery delivered", WAIT_MS, () -> Fixtures.count(
        "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?::uuid AND state = 'delivered'", hook) == events);

    Map<String, Long> perId = receiver.received().stream()
        .collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
    assertEquals(events, perId.size(), "every event arrived");
    assertEquals(Map.of(), perId.entrySet().stream().filter(e -> e.getValue() != 1)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "events that arrived more than once");
    assertEquals(0, Fixtures.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?::uuid "
        + "AND attempts <> 1", hook), "each delivery was attempted once");
    // Each license's creation arrived before its update.
    Map<String, List<String>> perLicense = receiver.received().stream().collect(Collectors.groupingBy(
        r -> r.json().getJsonObject("data").getString("id"), Collectors.mapping(WebhookReceiver.Received::type,
            Collectors.toList())));
    perLicense.forEach((license, types) -> assertEquals(List.of("license.created", "license.updated"), types, license));
  }

  @Test
  void anInstanceKilledMidDeliveryLosesNoEvent() throws Exception {
    EmbeddedServers servers = TestServers.get();
    try (FaultProxy pg = new FaultProxy(servers.postgresPort())) {
      // Instance A reaches Postgres through a proxy the test can cut: its death leaves no trace.
      Gateway a = TestGateway.start(c -> c.withPostgresUri("postgresql://postgres@127.0.0.1:" + pg.port() + "/postgres")
          .withWebhooks(c.webhooks().withAllowPrivate(true).withRetries(50, 400, 60_000)
              .withTiming(2_000, 4_000, 100, 300)));
      gateways.add(a);
      // The first attempt is held open (A is mid-delivery); later ones are answered.
      Function<WebhookReceiver.Received, Integer> holdFirst = r -> receiver.received().size() == 1 ? null : 200;
      receiver.answering(holdFirst);
      ManageClient api = api(a);
      String hook = api.create("/webhooks", new JsonObject().put("url", receiver.url())
          .put("events", new io.vertx.core.json.JsonArray().add("license.created"))).getString("id");
      String product = api.create("/products", new JsonObject().put("name", "App")).getString("id");
      String policy = api.create("/policies", new JsonObject().put("product_id", product).put("name", "P")
          .put("max_machines", 1)).getString("id");
      api.create("/licenses", new JsonObject().put("policy_id", policy));
      WebhookReceiver.await("A's attempt", WAIT_MS, () -> receiver.received().size() == 1);

      // A dies: its database is gone, then the process.
      pg.cut();
      TestGateway.beginStop(a).await(60, TimeUnit.SECONDS);
      assertEquals("pending", stateOf(hook), "A recorded nothing");

      // B comes up; once A's lease has run out, B delivers the same event.
      gateways.add(TestGateway.start(WebhookDeliveryTest::quick));
      WebhookReceiver.await("B's delivery", WAIT_MS, () -> "delivered".equals(stateOf(hook)));
      List<WebhookReceiver.Received> got = receiver.received();
      assertEquals(2, got.size());
      assertEquals(got.get(0).header("webhook-id"), got.get(1).header("webhook-id"));
      assertEquals(2, Fixtures.count("SELECT attempts FROM webhook_deliveries WHERE endpoint_id = ?::uuid", hook));
      assertTrue(Fixtures.count("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?::uuid "
          + "AND delivered_at >= last_attempt_at", hook) == 1);
    }
  }

  private static String stateOf(String hook) {
    try (var c = Fixtures.connect(); var ps = c.prepareStatement(
        "SELECT state FROM webhook_deliveries WHERE endpoint_id = ?::uuid")) {
      ps.setString(1, hook);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
