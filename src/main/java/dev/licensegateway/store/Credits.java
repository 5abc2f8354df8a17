package dev.licensegateway.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * docs/domain.md, docs/management-api.md, docs/dialects.md credits, in one place: an account with a balance pays one credit per license
 * created, per login and per started session hour; {@code null} credits mean unlimited.
 */
public final class Credits {

  /** The conditional decrement cannot take a balance below 0 however many spends race. */
  private static final String SPEND_SQL = """
      UPDATE accounts SET credits = credits - 1 WHERE id = $1 AND (credits IS NULL OR credits > 0) RETURNING id
      """;
  private static final String REFUND_SQL =
      "UPDATE accounts SET credits = credits + 1 WHERE id = $1 AND credits IS NOT NULL";

  private Credits() {}

  /** Spends one credit on {@code client} (a pool, or a transaction's connection); true when paid or unlimited. */
  public static Future<Boolean> spend(SqlClient client, UUID accountId) {
    return client.preparedQuery(SPEND_SQL).execute(Tuple.of(accountId)).map(rows -> rows.size() == 1);
  }

  public static Future<Void> refund(SqlClient client, UUID accountId) {
    return client.preparedQuery(REFUND_SQL).execute(Tuple.of(accountId)).mapEmpty();
  }
}
