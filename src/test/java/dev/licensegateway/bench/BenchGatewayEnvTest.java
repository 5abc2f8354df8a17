package dev.licensegateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.config.ConfigLoader;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.gate.RateLimit;
import java.lang.reflect.RecordComponent;
import org.junit.jupiter.api.Test;

/**
 * `bench http` measures answers, not 429s: the gateway it starts gets every rate-limit bucket
 * the configuration knows raised out of reach, a bucket added later included.
 */
class BenchGatewayEnvTest {

  @Test
  void everyBucketOfTheConfigurationIsRaisedOutOfReach() throws Exception {
    GatewayConfig.RateLimits defaults = ConfigLoader.load(java.util.Map.of()).rateLimits();
    GatewayConfig.RateLimits bench = ConfigLoader.load(HttpBench.unlimitedBuckets()).rateLimits();
    int buckets = 0;
    for (RecordComponent c : GatewayConfig.RateLimits.class.getRecordComponents()) {
      if (c.getType() != RateLimit.Limit.class) {
        continue;
      }
      buckets++;
      RateLimit.Limit limit = (RateLimit.Limit) c.getAccessor().invoke(bench);
      RateLimit.Limit usual = (RateLimit.Limit) c.getAccessor().invoke(defaults);
      assertTrue(limit.capacity() >= 1_000_000_000, c.getName() + " keeps its capacity " + limit);
      assertTrue(limit.refillPerSecond() >= 1_000_000_000, c.getName() + " keeps its refill " + limit);
      assertTrue(usual.capacity() < 1_000_000, c.getName() + ": the defaults would throttle a benchmark " + usual);
    }
    assertEquals(4, buckets, "the buckets of GatewayConfig.RateLimits");
  }
}
