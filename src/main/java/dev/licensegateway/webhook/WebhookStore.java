package dev.licensegateway.webhook;

import dev.licensegateway.http.Problem;
import dev.licensegateway.infra.Unavailable;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Postgres access of webhooks: the management API's endpoints and deliveries, and the delivery
 * worker's claims, results and sweep. Events themselves are written by the triggers of
 * migration V7, in the transactions of the changes they announce.
 */
public final class WebhookStore {

  /** Serialises the sweep across instances (pg_try_advisory_xact_lock). */
  private static final long SWEEP_LOCK = 0x4c47_5757_4845_4bL;
  /** How far back the sweep looks for expiries it has not announced (an instance outage up to this long loses none). */
  private static final int SWEEP_LOOKBACK_DAYS = 7;
  private static final int SWEEP_LIMIT = 1000;

  private final Pool pool;
  private final long timeoutMs;

  public WebhookStore(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  // ---- management ------------------------------------------------------------------------

  public Future<JsonObject> create(UUID accountId, String environment, UUID id, String url, List<String> events,
      byte[] secretBox) {
    return doc("""
        INSERT INTO webhook_endpoints (id, account_id, environment, url, events, secret_box)
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING lgw_webhook_doc(webhook_endpoints)
        """, Tuple.tuple().addValue(id).addValue(accountId).addValue(environment).addValue(url)
            .addValue(events == null ? null : events.toArray(String[]::new)).addValue(Buffer.buffer(secretBox)))
        .map(WebhookStore::endpointDoc);
  }

  public Future<JsonObject> endpoint(UUID id) {
    return doc("SELECT lgw_webhook_doc(e) FROM webhook_endpoints e WHERE e.id = $1", Tuple.of(id))
        .map(WebhookStore::endpointDoc);
  }

  public Future<JsonObject> endpoints(UUID accountId, String environment, UUID after, int limit) {
    return page("""
        SELECT lgw_webhook_doc(e) FROM webhook_endpoints e
         WHERE e.account_id = $1 AND e.environment = $2
           AND ($3::uuid IS NULL OR (e.created_at, e.id) < (SELECT created_at, id FROM webhook_endpoints WHERE id = $3))
         ORDER BY e.created_at DESC, e.id DESC LIMIT $4
        """, Tuple.of(accountId, environment, after, limit + 1), limit, WebhookStore::endpointDoc);
  }

  /** Changes what is given (null: unchanged). */
  public Future<JsonObject> update(UUID id, String url, boolean eventsGiven, List<String> events, String status) {
    return doc("""
        UPDATE webhook_endpoints SET url = COALESCE($2, url),
               events = CASE WHEN $3 THEN $4 ELSE events END,
               disabled_reason = CASE WHEN $5 IS NOT NULL THEN NULL ELSE disabled_reason END,
               status = COALESCE($5, status), updated_at = now()
         WHERE id = $1 RETURNING lgw_webhook_doc(webhook_endpoints)
        """, Tuple.tuple().addValue(id).addValue(url).addValue(eventsGiven)
            .addValue(events == null ? null : events.toArray(String[]::new)).addValue(status))
        .map(WebhookStore::endpointDoc);
  }

  /** Deletes the endpoint and its deliveries. */
  public Future<JsonObject> delete(UUID id) {
    return doc("DELETE FROM webhook_endpoints WHERE id = $1 RETURNING jsonb_build_object('id', id, 'deleted', true)",
        Tuple.of(id));
  }

  /** A new secret; the current one becomes the previous, which signs too for 24 hours. */
  public Future<JsonObject> rotate(UUID id, byte[] newBox) {
    return doc("""
        UPDATE webhook_endpoints SET previous_secret_box = secret_box,
               previous_secret_until = now() + interval '24 hours', secret_box = $2, updated_at = now()
         WHERE id = $1 RETURNING lgw_webhook_doc(webhook_endpoints)
        """, Tuple.of(id, Buffer.buffer(newBox))).map(WebhookStore::endpointDoc);
  }

  /** Whether a delivery of this endpoint exists (a cursor must name one). */
  public Future<Boolean> hasDelivery(UUID endpointId, UUID deliveryId) {
    return rows("SELECT 1 FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2", Tuple.of(deliveryId, endpointId))
        .map(rows -> rows.size() > 0);
  }

  public Future<JsonObject> deliveries(UUID endpointId, String state, UUID after, int limit) {
    return page("""
        SELECT lgw_webhook_delivery_doc(d) FROM webhook_deliveries d
         WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.state = $2)
           AND ($3::uuid IS NULL OR (d.created_at, d.id) < (SELECT created_at, id FROM webhook_deliveries WHERE id = $3))
         ORDER BY d.created_at DESC, d.id DESC LIMIT $4
        """, Tuple.of(endpointId, state, after, limit + 1), limit, doc -> doc);
  }

  /** Schedules the delivery again at once, with a fresh retry window; null when the endpoint has no such delivery. */
  public Future<JsonObject> retry(UUID endpointId, UUID deliveryId) {
    return doc("""
        UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now(), window_start = now()
         WHERE id = $1 AND endpoint_id = $2 RETURNING lgw_webhook_delivery_doc(webhook_deliveries)
        """, Tuple.of(deliveryId, endpointId));
  }

  // ---- delivery --------------------------------------------------------------------------

  /** A claimed delivery: what one attempt needs. {@code previousBox}: null unless a rotation is under way. */
  public record Claimed(UUID id, int attempts, String eventId, Buffer body, UUID endpointId, String url,
      byte[] secretBox, byte[] previousBox) {}

  /**
   * Claims up to {@code limit} due deliveries for {@code leaseMs}, counting the attempt. Rows
   * another instance is claiming are skipped (SKIP LOCKED), so an attempt has one instance at a
   * time; a lease that ran out (its instance died) makes the row due again. Per endpoint and
   * license, a delivery waits while an earlier one has not been attempted or is in flight, so
   * a license's events arrive in order unless an earlier one is waiting for a retry.
   */
  public Future<List<Claimed>> claim(UUID token, long leaseMs, int limit) {
    return rows("""
        UPDATE webhook_deliveries d
           SET lease_token = $1, lease_until = now() + make_interval(secs => $2::float8 / 1000),
               attempts = d.attempts + 1, last_attempt_at = now()
          FROM webhook_events v, webhook_endpoints e
         WHERE d.id IN (
                SELECT c.id FROM webhook_deliveries c
                  JOIN webhook_endpoints ce ON ce.id = c.endpoint_id AND ce.status = 'enabled'
                 WHERE c.state = 'pending' AND c.next_attempt_at <= now()
                   AND (c.lease_until IS NULL OR c.lease_until < now())
                   AND (c.license_id IS NULL OR NOT EXISTS (
                        SELECT 1 FROM webhook_deliveries p
                         WHERE p.endpoint_id = c.endpoint_id AND p.license_id = c.license_id
                           AND p.state = 'pending' AND p.seq < c.seq
                           AND (p.attempts = 0 OR p.lease_until >= now())))
                 ORDER BY c.seq LIMIT $3
                   FOR UPDATE OF c SKIP LOCKED)
           AND v.id = d.event_id AND e.id = d.endpoint_id
        RETURNING d.id, d.attempts, d.event_id, v.payload::text AS body, e.id AS endpoint_id, e.url, e.secret_box,
                  CASE WHEN e.previous_secret_until > now() THEN e.previous_secret_box END AS previous_box
        """, Tuple.of(token, (double) leaseMs, limit)).map(rows -> {
          List<Claimed> claimed = new ArrayList<>(rows.size());
          for (Row r : rows) {
            Buffer previous = r.getBuffer("previous_box");
            claimed.add(new Claimed(r.getUUID("id"), r.getInteger("attempts"), r.getString("event_id"),
                Buffer.buffer(r.getString("body")), r.getUUID("endpoint_id"), r.getString("url"),
                r.getBuffer("secret_box").getBytes(), previous == null ? null : previous.getBytes()));
          }
          return claimed;
        });
  }

  /** A 2xx: delivered, and the endpoint is healthy again. False when the lease was lost meanwhile. */
  public Future<Boolean> delivered(UUID id, UUID token, int status) {
    return rows("""
        WITH d AS (
          UPDATE webhook_deliveries SET state = 'delivered', last_status = $3, last_error = NULL, delivered_at = now(),
                 lease_token = NULL, lease_until = NULL
           WHERE id = $1 AND lease_token = $2 RETURNING endpoint_id)
        UPDATE webhook_endpoints e SET last_success_at = now() FROM d WHERE e.id = d.endpoint_id
        RETURNING 1
        """, Tuple.of(id, token, status)).map(rows -> rows.size() > 0);
  }

  /** A failed attempt: see lgw_webhook_attempt_failed. The delivery's state, or null when the lease was lost. */
  public Future<String> failed(UUID id, UUID token, Integer status, String error, long delayMs, long windowMs) {
    return rows("SELECT lgw_webhook_attempt_failed($1, $2, $3, $4, $5, $6)",
        Tuple.of(id, token, status, error, delayMs, windowMs))
        .map(rows -> rows.iterator().next().getString(0));
  }

  /** One sweep, unless another instance is sweeping: the events it recorded, or -1 when it did not run. */
  public Future<Integer> sweep() {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1)")
            .execute(Tuple.of(SWEEP_LOCK))
            .compose(locked -> !locked.iterator().next().getBoolean(0) ? Future.succeededFuture(-1)
                : conn.preparedQuery("SELECT lgw_webhook_sweep($1, make_interval(days => $2))")
                    .execute(Tuple.of(SWEEP_LIMIT, SWEEP_LOOKBACK_DAYS))
                    .map(rows -> rows.iterator().next().getInteger(0))))
        .timeout(timeoutMs * 5, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(Unavailable.fromPostgres(e)));
  }

  /** The backlog: pending deliveries of enabled endpoints, and the age in seconds of the oldest. */
  public record Backlog(long pending, double oldestSeconds) {}

  public Future<Backlog> backlog() {
    return rows("""
        SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(d.created_at)), 0)::float8
          FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.status = 'enabled'
         WHERE d.state = 'pending'
        """, Tuple.tuple()).map(rows -> {
          Row r = rows.iterator().next();
          return new Backlog(r.getLong(0), r.getDouble(1));
        });
  }

  // ---- plumbing --------------------------------------------------------------------------

  /** Every event type when the endpoint subscribes to all (stored as null). */
  private static JsonObject endpointDoc(JsonObject doc) {
    if (doc != null && doc.getValue("events") == null) {
      doc.put("events", new JsonArray(EventType.all()));
    }
    return doc;
  }

  private Future<JsonObject> page(String sql, Tuple args, int limit, java.util.function.UnaryOperator<JsonObject> map) {
    return rows(sql, args).map(rows -> {
      JsonArray data = new JsonArray();
      boolean more = false;
      for (Row row : rows) {
        if (data.size() == limit) {
          more = true;
          break;
        }
        data.add(map.apply(row.getJsonObject(0)));
      }
      return new JsonObject().put("data", data).put("has_more", more);
    });
  }

  private Future<JsonObject> doc(String sql, Tuple args) {
    return rows(sql, args).map(rows -> rows.size() == 0 ? null : rows.iterator().next().getJsonObject(0));
  }

  private Future<RowSet<Row>> rows(String sql, Tuple args) {
    return pool.preparedQuery(sql).execute(args).timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(refusal(e)));
  }

  /** As the management API answers a failed statement: bad data is the client's, the rest an outage. */
  private static Throwable refusal(Throwable e) {
    if (e instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23"))) {
      return Problem.badRequest("a value is out of range or malformed");
    }
    return Unavailable.fromPostgres(e);
  }
}
