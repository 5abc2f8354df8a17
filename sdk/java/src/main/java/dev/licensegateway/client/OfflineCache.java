package dev.licensegateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The last verified validation per license and machine, for the offline grace: in memory,
 * and in a file when the vendor names one (rewritten atomically; every entry read back is
 * verified again, so a changed file yields nothing). Also the latest {@code issued_at} seen,
 * which tells a rolled-back clock.
 */
final class OfflineCache {

  private static final System.Logger LOG = System.getLogger(OfflineCache.class.getName());

  /** What the grace gives for one lookup: a cached result, or why there is none. */
  record Grace(LicenseResult result, String whyNot) {}

  private final Map<String, LicenseResult> entries = new ConcurrentHashMap<>();
  private final Path file;
  private final Duration grace;
  private final Duration rollbackTolerance;
  private volatile Instant lastIssuedAt = Instant.EPOCH;

  OfflineCache(Path file, Duration grace, Duration rollbackTolerance) {
    this.file = file;
    this.grace = grace;
    this.rollbackTolerance = rollbackTolerance;
  }

  private static String key(String licenseKey, String machineId) {
    return licenseKey + "\n" + machineId;
  }

  /** Every verified answer moves the clock-rollback mark forward. */
  synchronized void sawIssuedAt(Instant issuedAt) {
    if (issuedAt.isAfter(lastIssuedAt)) {
      lastIssuedAt = issuedAt;
    }
  }

  Instant lastIssuedAt() {
    return lastIssuedAt;
  }

  /** Keeps a verified, valid validation. */
  void put(LicenseResult result, Supplier<String> jwksForFile) {
    if (grace.isZero() || !result.valid() || result.operation() != LicenseResult.Operation.VALIDATE) {
      return;
    }
    sawIssuedAt(result.issuedAt());
    entries.put(key(result.licenseKey(), result.machineId()), result);
    persist(jwksForFile);
  }

  /** Forgets the validations of a refused license (of one machine, or all when machineId is null). */
  void evict(String licenseKey, String machineId, Supplier<String> jwksForFile) {
    boolean removed = machineId != null
        ? entries.remove(key(licenseKey, machineId)) != null
        : entries.keySet().removeIf(k -> k.startsWith(licenseKey + "\n"));
    if (removed) {
      persist(jwksForFile);
    }
  }

  /**
   * The cached validation for an unreachable gateway, while it is younger than the grace
   * counted from its signed {@code issued_at}, before the license's expiry, holding the
   * requested entitlements, and while the clock has not gone back before the latest
   * {@code issued_at} seen.
   */
  Grace lookup(String licenseKey, String machineId, List<String> entitlements, Instant now) {
    if (grace.isZero()) {
      return new Grace(null, "offline grace is off");
    }
    LicenseResult cached = entries.get(key(licenseKey, machineId));
    if (cached == null) {
      return new Grace(null, "no verified validation is cached for this license and machine");
    }
    if (now.isBefore(lastIssuedAt.minus(rollbackTolerance))) {
      return new Grace(null, "the local clock is earlier than the last answer of the gateway (rolled back?)");
    }
    if (!now.isBefore(cached.issuedAt().plus(grace))) {
      return new Grace(null, "the cached validation is older than the offline grace of " + grace);
    }
    Instant expiresAt = cached.expiresAt();
    if (expiresAt != null && !now.isBefore(expiresAt)) {
      return new Grace(null, "the license expired after the cached validation");
    }
    if (entitlements != null && !cached.entitlements().containsAll(entitlements)) {
      return new Grace(null, "the cached validation does not grant the requested entitlements");
    }
    return new Grace(cached.asCached(), null);
  }

  /** Reads the file, keeping only entries that verify with {@code keys} (the pinned ones, or the JWKS stored beside them). */
  synchronized void load(TrustedKeys pinned) {
    if (file == null || grace.isZero()) {
      return;
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "license cache file " + file + " is unreadable; starting without it");
      return;
    }
    TrustedKeys keys = pinned;
    if (keys == null) {
      JsonNode stored = root.get("jwks");
      if (stored == null || !stored.isTextual()) {
        return;
      }
      try {
        keys = TrustedKeys.parse(stored.textValue());
      } catch (IllegalArgumentException e) {
        return;
      }
    }
    JsonNode last = root.get("last_issued_at");
    if (last != null && last.isTextual()) {
      try {
        sawIssuedAt(Instant.parse(last.textValue()));
      } catch (RuntimeException ignored) {
        // a damaged mark: the entries' own issued_at still count
      }
    }
    JsonNode list = root.get("validations");
    if (list == null || !list.isArray()) {
      return;
    }
    for (JsonNode item : list) {
      try {
        JsonNode data = Json.MAPPER.readTree(item.get("data").textValue());
        String kid = item.get("kid").textValue();
        String alg = item.get("alg").textValue();
        String signature = item.get("signature").textValue();
        keys.verify(kid, alg, CanonicalJson.toBytes(data), signature);
        LicenseResult result = new LicenseResult(LicenseResult.Operation.VALIDATE, data, signature, alg, kid, false);
        if (result.valid() && result.licenseKey() != null && result.machineId() != null) {
          sawIssuedAt(result.issuedAt());
          entries.put(key(result.licenseKey(), result.machineId()), result);
        }
      } catch (Exception e) {
        LOG.log(Level.WARNING, "dropped a cached validation of " + file + " that does not verify");
      }
    }
  }

  private synchronized void persist(Supplier<String> jwksForFile) {
    if (file == null) {
      return;
    }
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("format", 1);
    String jwks = jwksForFile.get();
    if (jwks != null) {
      root.put("jwks", jwks);
    }
    root.put("last_issued_at", lastIssuedAt.toString());
    ArrayNode list = root.putArray("validations");
    for (LicenseResult r : entries.values()) {
      list.addObject()
          .put("data", r.signedData())
          .put("signature", r.signature())
          .put("alg", r.alg())
          .put("kid", r.kid());
    }
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      // A temporary file beside the target (owner-only on POSIX), synced, then renamed over it:
      // a crash leaves the old file or the new one, never half of one.
      Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      try {
        Files.write(tmp, Json.MAPPER.writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot write the license cache file " + file + ": " + e.getClass().getSimpleName());
    }
  }
}
