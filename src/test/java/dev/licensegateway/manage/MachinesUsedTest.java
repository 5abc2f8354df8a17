package dev.licensegateway.manage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code machines_used} means the same in the management API and in a signed answer: the
 * machines that hold a slot. Under a 60 s heartbeat a machine silent for more than
 * 3 × 60 + 30 = 210 s has given its slot up (docs/domain.md); the policy is made through the API, so
 * its write path stores the release time too.
 */
class MachinesUsedTest {

  private static Gateway gateway;
  private static Vertx vertx;

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

  @Test
  void aReleasedMachineIsCountedByNeitherTheManagementApiNorTheCore() throws Exception {
    ManageClient api = new ManageClient(vertx, gateway.port(), ManageClient.newAccount(null).apiKey());
    String product = api.create("/products", new JsonObject().put("name", "Timer")).getString("id");
    String policy = api.create("/policies", new JsonObject().put("product_id", product).put("name", "HB")
        .put("max_machines", 1).put("heartbeat_interval_s", 60)).getString("id");
    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policy));
    String licenseId = license.getString("id");
    String key = license.getString("key");
    String machine = Fixtures.randomMachineId();
    NativeClient client = new NativeClient(vertx, gateway.port());
    JsonObject activate = new JsonObject().put("license_key", key).put("machine_id", machine);
    assertEquals(200, client.call("activate", activate).await(10, TimeUnit.SECONDS).statusCode());

    silence(licenseId, 209);
    assertEquals(1, managementCount(api, licenseId), "silent 209 s: still holds its slot");
    assertEquals(1, signedCount(client, key), "silent 209 s: still holds its slot");

    silence(licenseId, 211);
    assertEquals(0, managementCount(api, licenseId), "silent 211 s: the slot is free");
    assertEquals(0, signedCount(client, key), "silent 211 s: the slot is free");

    // A longer interval, set through the API, moves the release time with it (3 × 120 + 30 = 390 s).
    assertEquals(200, api.patch("/policies/" + policy, new JsonObject().put("heartbeat_interval_s", 120)).statusCode());
    assertEquals(1, managementCount(api, licenseId), "silent 211 s under a 120 s interval: still holds its slot");
    assertEquals(1, signedCount(client, key), "silent 211 s under a 120 s interval: still holds its slot");

    // No interval at all: a bound machine always holds its slot.
    assertEquals(200, api.patch("/policies/" + policy, new JsonObject().putNull("heartbeat_interval_s")).statusCode());
    silence(licenseId, 100_000);
    assertEquals(1, managementCount(api, licenseId));
    assertEquals(1, signedCount(client, key));
  }

  private static void silence(String licenseId, int seconds) {
    Fixtures.exec("UPDATE machines SET last_heartbeat_at = now() - make_interval(secs => ?) WHERE license_id = ?",
        seconds, UUID.fromString(licenseId));
  }

  private static int managementCount(ManageClient api, String licenseId) {
    return api.get("/licenses/" + licenseId).bodyAsJsonObject().getInteger("machines_used");
  }

  private static int signedCount(NativeClient client, String key) throws Exception {
    var answer = client.call("status", new JsonObject().put("license_key", key)).await(10, TimeUnit.SECONDS);
    assertEquals(200, answer.statusCode(), answer.bodyAsString());
    return answer.bodyAsJsonObject().getJsonObject("data").getInteger("machines_used");
  }
}
