package dev.licensegateway.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SPEC 6 readiness: Postgres reachable with the expected schema version, Redis reachable,
 * and not draining. Liveness is the process alone and never touches a dependency.
 */
public final class Health {

  private static final String SCHEMA_SQL =
      "SELECT 1 FROM flyway_schema_history WHERE success AND version = $1";

  private final AtomicBoolean draining = new AtomicBoolean();
  private final HealthChecks readiness;

  public Health(Vertx vertx, Pool pool, Redis redis, String schemaVersion, long timeoutMs) {
    this.readiness = HealthChecks.create(vertx)
        .register("draining", promise -> promise.complete(draining.get()
            ? Status.KO(new JsonObject().put("reason", "shutting down"))
            : Status.OK()))
        .register("postgres", timeoutMs, promise -> pool.preparedQuery(SCHEMA_SQL)
            .execute(Tuple.of(schemaVersion))
            .map(rows -> rows.size() == 1
                ? Status.OK(new JsonObject().put("schema_version", schemaVersion))
                : Status.KO(new JsonObject().put("reason", "schema version " + schemaVersion + " not applied")))
            .otherwise(e -> Status.KO(new JsonObject().put("reason", String.valueOf(e.getMessage()))))
            .onComplete(promise))
        .register("redis", timeoutMs, promise -> redis.send(Request.cmd(Command.PING))
            .timeout(timeoutMs, TimeUnit.MILLISECONDS)
            .map(pong -> Status.OK())
            .otherwise(e -> Status.KO(new JsonObject().put("reason", String.valueOf(e.getMessage()))))
            .onComplete(promise));
  }

  public HealthChecks readiness() {
    return readiness;
  }

  /** SIGTERM: from now on readiness answers 503. */
  public void startDraining() {
    draining.set(true);
  }

  public boolean draining() {
    return draining.get();
  }

  public Future<Boolean> ready() {
    return readiness.checkStatus().map(result -> result.getUp());
  }
}
