package dev.licensegateway.store;

import dev.licensegateway.infra.Unavailable;
import dev.licensegateway.infra.UtcClock;
import dev.licensegateway.infra.WireName;
import dev.licensegateway.licensing.AccountStatus;
import dev.licensegateway.licensing.Heartbeats;
import dev.licensegateway.licensing.IpMode;
import dev.licensegateway.licensing.LicenseContext;
import dev.licensegateway.licensing.LicenseQuery;
import dev.licensegateway.licensing.LicenseRepository;
import dev.licensegateway.licensing.LicenseResult;
import dev.licensegateway.licensing.LicenseStatus;
import dev.licensegateway.licensing.ProductStatus;
import dev.licensegateway.ops.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Postgres access of the licensing core: every SQL statement it runs is in this file. */
public final class LicenseStore implements LicenseRepository {

  /**
   * The license, its policy, product, account, the asking machine, and each rule for the
   * asking device ($2) and IP ($3), in one round trip. Machines silent past their policy's
   * slot release time (SPEC 1; {@code slot_release_s}, written from {@link Heartbeats}) are
   * not counted as using a slot.
   */
  private static final String CONTEXT_SQL = """
      SELECT l.id, l.key, l.status, l.expires_at, l.environment,
             COALESCE(l.max_machines, po.max_machines) AS max_machines,
             COALESCE(l.entitlements, po.entitlements) AS entitlements,
             po.heartbeat_interval_s, po.max_ips, po.ip_mode,
             pr.id AS product_id, pr.status AS product_status, pr.daily_validation_limit,
             a.id AS account_id, a.status AS account_status, a.credits,
             m.last_heartbeat_at,
             (SELECT count(*) FROM machines x
               WHERE x.license_id = l.id
                 AND (po.slot_release_s IS NULL
                      OR x.last_heartbeat_at >= $4::timestamptz - make_interval(secs => po.slot_release_s)))
               AS machines_used,
             EXISTS (SELECT 1 FROM product_rules r WHERE r.product_id = pr.id
                       AND r.kind = 'block_hwid' AND r.value = $2) AS hwid_blocked,
             EXISTS (SELECT 1 FROM product_rules r WHERE r.product_id = pr.id
                       AND r.kind = 'allow_hwid') AS hwid_allow_listed,
             EXISTS (SELECT 1 FROM product_rules r WHERE r.product_id = pr.id
                       AND r.kind = 'allow_hwid' AND r.value = $2) AS hwid_allowed,
             EXISTS (SELECT 1 FROM product_rules r WHERE r.product_id = pr.id
                       AND r.kind = 'block_ip' AND $3::text::inet <<= r.cidr) AS ip_blocked,
             EXISTS (SELECT 1 FROM product_rules r WHERE r.product_id = pr.id
                       AND r.kind = 'allow_ip') AS ip_allow_listed,
             EXISTS (SELECT 1 FROM product_rules r WHERE r.product_id = pr.id
                       AND r.kind = 'allow_ip' AND $3::text::inet <<= r.cidr) AS ip_allowed,
             li.blocked AS license_ip_blocked,
             (SELECT count(*) FROM license_ips y WHERE y.license_id = l.id AND NOT y.blocked) AS ips_registered
        FROM licenses l
        JOIN policies po ON po.id = l.policy_id
        JOIN products pr ON pr.id = l.product_id
        JOIN accounts a ON a.id = l.account_id
        LEFT JOIN machines m ON m.license_id = l.id AND m.machine_id = $2
        LEFT JOIN license_ips li ON li.license_id = l.id AND li.ip = $3::text::inet
       WHERE l.key = $1 AND l.deleted_at IS NULL
         AND ($5::uuid IS NULL OR l.product_id = $5::uuid)
         AND ($6::text IS NULL OR l.environment = $6::text)
         AND ($7::uuid IS NULL OR l.account_id = $7::uuid)
      """;

  private static final String LOCK_SQL = """
      SELECT id FROM licenses
       WHERE key = $1 AND deleted_at IS NULL
         AND ($2::uuid IS NULL OR product_id = $2::uuid)
         AND ($3::text IS NULL OR environment = $3::text)
         AND ($4::uuid IS NULL OR account_id = $4::uuid)
         FOR UPDATE
      """;

  private static final String LOCK_BY_ID_SQL = "SELECT id FROM licenses WHERE id = $1 FOR UPDATE";

  private static final String COUNT_IPS_SQL =
      "SELECT count(*) FROM license_ips WHERE license_id = $1 AND NOT blocked";

  private static final String INSERT_IP_SQL = """
      INSERT INTO license_ips (license_id, ip) VALUES ($1, $2::text::inet)
      ON CONFLICT (license_id, ip) DO NOTHING
      """;

  private static final String RELEASE_SILENT_MACHINES_SQL = """
      DELETE FROM machines
       WHERE license_id = $1 AND last_heartbeat_at < $2::timestamptz - make_interval(secs => $3::int)
      """;

  private static final String INSERT_MACHINE_SQL = """
      INSERT INTO machines (license_id, machine_id, name, platform, hostname, ip, activated_at, last_heartbeat_at)
      VALUES ($1, $2, $3, $4, $5, $6::text::inet, $7, $7)
      ON CONFLICT (license_id, machine_id) DO UPDATE
         SET name = EXCLUDED.name, platform = EXCLUDED.platform, hostname = EXCLUDED.hostname,
             ip = EXCLUDED.ip, activated_at = EXCLUDED.activated_at, last_heartbeat_at = EXCLUDED.last_heartbeat_at
      """;

  private static final String TOUCH_MACHINE_SQL = """
      UPDATE machines SET last_heartbeat_at = $3,
             name = COALESCE($4, name), platform = COALESCE($5, platform), hostname = COALESCE($6, hostname),
             ip = COALESCE($7::text::inet, ip)
       WHERE license_id = $1 AND machine_id = $2
      """;

  private static final String HEARTBEAT_SQL =
      "UPDATE machines SET last_heartbeat_at = $3 WHERE license_id = $1 AND machine_id = $2";

  private static final String DELETE_MACHINE_SQL =
      "DELETE FROM machines WHERE license_id = $1 AND machine_id = $2";

  private final Pool pool;
  private final long timeoutMs;
  private final GatewayMetrics metrics;

  public LicenseStore(Pool pool, long timeoutMs, GatewayMetrics metrics) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.metrics = metrics;
  }

  @Override
  public Future<LicenseContext> context(LicenseQuery query, Instant now) {
    return deadline("context", context(pool, query, now));
  }

  /**
   * Runs {@code work} in one transaction holding the license's row lock. A result other
   * than VALID rolls the transaction back, so a refused request leaves nothing written.
   */
  @Override
  public Future<LicenseResult> inLicenseLock(LicenseQuery query, Instant now,
      Function<LicenseRepository.LockedLicense, Future<LicenseResult>> work) {
    Future<LicenseResult> run = pool.withTransaction(conn -> conn.preparedQuery(LOCK_SQL)
            .execute(Tuple.of(query.licenseKey(), query.productId(), query.environment(), query.accountId()))
            .compose(locked -> locked.size() == 0
                ? Future.succeededFuture((LicenseContext) null)
                // A new statement after the lock: its snapshot sees every machine committed before.
                : context(conn, query, now))
            .compose(ctx -> work.apply(new Locked(conn, ctx)))
            .compose(result -> result.outcome().ok()
                ? Future.succeededFuture(result)
                : Future.failedFuture(new Rollback(result))))
        .recover(e -> e instanceof Rollback r ? Future.succeededFuture(r.result) : Future.failedFuture(e));
    return deadline("activate", run);
  }

  /** Registers an IP on a license unless it already holds {@code maxIps}; true when registered. */
  @Override
  public Future<Boolean> registerIp(UUID licenseId, String ip, int maxIps) {
    return deadline("register_ip", pool.withTransaction(conn -> conn.preparedQuery(LOCK_BY_ID_SQL).execute(Tuple.of(licenseId))
        .compose(v -> registerIpLocked(conn, licenseId, ip, maxIps))));
  }

  /** Refreshes an active machine outside any lock; false when it is no longer bound. */
  @Override
  public Future<Boolean> touchMachine(UUID licenseId, LicenseQuery query, Instant now) {
    return deadline("touch", touch(pool, licenseId, query, now).map(rows -> rows > 0));
  }

  private static Future<Integer> touch(SqlClient client, UUID licenseId, LicenseQuery query, Instant now) {
    LicenseQuery.MachineInfo m = query.machine();
    return client.preparedQuery(TOUCH_MACHINE_SQL)
        .execute(Tuple.tuple().addValue(licenseId).addValue(query.machineId()).addValue(UtcClock.offset(now))
            .addValue(m.name()).addValue(m.platform()).addValue(m.hostname()).addValue(query.ip()))
        .map(RowSet::rowCount);
  }

  @Override
  public Future<Boolean> recordHeartbeat(UUID licenseId, String machineId, Instant now) {
    return deadline("heartbeat", pool.preparedQuery(HEARTBEAT_SQL).execute(Tuple.of(licenseId, machineId, UtcClock.offset(now)))
        .map(rows -> rows.rowCount() > 0));
  }

  @Override
  public Future<Boolean> deleteMachine(UUID licenseId, String machineId) {
    return deadline("deactivate", pool.preparedQuery(DELETE_MACHINE_SQL).execute(Tuple.of(licenseId, machineId))
        .map(rows -> rows.rowCount() > 0));
  }

  private static Future<Boolean> registerIpLocked(SqlConnection conn, UUID licenseId, String ip, int maxIps) {
    return conn.preparedQuery(COUNT_IPS_SQL).execute(Tuple.of(licenseId)).compose(rows -> {
      if (rows.iterator().next().getLong(0) >= maxIps) {
        return Future.succeededFuture(false);
      }
      return conn.preparedQuery(INSERT_IP_SQL).execute(Tuple.of(licenseId, ip)).map(true);
    });
  }

  private static Future<LicenseContext> context(SqlClient client, LicenseQuery query, Instant now) {
    Tuple args = Tuple.tuple()
        .addValue(query.licenseKey())
        .addValue(query.machineId())
        .addValue(query.ip())
        .addValue(UtcClock.offset(now))
        .addValue(query.productId())
        .addValue(query.environment())
        .addValue(query.accountId());
    return client.preparedQuery(CONTEXT_SQL).execute(args).map(LicenseStore::toContext);
  }

  private static LicenseContext toContext(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row r = rows.iterator().next();
    String[] entitlements = r.getArrayOfStrings("entitlements");
    return new LicenseContext(
        r.getUUID("id"),
        r.getString("key"),
        WireName.of(LicenseStatus.class, r.getString("status")),
        UtcClock.instant(r.getOffsetDateTime("expires_at")),
        r.getString("environment"),
        r.getInteger("max_machines"),
        entitlements == null ? List.of() : Arrays.stream(entitlements).sorted().toList(),
        r.getInteger("heartbeat_interval_s"),
        r.getInteger("max_ips"),
        WireName.of(IpMode.class, r.getString("ip_mode")),
        r.getUUID("product_id"),
        WireName.of(ProductStatus.class, r.getString("product_status")),
        r.getInteger("daily_validation_limit"),
        r.getUUID("account_id"),
        WireName.of(AccountStatus.class, r.getString("account_status")),
        r.getLong("credits"),
        UtcClock.instant(r.getOffsetDateTime("last_heartbeat_at")),
        r.getLong("machines_used"),
        r.getBoolean("hwid_blocked"),
        r.getBoolean("hwid_allow_listed"),
        r.getBoolean("hwid_allowed"),
        r.getBoolean("ip_blocked"),
        r.getBoolean("ip_allow_listed"),
        r.getBoolean("ip_allowed"),
        r.getBoolean("license_ip_blocked"),
        r.getLong("ips_registered"));
  }

  /** Every call has a deadline, and its latency and result land in the dependency meter. */
  private <T> Future<T> deadline(String op, Future<T> future) {
    long started = System.nanoTime();
    return future.timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onComplete(ar -> metrics.timeDependency("postgres", op, System.nanoTime() - started, ar.succeeded()))
        .recover(e -> Future.failedFuture(Unavailable.fromPostgres(e)));
  }


  /** The work a locked activation may do, on the locking connection. */
  private static final class Locked implements LicenseRepository.LockedLicense {
    private final SqlConnection conn;
    private final LicenseContext context;

    Locked(SqlConnection conn, LicenseContext context) {
      this.conn = conn;
      this.context = context;
    }

    @Override
    public LicenseContext context() {
      return context;
    }

    @Override
    public Future<Boolean> registerIp(String ip) {
      return registerIpLocked(conn, context.licenseId(), ip, context.maxIps());
    }

    @Override
    public Future<Void> touchMachine(LicenseQuery query, Instant now) {
      return touch(conn, context.licenseId(), query, now).mapEmpty();
    }

    @Override
    public Future<Void> insertMachine(LicenseQuery query, Instant now) {
      Future<?> released = context.heartbeatIntervalS() == null
          ? Future.succeededFuture()
          : conn.preparedQuery(RELEASE_SILENT_MACHINES_SQL).execute(Tuple.of(context.licenseId(), UtcClock.offset(now),
              (int) Heartbeats.slotReleaseSeconds(context.heartbeatIntervalS())));
      LicenseQuery.MachineInfo m = query.machine();
      return released.compose(v -> conn.preparedQuery(INSERT_MACHINE_SQL)
          .execute(Tuple.tuple().addValue(context.licenseId()).addValue(query.machineId())
              .addValue(m.name()).addValue(m.platform()).addValue(m.hostname()).addValue(query.ip())
              .addValue(UtcClock.offset(now))))
          .mapEmpty();
    }
  }

  /** Carries a refused result out of a transaction so that it rolls back. */
  private static final class Rollback extends RuntimeException {
    final LicenseResult result;

    Rollback(LicenseResult result) {
      super(null, null, false, false);
      this.result = result;
    }
  }
}
