package dev.licensegateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.licensegateway.Gateway;
import dev.licensegateway.infra.IpAddresses;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** docs/rate-limits.md: X-Forwarded-For counts only when the socket peer is a trusted proxy. */
@ExtendWith(VertxExtension.class)
class ClientIpTest {

  private Gateway trusting;
  private Gateway untrusting;

  @AfterEach
  void stopGateways() {
    TestGateway.stop(trusting);
    TestGateway.stop(untrusting);
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void forwardedForIsHonouredOnlyFromTrustedProxies(Vertx vertx, VertxTestContext test) {
    Fixtures.License license = Fixtures.license();
    Fixtures.exec("INSERT INTO product_rules (account_id, product_id, kind, value, cidr) "
        + "VALUES (?, ?, 'block_ip', '203.0.113.0/24', '203.0.113.0/24'::cidr)", license.accountId(), license.productId());
    trusting = TestGateway.start(c -> c.withTrustedProxies(List.of("127.0.0.0/8")));
    untrusting = TestGateway.start();
    byte[] body = new JsonObject().put("license_key", license.key()).put("machine_id", Fixtures.randomMachineId())
        .encode().getBytes(StandardCharsets.UTF_8);
    NativeClient viaTrusted = new NativeClient(vertx, trusting.port());
    NativeClient viaUntrusted = new NativeClient(vertx, untrusting.port());
    // The blocked client sits behind the proxy; a spoofed trusted address to its right is skipped.
    MultiMap spoofed = viaTrusted.signedHeaders("/api/v1/license/activate", body)
        .add("X-Forwarded-For", "203.0.113.9, 127.0.0.2");
    viaTrusted.send("/api/v1/license/activate", body, spoofed).compose(behindProxy -> {
      test.verify(() -> {
        assertEquals(403, behindProxy.statusCode());
        assertEquals(1713, behindProxy.bodyAsJsonObject().getJsonObject("error").getInteger("code"));
      });
      MultiMap direct = viaUntrusted.signedHeaders("/api/v1/license/activate", body)
          .add("X-Forwarded-For", "203.0.113.9");
      return viaUntrusted.send("/api/v1/license/activate", body, direct);
    }).onComplete(test.succeeding(ignored -> test.verify(() -> {
      assertEquals(200, ignored.statusCode(), "an untrusted peer's X-Forwarded-For must be ignored");
      test.completeNow();
    })));
  }

  @Test
  void normalizesLiteralsAndRefusesHostNames() {
    assertEquals("1.2.3.4", IpAddresses.normalize("::ffff:1.2.3.4"));
    assertEquals("1.2.3.4", IpAddresses.normalize("1.2.3.4"));
    assertEquals("0:0:0:0:0:0:0:1", IpAddresses.normalize("[::1]"));
    assertEquals(null, IpAddresses.normalize("example.com"));
    assertEquals(null, IpAddresses.normalize("abc.def"));
    assertEquals(null, IpAddresses.normalize("1.2.3.256"));
    assertEquals(null, IpAddresses.normalize(""));
  }
}
