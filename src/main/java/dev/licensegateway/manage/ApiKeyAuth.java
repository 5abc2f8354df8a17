package dev.licensegateway.manage;

import dev.licensegateway.licensing.Secrets;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Bearer {@code lk_live_…}/{@code lk_test_…} keys (SPEC 4, 5.3). The key is looked up by its
 * SHA-256 digest on every request, so a revocation holds on every instance at once.
 */
public final class ApiKeyAuth {

  private static final String LOOKUP_SQL = """
      SELECT id, account_id, environment, scopes FROM api_keys
       WHERE key_digest = $1 AND revoked_at IS NULL
      """;

  private final Pool pool;
  private final long timeoutMs;

  public ApiKeyAuth(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  /** The bearer token of an Authorization header, or null. */
  public static String bearer(String authorization) {
    if (authorization == null || authorization.length() < 8
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).trim();
  }

  public Future<Caller> authenticate(String authorization) {
    String key = bearer(authorization);
    String environment = Secrets.apiKeyEnvironment(key);
    if (environment == null) {
      return Future.failedFuture(ManageError.invalidApiKey(key == null
          ? "missing Authorization: Bearer lk_live_… or lk_test_… header"
          : "malformed API key"));
    }
    // The digest lookup is an index probe on a 32-byte value: the comparison of secrets
    // happens inside Postgres on digests, never on plaintext.
    return pool.preparedQuery(LOOKUP_SQL).execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(Secrets.digest(key))))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ManageError.invalidApiKey("unknown or revoked API key"));
          }
          Row row = rows.iterator().next();
          return Future.succeededFuture(new Caller(row.getUUID("id"), row.getUUID("account_id"),
              row.getString("environment"), Set.of(row.getArrayOfStrings("scopes"))));
        });
  }
}
