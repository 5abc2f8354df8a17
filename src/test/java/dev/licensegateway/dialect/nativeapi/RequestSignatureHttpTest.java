package dev.licensegateway.dialect.nativeapi;

import static dev.licensegateway.testing.NativeWire.assertError;
import static dev.licensegateway.testing.NativeWire.assertNoLeak;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.gate.RequestSignature;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/native-protocol.md over HTTP: the signature covers timestamp, nonce, method, path with query, and
 * body, so a change of any one byte after signing is refused (1700) before anything is
 * stored; the timestamp window is ±300 s (1701 beyond).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class RequestSignatureHttpTest {

  private static final String ACTIVATE = "/api/v1/license/activate";

  private static Gateway gateway;
  private NativeClient client;

  @BeforeAll
  static void startGateway() {
    gateway = TestGateway.start();
  }

  @AfterAll
  static void stopGateway() {
    TestGateway.stop(gateway);
  }

  @BeforeEach
  void client(Vertx vertx) {
    client = new NativeClient(vertx, gateway.port());
  }

  /** One request as a client signs it; the tests change it after signing. */
  private record Signed(String method, String path, byte[] body, String timestamp, String nonce, String signature) {
    MultiMap headers() {
      return MultiMap.caseInsensitiveMultiMap()
          .add("Content-Type", "application/json")
          .add(RequestSignature.TIMESTAMP_HEADER, timestamp)
          .add(RequestSignature.NONCE_HEADER, nonce)
          .add(RequestSignature.SIGNATURE_HEADER, signature);
    }

    Signed withTimestamp(String v) {
      return new Signed(method, path, body, v, nonce, signature);
    }

    Signed withNonce(String v) {
      return new Signed(method, path, body, timestamp, v, signature);
    }

    Signed withSignature(String v) {
      return new Signed(method, path, body, timestamp, nonce, v);
    }

    Signed withBody(byte[] v) {
      return new Signed(method, path, v, timestamp, nonce, signature);
    }

    Signed withMethod(String v) {
      return new Signed(v, path, body, timestamp, nonce, signature);
    }

    Signed withPath(String v) {
      return new Signed(method, v, body, timestamp, nonce, signature);
    }
  }

  private Signed sign(String method, String path, JsonObject body, long timestamp) {
    byte[] bytes = body.encode().getBytes(StandardCharsets.UTF_8);
    String nonce = NativeClient.nonce();
    String signature = new RequestSignature(TestGateway.SECRET).sign(timestamp, nonce, method, path, bytes);
    return new Signed(method, path, bytes, Long.toString(timestamp), nonce, signature);
  }

  private Signed activation(Fixtures.License license, String machine) {
    return sign("POST", ACTIVATE, activationBody(license, machine), now());
  }

  private static JsonObject activationBody(Fixtures.License license, String machine) {
    return new JsonObject().put("license_key", license.key()).put("machine_id", machine);
  }

  private Future<HttpResponse<Buffer>> send(Signed request) {
    return client.send(HttpMethod.valueOf(request.method()), request.path(), request.body(), request.headers());
  }

  private static long now() {
    return Instant.now().getEpochSecond();
  }

  private static long machines(Fixtures.License license) {
    return Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id());
  }

  /** {@code text} with the character at {@code i} replaced by another one from the same alphabet. */
  private static String changeAt(String text, int i, String alphabet) {
    char c = text.charAt(i);
    char other = alphabet.charAt((alphabet.indexOf(c) + 1) % alphabet.length());
    return text.substring(0, i) + other + text.substring(i + 1);
  }

  @Test
  void aCorrectlySignedRequestPasses(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    send(activation(license, Fixtures.randomMachineId())).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(200, response.statusCode(), response.bodyAsString());
      assertEquals(1, machines(license));
      test.completeNow();
    })));
  }

  /**
   * Every single-byte change of one signed part gives 1700 and stores nothing, not even the
   * nonce (docs/native-protocol.md: a request failing steps 1–6 stores nothing): the untouched original,
   * sent last with that same nonce, still passes.
   */
  @ParameterizedTest
  @ValueSource(strings = {"timestamp", "nonce", "signature", "body"})
  void changingAnyByteOfASignedPartIs1700(String part, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    Signed original = activation(license, Fixtures.randomMachineId());
    List<Signed> tampered = new ArrayList<>();
    switch (part) {
      case "timestamp" -> {
        for (int i = 0; i < original.timestamp().length(); i++) {
          tampered.add(original.withTimestamp(changeAt(original.timestamp(), i, "0123456789")));
        }
      }
      case "nonce" -> {
        for (int i = 0; i < original.nonce().length(); i++) {
          tampered.add(original.withNonce(changeAt(original.nonce(), i, "0123456789abcdef")));
        }
      }
      case "signature" -> {
        for (int i = 0; i < original.signature().length(); i++) {
          tampered.add(original.withSignature(changeAt(original.signature(), i, "0123456789abcdef")));
        }
      }
      default -> {
        for (int i = 0; i < original.body().length; i++) {
          byte[] body = original.body().clone();
          body[i] ^= 0x01; // stays ASCII, and always differs
          tampered.add(original.withBody(body));
        }
      }
    }
    List<Future<HttpResponse<Buffer>>> calls = tampered.stream().map(this::send).toList();
    Future.all(calls)
        .compose(refusedAll -> send(original))
        .onComplete(test.succeeding(originalResponse -> test.verify(() -> {
          assertTrue(tampered.size() >= 10, "each part has at least 10 bytes to change");
          for (int i = 0; i < calls.size(); i++) {
            HttpResponse<Buffer> response = calls.get(i).result();
            int at = i;
            assertEquals(401, response.statusCode(), () -> part + " changed at byte " + at + ": "
                + response.bodyAsString());
            assertError(response, 1700);
          }
          assertEquals(200, originalResponse.statusCode(),
              "the refused copies must not have used up the nonce: " + originalResponse.bodyAsString());
          assertEquals(1, machines(license));
          test.completeNow();
        })));
  }

  @Test
  void aPostSignatureSentAsPutIsRefused(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    Signed original = activation(license, Fixtures.randomMachineId());
    send(original.withMethod("PUT"))
        .compose(put -> {
          test.verify(() -> {
            assertNotEquals(200, put.statusCode(), put.bodyAsString());
            assertTrue(put.statusCode() >= 400 && put.statusCode() < 500, () -> "a 4xx, got " + put.statusCode());
            assertNoLeak(put);
            assertEquals(0, machines(license));
          });
          return send(original);
        })
        .onComplete(test.succeeding(post -> test.verify(() -> {
          assertEquals(200, post.statusCode(), post.bodyAsString());
          test.completeNow();
        })));
  }

  @Test
  void aRequestSignedAsPutIsRefused(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    JsonObject body = activationBody(license, Fixtures.randomMachineId());
    send(sign("PUT", ACTIVATE, body, now())).onComplete(test.succeeding(put -> test.verify(() -> {
      assertNotEquals(200, put.statusCode(), "docs/native-protocol.md: all native requests are POST");
      assertTrue(put.statusCode() >= 400 && put.statusCode() < 500, () -> "a 4xx, got " + put.statusCode());
      assertEquals(0, machines(license));
      test.completeNow();
    })));
  }

  @Test
  void aQueryStringAddedAfterSigningIs1700(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    Signed original = activation(license, Fixtures.randomMachineId());
    send(original.withPath(ACTIVATE + "?debug=1"))
        .compose(withQuery -> {
          test.verify(() -> {
            assertError(withQuery, 1700);
            assertEquals(0, machines(license));
          });
          return send(original);
        })
        .onComplete(test.succeeding(plain -> test.verify(() -> {
          assertEquals(200, plain.statusCode(), plain.bodyAsString());
          test.completeNow();
        })));
  }

  @Test
  void aQueryStringThatIsSignedPasses(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    // docs/native-protocol.md: the canonical string holds the path as sent, with its query string.
    Signed signed = sign("POST", ACTIVATE + "?sdk=1.2.3", activationBody(license, Fixtures.randomMachineId()), now());
    send(signed).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(200, response.statusCode(), response.bodyAsString());
      test.completeNow();
    })));
  }

  @Test
  void aSignatureForAnotherEndpointIs1700(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    String machine = Fixtures.randomMachineId();
    Signed forValidate = sign("POST", "/api/v1/license/validate", activationBody(license, machine), now());
    send(forValidate.withPath(ACTIVATE)).onComplete(test.succeeding(response -> test.verify(() -> {
      assertError(response, 1700);
      assertEquals(0, machines(license));
      test.completeNow();
    })));
  }

  // ---- The ±300 s window (docs/native-protocol.md step 5) ----

  @Test
  void aTimestamp299SecondsAheadPasses(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    // Ahead of the server, the skew only shrinks while the request travels; 299 s behind could
    // turn into 301 s on a slow machine, so that side of the window is tested only beyond it.
    Signed signed = sign("POST", ACTIVATE, activationBody(license, Fixtures.randomMachineId()), now() + 299);
    send(signed).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(200, response.statusCode(), response.bodyAsString());
      test.completeNow();
    })));
  }

  @Test
  void aTimestamp301SecondsBehindIs1701(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    Signed signed = sign("POST", ACTIVATE, activationBody(license, Fixtures.randomMachineId()), now() - 301);
    send(signed).onComplete(test.succeeding(response -> test.verify(() -> {
      assertError(response, 1701);
      assertEquals(0, machines(license));
      test.completeNow();
    })));
  }

  @Test
  void aTimestampFarAheadIs1701(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    Signed signed = sign("POST", ACTIVATE, activationBody(license, Fixtures.randomMachineId()), now() + 310);
    send(signed).onComplete(test.succeeding(response -> test.verify(() -> {
      assertError(response, 1701);
      assertEquals(0, machines(license));
      test.completeNow();
    })));
  }

  // ---- Order of the steps (docs/native-protocol.md) and what a refusal leaves behind ----

  @Test
  void theSignatureIsCheckedBeforeTheTimestamp(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    Signed stale = sign("POST", ACTIVATE, activationBody(license, Fixtures.randomMachineId()), now() - 3600);
    send(stale.withSignature(changeAt(stale.signature(), 0, "0123456789abcdef")))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertError(response, 1700);
          test.completeNow();
        })));
  }

  @Test
  void theTimestampIsCheckedBeforeTheBody(VertxTestContext test) {
    Signed staleAndEmpty = sign("POST", ACTIVATE, new JsonObject(), now() - 3600);
    send(staleAndEmpty).onComplete(test.succeeding(response -> test.verify(() -> {
      assertError(response, 1701);
      test.completeNow();
    })));
  }

  @Test
  void aNonceRefusedBeforeTheNonceStepStaysUsable(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    JsonObject body = activationBody(license, Fixtures.randomMachineId());
    Signed good = sign("POST", ACTIVATE, body, now());
    RequestSignature signer = new RequestSignature(TestGateway.SECRET);
    long stale = now() - 3600;
    Signed staleSameNonce = good.withTimestamp(Long.toString(stale))
        .withSignature(signer.sign(stale, good.nonce(), "POST", ACTIVATE, good.body()));
    byte[] emptyBody = "{}".getBytes(StandardCharsets.UTF_8);
    Signed malformedSameNonce = good.withBody(emptyBody)
        .withSignature(signer.sign(Long.parseLong(good.timestamp()), good.nonce(), "POST", ACTIVATE, emptyBody));
    send(staleSameNonce)
        .compose(r -> {
          test.verify(() -> assertError(r, 1701));
          return send(malformedSameNonce);
        })
        .compose(r -> {
          test.verify(() -> assertError(r, 1702));
          return send(good);
        })
        .onComplete(test.succeeding(r -> test.verify(() -> {
          assertEquals(200, r.statusCode(), "1701 and 1702 must not store the nonce: " + r.bodyAsString());
          test.completeNow();
        })));
  }

  @Test
  void aNonceIsAcceptedOnceEvenWithAnotherBody(VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    Signed first = activation(license, Fixtures.randomMachineId());
    byte[] otherBody = new JsonObject().put("license_key", license.key()).encode().getBytes(StandardCharsets.UTF_8);
    Signed sameNonceOtherRequest = new Signed("POST", "/api/v1/license/status", otherBody, first.timestamp(),
        first.nonce(), new RequestSignature(TestGateway.SECRET)
            .sign(Long.parseLong(first.timestamp()), first.nonce(), "POST", "/api/v1/license/status", otherBody));
    send(first)
        .compose(r -> {
          test.verify(() -> assertEquals(200, r.statusCode(), r.bodyAsString()));
          return send(sameNonceOtherRequest);
        })
        .onComplete(test.succeeding(r -> test.verify(() -> {
          assertError(r, 1700);
          test.completeNow();
        })));
  }
}
