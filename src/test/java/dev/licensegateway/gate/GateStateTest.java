package dev.licensegateway.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.infra.IpAddresses;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.NativeWire;
import dev.licensegateway.testing.RedisProbe;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * What the gate leaves in Redis, read there with plain commands: a nonce is kept at least as
 * long as docs/native-protocol.md says, and a refused request takes nothing — no token from any bucket, no
 * nonce. The refusal check is shared with {@link RedisClusterTest}, so one Redis and a Redis
 * Cluster are held to the same behaviour.
 */
class GateStateTest {

  /** docs/native-protocol.md: nonces are remembered for 600 s by default. Written here, not read from the config code. */
  private static final long DEFAULT_NONCE_TTL_SECONDS = 600;

  @Test
  void aNonceIsKeptForTheDefaultLifetimeAfterOneRequest() throws Exception {
    Gateway gateway = TestGateway.start();
    Vertx vertx = Vertx.vertx();
    try (RedisProbe redis = RedisProbe.single()) {
      NativeClient client = new NativeClient(vertx, gateway.port());
      Fixtures.License license = Fixtures.license();
      byte[] body = new JsonObject().put("license_key", license.key()).encode().getBytes(StandardCharsets.UTF_8);
      MultiMap headers = client.signedHeaders("/api/v1/license/status", body);
      String nonce = headers.get(RequestSignature.NONCE_HEADER);
      assertEquals(200, client.send("/api/v1/license/status", body, headers).await(30, TimeUnit.SECONDS).statusCode());
      long ttl = redis.ttlSeconds("lgw:{nonce:" + nonce + "}");
      // Read within seconds of the request, however slow the machine: a minute of slack at most.
      assertTrue(ttl > DEFAULT_NONCE_TTL_SECONDS - 60 && ttl <= DEFAULT_NONCE_TTL_SECONDS,
          "the nonce key lives " + ttl + " s more, want about " + DEFAULT_NONCE_TTL_SECONDS);
    } finally {
      vertx.close();
      TestGateway.stop(gateway);
    }
  }

  @Test
  void aRefusalByTheIpBucketTakesNoLicenseTokenAndSpendsNoNonce() throws Exception {
    try (RedisProbe redis = RedisProbe.single()) {
      assertRefusalTakesNothing(c -> c, redis);
    }
  }

  /**
   * A gateway (on the Redis {@code redisConfig} names) whose IP bucket holds 2 and license
   * bucket 100, neither refilling within the test (0.01 token/s). Two requests pass; the third,
   * refused by the IP bucket, must leave the license bucket as it was and its nonce unspent.
   */
  static void assertRefusalTakesNothing(UnaryOperator<GatewayConfig> redisConfig, RedisProbe redis) throws Exception {
    RateLimit.Limit small = new RateLimit.Limit(2, 0.01);
    RateLimit.Limit large = new RateLimit.Limit(100, 0.01);
    Gateway gateway = TestGateway.start(c -> redisConfig.apply(c)
        .withTrustedProxies(List.of("127.0.0.1/32"))
        .withRateLimits(new GatewayConfig.RateLimits(true, large, small, TestGateway.UNLIMITED, TestGateway.UNLIMITED)));
    Vertx vertx = Vertx.vertx();
    // A client IP of this run alone (in the documentation range), so that no other test meets
    // its nearly empty bucket; the bucket is deleted at the end all the same.
    String ip = "2001:db8:f15:" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffL) + "::"
        + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffL);
    String ipKey = RateLimit.Bucket.clientIp(IpAddresses.normalize(ip), small).key();
    try {
      NativeClient client = new NativeClient(vertx, gateway.port());
      Fixtures.License license = Fixtures.license();
      String licenseKey = "lgw:{rl:license:" + license.key() + "}";
      byte[] body = new JsonObject().put("license_key", license.key()).encode().getBytes(StandardCharsets.UTF_8);

      for (int i = 0; i < 2; i++) {
        assertEquals(200, status(client, body, ip).statusCode());
      }
      String licenseBucket = redis.get(licenseKey);
      assertNotNull(licenseBucket, "the license bucket was taken from");
      assertNotNull(redis.get(ipKey), "the IP bucket was taken from");

      MultiMap headers = client.signedHeaders("/api/v1/license/status", body).add("X-Forwarded-For", ip);
      String nonce = headers.get(RequestSignature.NONCE_HEADER);
      HttpResponse<Buffer> refused = client.send("/api/v1/license/status", body, headers).await(30, TimeUnit.SECONDS);
      NativeWire.assertError(refused, 1706);
      assertEquals(licenseBucket, redis.get(licenseKey), "a refused request took a token from the license bucket");
      assertFalse(redis.exists("lgw:{nonce:" + nonce + "}"), "a refused request spent its nonce");
    } finally {
      redis.delete(ipKey);
      vertx.close();
      TestGateway.stop(gateway);
    }
  }

  private static HttpResponse<Buffer> status(NativeClient client, byte[] body, String ip) throws Exception {
    MultiMap headers = client.signedHeaders("/api/v1/license/status", body).add("X-Forwarded-For", ip);
    return client.send("/api/v1/license/status", body, headers).await(30, TimeUnit.SECONDS);
  }
}
