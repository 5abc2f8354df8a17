package dev.licensegateway.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.licensegateway.Gateway;
import dev.licensegateway.client.LicenseClient;
import dev.licensegateway.client.LicenseNotFoundException;
import dev.licensegateway.client.LicenseResult;
import dev.licensegateway.client.MachineLimitReachedException;
import dev.licensegateway.client.MachineNotActivatedException;
import dev.licensegateway.client.RequestRejectedException;
import dev.licensegateway.client.SignatureMismatchException;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.TestServers;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java SDK against real gateways, one signing with RSA-SHA256 and one with Ed25519: every
 * operation verifies, keys are fetched or pinned, and refusals arrive as their typed errors.
 */
class SdkGatewayTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static Gateway rsa;
  private static Gateway ed25519;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    rsa = TestGateway.start(c -> c.withSigning("RSA-SHA256", TestServers.keysDir().toString()));
    ed25519 = TestGateway.start(c -> c.withSigning("Ed25519", TestServers.keysDir().toString()));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    TestGateway.stopAll(List.of(rsa, ed25519));
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static Gateway gateway(String alg) {
    return alg.equals("Ed25519") ? ed25519 : rsa;
  }

  static String baseUrl(Gateway gateway) {
    return "http://127.0.0.1:" + gateway.port();
  }

  static String jwks(Gateway gateway) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(baseUrl(gateway) + "/api/v1/keys")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    return response.body();
  }

  /** The gateway's JWKS with only the keys of one JOSE key type. */
  static String jwksOnly(String jwks, String kty) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(jwks);
    ArrayNode kept = JSON.createArrayNode();
    for (JsonNode key : root.get("keys")) {
      if (kty.equals(key.get("kty").asText())) {
        kept.add(key);
      }
    }
    root.set("keys", kept);
    return root.toString();
  }

  private static LicenseClient client(String baseUrl) {
    return LicenseClient.builder().baseUrl(baseUrl).apiSecret(TestGateway.SECRET).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"RSA-SHA256", "Ed25519"})
  void everyOperationAnswersVerifiedData(String alg) {
    Fixtures.License license = Fixtures.license(Fixtures.spec().heartbeatIntervalS(600));
    String machine = Fixtures.randomMachineId();
    try (LicenseClient client = client(baseUrl(gateway(alg)))) {
      LicenseResult activated = client.activate(license.key(), machine, "build box", "linux", "host-1");
      assertEquals(alg, activated.alg());
      assertEquals(license.key(), activated.licenseKey());
      assertEquals(machine, activated.machineId());
      assertEquals(1, activated.machinesUsed());
      assertEquals(3, activated.maxMachines());
      assertFalse(activated.fromCache());

      LicenseResult validated = client.validate(license.key(), machine.toUpperCase(), List.of("pro"));
      assertTrue(validated.valid());
      assertEquals("active", validated.status());
      assertEquals(machine, validated.machineId(), "the machine id is sent in the gateway's lowercase form");
      assertEquals(List.of("export", "pro"), validated.entitlements());
      assertNotNull(validated.issuedAt());
      assertNull(validated.expiresAt());
      assertNotNull(validated.heartbeatDueAt());
      assertEquals(Boolean.TRUE, validated.data().get("valid"));
      assertEquals(validated.nonce(), validated.data().get("nonce"));
      assertTrue(validated.signedData().startsWith("{\"entitlements\":"), validated.signedData());

      LicenseResult beat = client.heartbeat(license.key(), machine);
      assertTrue(beat.heartbeatDueAt().isAfter(beat.issuedAt()));

      LicenseResult status = client.status(license.key());
      assertEquals("active", status.status());
      assertNull(status.machineId());
      assertTrue(status.valid());

      assertEquals(0, client.deactivate(license.key(), machine).machinesUsed());
      assertThrows(MachineNotActivatedException.class, () -> client.heartbeat(license.key(), machine));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"RSA-SHA256", "Ed25519"})
  void pinnedKeysVerifyWithoutFetchingAndAnUnpinnedKidFails(String alg) throws Exception {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    String jwks = jwks(gateway(alg));
    try (TamperingProxy proxy = new TamperingProxy(vertx, gateway(alg).port())) {
      try (LicenseClient pinned = LicenseClient.builder().baseUrl(proxy.baseUrl()).apiSecret(TestGateway.SECRET)
          .trustedKeys(jwks).build()) {
        assertEquals(alg, pinned.activate(license.key(), machine).alg());
      }
      // Pinned to the other algorithm's keys only: the answer's kid is not trusted, and no JWKS is fetched.
      String otherOnly = jwksOnly(jwks, alg.equals("Ed25519") ? "RSA" : "OKP");
      try (LicenseClient wrongPin = LicenseClient.builder().baseUrl(proxy.baseUrl()).apiSecret(TestGateway.SECRET)
          .trustedKeys(otherOnly).build()) {
        SignatureMismatchException e = assertThrows(SignatureMismatchException.class,
            () -> wrongPin.validate(license.key(), machine));
        assertTrue(e.getMessage().contains("no trusted key"), e.getMessage());
      }
      assertEquals(0, proxy.keyFetches());
    }
  }

  @Test
  void anUnknownKidRefetchesTheJwksOnce() throws Exception {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    String edKid = JSON.readTree(jwksOnly(jwks(ed25519), "OKP")).get("keys").get(0).get("kid").asText();
    try (TamperingProxy proxy = new TamperingProxy(vertx, ed25519.port());
         LicenseClient client = client(proxy.baseUrl())) {
      proxy.staleJwksOnceWithout(edKid);
      // The first fetch serves keys from before a rotation: the answer's kid is not among them.
      assertThrows(SignatureMismatchException.class, () -> client.activate(license.key(), machine));
      assertEquals(1, proxy.keyFetches());
      // The next answer names the same unknown kid: the client fetches the JWKS once more and trusts it.
      LicenseResult r = client.activate(license.key(), machine);
      assertEquals(edKid, r.kid());
      assertEquals(2, proxy.keyFetches(), "one refetch for the unknown kid");
      client.validate(license.key(), machine);
      assertEquals(2, proxy.keyFetches(), "known keys are not fetched again");
    }
  }

  @Test
  void oneClientIsSharedAcrossThreads() throws Exception {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    try (TamperingProxy proxy = new TamperingProxy(vertx, rsa.port());
         LicenseClient client = client(proxy.baseUrl());
         LicenseClient direct = client(baseUrl(rsa))) {
      direct.activate(license.key(), machine); // the shared client's first calls are the concurrent ones
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
      try {
        List<java.util.concurrent.Future<LicenseResult>> results = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
          results.add(pool.submit(() -> client.validate(license.key(), machine)));
        }
        java.util.Set<String> nonces = new java.util.HashSet<>();
        for (java.util.concurrent.Future<LicenseResult> r : results) {
          LicenseResult result = r.get(120, TimeUnit.SECONDS);
          assertTrue(result.valid());
          assertFalse(result.fromCache());
          nonces.add(result.nonce());
        }
        assertEquals(40, nonces.size(), "each call its own nonce, each answer its own call's");
        assertEquals(1, proxy.keyFetches(), "the JWKS is fetched once for all threads");
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void refusalsArriveTyped() {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(1));
    try (LicenseClient client = client(baseUrl(rsa));
         LicenseClient wrongSecret = LicenseClient.builder().baseUrl(baseUrl(rsa)).apiSecret("not-the-secret").build()) {
      client.activate(license.key(), Fixtures.randomMachineId());
      MachineLimitReachedException full = assertThrows(MachineLimitReachedException.class,
          () -> client.activate(license.key(), Fixtures.randomMachineId()));
      assertEquals(1705, full.code());
      assertEquals("LICENSE_API_LIMIT_REACHED", full.name());
      assertFalse(full.retryable());
      assertEquals(409, full.httpStatus());
      LicenseNotFoundException unknown = assertThrows(LicenseNotFoundException.class,
          () -> client.status("ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ"));
      assertEquals(1703, unknown.code());
      RequestRejectedException rejected = assertThrows(RequestRejectedException.class,
          () -> wrongSecret.status(license.key()));
      assertEquals(1700, rejected.code());
      assertFalse(rejected.getMessage().contains("not-the-secret"));
      RequestRejectedException malformed = assertThrows(RequestRejectedException.class,
          () -> client.validate(license.key(), "not-a-machine-id"));
      assertEquals(1702, malformed.code());
      assertEquals("machine_id", malformed.details().get(0).field());
      assertFalse(Map.of().equals(client.status(license.key()).data()));
    }
  }
}
