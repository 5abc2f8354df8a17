package dev.licensegateway.licensing;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.UUID;

/** /auth sessions and the credits they spend (docs/dialects.md): the port the session store implements. */
public interface SessionRepository {

  /** A session found by its token's digest, with what a heartbeat needs to re-check its license. */
  record Session(UUID id, UUID productId, String appId, UUID licenseId, String licenseKey, String machineId,
      Instant expiresAt, byte[] secretBox) {}

  /** Spends one credit when the account has a balance; true when paid (or unlimited). */
  Future<Boolean> spendCredit(UUID accountId);

  Future<Void> refundCredit(UUID accountId);

  Future<Void> create(byte[] tokenDigest, UUID productId, UUID licenseId, String machineId, Instant now,
      Instant expiresAt, byte[] secretBox, Instant billedUntil);

  /** Null when no session has this token digest. */
  Future<Session> find(byte[] tokenDigest);

  /** Replaces a session's secret box if it still holds {@code expected} (a legacy box re-sealed); true when replaced. */
  Future<Boolean> reseal(UUID sessionId, byte[] expected, byte[] secretBox);

  /**
   * Extends a session by a heartbeat, charging one credit for each started hour not yet
   * paid; false when a charge was due and the account had no credit.
   */
  Future<Boolean> extend(UUID sessionId, UUID accountId, Instant now, Instant expiresAt, long hourSeconds);
}
