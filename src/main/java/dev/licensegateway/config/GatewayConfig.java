package dev.licensegateway.config;

import dev.licensegateway.gate.RateLimit;
import java.util.Arrays;
import java.util.List;

/**
 * Every setting of the gateway, built once in {@code Main} from {@code conf/gateway.yaml}
 * plus environment overrides ({@link ConfigLoader}) and passed into constructors.
 */
public record GatewayConfig(
    Http http,
    Postgres postgres,
    Redis redis,
    Signing signing,
    NativeApi nativeApi,
    List<String> trustedProxies,
    RateLimits rateLimits,
    Shutdown shutdown,
    Cache cache) {

  public record Http(int port, int bodyLimitBytes, int instances) {}

  public record Postgres(String uri, int poolSize, int pipeliningLimit, long timeoutMs) {
    public boolean configured() {
      return uri != null && !uri.isBlank();
    }
  }

  public record Redis(String uri, int poolSize, long timeoutMs) {
    public boolean configured() {
      return uri != null && !uri.isBlank();
    }

    /** SPEC 7: a comma-separated list of nodes means Redis Cluster. */
    public List<String> nodes() {
      return Arrays.stream(uri.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList();
    }

    public boolean cluster() {
      return nodes().size() > 1;
    }
  }

  public record Signing(String alg, String keysDir) {}

  /** {@code secret} is null when {@code LICENSE_API_SECRET} is unset (SPEC 2.1 step 2: 1707). */
  public record NativeApi(String secret, long timestampSkewSeconds, long nonceTtlSeconds) {}

  public record Shutdown(long drainDelayMs, long graceMs) {}

  /**
   * The in-process read model of licenses: at most {@code maxLicenses} (0 turns it off),
   * each dropped after {@code ttlSeconds} even when no change was announced.
   */
  public record Cache(int maxLicenses, int ttlSeconds) {}

  /** SPEC 3 token buckets; {@code failOpen}: let requests through when Redis cannot be asked. */
  public record RateLimits(boolean failOpen, RateLimit.Limit licenseKey, RateLimit.Limit clientIp,
      RateLimit.Limit apiKey, RateLimit.Limit productKey) {}

  public GatewayConfig withRateLimits(RateLimits limits) {
    return new GatewayConfig(http, postgres, redis, signing, nativeApi, trustedProxies, limits, shutdown, cache);
  }

  public GatewayConfig withTrustedProxies(List<String> cidrs) {
    return new GatewayConfig(http, postgres, redis, signing, nativeApi, cidrs, rateLimits, shutdown, cache);
  }

  public GatewayConfig withShutdown(long drainDelayMs, long graceMs) {
    return new GatewayConfig(http, postgres, redis, signing, nativeApi, trustedProxies, rateLimits,
        new Shutdown(drainDelayMs, graceMs), cache);
  }

  public GatewayConfig withPostgresUri(String uri) {
    return new GatewayConfig(http, new Postgres(uri, postgres.poolSize, postgres.pipeliningLimit, postgres.timeoutMs),
        redis, signing, nativeApi, trustedProxies, rateLimits, shutdown, cache);
  }

  public GatewayConfig withRedisUri(String uri) {
    return new GatewayConfig(http, postgres, new Redis(uri, redis.poolSize, redis.timeoutMs),
        signing, nativeApi, trustedProxies, rateLimits, shutdown, cache);
  }

  public GatewayConfig withTimeouts(long postgresMs, long redisMs) {
    return new GatewayConfig(http, new Postgres(postgres.uri, postgres.poolSize, postgres.pipeliningLimit, postgresMs),
        new Redis(redis.uri, redis.poolSize, redisMs), signing, nativeApi, trustedProxies, rateLimits, shutdown, cache);
  }

  public GatewayConfig withHttpPort(int port) {
    return new GatewayConfig(new Http(port, http.bodyLimitBytes, http.instances), postgres, redis,
        signing, nativeApi, trustedProxies, rateLimits, shutdown, cache);
  }

  public GatewayConfig withSigning(String alg, String keysDir) {
    return new GatewayConfig(http, postgres, redis, new Signing(alg, keysDir), nativeApi, trustedProxies, rateLimits, shutdown, cache);
  }

  public GatewayConfig withSecret(String secret) {
    return new GatewayConfig(http, postgres, redis, signing,
        new NativeApi(secret, nativeApi.timestampSkewSeconds, nativeApi.nonceTtlSeconds), trustedProxies, rateLimits, shutdown, cache);
  }

  public GatewayConfig withCache(int maxLicenses, int ttlSeconds) {
    return new GatewayConfig(http, postgres, redis, signing, nativeApi, trustedProxies, rateLimits, shutdown,
        new Cache(maxLicenses, ttlSeconds));
  }
}
