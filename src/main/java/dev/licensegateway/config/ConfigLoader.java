package dev.licensegateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.licensegateway.gate.RateLimit;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads {@code conf/gateway.yaml} (from {@code LGW_CONFIG}, the working directory, or the
 * copy packed into the jar) and lets the environment override each value.
 */
public final class ConfigLoader {

  private static final String PACKED_DEFAULTS = "/conf/gateway.yaml";

  private ConfigLoader() {}

  public static GatewayConfig load(Map<String, String> env) {
    JsonNode yaml = readYaml(env);
    Function<String, String> envValue = name -> {
      String v = env.get(name);
      return v == null || v.isBlank() ? null : v.trim();
    };
    Settings s = new Settings(yaml, envValue);
    return new GatewayConfig(
        new GatewayConfig.Http(
            "0.0.0.0",
            s.integer("http.port", "LGW_HTTP_PORT"),
            s.integer("http.bodyLimitBytes", null),
            s.integer("http.instances", "LGW_HTTP_INSTANCES"),
            s.positive("http.idleTimeoutSeconds", "LGW_HTTP_IDLE_TIMEOUT_S"),
            s.positive("http.headerTimeoutSeconds", "LGW_HTTP_HEADER_TIMEOUT_S"),
            s.positive("http.maxConnections", "LGW_HTTP_MAX_CONNECTIONS")),
        new GatewayConfig.Postgres(
            s.string("postgres.uri", "LGW_PG_URI"),
            s.integer("postgres.poolSize", "LGW_PG_POOL_SIZE"),
            s.integer("postgres.pipeliningLimit", null),
            s.integer("postgres.timeoutMs", "LGW_PG_TIMEOUT_MS")),
        new GatewayConfig.Redis(
            s.string("redis.uri", "LGW_REDIS_URI"),
            s.integer("redis.poolSize", "LGW_REDIS_POOL_SIZE"),
            s.integer("redis.timeoutMs", "LGW_REDIS_TIMEOUT_MS")),
        new GatewayConfig.Signing(
            s.string("signing.alg", "LGW_SIGNING_ALG"),
            s.string("signing.keysDir", "LGW_SIGNING_KEYS_DIR")),
        // Secrets only from the environment: never read from YAML.
        new GatewayConfig.NativeApi(
            envValue.apply("LICENSE_API_SECRET"),
            s.integer("nativeApi.timestampSkewSeconds", null),
            s.integer("nativeApi.nonceTtlSeconds", null)),
        csv(s.string("network.trustedProxies", "LGW_TRUSTED_PROXIES")),
        new GatewayConfig.RateLimits(
            Boolean.parseBoolean(s.string("rateLimits.failOpen", "LGW_RATE_LIMIT_FAIL_OPEN")),
            s.limit("licenseKey", "LGW_RL_LICENSE"),
            s.limit("clientIp", "LGW_RL_IP"),
            s.limit("apiKey", "LGW_RL_API_KEY"),
            s.limit("productKey", "LGW_RL_PRODUCT_KEY")),
        new GatewayConfig.Shutdown(
            s.integer("shutdown.drainDelayMs", "LGW_DRAIN_DELAY_MS"),
            s.integer("shutdown.graceMs", "LGW_SHUTDOWN_GRACE_MS")),
        new GatewayConfig.Cache(
            s.integer("cache.maxLicenses", "LGW_CACHE_MAX_LICENSES"),
            s.integer("cache.ttlSeconds", "LGW_CACHE_TTL_S")),
        new GatewayConfig.Startup(s.positive("startup.timeoutSeconds", "LGW_STARTUP_TIMEOUT_S")),
        new GatewayConfig.Webhooks(
            Boolean.parseBoolean(s.string("webhooks.allowPrivate", "LGW_WEBHOOK_ALLOW_PRIVATE")),
            s.positiveLong("webhooks.retryBaseMs", "LGW_WEBHOOK_RETRY_BASE_MS"),
            s.positiveLong("webhooks.retryCapMs", "LGW_WEBHOOK_RETRY_CAP_MS"),
            s.positiveLong("webhooks.retryWindowMs", "LGW_WEBHOOK_RETRY_WINDOW_MS"),
            s.positiveLong("webhooks.timeoutMs", "LGW_WEBHOOK_TIMEOUT_MS"),
            s.positiveLong("webhooks.leaseMs", "LGW_WEBHOOK_LEASE_MS"),
            s.positiveLong("webhooks.pollMs", "LGW_WEBHOOK_POLL_MS"),
            s.positive("webhooks.batch", "LGW_WEBHOOK_BATCH"),
            s.positiveLong("webhooks.sweepMs", "LGW_WEBHOOK_SWEEP_MS"),
            s.integer("webhooks.creditsLow", "LGW_WEBHOOK_CREDITS_LOW"),
            // A secret: only from the environment.
            envValue.apply("LGW_WEBHOOK_SEAL_KEY")));
  }

  private static List<String> csv(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
  }

  private static JsonNode readYaml(Map<String, String> env) {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try {
      String explicit = env.get("LGW_CONFIG");
      Path local = Path.of(explicit != null ? explicit : "conf/gateway.yaml");
      if (Files.isRegularFile(local)) {
        return yaml.readTree(local.toFile());
      }
      if (explicit != null) {
        throw new IllegalStateException("LGW_CONFIG names " + explicit + ", which is not a readable file");
      }
      try (InputStream in = ConfigLoader.class.getResourceAsStream(PACKED_DEFAULTS)) {
        if (in == null) {
          throw new IllegalStateException("no conf/gateway.yaml in the working directory or the jar");
        }
        return yaml.readTree(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the configuration: " + e.getMessage(), e);
    }
  }

  /** One setting: the environment variable when set, else the YAML value at a dotted path. */
  private record Settings(JsonNode yaml, Function<String, String> env) {
    String string(String path, String envName) {
      String fromEnv = envName == null ? null : env.apply(envName);
      if (fromEnv != null) {
        return fromEnv;
      }
      JsonNode node = yaml;
      for (String part : path.split("\\.")) {
        node = node == null ? null : node.get(part);
      }
      if (node == null || node.isNull()) {
        throw new IllegalStateException("configuration lacks " + path);
      }
      return node.asText();
    }

    /** A bucket: {@code rateLimits.<name>.capacity} and {@code .refillPerSecond}, env {@code <prefix>_CAPACITY}/{@code _REFILL}. */
    RateLimit.Limit limit(String name, String envPrefix) {
      int capacity = integer("rateLimits." + name + ".capacity", envPrefix + "_CAPACITY");
      String refill = string("rateLimits." + name + ".refillPerSecond", envPrefix + "_REFILL");
      try {
        double perSecond = Double.parseDouble(refill);
        if (capacity < 1 || !(perSecond > 0)) {
          throw new IllegalStateException("rate limit " + name + " needs capacity >= 1 and refill > 0");
        }
        return new RateLimit.Limit(capacity, perSecond);
      } catch (NumberFormatException e) {
        throw new IllegalStateException("rate limit " + name + " refill is not a number: " + refill);
      }
    }

    /** An integer that must be at least 1 (a timeout or a cap of 0 would turn the guard into an outage). */
    int positive(String path, String envName) {
      int value = integer(path, envName);
      if (value < 1) {
        throw new IllegalStateException("configuration value " + (envName != null ? envName + "/" : "") + path
            + " must be at least 1: " + value);
      }
      return value;
    }

    long positiveLong(String path, String envName) {
      String v = string(path, envName);
      try {
        long value = Long.parseLong(v.trim());
        if (value < 1) {
          throw new IllegalStateException("configuration value " + (envName != null ? envName + "/" : "") + path
              + " must be at least 1: " + value);
        }
        return value;
      } catch (NumberFormatException e) {
        throw new IllegalStateException(
            "configuration value " + (envName != null ? envName + "/" : "") + path + " is not an integer: " + v);
      }
    }

    int integer(String path, String envName) {
      String v = string(path, envName);
      try {
        return Integer.parseInt(v.trim());
      } catch (NumberFormatException e) {
        throw new IllegalStateException(
            "configuration value " + (envName != null ? envName + "/" : "") + path + " is not an integer: " + v);
      }
    }
  }
}
