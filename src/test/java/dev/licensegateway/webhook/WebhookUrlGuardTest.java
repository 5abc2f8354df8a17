package dev.licensegateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.InetAddress;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SSRF guard as configured by default (LGW_WEBHOOK_ALLOW_PRIVATE unset): public https targets only. */
class WebhookUrlGuardTest {

  private static Gateway gateway;
  private static Vertx vertx;
  private ManageClient api;
  private UUID account;

  @BeforeAll
  static void start() {
    // Default webhook settings, except quick polls.
    gateway = TestGateway.start(c -> c.withWebhooks(c.webhooks().withTiming(2_000, 5_000, 100, 300)));
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
  }

  @AfterEach
  void cleanUp() {
    Fixtures.exec("DELETE FROM webhook_endpoints WHERE account_id = ?", account);
  }

  @Test
  void privateAndPlainHttpTargetsAreRefusedByDefault() {
    assertTrue(!gateway.vertx().isClustered());
    for (String url : List.of("http://example.com/hook", "https://127.0.0.1/hook", "https://localhost:8443/hook",
        "https://10.1.2.3/", "https://172.16.0.1/", "https://192.168.1.1/", "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/", "https://0.0.0.0/", "https://[::1]/", "https://[fd00::1]/", "https://[fe80::1]/",
        "https://[::ffff:127.0.0.1]/", "https://[::ffff:a9fe:a9fe]/", "https://user:pw@example.com/", "ftp://example.com/",
        "not a url")) {
      HttpResponse<Buffer> r = api.post("/webhooks", new JsonObject().put("url", url));
      assertEquals(400, r.statusCode(), url + " → " + r.bodyAsString());
      JsonObject detail = r.bodyAsJsonObject().getJsonArray("details").getJsonObject(0);
      assertEquals("url", detail.getString("field"), url);
    }
    // A public literal address passes (nothing is sent to it: no event happens in this account).
    JsonObject ok = api.create("/webhooks", new JsonObject().put("url", "https://93.184.216.34/hook"));
    HttpResponse<Buffer> patched = api.patch("/webhooks/" + ok.getString("id"),
        new JsonObject().put("url", "https://169.254.169.254/"));
    assertEquals(400, patched.statusCode(), "a PATCH is checked as a creation is");
    assertEquals("https://93.184.216.34/hook", api.get("/webhooks/" + ok.getString("id")).bodyAsJsonObject()
        .getString("url"));
  }

  @Test
  void aTargetThatLeadsInsideIsRefusedAtDeliveryToo() {
    // Saved when it was allowed (or when its name resolved elsewhere): now it leads to loopback.
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      UUID hook = UUID.randomUUID();
      String secret = WebhookSecrets.newSecret();
      Fixtures.exec("INSERT INTO webhook_endpoints (id, account_id, environment, url, secret_box) "
              + "VALUES (?, ?, 'live', ?, ?)", hook, account, "https://localhost:" + receiver.port() + "/hook",
          new WebhookSecrets(TestGateway.SECRET).seal(hook, secret));
      String product = api.create("/products", new JsonObject().put("name", "App")).getString("id");
      String policy = api.create("/policies", new JsonObject().put("product_id", product).put("name", "P")
          .put("max_machines", 1)).getString("id");
      api.create("/licenses", new JsonObject().put("policy_id", policy));
      WebhookReceiver.await("a refused attempt", WebhookDeliveryTest.WAIT_MS, () -> Fixtures.count(
          "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ? AND last_error LIKE 'refused:%loopback%'",
          hook) == 1);
      assertEquals(List.of(), receiver.received(), "nothing was sent");
    }
  }

  @Test
  void onlyPublicAddressesPass() throws Exception {
    for (String ip : List.of("93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001:81b::200e")) {
      assertNull(UrlGuard.refusalOf(InetAddress.getByName(ip)), ip);
    }
    for (String ip : List.of("127.0.0.1", "127.1.2.3", "10.0.0.1", "172.31.255.255", "192.168.0.1", "169.254.169.254",
        "100.64.0.1", "100.127.255.254", "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
        "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "64:ff9b::7f00:1", "2002:7f00:1::",
        "2001:db8::1", "::7f00:1")) {
      assertNotNull(UrlGuard.refusalOf(InetAddress.getByName(ip)), ip);
    }
  }
}
