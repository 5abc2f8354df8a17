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
    Cache cache,
    Startup startup,
    Webhooks webhooks) {

  /**
   * The listener. {@code idleTimeoutSeconds}: a connection with no traffic that long is closed.
   * {@code headerTimeoutSeconds}: a connection must complete a request head that long after it
   * opens (the next one, on a kept-alive connection, within the idle timeout plus this), however
   * slowly it keeps sending. {@code maxConnections}: open connections per gateway; past it, new
   * ones are closed at once.
   */
  /** {@code host}: the address the listener binds, all interfaces in production, loopback in dev mode. */
  public record Http(String host, int port, int bodyLimitBytes, int instances, int idleTimeoutSeconds,
      int headerTimeoutSeconds, int maxConnections) {}

  /** How long {@code run} waits for Postgres, Redis and migrations held by another instance before giving up. */
  public record Startup(int timeoutSeconds) {}

  public record Postgres(String uri, int poolSize, int pipeliningLimit, long timeoutMs) {
    public boolean configured() {
      return uri != null && !uri.isBlank();
    }
  }

  public record Redis(String uri, int poolSize, long timeoutMs) {
    public boolean configured() {
      return uri != null && !uri.isBlank();
    }

    /** docs/operations.md: a comma-separated list of nodes means Redis Cluster. */
    public List<String> nodes() {
      return Arrays.stream(uri.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList();
    }

    public boolean cluster() {
      return nodes().size() > 1;
    }
  }

  public record Signing(String alg, String keysDir) {}

  /**
   * Outbound webhooks. {@code allowPrivate}: URLs may be http and reach private, loopback and
   * link-local addresses (development and tests). Retries back off from {@code retryBaseMs},
   * doubling up to {@code retryCapMs}, with jitter, until {@code retryWindowMs} after the first
   * attempt; an endpoint failing that long is disabled. {@code timeoutMs} bounds one attempt,
   * {@code leaseMs} how long an instance holds a claimed delivery (past it, another instance may
   * take it). Every {@code pollMs} an instance claims up to {@code batch} due deliveries; every
   * {@code sweepMs} one instance looks for expired licenses and released machines.
   * {@code creditsLow}: {@code account.credits_low} fires when a balance falls below it.
   * {@code sealKey}: seals the signing secrets at rest (LGW_WEBHOOK_SEAL_KEY, from the
   * environment only); when null the native secret does.
   */
  public record Webhooks(boolean allowPrivate, long retryBaseMs, long retryCapMs, long retryWindowMs, long timeoutMs,
      long leaseMs, long pollMs, int batch, long sweepMs, long creditsLow, String sealKey) {

    public Webhooks withAllowPrivate(boolean allow) {
      return new Webhooks(allow, retryBaseMs, retryCapMs, retryWindowMs, timeoutMs, leaseMs, pollMs, batch, sweepMs,
          creditsLow, sealKey);
    }

    /** The retry schedule: first delay, cap, and how long retries go on. */
    public Webhooks withRetries(long baseMs, long capMs, long windowMs) {
      return new Webhooks(allowPrivate, baseMs, capMs, windowMs, timeoutMs, leaseMs, pollMs, batch, sweepMs,
          creditsLow, sealKey);
    }

    public Webhooks withTiming(long timeoutMs, long leaseMs, long pollMs, long sweepMs) {
      return new Webhooks(allowPrivate, retryBaseMs, retryCapMs, retryWindowMs, timeoutMs, leaseMs, pollMs, batch,
          sweepMs, creditsLow, sealKey);
    }

    public Webhooks withCreditsLow(long threshold) {
      return new Webhooks(allowPrivate, retryBaseMs, retryCapMs, retryWindowMs, timeoutMs, leaseMs, pollMs, batch,
          sweepMs, threshold, sealKey);
    }

    public Webhooks withSealKey(String key) {
      return new Webhooks(allowPrivate, retryBaseMs, retryCapMs, retryWindowMs, timeoutMs, leaseMs, pollMs, batch,
          sweepMs, creditsLow, key);
    }
  }

    /** {@code secret} is null when {@code LICENSE_API_SECRET} is unset (docs/native-protocol.md step 2: 1707). */
  public record NativeApi(String secret, long timestampSkewSeconds, long nonceTtlSeconds) {}

  public record Shutdown(long drainDelayMs, long graceMs) {}

  /**
   * The in-process read model of licenses: at most {@code maxLicenses} (0 turns it off),
   * each dropped after {@code ttlSeconds} even when no change was announced.
   */
  public record Cache(int maxLicenses, int ttlSeconds) {}

  /** docs/rate-limits.md token buckets; {@code failOpen}: let requests through when Redis cannot be asked. */
  public record RateLimits(boolean failOpen, RateLimit.Limit licenseKey, RateLimit.Limit clientIp,
      RateLimit.Limit apiKey, RateLimit.Limit productKey) {}

  public GatewayConfig withRateLimits(RateLimits limits) {
    return new GatewayConfig(http, postgres, redis, signing, nativeApi, trustedProxies, limits, shutdown, cache, startup, webhooks);
  }

  public GatewayConfig withTrustedProxies(List<String> cidrs) {
    return new GatewayConfig(http, postgres, redis, signing, nativeApi, cidrs, rateLimits, shutdown, cache, startup, webhooks);
  }

  public GatewayConfig withShutdown(long drainDelayMs, long graceMs) {
    return new GatewayConfig(http, postgres, redis, signing, nativeApi, trustedProxies, rateLimits,
        new Shutdown(drainDelayMs, graceMs), cache, startup, webhooks);
  }

  public GatewayConfig withPostgresUri(String uri) {
    return new GatewayConfig(http, new Postgres(uri, postgres.poolSize, postgres.pipeliningLimit, postgres.timeoutMs),
        redis, signing, nativeApi, trustedProxies, rateLimits, shutdown, cache, startup, webhooks);
  }

  public GatewayConfig withRedisUri(String uri) {
    return new GatewayConfig(http, postgres, new Redis(uri, redis.poolSize, redis.timeoutMs),
        signing, nativeApi, trustedProxies, rateLimits, shutdown, cache, startup, webhooks);
  }

  public GatewayConfig withTimeouts(long postgresMs, long redisMs) {
    return new GatewayConfig(http, new Postgres(postgres.uri, postgres.poolSize, postgres.pipeliningLimit, postgresMs),
        new Redis(redis.uri, redis.poolSize, redisMs), signing, nativeApi, trustedProxies, rateLimits, shutdown, cache,
        startup, webhooks);
  }

  public GatewayConfig withHttpPort(int port) {
    return withHttp(new Http(http.host, port, http.bodyLimitBytes, http.instances, http.idleTimeoutSeconds,
        http.headerTimeoutSeconds, http.maxConnections));
  }

  /** The connection limits of the listener (its port and the rest unchanged). */
  public GatewayConfig withConnectionLimits(int idleTimeoutSeconds, int headerTimeoutSeconds, int maxConnections) {
    return withHttp(new Http(http.host, http.port, http.bodyLimitBytes, http.instances, idleTimeoutSeconds,
        headerTimeoutSeconds, maxConnections));
  }

  public GatewayConfig withHttp(Http http) {
    return new GatewayConfig(http, postgres, redis, signing, nativeApi, trustedProxies, rateLimits, shutdown, cache,
        startup, webhooks);
  }

  public GatewayConfig withSigning(String alg, String keysDir) {
    return new GatewayConfig(http, postgres, redis, new Signing(alg, keysDir), nativeApi, trustedProxies, rateLimits,
        shutdown, cache, startup, webhooks);
  }

  public GatewayConfig withSecret(String secret) {
    return new GatewayConfig(http, postgres, redis, signing,
        new NativeApi(secret, nativeApi.timestampSkewSeconds, nativeApi.nonceTtlSeconds), trustedProxies, rateLimits,
        shutdown, cache, startup, webhooks);
  }

  public GatewayConfig withCache(int maxLicenses, int ttlSeconds) {
    return new GatewayConfig(http, postgres, redis, signing, nativeApi, trustedProxies, rateLimits, shutdown,
        new Cache(maxLicenses, ttlSeconds), startup, webhooks);
  }

  public GatewayConfig withStartupTimeout(int seconds) {
    return new GatewayConfig(http, postgres, redis, signing, nativeApi, trustedProxies, rateLimits, shutdown, cache,
        new Startup(seconds), webhooks);
  }

  /** Binds only this address (dev mode: loopback, since it prints an all-scope key). */
  public GatewayConfig withHttpHost(String host) {
    return withHttp(new Http(host, http.port, http.bodyLimitBytes, http.instances, http.idleTimeoutSeconds,
        http.headerTimeoutSeconds, http.maxConnections));
  }

  public GatewayConfig withWebhooks(Webhooks webhooks) {
    return new GatewayConfig(http, postgres, redis, signing, nativeApi, trustedProxies, rateLimits, shutdown, cache,
        startup, webhooks);
  }
}
