package dev.licensegateway.ops;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * docs/operations.md readiness: Postgres reachable with the expected schema version, Redis reachable,
 * and not draining. Liveness is the process alone and never touches a dependency.
 *
 * <p>Readiness is 200 or 503 and nothing else: a check that fails, or does not answer within
 * its deadline (a hung dependency), is DOWN, so the probe gets its 503 within that deadline.
 */
public final class Health {

  private static final String SCHEMA_SQL =
      "SELECT 1 FROM flyway_schema_history WHERE success AND version = $1";

  /** One check's verdict, as the report lists it. */
  public record Check(String id, boolean up, JsonObject data) {
    JsonObject toJson() {
      JsonObject json = new JsonObject().put("id", id).put("status", up ? "UP" : "DOWN");
      return data == null ? json : json.put("data", data);
    }
  }

  /** Every check, and whether all are up. */
  public record Report(List<Check> checks) {
    public boolean up() {
      return checks.stream().allMatch(Check::up);
    }

    public JsonObject toJson() {
      String status = up() ? "UP" : "DOWN";
      JsonArray list = new JsonArray();
      checks.forEach(c -> list.add(c.toJson()));
      return new JsonObject().put("status", status).put("checks", list).put("outcome", status);
    }
  }

  private final AtomicBoolean draining = new AtomicBoolean();
  private final List<Runnable> onDraining = new CopyOnWriteArrayList<>();
  private final Pool pool;
  private final Redis redis;
  private final String schemaVersion;
  private final long timeoutMs;

  /** {@code timeoutMs}: each dependency check's deadline, within the probe's own timeout. */
  public Health(Pool pool, Redis redis, String schemaVersion, long timeoutMs) {
    this.pool = pool;
    this.redis = redis;
    this.schemaVersion = schemaVersion;
    this.timeoutMs = timeoutMs;
  }

  /** Runs every check at once; never fails, and completes within the deadline whatever hangs. */
  public Future<Report> readiness() {
    Check drain = draining.get()
        ? new Check("draining", false, new JsonObject().put("reason", "shutting down"))
        : new Check("draining", true, null);
    Future<Check> postgres = deadline("postgres", pool.preparedQuery(SCHEMA_SQL).execute(Tuple.of(schemaVersion))
        .map(rows -> rows.size() == 1
            ? new Check("postgres", true, new JsonObject().put("schema_version", schemaVersion))
            : new Check("postgres", false,
                new JsonObject().put("reason", "schema version " + schemaVersion + " not applied"))));
    Future<Check> redisUp = deadline("redis", redis.send(Request.cmd(Command.PING))
        .map(pong -> new Check("redis", true, null)));
    return Future.join(postgres, redisUp).transform(done -> Future.succeededFuture(
        new Report(List.of(drain, postgres.result(), redisUp.result()))));
  }

  private Future<Check> deadline(String id, Future<Check> check) {
    Future<Check> bounded;
    try {
      bounded = check.timeout(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      bounded = Future.failedFuture(e);
    }
    return bounded.otherwise(e -> new Check(id, false, new JsonObject().put("reason",
        e instanceof TimeoutException ? "no answer within " + timeoutMs + " ms" : String.valueOf(e.getMessage()))));
  }

  /** Runs {@code action} when draining starts (SIGTERM); each verticle closes its connections. */
  public void onDraining(Runnable action) {
    onDraining.add(action);
  }

  /** SIGTERM: from now on readiness answers 503. */
  public void startDraining() {
    if (draining.compareAndSet(false, true)) {
      onDraining.forEach(Runnable::run);
    }
  }

  public boolean draining() {
    return draining.get();
  }

  public Future<Boolean> ready() {
    return readiness().map(Report::up);
  }
}
