package dev.licensegateway.access;

import dev.licensegateway.http.Problem;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.infra.Unavailable;
import dev.licensegateway.store.CredentialCache;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Bearer {@code lk_live_…}/{@code lk_test_…} keys (docs/management-api.md, docs/dialects.md). The key is looked up by its
 * SHA-256 digest, in memory when this instance has found it before ({@link CredentialCache}: a revocation or any
 * other change to a key is announced to every instance, which forgets what it kept), else in Postgres.
 */
public final class ApiKeyAuth {

  private static final String LOOKUP_SQL = """
      SELECT id, account_id, environment, scopes FROM api_keys
       WHERE key_digest = $1 AND revoked_at IS NULL
      """;

  private final Pool pool;
  private final long timeoutMs;
  private final CredentialCache<Caller> known;

  public ApiKeyAuth(Pool pool, long timeoutMs, CredentialCache<Caller> known) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.known = known;
  }

  /**
   * The bearer token, when it has an API key's form; else the request is refused at once
   * (no lookup, nothing taken from any bucket).
   */
  public static String presented(String bearer) {
    if (Secrets.apiKeyEnvironment(bearer) == null) {
      throw Problem.unauthenticated(bearer == null
          ? "missing Authorization: Bearer lk_live_… or lk_test_… header"
          : "malformed API key");
    }
    return bearer;
  }

  /** The caller a bearer key names; fails with {@link Problem.Kind#UNAUTHENTICATED} for any other key. */
  public Future<Caller> authenticate(String key) {
    try {
      presented(key);
    } catch (Problem malformed) {
      return Future.failedFuture(malformed);
    }
    // The digest lookup is an index probe on a 32-byte value: the comparison of secrets
    // happens inside Postgres (or a hash map) on digests, never on plaintext.
    byte[] digest = Secrets.digest(key);
    return known.get(HexFormat.of().formatHex(digest), () -> lookup(digest)).compose(caller -> caller == null
        ? Future.failedFuture(Problem.unauthenticated("unknown or revoked API key"))
        : Future.succeededFuture(caller));
  }

  private Future<Caller> lookup(byte[] digest) {
    return pool.preparedQuery(LOOKUP_SQL).execute(Tuple.of(Buffer.buffer(digest)))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(Unavailable.fromPostgres(e)))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row row = rows.iterator().next();
          return new Caller(row.getUUID("id"), row.getUUID("account_id"), row.getString("environment"),
              scopes(row.getArrayOfStrings("scopes")));
        });
  }

  /** Unmodifiable: the same caller answers every request that presents its key while it is kept. */
  private static Set<Scope> scopes(String[] names) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String name : names) {
      Scope scope = Scope.parse(name);
      if (scope != null) {
        scopes.add(scope);
      }
    }
    return Collections.unmodifiableSet(scopes);
  }
}
