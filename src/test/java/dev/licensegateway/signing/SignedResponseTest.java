package dev.licensegateway.signing;

import static dev.licensegateway.testing.ResponseSignatures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.gate.RequestSignature;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.ResponseSignatures;
import dev.licensegateway.testing.ResponseSignatures.PublishedKey;
import dev.licensegateway.testing.SigningGateways;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.TestServers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/native-protocol.md from a client's side: every successful native answer verifies, with the JDK
 * alone, against the JWKS key its kid names, for both algorithms and across a rotation.
 */
@ExtendWith(VertxExtension.class)
class SignedResponseTest {

  private static final Map<SigningAlg, Gateway> GATEWAYS = new EnumMap<>(SigningAlg.class);

  @BeforeAll
  static void startOneGatewayPerAlgorithm() {
    GATEWAYS.put(SigningAlg.RSA_SHA256, TestGateway.start(c -> c.withSigning("RSA-SHA256", TestServers.keysDir().toString())));
    GATEWAYS.put(SigningAlg.ED25519, TestGateway.start(c -> c.withSigning("Ed25519", TestServers.keysDir().toString())));
  }

  @AfterAll
  static void stopGateways() {
    TestGateway.stopAll(List.copyOf(GATEWAYS.values()));
  }

  /** One signed call as sent: the nonce the gateway must echo and the raw answer. */
  private record Call(String action, String nonce, HttpResponse<Buffer> response) {
    byte[] body() {
      return response.body().getBytes();
    }

    JsonObject envelope() {
      return response.bodyAsJsonObject();
    }

    JsonObject data() {
      return envelope().getJsonObject("data");
    }
  }

  private static Future<Call> signed(NativeClient client, String action, JsonObject body) {
    String path = "/api/v1/license/" + action;
    byte[] bytes = utf8(body.encode());
    MultiMap headers = client.signedHeaders(path, bytes);
    String nonce = headers.get(RequestSignature.NONCE_HEADER);
    return client.send(path, bytes, headers).map(response -> new Call(action, nonce, response));
  }

  private static Future<Map<String, PublishedKey>> jwks(NativeClient client) {
    return client.get("/api/v1/keys").map(response -> {
      assertEquals(200, response.statusCode(), response.bodyAsString());
      return ResponseSignatures.readJwks(response.bodyAsJsonObject());
    });
  }

  /** Kids of the test key directory, read from its files rather than from the gateway. */
  private static Set<String> kidsOnDisk(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".pub.pem"))
          .map(n -> n.substring(0, n.length() - ".pub.pem".length()))
          .collect(Collectors.toSet());
    }
  }

  /**
   * The kid that must sign for {@code alg}, worked out from the key files alone: the one key of
   * the directory with a private key whose public half the JDK reads as a key of that algorithm.
   */
  private static String signingKidOnDisk(Path dir, SigningAlg alg) throws IOException {
    String jdkAlg = alg == SigningAlg.RSA_SHA256 ? "RSA" : "Ed25519";
    List<String> candidates = new ArrayList<>();
    for (String kid : kidsOnDisk(dir)) {
      if (!Files.exists(dir.resolve(kid + ".key.pem"))) {
        continue;
      }
      String pem = Files.readString(dir.resolve(kid + ".pub.pem"));
      byte[] spki = java.util.Base64.getMimeDecoder().decode(
          pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
      try {
        java.security.KeyFactory.getInstance(jdkAlg).generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
        candidates.add(kid);
      } catch (java.security.GeneralSecurityException notThisAlg) {
        // A key of the other algorithm.
      }
    }
    assertEquals(1, candidates.size(), "the test key directory holds one " + jdkAlg + " key: " + candidates);
    return candidates.get(0);
  }

  /**
   * The checks a client makes on a 200: {@code data} sits in the body in canonical form,
   * {@code alg} is the expected one and the JWK's, and the signature verifies with the
   * key the kid names. Returns that key.
   */
  private static PublishedKey assertSignedBy(Call call, SigningAlg alg, Map<String, PublishedKey> keys) {
    String where = call.action() + ": " + call.response().bodyAsString();
    assertEquals(200, call.response().statusCode(), where);
    JsonObject envelope = call.envelope();
    assertEquals(alg.wireName(), envelope.getString("alg"), where);
    PublishedKey key = keys.get(envelope.getString("kid"));
    assertNotNull(key, "kid " + envelope.getString("kid") + " is not in the JWKS: " + where);
    assertEquals(envelope.getString("alg"), key.alg(), "the JWK's alg differs from the response's: " + where);

    byte[] sent = ResponseSignatures.rawMember(call.body(), "data");
    byte[] canonical = utf8(ResponseSignatures.canonical(call.data()));
    assertArrayEquals(canonical, sent, "data is not sent in canonical form: " + where);
    assertArrayEquals(canonical, CanonicalJson.toBytes(call.data()), "the gateway canonicalizes differently");

    byte[] signature = ResponseSignatures.signatureBytes(envelope.getString("signature"));
    assertEquals(alg == SigningAlg.RSA_SHA256 ? 256 : 64, signature.length, where);
    assertTrue(ResponseSignatures.verifies(key, sent, signature), "signature does not verify: " + where);

    // A client must notice any change of the data: one field changed, or one byte.
    JsonObject tampered = call.data().copy().put("license_key", call.data().getString("license_key") + "X");
    assertFalse(ResponseSignatures.verifies(key, utf8(ResponseSignatures.canonical(tampered)), signature), where);
    JsonObject otherNonce = call.data().copy().put("nonce", NativeClient.nonce());
    assertFalse(ResponseSignatures.verifies(key, utf8(ResponseSignatures.canonical(otherNonce)), signature), where);
    byte[] flipped = sent.clone();
    flipped[flipped.length / 2] ^= 0x01;
    assertFalse(ResponseSignatures.verifies(key, flipped, signature), where);

    // docs/native-protocol.md members every signed answer carries, tying it to this request.
    JsonObject data = call.data();
    assertEquals(call.nonce(), data.getString("nonce"), where);
    assertNotNull(data.getString("status"), where);
    assertTrue(data.containsKey("expires_at"), where);
    assertNotNull(data.getInteger("max_machines"), where);
    assertNotNull(data.getInteger("machines_used"), where);
    assertNotNull(data.getJsonArray("entitlements"), where);
    Instant issued = Instant.parse(data.getString("issued_at"));
    assertTrue(data.getString("issued_at").endsWith("Z"), where);
    assertTrue(Math.abs(issued.getEpochSecond() - Instant.now().getEpochSecond()) < 60, where);
    return key;
  }

  @ParameterizedTest
  @EnumSource(SigningAlg.class)
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void jwksPublishesEveryKeyOfTheDirectoryWithItsMembers(SigningAlg alg, Vertx vertx, VertxTestContext test)
      throws IOException {
    Set<String> onDisk = kidsOnDisk(TestServers.keysDir());
    NativeClient client = new NativeClient(vertx, GATEWAYS.get(alg).port());
    jwks(client).onComplete(test.succeeding(keys -> test.verify(() -> {
      assertEquals(onDisk, keys.keySet());
      Set<String> algs = keys.values().stream().map(PublishedKey::alg).collect(Collectors.toSet());
      assertEquals(Set.of("RSA-SHA256", "Ed25519"), algs);
      client.close();
      test.completeNow();
    })));
  }

  @ParameterizedTest
  @EnumSource(SigningAlg.class)
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void everySuccessfulNativeAnswerVerifiesAgainstThePublishedKey(SigningAlg alg, Vertx vertx, VertxTestContext test)
      throws IOException {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(3).heartbeatIntervalS(3600)
        .entitlements(List.of("pro", "export", "\u00e9dition \u20ac", "say \"hi\" /\\")));
    String machine = Fixtures.randomMachineId();
    String expectedKid = signingKidOnDisk(TestServers.keysDir(), alg);
    NativeClient client = new NativeClient(vertx, GATEWAYS.get(alg).port());
    JsonObject machineBody = new JsonObject().put("license_key", license.key()).put("machine_id", machine);
    List<Call> calls = new ArrayList<>();
    Future<Map<String, PublishedKey>> keys = jwks(client);
    keys.compose(k -> signed(client, "activate", machineBody.copy().put("name", "Zo\u00eb's laptop")))
        .compose(c -> { calls.add(c); return signed(client, "validate",
            machineBody.copy().put("entitlements", new JsonArray().add("pro"))); })
        .compose(c -> { calls.add(c); return signed(client, "heartbeat", machineBody); })
        .compose(c -> { calls.add(c); return signed(client, "status", new JsonObject().put("license_key", license.key())); })
        .compose(c -> { calls.add(c); return signed(client, "deactivate", machineBody); })
        .onComplete(test.succeeding(last -> test.verify(() -> {
          calls.add(last);
          // Five calls, five answers signed afresh: a replayed or cached envelope would repeat one.
          assertEquals(5, calls.stream().map(c -> c.envelope().getString("signature")).distinct().count(),
              "every answer carries its own signature");
          // Sent one after another, so issued one after another.
          for (int i = 1; i < calls.size(); i++) {
            assertFalse(Instant.parse(calls.get(i).data().getString("issued_at"))
                    .isBefore(Instant.parse(calls.get(i - 1).data().getString("issued_at"))),
                "answers issued in the order of their calls: " + calls.get(i).action());
          }
          // The heartbeat just recorded is due again one interval (3600 s) later.
          assertEquals(Instant.parse(calls.get(2).data().getString("issued_at")).plusSeconds(3600),
              Instant.parse(calls.get(2).data().getString("heartbeat_due_at")), "heartbeat_due_at");
          for (Call call : calls) {
            PublishedKey key = assertSignedBy(call, alg, keys.result());
            assertEquals(expectedKid, key.kid(), call.action());
            assertEquals(license.key(), call.data().getString("license_key"), call.action());
            if (call.action().equals("status")) {
              assertFalse(call.data().containsKey("machine_id"), "status names no machine");
            } else {
              assertEquals(machine, call.data().getString("machine_id"), call.action());
            }
          }
          // Non-ASCII, quotes and a backslash travel inside signed data and still verify.
          // (docs/native-protocol.md fixes no order for entitlements, so they compare as a set.)
          List<?> granted = calls.get(1).data().getJsonArray("entitlements").getList();
          assertEquals(4, granted.size(), granted.toString());
          assertEquals(Set.of("pro", "export", "\u00e9dition \u20ac", "say \"hi\" /\\"), Set.copyOf(granted));
          assertEquals(1, calls.get(0).data().getInteger("machines_used"));
          assertEquals(Boolean.TRUE, calls.get(1).data().getBoolean("valid"));
          assertNotNull(calls.get(2).data().getString("heartbeat_due_at"), "heartbeat policy: due time");
          assertEquals("active", calls.get(3).data().getString("status"));
          assertEquals(0, calls.get(4).data().getInteger("machines_used"));
          client.close();
          test.completeNow();
        })));
  }

  @Test
  @Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
  void retiredKeyIsPublishedButNeverSigns(Vertx vertx, VertxTestContext test) throws Exception {
    Path dir = Files.createTempDirectory("lgw-rotation");
    String older = SigningKeys.generate(SigningAlg.RSA_SHA256, dir);
    Thread.sleep(1100); // kids carry their creation second: the newer must sort after
    String newer = SigningKeys.generate(SigningAlg.RSA_SHA256, dir);
    Files.delete(dir.resolve(newer + ".key.pem"));
    Gateway gateway = SigningGateways.start("RSA-SHA256", dir);
    Fixtures.License license = Fixtures.license();
    NativeClient client = new NativeClient(vertx, gateway.port());
    jwks(client).compose(keys -> signed(client, "activate", new JsonObject()
                .put("license_key", license.key()).put("machine_id", Fixtures.randomMachineId()))
            .map(call -> test.verify(() -> {
              assertEquals(Set.of(older, newer), keys.keySet(), "both the signing and the retired key are published");
              PublishedKey signer = assertSignedBy(call, SigningAlg.RSA_SHA256, keys);
              assertEquals(older, signer.kid(), "the retired key must not sign");
              byte[] data = ResponseSignatures.rawMember(call.body(), "data");
              byte[] signature = ResponseSignatures.signatureBytes(call.envelope().getString("signature"));
              assertFalse(ResponseSignatures.verifies(keys.get(newer), data, signature));
            })))
        .eventually(() -> {
          client.close();
          return gateway.stop();
        })
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void keyRingSignsWithTheNewestKeyOfEachAlgorithm() throws Exception {
    Path dir = Files.createTempDirectory("lgw-newest");
    String rsaOld = SigningKeys.generate(SigningAlg.RSA_SHA256, dir);
    String edOld = SigningKeys.generate(SigningAlg.ED25519, dir);
    Thread.sleep(1100);
    String rsaNew = SigningKeys.generate(SigningAlg.RSA_SHA256, dir);
    Thread.sleep(1100);
    String edNew = SigningKeys.generate(SigningAlg.ED25519, dir);

    KeyRing ring = new KeyRing(SigningKeys.load(dir));
    assertEquals(rsaNew, ring.signer(SigningAlg.RSA_SHA256).orElseThrow().kid());
    assertEquals(edNew, ring.signer(SigningAlg.ED25519).orElseThrow().kid());
    assertEquals(SigningAlg.RSA_SHA256, ring.signer(SigningAlg.RSA_SHA256).orElseThrow().alg());
    assertEquals(Set.of(rsaOld, edOld, rsaNew, edNew), ResponseSignatures.readJwks(ring.jwks()).keySet());

    // Retiring the newest RSA key hands signing back to the older one; Ed25519 is untouched.
    Files.delete(dir.resolve(rsaNew + ".key.pem"));
    KeyRing afterRetirement = new KeyRing(SigningKeys.load(dir));
    assertEquals(rsaOld, afterRetirement.signer(SigningAlg.RSA_SHA256).orElseThrow().kid());
    assertEquals(edNew, afterRetirement.signer(SigningAlg.ED25519).orElseThrow().kid());
    assertEquals(4, afterRetirement.jwks().getJsonArray("keys").size());

    // With every private key of an algorithm gone, nothing of it signs.
    Files.delete(dir.resolve(rsaOld + ".key.pem"));
    assertNull(new KeyRing(SigningKeys.load(dir)).signer(SigningAlg.RSA_SHA256).orElse(null));
  }
}
