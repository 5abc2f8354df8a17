package dev.licensegateway.store;

import dev.licensegateway.infra.IpAddresses;
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
import dev.licensegateway.licensing.LicenseSnapshot;
import dev.licensegateway.licensing.LicenseStatus;
import dev.licensegateway.licensing.ProductStatus;
import dev.licensegateway.licensing.RuleKind;
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
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Postgres access of the licensing core: every SQL statement it runs is in this file. */
public final class LicenseStore implements LicenseRepository {

  /**
   * A license with everything any request about it reads, in one round trip: its policy,
   * product and account, every bound machine, its product's rules and its IPs. Nothing of
   * the request is in it (see {@link LicenseSnapshot#contextFor}), so it can be kept. The
   * paired arrays are read in one order within one statement, so they line up.
   */
  private static final String SNAPSHOT_SQL = """
      SELECT l.id, l.key, l.status, l.expires_at, l.environment,
             COALESCE(l.max_machines, po.max_machines) AS max_machines,
             COALESCE(l.entitlements, po.entitlements) AS entitlements,
             po.id AS policy_id, po.heartbeat_interval_s, po.max_ips, po.ip_mode,
             pr.id AS product_id, pr.status AS product_status, pr.daily_validation_limit,
             a.id AS account_id, a.status AS account_status, a.credits IS NOT NULL AS credit_balance,
             ARRAY(SELECT m.machine_id FROM machines m WHERE m.license_id = l.id ORDER BY m.id) AS machine_ids,
             ARRAY(SELECT m.last_heartbeat_at FROM machines m WHERE m.license_id = l.id ORDER BY m.id) AS machine_beats,
             ARRAY(SELECT r.kind FROM product_rules r WHERE r.product_id = pr.id ORDER BY r.id) AS rule_kinds,
             ARRAY(SELECT COALESCE(r.cidr::text, r.value) FROM product_rules r WHERE r.product_id = pr.id
                    ORDER BY r.id) AS rule_values,
             ARRAY(SELECT host(i.ip) FROM license_ips i WHERE i.license_id = l.id ORDER BY i.ip) AS ips,
             ARRAY(SELECT i.blocked FROM license_ips i WHERE i.license_id = l.id ORDER BY i.ip) AS ips_blocked
        FROM licenses l
        JOIN policies po ON po.id = l.policy_id
        JOIN products pr ON pr.id = l.product_id
        JOIN accounts a ON a.id = l.account_id
       WHERE l.key = $1 AND l.deleted_at IS NULL
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
       WHERE license_id = $1 AND last_heartbeat_at < $2::timestamptz
      """;

  private static final String INSERT_MACHINE_SQL = """
      INSERT INTO machines (license_id, machine_id, name, platform, hostname, ip, activated_at, last_heartbeat_at)
      VALUES ($1, $2, $3, $4, $5, $6::text::inet, $7, $7)
      ON CONFLICT (license_id, machine_id) DO UPDATE
         SET name = EXCLUDED.name, platform = EXCLUDED.platform, hostname = EXCLUDED.hostname,
             ip = EXCLUDED.ip, activated_at = EXCLUDED.activated_at, last_heartbeat_at = EXCLUDED.last_heartbeat_at,
             released_at = NULL
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
  private final SnapshotCache cache;

  public LicenseStore(Pool pool, long timeoutMs, GatewayMetrics metrics, SnapshotCache cache) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.metrics = metrics;
    this.cache = cache;
  }

  /** From memory when the read model holds the license; else one query, whose answer is kept for the next. */
  @Override
  public Future<LicenseContext> context(LicenseQuery query, Instant now) {
    LicenseSnapshot kept = cache.get(query.licenseKey());
    if (kept != null) {
      metrics.cacheHit();
      return Future.succeededFuture(kept.contextFor(query, now));
    }
    metrics.cacheMiss();
    long mark = cache.mark();
    return deadline("context", snapshot(pool, query.licenseKey())).map(snapshot -> {
      if (snapshot == null) {
        return null;
      }
      cache.keep(snapshot, mark);
      return snapshot.contextFor(query, now);
    });
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
                : snapshot(conn, query.licenseKey()).map(s -> s == null ? null : s.contextFor(query, now)))
            .compose(ctx -> work.apply(new Locked(conn, ctx)))
            .compose(result -> result.outcome().ok()
                ? Future.succeededFuture(result)
                : Future.failedFuture(new Rollback(result))))
        .recover(e -> e instanceof Rollback r ? Future.succeededFuture(r.result) : Future.failedFuture(e))
        .onSuccess(result -> changed(result.context()));
    return deadline("activate", run);
  }

  /** Registers an IP on a license unless it already holds {@code maxIps}; true when registered. */
  @Override
  public Future<Boolean> registerIp(UUID licenseId, String ip, int maxIps) {
    return deadline("register_ip", pool.withTransaction(conn -> conn.preparedQuery(LOCK_BY_ID_SQL).execute(Tuple.of(licenseId))
        .compose(v -> registerIpLocked(conn, licenseId, ip, maxIps))))
        .onSuccess(v -> cache.changedLicense(licenseId));
  }

  /** Refreshes an active machine outside any lock; false when it is no longer bound. */
  @Override
  public Future<Boolean> touchMachine(UUID licenseId, LicenseQuery query, Instant now) {
    return deadline("touch", touch(pool, licenseId, query, now).map(rows -> rows > 0))
        .onSuccess(v -> cache.changedLicense(licenseId));
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
    return deadline("heartbeat", pool.preparedQuery(HEARTBEAT_SQL)
        .execute(Tuple.of(licenseId, machineId, UtcClock.offset(now)))
        .map(rows -> rows.rowCount() > 0))
        .onSuccess(v -> cache.changedLicense(licenseId));
  }

  @Override
  public Future<Boolean> deleteMachine(UUID licenseId, String machineId) {
    return deadline("deactivate", pool.preparedQuery(DELETE_MACHINE_SQL).execute(Tuple.of(licenseId, machineId))
        .map(rows -> rows.rowCount() > 0))
        .onSuccess(v -> cache.changedLicense(licenseId));
  }

  private static Future<Boolean> registerIpLocked(SqlConnection conn, UUID licenseId, String ip, int maxIps) {
    return conn.preparedQuery(COUNT_IPS_SQL).execute(Tuple.of(licenseId)).compose(rows -> {
      if (rows.iterator().next().getLong(0) >= maxIps) {
        return Future.succeededFuture(false);
      }
      return conn.preparedQuery(INSERT_IP_SQL).execute(Tuple.of(licenseId, ip)).map(true);
    });
  }

  /**
   * This instance changed the license: drop it at once (its own announcement follows).
   * A request that answers right after its write must not read what it replaced.
   */
  private void changed(LicenseContext context) {
    if (context != null) {
      cache.changedLicense(context.licenseId());
    }
  }

  private static Future<LicenseSnapshot> snapshot(SqlClient client, String key) {
    return client.preparedQuery(SNAPSHOT_SQL).execute(Tuple.of(key)).map(LicenseStore::toSnapshot);
  }

  private static LicenseSnapshot toSnapshot(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row r = rows.iterator().next();
    String[] machineIds = r.getArrayOfStrings("machine_ids");
    OffsetDateTime[] beats = r.getArrayOfOffsetDateTimes("machine_beats");
    Map<String, Instant> machines = new HashMap<>(machineIds.length * 2);
    for (int i = 0; i < machineIds.length; i++) {
      machines.put(machineIds[i], beats[i].toInstant());
    }
    String[] kinds = r.getArrayOfStrings("rule_kinds");
    String[] values = r.getArrayOfStrings("rule_values");
    Set<String> blockedHwids = new HashSet<>();
    Set<String> allowedHwids = null;
    List<IpAddresses.Cidr> blockedIps = new ArrayList<>();
    List<IpAddresses.Cidr> allowedIps = null;
    for (int i = 0; i < kinds.length; i++) {
      switch (WireName.of(RuleKind.class, kinds[i])) {
        case BLOCK_HWID -> blockedHwids.add(values[i]);
        case ALLOW_HWID -> (allowedHwids == null ? allowedHwids = new HashSet<>() : allowedHwids).add(values[i]);
        case BLOCK_IP -> blockedIps.add(IpAddresses.Cidr.parse(values[i]));
        case ALLOW_IP -> (allowedIps == null ? allowedIps = new ArrayList<>() : allowedIps)
            .add(IpAddresses.Cidr.parse(values[i]));
      }
    }
    String[] ips = r.getArrayOfStrings("ips");
    Boolean[] ipsBlocked = r.getArrayOfBooleans("ips_blocked");
    Map<String, Boolean> licenseIps = new HashMap<>(ips.length * 2);
    for (int i = 0; i < ips.length; i++) {
      licenseIps.put(IpAddresses.normalize(ips[i]), ipsBlocked[i]);
    }
    return new LicenseSnapshot(
        r.getUUID("id"),
        r.getString("key"),
        WireName.of(LicenseStatus.class, r.getString("status")),
        UtcClock.instant(r.getOffsetDateTime("expires_at")),
        r.getString("environment"),
        r.getInteger("max_machines"),
        List.of(r.getArrayOfStrings("entitlements")),
        r.getUUID("policy_id"),
        r.getInteger("heartbeat_interval_s"),
        r.getInteger("max_ips"),
        WireName.of(IpMode.class, r.getString("ip_mode")),
        r.getUUID("product_id"),
        WireName.of(ProductStatus.class, r.getString("product_status")),
        r.getInteger("daily_validation_limit"),
        r.getUUID("account_id"),
        WireName.of(AccountStatus.class, r.getString("account_status")),
        r.getBoolean("credit_balance"),
        Map.copyOf(machines),
        Set.copyOf(blockedHwids),
        allowedHwids == null ? null : Set.copyOf(allowedHwids),
        List.copyOf(blockedIps),
        allowedIps == null ? null : List.copyOf(allowedIps),
        Map.copyOf(licenseIps));
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
          : conn.preparedQuery(RELEASE_SILENT_MACHINES_SQL).execute(Tuple.of(context.licenseId(),
              UtcClock.offset(Heartbeats.releaseCutoff(context.heartbeatIntervalS(), now))));
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
