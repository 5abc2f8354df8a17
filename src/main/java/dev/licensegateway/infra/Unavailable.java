package dev.licensegateway.infra;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.impl.types.ErrorType;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * A dependency (Postgres or Redis) could not answer in time: an outage, retryable, never a
 * defect. Adapters wrap their failures in it at the boundary, so the request path tells an
 * outage from a bug by type alone.
 */
public final class Unavailable extends RuntimeException {

  public static final String POSTGRES = "Postgres";
  public static final String REDIS = "Redis";

  private final String dependency;

  public Unavailable(String dependency, Throwable cause) {
    super(dependency + " is unreachable", cause, false, false);
    this.dependency = dependency;
  }

  public String dependency() {
    return dependency;
  }

  /**
   * A failed Postgres call: an outage when no answer came (a deadline passed, the connection
   * failed or closed, the pool gave none) or the server said it cannot serve (SQLSTATE class
   * 08 connection, 53 resources, 57 operator intervention). Any other answer is a statement
   * that failed, and any other exception a defect: both are returned as they are.
   */
  public static Throwable fromPostgres(Throwable failure) {
    if (failure instanceof PgException pg) {
      return serverCannotServe(pg.getSqlState()) ? new Unavailable(POSTGRES, failure) : failure;
    }
    return isTransport(failure) ? new Unavailable(POSTGRES, failure) : failure;
  }

  /**
   * A failed Redis call: an outage when no answer came, or when Redis answered an error (its
   * own state: LOADING, CLUSTERDOWN, OOM; the gate's scripts raise none of their own).
   */
  public static Throwable fromRedis(Throwable failure) {
    return isTransport(failure) || failure instanceof ErrorType ? new Unavailable(REDIS, failure) : failure;
  }

  /**
   * No answer came: a deadline ({@link TimeoutException}), the network ({@link IOException}),
   * or Vert.x's own transport and pool failures ({@link VertxException}: a closed connection,
   * a full wait queue).
   */
  private static boolean isTransport(Throwable failure) {
    return failure instanceof Unavailable || failure instanceof TimeoutException || failure instanceof IOException
        || failure instanceof VertxException;
  }

  private static boolean serverCannotServe(String sqlState) {
    return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("53") || sqlState.startsWith("57"));
  }
}
