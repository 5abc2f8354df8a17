package dev.licensegateway.store;

import dev.licensegateway.infra.Unavailable;
import dev.licensegateway.infra.WireName;
import dev.licensegateway.licensing.ProductDirectory;
import dev.licensegateway.licensing.ProductStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Products as the credentials of the /auth and /api/v1/validate dialects name them: in memory
 * once found ({@link CredentialCache}, forgotten on every instance when any product changes),
 * else from Postgres.
 */
public final class ProductStore implements ProductDirectory {

  private static final String BY_APP_ID = """
      SELECT id, account_id, environment, status, app_secret_digest FROM products WHERE app_id = $1
      """;
  private static final String BY_PRODUCT_KEY = """
      SELECT id, account_id, environment, status, app_secret_digest FROM products WHERE product_key_digest = $1
      """;

  private final Pool pool;
  private final long timeoutMs;
  private final CredentialCache<ProductRef> known;

  public ProductStore(Pool pool, long timeoutMs, CredentialCache<ProductRef> known) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
    this.known = known;
  }

  @Override
  public Future<ProductRef> byAppId(String appId) {
    return known.get("app:" + appId, () -> one(BY_APP_ID, Tuple.of(appId)));
  }

  @Override
  public Future<ProductRef> byProductKeyDigest(byte[] digest) {
    return known.get("key:" + HexFormat.of().formatHex(digest), () -> one(BY_PRODUCT_KEY, Tuple.of(Buffer.buffer(digest))));
  }

  private Future<ProductRef> one(String sql, Tuple args) {
    return pool.preparedQuery(sql).execute(args).timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(Unavailable.fromPostgres(e)))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          return new ProductRef(r.getUUID("id"), r.getUUID("account_id"), r.getString("environment"),
              WireName.of(ProductStatus.class, r.getString("status")), r.getBuffer("app_secret_digest").getBytes());
        });
  }
}
