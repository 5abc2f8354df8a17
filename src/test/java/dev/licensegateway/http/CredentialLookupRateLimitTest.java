package dev.licensegateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.licensegateway.Gateway;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.testing.DialectClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Looking a presented credential up costs a query, so the client IP's bucket pays for it
 * first: a stream of unknown API keys is refused 429 once the IP's tokens are spent, on the
 * management API and on /v1 alike (each key a new one, so no key's own bucket empties).
 */
class CredentialLookupRateLimitTest {

  private static final RateLimit.Limit FIVE_NO_REFILL = new RateLimit.Limit(5, 0.001);

  private Gateway gateway;
  private Vertx vertx;

  @AfterEach
  void stop() {
    TestGateway.stop(gateway);
    if (vertx != null) {
      vertx.close();
    }
  }

  /** Each test calls from a client IP of its own (behind a trusted local proxy): no other test shares its bucket. */
  private WebClient start() {
    gateway = TestGateway.start(c -> c.withTrustedProxies(List.of("127.0.0.1/32"))
        .withRateLimits(new GatewayConfig.RateLimits(true, TestGateway.UNLIMITED,
        FIVE_NO_REFILL, TestGateway.UNLIMITED, TestGateway.UNLIMITED)));
    vertx = Vertx.vertx();
    return WebClient.create(vertx);
  }

  @Test
  void unknownApiKeysOnTheManagementApiSpendTheClientIpsTokens() {
    WebClient web = start();
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (int i = 0; i < 12; i++) {
      HttpResponse<Buffer> r = DialectClient.await(web.request(HttpMethod.GET, gateway.port(), "127.0.0.1",
          "/api/v1/manage/account").putHeader("X-Forwarded-For", "198.51.100.7").putHeader("Authorization", "Bearer " + Secrets.apiKey("live")).send());
      statuses.merge(r.statusCode(), 1, Integer::sum);
    }
    assertEquals(Map.of(401, 5, 429, 7), statuses);
  }

  @Test
  void unknownApiKeysOnV1SpendTheClientIpsTokens() {
    WebClient web = start();
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      HttpResponse<Buffer> r = DialectClient.await(web.post(gateway.port(), "127.0.0.1", "/v1/licenses/validate")
          .putHeader("X-Forwarded-For", "198.51.100.8").putHeader("Authorization", "Bearer " + Secrets.apiKey("test"))
          .sendJsonObject(new JsonObject().put("key", Secrets.licenseKey())));
      statuses.add(r.statusCode());
    }
    assertEquals(List.of(401, 401, 401, 401, 401, 429, 429, 429), statuses);
  }
}
