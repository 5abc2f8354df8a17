package dev.licensegateway.store;

import dev.licensegateway.infra.Unavailable;
import dev.licensegateway.infra.UtcClock;
import dev.licensegateway.licensing.SessionRepository;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** /auth sessions and the credits they spend (docs/dialects.md). */
public final class SessionStore implements SessionRepository {

  private static final String INSERT_SQL = """
      INSERT INTO sessions (token_digest, product_id, license_id, machine_id, expires_at, last_heartbeat_at,
                            secret_box, billed_until)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      """;
  private static final String FIND_SQL = """
      SELECT s.id, s.product_id, p.app_id, s.license_id, l.key, s.machine_id, s.expires_at, s.secret_box
        FROM sessions s JOIN products p ON p.id = s.product_id JOIN licenses l ON l.id = s.license_id
       WHERE s.token_digest = $1
      """;
  private static final String LOCK_SQL = "SELECT billed_until FROM sessions WHERE id = $1 FOR UPDATE";
  private static final String EXTEND_SQL = """
      UPDATE sessions SET last_heartbeat_at = $2, expires_at = $3, billed_until = $4 WHERE id = $1
      """;

  /** Compare-and-set: a concurrent heartbeat that re-sealed first keeps its (equally valid) box. */
  private static final String RESEAL_SQL = "UPDATE sessions SET secret_box = $2 WHERE id = $1 AND secret_box = $3";

  private static final String PURGE_SQL = """
      DELETE FROM sessions WHERE id IN (
        SELECT id FROM sessions WHERE expires_at < $1 LIMIT 10000)
      """;

  private final Pool pool;
  private final long timeoutMs;

  /**
   * Deletes sessions expired before {@code before}, a bounded batch at a time; returns how
   * many. Any instance may run it: the rows are the same for all.
   */
  public Future<Integer> purgeExpired(Instant before) {
    return deadline(pool.preparedQuery(PURGE_SQL).execute(Tuple.of(UtcClock.offset(before)))).map(rows -> rows.rowCount());
  }

  public SessionStore(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Spends one credit when the account has a balance; true when paid (or unlimited). The
   * conditional decrement cannot take a balance below 0 however many logins race.
   */
  @Override
  public Future<Boolean> spendCredit(UUID accountId) {
    return deadline(Credits.spend(pool, accountId));
  }

  @Override
  public Future<Void> refundCredit(UUID accountId) {
    return deadline(Credits.refund(pool, accountId));
  }

  @Override
  public Future<Void> create(byte[] tokenDigest, UUID productId, UUID licenseId, String machineId, Instant now,
      Instant expiresAt, byte[] secretBox, Instant billedUntil) {
    return deadline(pool.preparedQuery(INSERT_SQL)
        .execute(Tuple.tuple().addValue(Buffer.buffer(tokenDigest)).addValue(productId).addValue(licenseId)
            .addValue(machineId).addValue(UtcClock.offset(expiresAt)).addValue(UtcClock.offset(now))
            .addValue(Buffer.buffer(secretBox)).addValue(UtcClock.offset(billedUntil))))
        .mapEmpty();
  }

  @Override
  public Future<Session> find(byte[] tokenDigest) {
    return deadline(pool.preparedQuery(FIND_SQL).execute(Tuple.of(Buffer.buffer(tokenDigest))))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          return new Session(r.getUUID("id"), r.getUUID("product_id"), r.getString("app_id"), r.getUUID("license_id"),
              r.getString("key"), r.getString("machine_id"), r.getOffsetDateTime("expires_at").toInstant(),
              r.getBuffer("secret_box").getBytes());
        });
  }

  /**
   * Extends a session by a heartbeat, charging one credit for each started hour not yet
   * paid. The session row is locked, so concurrent heartbeats charge an hour once; false
   * when a charge was due and the account had no credit.
   */
  @Override
  public Future<Boolean> extend(UUID sessionId, UUID accountId, Instant now, Instant expiresAt, long hourSeconds) {
    return deadline(pool.withTransaction(conn -> conn.preparedQuery(LOCK_SQL).execute(Tuple.of(sessionId)).compose(rows -> {
      Instant billedUntil = rows.iterator().next().getOffsetDateTime(0).toInstant();
      Future<Boolean> paid = Future.succeededFuture(true);
      Instant newBilledUntil = billedUntil;
      if (!now.isBefore(billedUntil)) {
        paid = Credits.spend(conn, accountId);
        newBilledUntil = billedUntil.plusSeconds(hourSeconds);
      }
      Instant until = newBilledUntil;
      return paid.compose(ok -> !ok ? Future.succeededFuture(false)
          : conn.preparedQuery(EXTEND_SQL)
              .execute(Tuple.of(sessionId, UtcClock.offset(now), UtcClock.offset(expiresAt), UtcClock.offset(until)))
              .map(true));
    })));
  }

  /** Replaces a session's secret box, if it is still {@code expected}; true when replaced. */
  @Override
  public Future<Boolean> reseal(UUID sessionId, byte[] expected, byte[] secretBox) {
    return deadline(pool.preparedQuery(RESEAL_SQL)
        .execute(Tuple.of(sessionId, Buffer.buffer(secretBox), Buffer.buffer(expected))))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Every call has a deadline; a failure to reach Postgres is an outage. */
  private <T> Future<T> deadline(Future<T> call) {
    return call.timeout(timeoutMs, TimeUnit.MILLISECONDS).recover(e -> Future.failedFuture(Unavailable.fromPostgres(e)));
  }
}
