package dev.licensegateway.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.licensegateway.Gateway;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.testing.ClusterPorts;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.RedisProbe;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisShardedCluster;

/**
 * The native gate and core on a real Redis Cluster of three masters: every script touches
 * keys of one hash slot, so replay protection, shared buckets and the cap hold as on one Redis.
 */
class RedisClusterTest {

  private static RedisShardedCluster cluster;
  private static List<String> nodes;
  private static List<Gateway> gateways;
  private static Vertx vertx;

  /** Attempts at starting the cluster, each on newly chosen ports, should one be taken in the meantime. */
  private static final int CLUSTER_STARTS = 3;

  @BeforeAll
  static void start() throws Exception {
    List<Integer> ports = startCluster();
    nodes = ports.stream().map(p -> "redis://127.0.0.1:" + p).toList();
    String uri = String.join(",", nodes);
    gateways = new ArrayList<>();
    // The license bucket holds 10 and refills one token in 100 s: no burst here can see a refill,
    // however slowly a busy machine runs it.
    for (int i = 0; i < 3; i++) {
      gateways.add(TestGateway.start(c -> c.withRedisUri(uri).withRateLimits(new GatewayConfig.RateLimits(true,
          new RateLimit.Limit(10, 0.01), TestGateway.UNLIMITED, TestGateway.UNLIMITED, TestGateway.UNLIMITED))));
    }
    vertx = Vertx.vertx();
    // Each instance learns the cluster's slots and opens its node connections first: the
    // tests are about what the cluster decides, not about a cold client's first second.
    Fixtures.License warmup = Fixtures.license();
    for (NativeClient client : clients()) {
      for (int i = 0; i < 3; i++) {
        client.call("status", new JsonObject().put("license_key", warmup.key())).await(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Three masters on ports whose cluster bus ports (port + 10000) are free as well, which a
   * port picked alone does not ensure; on a failed start (a port taken after all), new ports.
   */
  private static List<Integer> startCluster() throws Exception {
    Exception last = null;
    for (int attempt = 1; attempt <= CLUSTER_STARTS; attempt++) {
      List<Integer> ports;
      try (ClusterPorts reserved = ClusterPorts.reserve(3)) {
        ports = reserved.ports();
      }
      RedisShardedCluster candidate = RedisShardedCluster.newRedisCluster()
          .serverPorts(ports)
          .shard("a", 0).shard("b", 0).shard("c", 0)
          .initializationTimeout(Duration.ofSeconds(20))
          .build();
      try {
        candidate.start();
        cluster = candidate;
        return ports;
      } catch (Exception e) {
        last = e;
        try {
          candidate.stop();
        } catch (Exception ignored) {
          // what did start is stopped; what did not has nothing to stop
        }
      }
    }
    throw new IllegalStateException("the Redis Cluster did not start in " + CLUSTER_STARTS + " attempts", last);
  }

  @AfterAll
  static void stop() throws Exception {
    TestGateway.stopAll(gateways);
    vertx.close();
    cluster.stop();
  }

  private static List<NativeClient> clients() {
    return gateways.stream().map(g -> new NativeClient(vertx, g.port())).toList();
  }

  @Test
  void aReplayedRequestSucceedsOnceAcrossInstances() throws Exception {
    Fixtures.License license = Fixtures.license();
    List<NativeClient> clients = clients();
    byte[] body = new JsonObject().put("license_key", license.key()).encode().getBytes(StandardCharsets.UTF_8);
    MultiMap headers = clients.get(0).signedHeaders("/api/v1/license/status", body);
    List<Future<HttpResponse<Buffer>>> copies = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      copies.add(clients.get(i % 3).send("/api/v1/license/status", body, headers));
    }
    Future.join(copies).await(60, TimeUnit.SECONDS);
    assertEquals(Map.of("200", 1, "1700", 299), RedisGateTest.tally(copies));
  }

  @Test
  void aSharedBucketAdmitsExactlyItsCapacity() throws Exception {
    Fixtures.License license = Fixtures.license();
    List<NativeClient> clients = clients();
    List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      burst.add(clients.get(i % 3).call("status", new JsonObject().put("license_key", license.key())));
    }
    Future.join(burst).await(60, TimeUnit.SECONDS);
    assertEquals(Map.of("200", 10, "1706", 20), RedisGateTest.tally(burst));
  }

  /** As on one Redis ({@link GateStateTest}): a refusal by one bucket takes nothing from another, nor the nonce. */
  @Test
  void aRefusalByTheIpBucketTakesNoLicenseTokenAndSpendsNoNonce() throws Exception {
    try (RedisProbe redis = RedisProbe.cluster(nodes)) {
      GateStateTest.assertRefusalTakesNothing(c -> c.withRedisUri(String.join(",", nodes)), redis);
    }
  }

  @Test
  void theActivationCapHolds() throws Exception {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(3));
    List<NativeClient> clients = clients();
    // The license bucket holds 10: race 10 distinct machines for 3 slots.
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(clients.get(i % 3).call("activate", new JsonObject().put("license_key", license.key())
          .put("machine_id", Fixtures.randomMachineId())));
    }
    Future.join(calls).await(60, TimeUnit.SECONDS);
    assertEquals(Map.of("200", 3, "1705", 7), RedisGateTest.tally(calls));
    assertEquals(3, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id()));
  }
}
