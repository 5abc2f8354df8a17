package dev.licensegateway.manage;

import dev.licensegateway.access.Caller;
import dev.licensegateway.access.Scope;
import dev.licensegateway.http.Problem;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.store.SnapshotCache;
import dev.licensegateway.store.SnapshotCache.Change;
import dev.licensegateway.store.SnapshotCache.Target;
import dev.licensegateway.infra.Unavailable;
import dev.licensegateway.infra.UtcClock;
import dev.licensegateway.infra.WireName;
import dev.licensegateway.licensing.Heartbeats;
import dev.licensegateway.licensing.IpMode;
import dev.licensegateway.licensing.LicenseStatus;
import dev.licensegateway.licensing.RuleKind;
import dev.licensegateway.store.Credits;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Postgres access of the management API: every statement it runs. Rows leave as the JSON
 * documents the lgw_*_doc SQL functions build (migration V2).
 */
public final class ManageStore {

  /** A resource kind: how to find who owns an id of it. */
  public enum Kind {
    PRODUCT("product", "SELECT account_id, environment FROM products WHERE id = $1"),
    POLICY("policy", "SELECT p.account_id, pr.environment FROM policies p JOIN products pr ON pr.id = p.product_id "
        + "WHERE p.id = $1"),
    LICENSE("license", "SELECT account_id, environment FROM licenses WHERE id = $1 AND deleted_at IS NULL"),
    RULE("rule", "SELECT r.account_id, pr.environment FROM product_rules r JOIN products pr ON pr.id = r.product_id "
        + "WHERE r.id = $1"),
    KEY("API key", "SELECT account_id, environment FROM api_keys WHERE id = $1 AND revoked_at IS NULL"),
    WEBHOOK("webhook", "SELECT account_id, environment FROM webhook_endpoints WHERE id = $1");

    final String noun;
    final String ownerSql;

    Kind(String noun, String ownerSql) {
      this.noun = noun;
      this.ownerSql = ownerSql;
    }
  }

  private final Pool pool;
  private final long timeoutMs;
  private final SnapshotCache cache;

  /** {@code cache}: the read model, which a change made here leaves at once (its announcement follows). */
  public ManageStore(Pool pool, long timeoutMs, SnapshotCache cache) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.cache = cache;
  }

  private <T> Future<T> changed(Future<T> write, Target target, UUID id) {
    return write.onSuccess(v -> cache.changed(new Change(target, id.toString())));
  }

  /**
   * docs/management-api.md isolation: an id of another account is 403 and reveals nothing more; an id that
   * does not exist, or lives in the other environment of this account, is 404.
   */
  public Future<UUID> owned(Caller caller, Kind kind, UUID id) {
    if (id == null) {
      return Future.failedFuture(Problem.notFound(kind.noun));
    }
    return rows(pool, kind.ownerSql, Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(Problem.notFound(kind.noun));
      }
      Row row = rows.iterator().next();
      if (!row.getUUID("account_id").equals(caller.accountId())) {
        return Future.failedFuture(Problem.forbidden("this " + kind.noun + " belongs to another account"));
      }
      if (!row.getString("environment").equals(caller.environment())) {
        return Future.failedFuture(Problem.notFound(kind.noun));
      }
      return Future.succeededFuture(id);
    });
  }

  // ---- account ---------------------------------------------------------------------------

  public Future<JsonObject> account(UUID accountId) {
    return doc("SELECT lgw_account_doc(a) FROM accounts a WHERE a.id = $1", Tuple.of(accountId));
  }

  // ---- products --------------------------------------------------------------------------

  public Future<JsonObject> createProduct(Caller caller, String name, Integer dailyLimit) {
    String appSecret = Secrets.appSecret();
    String productKey = Secrets.productKey(caller.environment());
    return doc("""
        INSERT INTO products (account_id, environment, name, app_id, app_secret_digest, product_key_digest,
                              daily_validation_limit)
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING lgw_product_doc(products)
        """, Tuple.tuple().addValue(caller.accountId()).addValue(caller.environment()).addValue(name)
            .addValue(Secrets.appId()).addValue(Buffer.buffer(Secrets.digest(appSecret)))
            .addValue(Buffer.buffer(Secrets.digest(productKey))).addValue(dailyLimit))
        // Shown this once (docs/management-api.md): only their digests are stored.
        .map(doc -> doc.put("app_secret", appSecret).put("product_key", productKey));
  }

  public Future<JsonObject> product(UUID id) {
    return doc("SELECT lgw_product_doc(p) FROM products p WHERE p.id = $1", Tuple.of(id));
  }

  /** {@code like}: an ILIKE pattern on the name (see {@link ManageInput#search}), or null for every product. */
  public Future<Page> products(Caller caller, String like, UUID after, int limit) {
    return page("""
        SELECT lgw_product_doc(p) FROM products p
         WHERE p.account_id = $1 AND p.environment = $2
           AND ($3::uuid IS NULL OR (p.created_at, p.id) < (SELECT created_at, id FROM products WHERE id = $3))
           AND ($5::text IS NULL OR p.name ILIKE $5)
         ORDER BY p.created_at DESC, p.id DESC LIMIT $4
        """, Tuple.of(caller.accountId(), caller.environment(), after, limit + 1, like), limit);
  }

  public Future<JsonObject> updateProduct(UUID id, String name, String status, boolean limitGiven, Integer limit) {
    return changed(doc("""
        UPDATE products SET name = COALESCE($2, name), status = COALESCE($3, status),
               daily_validation_limit = CASE WHEN $4 THEN $5 ELSE daily_validation_limit END
         WHERE id = $1 RETURNING lgw_product_doc(products)
        """, Tuple.of(id, name, status, limitGiven, limit)), Target.PRODUCT, id);
  }

  // ---- policies --------------------------------------------------------------------------

  public record PolicyFields(String name, Integer maxMachines, boolean durationGiven, Integer durationDays,
      boolean heartbeatGiven, Integer heartbeatIntervalS, List<String> entitlements, boolean maxIpsGiven,
      Integer maxIps, IpMode ipMode) {}

  public Future<JsonObject> createPolicy(Caller caller, UUID productId, PolicyFields f) {
    return doc("""
        INSERT INTO policies (account_id, product_id, name, max_machines, duration_days, heartbeat_interval_s,
                              entitlements, max_ips, ip_mode, slot_release_s)
        VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, '{}'::text[]), $8, COALESCE($9, 'open'), $10)
        RETURNING lgw_policy_doc(policies)
        """, Tuple.tuple().addValue(caller.accountId()).addValue(productId).addValue(f.name())
            .addValue(f.maxMachines()).addValue(f.durationDays()).addValue(f.heartbeatIntervalS())
            .addValue(f.entitlements() == null ? null : f.entitlements().toArray(String[]::new))
            .addValue(f.maxIps()).addValue(wire(f.ipMode())).addValue(slotRelease(f.heartbeatIntervalS())));
  }

  public Future<JsonObject> policy(UUID id) {
    return doc("SELECT lgw_policy_doc(p) FROM policies p WHERE p.id = $1", Tuple.of(id));
  }

  public Future<Page> policies(Caller caller, UUID productId, String like, UUID after, int limit) {
    return page("""
        SELECT lgw_policy_doc(p) FROM policies p JOIN products pr ON pr.id = p.product_id
         WHERE p.account_id = $1 AND pr.environment = $2 AND ($3::uuid IS NULL OR p.product_id = $3)
           AND ($4::uuid IS NULL OR (p.created_at, p.id) < (SELECT created_at, id FROM policies WHERE id = $4))
           AND ($6::text IS NULL OR p.name ILIKE $6)
         ORDER BY p.created_at DESC, p.id DESC LIMIT $5
        """, Tuple.of(caller.accountId(), caller.environment(), productId, after, limit + 1, like), limit);
  }

  public Future<JsonObject> updatePolicy(UUID id, PolicyFields f) {
    return changed(doc("""
        UPDATE policies SET name = COALESCE($2, name), max_machines = COALESCE($3, max_machines),
               duration_days = CASE WHEN $4 THEN $5 ELSE duration_days END,
               heartbeat_interval_s = CASE WHEN $6 THEN $7 ELSE heartbeat_interval_s END,
               entitlements = COALESCE($8, entitlements),
               max_ips = CASE WHEN $9 THEN $10 ELSE max_ips END,
               ip_mode = COALESCE($11, ip_mode),
               slot_release_s = CASE WHEN $6 THEN $12 ELSE slot_release_s END
         WHERE id = $1 RETURNING lgw_policy_doc(policies)
        """, Tuple.tuple().addValue(id).addValue(f.name()).addValue(f.maxMachines())
            .addValue(f.durationGiven()).addValue(f.durationDays())
            .addValue(f.heartbeatGiven()).addValue(f.heartbeatIntervalS())
            .addValue(f.entitlements() == null ? null : f.entitlements().toArray(String[]::new))
            .addValue(f.maxIpsGiven()).addValue(f.maxIps()).addValue(wire(f.ipMode()))
            .addValue(slotRelease(f.heartbeatIntervalS()))), Target.POLICY, id);
  }

  // ---- licenses --------------------------------------------------------------------------

  /**
   * Creates a license, spending one credit when the account has a balance, in one
   * transaction: the conditional decrement cannot take the balance below 0 however many
   * creations race, and a refused creation writes nothing.
   */
  public Future<JsonObject> createLicense(Caller caller, UUID policyId, String key, Instant expiresAt,
      Integer maxMachines, List<String> entitlements, LicenseStatus status) {
    return pool.withTransaction(conn -> Credits.spend(conn, caller.accountId())
        .compose(paid -> {
          if (!paid) {
            return Future.failedFuture(Problem.noCredits());
          }
          return conn.preparedQuery("""
              INSERT INTO licenses (account_id, product_id, policy_id, environment, key, status, expires_at,
                                    max_machines, entitlements)
              SELECT $1, p.product_id, p.id, $3, $4, COALESCE($5, 'active'),
                     COALESCE($6, CASE WHEN p.duration_days IS NULL THEN NULL
                                       ELSE now() + make_interval(days => p.duration_days) END),
                     $7, $8
                FROM policies p WHERE p.id = $2
              RETURNING lgw_license_doc(licenses)
              """).execute(Tuple.tuple().addValue(caller.accountId()).addValue(policyId)
                  .addValue(caller.environment()).addValue(key).addValue(wire(status)).addValue(UtcClock.offset(expiresAt))
                  .addValue(maxMachines)
                  .addValue(entitlements == null ? null : entitlements.toArray(String[]::new)));
        }))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(ManageStore::firstDoc)
        .recover(e -> Future.failedFuture(isUniqueViolation(e)
            ? Problem.invalidField("key", "is already in use")
            : refusal(e)));
  }

  public Future<JsonObject> license(UUID id) {
    return doc("SELECT lgw_license_doc(l) FROM licenses l WHERE l.id = $1 AND l.deleted_at IS NULL", Tuple.of(id));
  }

  /** {@code like}: an ILIKE pattern on the key, or null for every license. */
  public Future<Page> licenses(Caller caller, UUID productId, LicenseStatus status, String like, UUID after,
      int limit) {
    return page("""
        SELECT lgw_license_doc(l) FROM licenses l
         WHERE l.account_id = $1 AND l.environment = $2 AND l.deleted_at IS NULL
           AND ($3::uuid IS NULL OR l.product_id = $3) AND ($4::text IS NULL OR l.status = $4)
           AND ($5::uuid IS NULL OR (l.created_at, l.id) < (SELECT created_at, id FROM licenses WHERE id = $5))
           AND ($7::text IS NULL OR l.key ILIKE $7)
         ORDER BY l.created_at DESC, l.id DESC LIMIT $6
        """, Tuple.tuple().addValue(caller.accountId()).addValue(caller.environment()).addValue(productId)
            .addValue(wire(status)).addValue(after).addValue(limit + 1).addValue(like), limit);
  }

  public Future<JsonObject> updateLicense(UUID id, LicenseStatus status, boolean expiresGiven, Instant expiresAt,
      boolean maxGiven, Integer maxMachines, boolean entitlementsGiven, List<String> entitlements) {
    return changed(doc("""
        UPDATE licenses SET status = COALESCE($2, status),
               expires_at = CASE WHEN $3 THEN $4 ELSE expires_at END,
               max_machines = CASE WHEN $5 THEN $6 ELSE max_machines END,
               entitlements = CASE WHEN $7 THEN $8 ELSE entitlements END,
               updated_at = now()
         WHERE id = $1 AND deleted_at IS NULL RETURNING lgw_license_doc(licenses)
        """, Tuple.tuple().addValue(id).addValue(wire(status)).addValue(expiresGiven).addValue(UtcClock.offset(expiresAt))
            .addValue(maxGiven).addValue(maxMachines).addValue(entitlementsGiven)
            .addValue(entitlements == null ? null : entitlements.toArray(String[]::new))), Target.LICENSE, id);
  }

  public Future<JsonObject> deleteLicense(UUID id) {
    return changed(doc("""
        UPDATE licenses SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL
        RETURNING jsonb_build_object('id', id, 'deleted', true)
        """, Tuple.of(id)), Target.LICENSE, id);
  }

  // ---- machines --------------------------------------------------------------------------

  /**
   * A license's machines, each with {@code holds_slot}: false once it has been silent past its
   * policy's slot release (V4), when it no longer counts in {@code machines_used} (V5).
   */
  public Future<Page> machines(UUID licenseId) {
    return page("""
        SELECT lgw_machine_doc(m) || jsonb_build_object('holds_slot', p.slot_release_s IS NULL
                 OR m.last_heartbeat_at >= now() - make_interval(secs => p.slot_release_s))
          FROM machines m JOIN licenses l ON l.id = m.license_id JOIN policies p ON p.id = l.policy_id
         WHERE m.license_id = $1 ORDER BY m.activated_at, m.id
        """, Tuple.of(licenseId), Integer.MAX_VALUE);
  }

  public Future<Integer> deleteMachines(UUID licenseId, String machineId) {
    return changed(rows(pool, "DELETE FROM machines WHERE license_id = $1 AND ($2::text IS NULL OR machine_id = $2)",
        Tuple.of(licenseId, machineId)).map(RowSet::rowCount), Target.LICENSE, licenseId);
  }

  // ---- rules and license IPs -------------------------------------------------------------

  public Future<JsonObject> createRule(Caller caller, UUID productId, RuleKind kind, String value, String cidr) {
    return changed(doc("""
        INSERT INTO product_rules (account_id, product_id, kind, value, cidr)
        VALUES ($1, $2, $3, $4, network($5::text::inet)) RETURNING lgw_rule_doc(product_rules)
        """, Tuple.of(caller.accountId(), productId, kind.wire(), value, cidr)), Target.PRODUCT, productId);
  }

  public Future<Page> rules(Caller caller, UUID productId, UUID after, int limit) {
    return page("""
        SELECT lgw_rule_doc(r) FROM product_rules r JOIN products pr ON pr.id = r.product_id
         WHERE r.account_id = $1 AND pr.environment = $2 AND ($3::uuid IS NULL OR r.product_id = $3)
           AND ($4::uuid IS NULL OR (r.created_at, r.id) < (SELECT created_at, id FROM product_rules WHERE id = $4))
         ORDER BY r.created_at DESC, r.id DESC LIMIT $5
        """, Tuple.of(caller.accountId(), caller.environment(), productId, after, limit + 1), limit);
  }

  public Future<Integer> deleteRule(UUID id) {
    return rows(pool, "DELETE FROM product_rules WHERE id = $1 RETURNING product_id", Tuple.of(id)).map(rows -> {
      rows.forEach(row -> cache.changed(new Change(Target.PRODUCT, row.getUUID("product_id").toString())));
      return rows.rowCount();
    });
  }

  public Future<JsonObject> putLicenseIp(UUID licenseId, String ip, boolean blocked) {
    return changed(doc("""
        INSERT INTO license_ips (license_id, ip, blocked) VALUES ($1, $2::text::inet, $3)
        ON CONFLICT (license_id, ip) DO UPDATE SET blocked = EXCLUDED.blocked
        RETURNING lgw_license_ip_doc(license_ips)
        """, Tuple.of(licenseId, ip, blocked)), Target.LICENSE, licenseId);
  }

  /** A license's registered and blocked IPs, oldest first. */
  public Future<Page> licenseIps(UUID licenseId) {
    return page("SELECT lgw_license_ip_doc(i) FROM license_ips i WHERE i.license_id = $1 ORDER BY i.created_at, i.ip",
        Tuple.of(licenseId), Integer.MAX_VALUE);
  }

  public Future<Integer> deleteLicenseIp(UUID licenseId, String ip) {
    return changed(rows(pool, "DELETE FROM license_ips WHERE license_id = $1 AND ip = $2::text::inet",
        Tuple.of(licenseId, ip)).map(RowSet::rowCount), Target.LICENSE, licenseId);
  }

  // ---- usage -----------------------------------------------------------------------------

  /** What an account holds in one environment: its counts, for the usage overview. */
  public record Counts(long products, long licenses, long activeMachines) {}

  /**
   * Products, licenses (not deleted) and the machines that hold a slot (as {@code machines_used}
   * counts them), in the caller's account and environment.
   */
  public Future<Counts> counts(Caller caller) {
    return rows(pool, """
        SELECT (SELECT count(*) FROM products p WHERE p.account_id = $1 AND p.environment = $2),
               (SELECT count(*) FROM licenses l WHERE l.account_id = $1 AND l.environment = $2
                                                   AND l.deleted_at IS NULL),
               (SELECT count(*) FROM machines m JOIN licenses l ON l.id = m.license_id
                                                JOIN policies p ON p.id = l.policy_id
                 WHERE l.account_id = $1 AND l.environment = $2 AND l.deleted_at IS NULL
                   AND (p.slot_release_s IS NULL
                        OR m.last_heartbeat_at >= now() - make_interval(secs => p.slot_release_s)))
        """, Tuple.of(caller.accountId(), caller.environment())).map(rows -> {
      Row row = rows.iterator().next();
      return new Counts(row.getLong(0), row.getLong(1), row.getLong(2));
    });
  }

  /** Every product of the caller's account and environment, newest first, for the usage overview. */
  public Future<Page> allProducts(Caller caller, int max) {
    return page("""
        SELECT lgw_product_doc(p) FROM products p WHERE p.account_id = $1 AND p.environment = $2
         ORDER BY p.created_at DESC, p.id DESC LIMIT $3
        """, Tuple.of(caller.accountId(), caller.environment(), max + 1), max);
  }

  // ---- API keys --------------------------------------------------------------------------

  public Future<JsonObject> createKey(Caller caller, String name, Set<Scope> scopes, String environment) {
    String key = Secrets.apiKey(environment);
    return doc("""
        INSERT INTO api_keys (account_id, name, key_digest, key_hint, scopes, environment)
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING lgw_api_key_doc(api_keys)
        """, Tuple.tuple().addValue(caller.accountId()).addValue(name).addValue(Buffer.buffer(Secrets.digest(key)))
            .addValue(Secrets.hint(key)).addValue(scopes.stream().map(Scope::wire).toArray(String[]::new)).addValue(environment))
        .map(doc -> doc.put("key", key));
  }

  public Future<Page> keys(Caller caller) {
    return page("""
        SELECT lgw_api_key_doc(k) FROM api_keys k
         WHERE k.account_id = $1 AND k.environment = $2 AND k.revoked_at IS NULL
         ORDER BY k.created_at DESC, k.id DESC
        """, Tuple.of(caller.accountId(), caller.environment()), Integer.MAX_VALUE);
  }

  public Future<JsonObject> revokeKey(UUID id) {
    return changed(doc("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL "
        + "RETURNING lgw_api_key_doc(api_keys)", Tuple.of(id)), Target.API_KEY, id);
  }

  // ---- plumbing --------------------------------------------------------------------------

  /** A list page: docs/management-api.md's {@code {"data": […], "has_more": bool}}. */
  public record Page(JsonArray data, boolean hasMore) {
    public JsonObject toJson() {
      return new JsonObject().put("data", data).put("has_more", hasMore);
    }
  }

  private Future<Page> page(String sql, Tuple args, int limit) {
    return rows(pool, sql, args).map(rows -> {
      JsonArray data = new JsonArray();
      boolean more = false;
      for (Row row : rows) {
        if (data.size() == limit) {
          more = true;
          break;
        }
        data.add(row.getJsonObject(0));
      }
      return new Page(data, more);
    });
  }

  private Future<JsonObject> doc(String sql, Tuple args) {
    return rows(pool, sql, args).map(ManageStore::firstDoc);
  }

  private static JsonObject firstDoc(RowSet<Row> rows) {
    return rows.size() == 0 ? null : rows.iterator().next().getJsonObject(0);
  }

  private Future<RowSet<Row>> rows(SqlClient client, String sql, Tuple args) {
    return client.preparedQuery(sql).execute(args).timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(refusal(e)));
  }

  /**
   * A failed statement as the API answers it: a value our validation let through but a
   * constraint refused is the client's (class 22 data, 23 integrity); the rest is an outage
   * or a defect.
   */
  private static Throwable refusal(Throwable e) {
    if (e instanceof Problem) {
      return e;
    }
    if (isUniqueViolation(e)) {
      return Problem.badRequest("that value is already in use");
    }
    if (e instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23"))) {
      return Problem.badRequest("a value is out of range or malformed");
    }
    return Unavailable.fromPostgres(e);
  }

  /** docs/domain.md: the release time stored beside the interval, from the one rule that defines it. */
  private static Integer slotRelease(Integer heartbeatIntervalS) {
    return heartbeatIntervalS == null ? null : Math.toIntExact(Heartbeats.slotReleaseSeconds(heartbeatIntervalS));
  }

  private static String wire(WireName name) {
    return name == null ? null : name.wire();
  }

  private static boolean isUniqueViolation(Throwable e) {
    return e instanceof PgException pg && "23505".equals(pg.getSqlState());
  }
}
