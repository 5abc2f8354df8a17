package dev.licensegateway.sdk;

import static dev.licensegateway.sdk.TamperingProxy.Action.DROP;
import static dev.licensegateway.sdk.TamperingProxy.Action.FLIP_DATA_BYTE;
import static dev.licensegateway.sdk.TamperingProxy.Action.RATE_LIMITED_429;
import static dev.licensegateway.sdk.TamperingProxy.Action.REPLAY_LAST;
import static dev.licensegateway.sdk.TamperingProxy.Action.SWAP_SIGNATURE;
import static dev.licensegateway.sdk.TamperingProxy.Action.UNAVAILABLE_503;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.client.GatewayUnavailableException;
import dev.licensegateway.client.LicenseClient;
import dev.licensegateway.client.LicenseInactiveException;
import dev.licensegateway.client.LicenseResult;
import dev.licensegateway.client.NonceMismatchException;
import dev.licensegateway.client.RateLimitException;
import dev.licensegateway.client.SignatureMismatchException;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.TestServers;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java SDK behind a proxy that tampers with the real gateway's answers, fails, or goes
 * away: tampering raises typed errors, transient failures are retried with fresh nonces,
 * refusals are not, and an unreachable gateway is covered by the offline grace, anchored on
 * the signed {@code issued_at}, for as long as it lasts and the clock is honest.
 */
class SdkTamperingTest {

  private static final Duration GRACE = Duration.ofHours(1);

  private static Gateway gateway;
  private static Vertx vertx;

  private TamperingProxy proxy;
  private MutableClock clock;
  private LicenseClient client;
  private Fixtures.License license;
  private String machine;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(c -> c.withSigning("RSA-SHA256", TestServers.keysDir().toString()));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    TestGateway.stop(gateway);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void eachTestItsOwnLicenseProxyAndClient() {
    proxy = new TamperingProxy(vertx, gateway.port());
    clock = new MutableClock();
    client = builder().build();
    license = Fixtures.license();
    machine = Fixtures.randomMachineId();
    client.activate(license.key(), machine);
  }

  @AfterEach
  void close() {
    client.close();
    proxy.close();
  }

  private LicenseClient.Builder builder() {
    return LicenseClient.builder()
        .baseUrl(proxy.baseUrl())
        .apiSecret(TestGateway.SECRET)
        .clock(clock)
        .offlineGrace(GRACE)
        .maxAttempts(4)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
        .requestTimeout(Duration.ofSeconds(15))
        .deadline(Duration.ofSeconds(40));
  }

  private static Set<String> nonces(List<TamperingProxy.Seen> seen) {
    return seen.stream().map(TamperingProxy.Seen::nonce).collect(Collectors.toSet());
  }

  @Test
  void aFlippedByteInDataIsASignatureMismatchAndIsNotCached() {
    proxy.then(FLIP_DATA_BYTE);
    assertThrows(SignatureMismatchException.class, () -> client.validate(license.key(), machine));
    assertEquals(1, proxy.seen("validate").size(), "tampering is not retried");
    proxy.goDown();
    assertThrows(GatewayUnavailableException.class, () -> client.validate(license.key(), machine),
        "nothing of the tampered answer may stand in for the gateway");
  }

  @Test
  void aSwappedSignatureIsASignatureMismatch() {
    client.validate(license.key(), machine);
    proxy.then(SWAP_SIGNATURE);
    assertThrows(SignatureMismatchException.class, () -> client.validate(license.key(), machine));
  }

  @Test
  void aReplayedAnswerToAnotherNonceIsANonceMismatch() {
    LicenseResult first = client.validate(license.key(), machine);
    proxy.then(REPLAY_LAST);
    NonceMismatchException e = assertThrows(NonceMismatchException.class, () -> client.validate(license.key(), machine));
    assertEquals("nonce", e.field());
    List<TamperingProxy.Seen> seen = proxy.seen("validate");
    assertEquals(first.nonce(), seen.get(0).nonce());
    assertFalse(first.nonce().equals(seen.get(1).nonce()), "the replayed answer echoes the old nonce");
  }

  @Test
  void twoUnavailableAnswersAreRetriedWithFreshNoncesThenSucceed() {
    proxy.retryAfter(0).then(UNAVAILABLE_503, UNAVAILABLE_503);
    LicenseResult r = client.validate(license.key(), machine);
    assertTrue(r.valid());
    assertFalse(r.fromCache());
    List<TamperingProxy.Seen> seen = proxy.seen("validate");
    assertEquals(3, seen.size());
    assertEquals(3, nonces(seen).size(), "every attempt signs a fresh nonce");
    assertEquals(seen.get(2).nonce(), r.nonce());
  }

  @Test
  void rateLimitedWaitsRetryAfterThenSucceeds() {
    proxy.retryAfter(1).then(RATE_LIMITED_429);
    LicenseResult r = client.validate(license.key(), machine);
    assertTrue(r.valid());
    List<TamperingProxy.Seen> seen = proxy.seen("validate");
    assertEquals(2, seen.size());
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(seen.get(1).atNanos() - seen.get(0).atNanos());
    assertTrue(waitedMs >= 1000, "retried after " + waitedMs + " ms, before Retry-After");
  }

  @Test
  void aRetryAfterBeyondTheDeadlineRaisesRateLimitAtOnce() {
    proxy.retryAfter(3600).then(RATE_LIMITED_429);
    RateLimitException e = assertThrows(RateLimitException.class, () -> client.validate(license.key(), machine));
    assertEquals(3600, e.retryAfterSeconds());
    assertEquals(1706, e.code());
    assertEquals(1, proxy.seen("validate").size());
  }

  @Test
  void aDroppedConnectionIsRetriedAndEndlessDropsAreBounded() {
    proxy.then(DROP);
    assertTrue(client.validate(license.key(), machine).valid());
    assertEquals(2, nonces(proxy.seen("validate")).size());

    proxy.then(DROP, DROP, DROP, DROP, DROP, DROP);
    assertThrows(GatewayUnavailableException.class, () -> client.heartbeat(license.key(), machine));
    assertEquals(4, proxy.seen("heartbeat").size(), "maxAttempts bounds the retries");
  }

  @Test
  void aRefusalIsNotRetriedAndEndsTheCachedValidation() {
    client.validate(license.key(), machine);
    Fixtures.exec("UPDATE licenses SET status = 'suspended' WHERE id = ?", license.id());
    LicenseInactiveException e = assertThrows(LicenseInactiveException.class,
        () -> client.validate(license.key(), machine));
    assertEquals(1704, e.code());
    assertEquals(2, proxy.seen("validate").size(), "one call online, one refused, no retry");
    proxy.goDown();
    assertThrows(GatewayUnavailableException.class, () -> client.validate(license.key(), machine),
        "after a refusal, an outage must not bring the old validation back");
  }

  @Test
  void anUnreachableGatewayIsCoveredWithinTheGraceAndNotAfter() {
    LicenseResult online = client.validate(license.key(), machine);
    proxy.goDown();
    LicenseResult cached = client.validate(license.key(), machine);
    assertTrue(cached.fromCache());
    assertTrue(cached.valid());
    assertEquals(online.signedData(), cached.signedData());
    assertEquals(online.issuedAt(), cached.issuedAt());

    clock.set(online.issuedAt().plus(GRACE).minusSeconds(30));
    assertTrue(client.validate(license.key(), machine).fromCache(), "still within the grace");

    clock.set(online.issuedAt().plus(GRACE).plusSeconds(1));
    GatewayUnavailableException e = assertThrows(GatewayUnavailableException.class,
        () -> client.validate(license.key(), machine));
    assertTrue(e.getMessage().contains("older than the offline grace"), e.getMessage());
  }

  @Test
  void aClockRolledBackBeforeTheLastAnswerEndsTheGrace() {
    LicenseResult online = client.validate(license.key(), machine);
    proxy.goDown();
    clock.set(online.issuedAt().minus(Duration.ofHours(2)));
    GatewayUnavailableException e = assertThrows(GatewayUnavailableException.class,
        () -> client.validate(license.key(), machine));
    assertTrue(e.getMessage().contains("rolled back"), e.getMessage());
  }

  @Test
  void theGraceSurvivesARestartThroughTheCacheFile(@TempDir Path dir) {
    Path file = dir.resolve("license-cache.json");
    LicenseResult online;
    try (LicenseClient withFile = builder().cacheFile(file).build()) {
      online = withFile.validate(license.key(), machine);
    }
    proxy.goDown();
    try (LicenseClient restarted = builder().cacheFile(file).build()) {
      LicenseResult cached = restarted.validate(license.key(), machine);
      assertTrue(cached.fromCache());
      assertEquals(online.signedData(), cached.signedData());
    }
  }
}
