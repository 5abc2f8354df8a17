package dev.licensegateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.gate.RateLimit;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped defaults (the buckets of docs/rate-limits.md, the skew and nonce lifetime of
 * docs/native-protocol.md) and how the environment overrides them. The expected numbers are written here, from the contract, not
 * read from the YAML under test. Test gateways lift every limit, so only this test sees them.
 */
class ConfigLoaderTest {

  private static void assertShippedDefaults(GatewayConfig config) {
    GatewayConfig.RateLimits limits = config.rateLimits();
    assertEquals(new RateLimit.Limit(60, 1), limits.licenseKey(), "per license key");
    assertEquals(new RateLimit.Limit(600, 20), limits.clientIp(), "per client IP");
    assertEquals(new RateLimit.Limit(100, 50), limits.apiKey(), "per API key");
    assertEquals(new RateLimit.Limit(100, 50), limits.productKey(), "per product key");
    assertTrue(limits.failOpen(), "rate limiting fails open when Redis is down");
    assertEquals(300, config.nativeApi().timestampSkewSeconds());
    assertEquals(600, config.nativeApi().nonceTtlSeconds());
    assertEquals(null, config.nativeApi().secret(), "no secret unless LICENSE_API_SECRET is set");
    assertEquals(List.of(), config.trustedProxies());
  }

  @Test
  void anEmptyEnvironmentGivesTheContractDefaults() {
    assertShippedDefaults(ConfigLoader.load(Map.of()));
  }

  @Test
  void theCopyPackedIntoTheJarHoldsTheSameDefaults(@TempDir Path dir) throws Exception {
    Path packed = dir.resolve("packed.yaml");
    try (InputStream in = ConfigLoader.class.getResourceAsStream("/conf/gateway.yaml")) {
      Files.copy(in, packed);
    }
    assertShippedDefaults(ConfigLoader.load(Map.of("LGW_CONFIG", packed.toString())));
  }

  @Test
  void theEnvironmentOverridesTheYamlAndBlankValuesAreIgnored(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("gateway.yaml");
    String shipped = Files.readString(Path.of("conf/gateway.yaml"));
    Files.writeString(yaml, shipped
        .replace("capacity: 600 ", "capacity: 11  ")
        .replace("port: 8080 ", "port: 8181 ")
        .replace("timestampSkewSeconds: 300", "timestampSkewSeconds: 120"));

    GatewayConfig fromYaml = ConfigLoader.load(Map.of("LGW_CONFIG", yaml.toString()));
    assertEquals(11, fromYaml.rateLimits().clientIp().capacity(), "the YAML's value");
    assertEquals(8181, fromYaml.http().port());
    assertEquals(120, fromYaml.nativeApi().timestampSkewSeconds());

    GatewayConfig overridden = ConfigLoader.load(Map.of("LGW_CONFIG", yaml.toString(),
        "LGW_RL_IP_CAPACITY", "7", "LGW_RL_IP_REFILL", "0.5", "LGW_HTTP_PORT", " 9999 ",
        "LGW_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.0.0/16", "LICENSE_API_SECRET", "s3cret"));
    assertEquals(new RateLimit.Limit(7, 0.5), overridden.rateLimits().clientIp(), "the environment wins");
    assertEquals(9999, overridden.http().port());
    assertEquals(List.of("10.0.0.0/8", "192.168.0.0/16"), overridden.trustedProxies());
    assertEquals("s3cret", overridden.nativeApi().secret());
    assertEquals(new RateLimit.Limit(60, 1), overridden.rateLimits().licenseKey(), "untouched values stay");

    GatewayConfig blanks = ConfigLoader.load(Map.of("LGW_CONFIG", yaml.toString(),
        "LGW_RL_IP_CAPACITY", "", "LGW_HTTP_PORT", "   ", "LICENSE_API_SECRET", " "));
    assertEquals(11, blanks.rateLimits().clientIp().capacity(), "a blank variable is as if unset");
    assertEquals(8181, blanks.http().port());
    assertEquals(null, blanks.nativeApi().secret());
  }

  @Test
  void aBadNumberIsAClearError() {
    IllegalStateException notInteger = assertThrows(IllegalStateException.class,
        () -> ConfigLoader.load(Map.of("LGW_RL_IP_CAPACITY", "6OO")));
    assertTrue(notInteger.getMessage().contains("LGW_RL_IP_CAPACITY") && notInteger.getMessage().contains("6OO"),
        notInteger.getMessage());
    IllegalStateException badRefill = assertThrows(IllegalStateException.class,
        () -> ConfigLoader.load(Map.of("LGW_RL_LICENSE_REFILL", "fast")));
    assertTrue(badRefill.getMessage().contains("licenseKey") && badRefill.getMessage().contains("fast"),
        badRefill.getMessage());
    IllegalStateException zero = assertThrows(IllegalStateException.class,
        () -> ConfigLoader.load(Map.of("LGW_RL_API_KEY_REFILL", "0")));
    assertTrue(zero.getMessage().contains("apiKey"), zero.getMessage());
    IllegalStateException port = assertThrows(IllegalStateException.class,
        () -> ConfigLoader.load(Map.of("LGW_HTTP_PORT", "80a")));
    assertTrue(port.getMessage().contains("LGW_HTTP_PORT"), port.getMessage());
  }

  @Test
  void aMissingConfigFileIsAClearError(@TempDir Path dir) {
    String missing = dir.resolve("nowhere.yaml").toString();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ConfigLoader.load(Map.of("LGW_CONFIG", missing)));
    assertTrue(e.getMessage().contains("LGW_CONFIG") && e.getMessage().contains(missing), e.getMessage());
  }
}
