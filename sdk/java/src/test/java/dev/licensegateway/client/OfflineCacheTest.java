package dev.licensegateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfflineCacheTest {

  private static final TestKeys KEYS = TestKeys.ed25519("ed-cache");
  private static final String KEY = "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE";
  private static final String MACHINE = "ab".repeat(32);
  private static final Instant ISSUED = Instant.parse("2026-03-01T12:00:00Z");
  private static final Duration GRACE = Duration.ofHours(24);
  private static final Duration TOLERANCE = Duration.ofMinutes(5);

  private static LicenseResult validation(Instant issuedAt, String expiresAt) {
    ObjectNode data = Json.MAPPER.createObjectNode()
        .put("license_key", KEY).put("machine_id", MACHINE).put("status", "active").put("valid", true)
        .put("max_machines", 3).put("machines_used", 1).put("issued_at", issuedAt.toString()).put("nonce", "n".repeat(20));
    data.putArray("entitlements").add("export").add("pro");
    if (expiresAt == null) {
      data.putNull("expires_at");
    } else {
      data.put("expires_at", expiresAt);
    }
    return new LicenseResult(LicenseResult.Operation.VALIDATE, data, KEYS.sign(data), "Ed25519", KEYS.kid, false);
  }

  private static OfflineCache cacheWith(LicenseResult r, Path file) {
    OfflineCache cache = new OfflineCache(file, GRACE, TOLERANCE);
    cache.put(r, () -> null);
    return cache;
  }

  @Test
  void withinTheGraceCountedFromIssuedAtTheCachedValidationAnswers() {
    OfflineCache cache = cacheWith(validation(ISSUED, null), null);
    OfflineCache.Grace grace = cache.lookup(KEY, MACHINE, null, ISSUED.plus(GRACE).minusSeconds(1));
    assertNotNull(grace.result(), grace.whyNot());
    assertTrue(grace.result().fromCache());
    assertTrue(grace.result().valid());
    assertEquals(ISSUED, grace.result().issuedAt());
    assertNotNull(cache.lookup(KEY, MACHINE, List.of("pro"), ISSUED.plusSeconds(60)).result());
  }

  @Test
  void theGraceEndsWithItsPeriodAClockRollbackExpiryOrAMissingEntitlement() {
    OfflineCache cache = cacheWith(validation(ISSUED, null), null);
    assertNull(cache.lookup(KEY, MACHINE, null, ISSUED.plus(GRACE)).result());
    assertTrue(cache.lookup(KEY, MACHINE, null, ISSUED.minus(TOLERANCE).minusSeconds(1)).whyNot().contains("rolled back"));
    assertNotNull(cache.lookup(KEY, MACHINE, null, ISSUED.minusSeconds(10)).result(), "a clock a little behind is not a rollback");
    assertNull(cache.lookup(KEY, MACHINE, List.of("enterprise"), ISSUED.plusSeconds(60)).result());
    assertNull(cache.lookup(KEY, "cd".repeat(32), null, ISSUED.plusSeconds(60)).result());

    OfflineCache expiring = cacheWith(validation(ISSUED, ISSUED.plusSeconds(3600).toString()), null);
    assertNotNull(expiring.lookup(KEY, MACHINE, null, ISSUED.plusSeconds(3599)).result());
    assertNull(expiring.lookup(KEY, MACHINE, null, ISSUED.plusSeconds(3600)).result());
  }

  @Test
  void aLaterAnswerOfTheGatewayMovesTheRollbackMarkForEveryEntry() {
    OfflineCache cache = cacheWith(validation(ISSUED, null), null);
    cache.sawIssuedAt(ISSUED.plus(Duration.ofHours(2)));
    assertNull(cache.lookup(KEY, MACHINE, null, ISSUED.plus(Duration.ofHours(1))).result());
  }

  @Test
  void anEvictedOrZeroGraceCacheGivesNothing() {
    OfflineCache cache = cacheWith(validation(ISSUED, null), null);
    cache.evict(KEY, MACHINE, () -> null);
    assertNull(cache.lookup(KEY, MACHINE, null, ISSUED.plusSeconds(1)).result());

    OfflineCache off = new OfflineCache(null, Duration.ZERO, TOLERANCE);
    off.put(validation(ISSUED, null), () -> null);
    assertNull(off.lookup(KEY, MACHINE, null, ISSUED.plusSeconds(1)).result());
  }

  @Test
  void theFileSurvivesARestartAndATamperedEntryIsDropped(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("license-cache.json");
    TrustedKeys pinned = TrustedKeys.parse(TestKeys.jwks(KEYS));
    cacheWith(validation(ISSUED, null), file);
    assertTrue(Files.exists(file));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
    }

    OfflineCache restarted = new OfflineCache(file, GRACE, TOLERANCE);
    restarted.load(pinned);
    OfflineCache.Grace grace = restarted.lookup(KEY, MACHINE, null, ISSUED.plusSeconds(60));
    assertNotNull(grace.result(), grace.whyNot());
    assertEquals(ISSUED, restarted.lastIssuedAt());

    // Someone makes the cached validation younger: its signature no longer verifies.
    String text = Files.readString(file, StandardCharsets.UTF_8);
    String younger = text.replace("2026-03-01T12:00:00Z\\\"", "2026-03-09T12:00:00Z\\\"");
    assertFalse(text.equals(younger), "the test must change the file");
    Files.writeString(file, younger, StandardCharsets.UTF_8);
    OfflineCache tampered = new OfflineCache(file, GRACE, TOLERANCE);
    tampered.load(pinned);
    assertNull(tampered.lookup(KEY, MACHINE, null, ISSUED.plus(Duration.ofDays(8))).result());
    assertNull(tampered.lookup(KEY, MACHINE, null, ISSUED.plusSeconds(60)).result());
  }

  @Test
  void withoutPinnedKeysTheFileIsCheckedAgainstTheJwksStoredWithIt(@TempDir Path dir) {
    Path file = dir.resolve("cache.json");
    OfflineCache cache = new OfflineCache(file, GRACE, TOLERANCE);
    cache.put(validation(ISSUED, null), () -> TestKeys.jwks(KEYS));
    OfflineCache restarted = new OfflineCache(file, GRACE, TOLERANCE);
    restarted.load(null);
    assertNotNull(restarted.lookup(KEY, MACHINE, null, ISSUED.plusSeconds(60)).result());

    OfflineCache otherKeys = new OfflineCache(file, GRACE, TOLERANCE);
    otherKeys.load(TrustedKeys.parse(TestKeys.jwks(TestKeys.ed25519("ed-other"))));
    assertNull(otherKeys.lookup(KEY, MACHINE, null, ISSUED.plusSeconds(60)).result());
  }
}
