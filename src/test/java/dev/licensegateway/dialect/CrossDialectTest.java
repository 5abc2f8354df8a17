package dev.licensegateway.dialect;

import static dev.licensegateway.testing.DialectWire.assertCommonHeaders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.licensegateway.Gateway;
import dev.licensegateway.gate.RequestSignature;
import dev.licensegateway.testing.DialectClient;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.NativeWire;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/dialects.md: one core, several wire forms. A slot taken through one dialect is taken in all,
 * and a license revoked by any means is revoked in every dialect at once, on two instances
 * sharing one Postgres and one Redis.
 */
class CrossDialectTest {

  private static List<Gateway> gateways;
  private static Vertx vertx;
  private static DialectClient first;
  private static DialectClient second;
  private static NativeClient nativeApi;

  @BeforeAll
  static void start() {
    gateways = TestGateway.startMany(2);
    vertx = Vertx.vertx();
    first = new DialectClient(vertx, gateways.get(0).port());
    second = new DialectClient(vertx, gateways.get(1).port());
    nativeApi = new NativeClient(vertx, gateways.get(1).port());
  }

  @AfterAll
  static void stop() {
    first.close();
    second.close();
    nativeApi.close();
    vertx.close();
    TestGateway.stopAll(gateways);
  }

  // ---- the three dialects, as their clients speak them ----

  private record NativeAnswer(String nonce, HttpResponse<Buffer> response) {}

  /**
   * Each call goes to another instance than the call before may have: the read models have
   * seen the previous call's writes first, as pods do within a second.
   */
  private static void caughtUp() {
    TestGateway.syncAll();
  }

  private static NativeAnswer nativeCall(String action, String key, String machine) {
    caughtUp();
    String path = "/api/v1/license/" + action;
    byte[] body = new JsonObject().put("license_key", key).put("machine_id", machine).encode()
        .getBytes(StandardCharsets.UTF_8);
    MultiMap headers = nativeApi.signedHeaders(path, body);
    HttpResponse<Buffer> response = DialectClient.await(nativeApi.send(path, body, headers));
    return new NativeAnswer(headers.get(RequestSignature.NONCE_HEADER), response);
  }

  private static HttpResponse<Buffer> license(String action, String key, String machine) {
    caughtUp();
    HttpResponse<Buffer> response = first.post("/license/" + action,
        new JsonObject().put("license_key", key).put("machine_id", machine));
    assertCommonHeaders(response);
    return response;
  }

  private static void assertLicenseError(HttpResponse<Buffer> response, int status, String code) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertEquals(code, response.bodyAsJsonObject().getJsonObject("error").getString("code"));
  }

  private static JsonObject licenseData(HttpResponse<Buffer> response) {
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getJsonObject("data");
  }

  /** An /auth login on the second instance; the body, after checking its signature. */
  private static JsonObject login(String appId, String appSecret, String key, String hwid) {
    String nonce = "n-" + UUID.randomUUID();
    caughtUp();
    HttpResponse<Buffer> response = second.post("/auth/validate", new JsonObject().put("app_id", appId)
        .put("app_secret", appSecret).put("license_key", key).put("hwid", hwid).put("nonce", nonce));
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertCommonHeaders(response);
    assertEquals(DialectClient.hmacHex(appSecret, response.body().getBytes()), response.getHeader("X-Auth-Signature"));
    JsonObject body = response.bodyAsJsonObject();
    assertEquals(nonce, body.getString("nonce"));
    return body;
  }

  private static JsonObject login(Fixtures.License license, String hwid) {
    return login(license.appId(), license.appSecret(), license.key(), hwid);
  }

  private static String authOutcome(JsonObject body) {
    return body.getString("status").equals("success") ? "success" : body.getString("error");
  }

  // ---- slots ----

  @Test
  void aMachineActivatedThroughLicenseHoldsTheSameSlotInNativeAndAuth() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(1));
    String bound = Fixtures.randomMachineId();
    String other = Fixtures.randomMachineId();
    assertEquals(1, licenseData(license("activate", license.key(), bound)).getInteger("machines_used"));

    NativeAnswer validated = nativeCall("validate", license.key(), bound);
    JsonObject data = NativeWire.assertSigned(validated.response(), license.key(), validated.nonce());
    assertEquals(1, data.getInteger("machines_used"));
    assertEquals(1, data.getInteger("max_machines"));
    NativeWire.assertError(nativeCall("activate", license.key(), other).response(), 1705);
    assertEquals("hwid_mismatch", authOutcome(login(license, other)));

    // The bound machine logs in through /auth on its slot.
    JsonObject session = login(license, bound);
    assertEquals("success", authOutcome(session));
    assertEquals(1, session.getJsonObject("license").getInteger("machines_used"));
    assertEquals(1, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id()));

    // Freed through /license, the slot goes to whichever dialect asks next.
    assertEquals(0, licenseData(license("deactivate", license.key(), bound)).getInteger("machines_used"));
    NativeAnswer taken = nativeCall("activate", license.key(), other);
    assertEquals(1, NativeWire.assertSigned(taken.response(), license.key(), taken.nonce())
        .getInteger("machines_used"));
    assertLicenseError(license("activate", license.key(), bound), 409, "activation_limit_reached");
    assertLicenseError(license("validate", license.key(), bound), 403, "machine_not_activated");
    assertEquals("hwid_mismatch", authOutcome(login(license, bound)));
    assertEquals("success", authOutcome(login(license, other)));
  }

  @Test
  void aSlotBoundThroughAuthCountsInLicenseAndNative() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(2));
    String a = Fixtures.randomMachineId();
    String b = Fixtures.randomMachineId();
    assertEquals("success", authOutcome(login(license, a)));
    assertEquals(2, licenseData(license("activate", license.key(), b)).getInteger("machines_used"));
    assertEquals(2, licenseData(license("validate", license.key(), a)).getInteger("machines_used"));
    NativeWire.assertError(nativeCall("activate", license.key(), Fixtures.randomMachineId()).response(), 1705);
  }

  // ---- revocation ----

  /** What every dialect must answer for a revoked license, at once, on either instance. */
  private static void assertRevokedEverywhere(String key, String machine, String appId, String appSecret,
      String sessionToken) {
    NativeWire.assertError(nativeCall("validate", key, machine).response(), 1708);
    NativeWire.assertError(nativeCall("activate", key, Fixtures.randomMachineId()).response(), 1708);
    assertLicenseError(license("validate", key, machine), 403, "license_revoked");
    assertLicenseError(license("activate", key, Fixtures.randomMachineId()), 403, "license_revoked");
    assertEquals("revoked", authOutcome(login(appId, appSecret, key, machine)));

    HttpResponse<Buffer> beat = first.post("/auth/heartbeat", new JsonObject().put("app_id", appId)
        .put("session_token", sessionToken).put("nonce", "after-revocation"));
    assertEquals(DialectClient.hmacHex(appSecret, beat.body().getBytes()), beat.getHeader("X-Auth-Signature"));
    assertEquals("revoked", authOutcome(beat.bodyAsJsonObject()));
  }

  @Test
  void aLicenseRevokedInTheDatabaseIsRevokedInEveryDialect() {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    licenseData(license("activate", license.key(), machine));
    JsonObject session = login(license, machine);
    assertEquals("success", authOutcome(session));
    NativeAnswer before = nativeCall("validate", license.key(), machine);
    NativeWire.assertSigned(before.response(), license.key(), before.nonce());

    assertEquals(1, Fixtures.exec("UPDATE licenses SET status = 'revoked' WHERE id = ?", license.id()));
    assertRevokedEverywhere(license.key(), machine, license.appId(), license.appSecret(),
        session.getString("session_token"));
  }

  @Test
  void aLicenseRevokedThroughTheManagementApiIsRevokedInEveryDialect() {
    ManageClient api = new ManageClient(vertx, gateways.get(0).port(), ManageClient.newAccount(null).apiKey());
    JsonObject product = api.create("/products", new JsonObject().put("name", "cross-dialect app"));
    JsonObject policy = api.create("/policies", new JsonObject().put("product_id", product.getString("id"))
        .put("name", "two seats").put("max_machines", 2));
    JsonObject created = api.create("/licenses", new JsonObject().put("policy_id", policy.getString("id")));
    String key = created.getString("key");
    String appId = product.getString("app_id");
    String appSecret = product.getString("app_secret");
    assertNotNull(appSecret, "the product's secret is shown at creation");

    String machine = Fixtures.randomMachineId();
    assertEquals(1, licenseData(license("activate", key, machine)).getInteger("machines_used"));
    JsonObject session = login(appId, appSecret, key, machine);
    assertEquals("success", authOutcome(session));
    assertEquals(1, session.getJsonObject("license").getInteger("machines_used"));
    NativeAnswer before = nativeCall("validate", key, machine);
    NativeWire.assertSigned(before.response(), key, before.nonce());

    HttpResponse<Buffer> revoked = api.patch("/licenses/" + created.getString("id"),
        new JsonObject().put("status", "revoked"));
    assertEquals(200, revoked.statusCode(), revoked.bodyAsString());
    assertEquals("revoked", revoked.bodyAsJsonObject().getString("status"));
    assertRevokedEverywhere(key, machine, appId, appSecret, session.getString("session_token"));
  }
}
