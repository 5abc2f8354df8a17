package dev.licensegateway.dialect.auth;

import dev.licensegateway.http.Exchange;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.Pipeline;
import dev.licensegateway.http.Problem;
import dev.licensegateway.http.Reply;
import dev.licensegateway.http.Routes;
import dev.licensegateway.http.Wire;
import dev.licensegateway.infra.Hmac;
import dev.licensegateway.infra.UtcClock;
import dev.licensegateway.licensing.LicenseContext;
import dev.licensegateway.licensing.LicenseQuery;
import dev.licensegateway.licensing.Outcome;
import dev.licensegateway.licensing.SessionService;
import dev.licensegateway.licensing.SessionService.SessionResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /auth/*} (docs/dialects.md): app SDK logins with app id + secret, HWID slots, sessions and
 * heartbeats. Business outcomes are HTTP 200 with {@code status} success/failed; every body
 * is signed in {@code X-Auth-Signature} with the app secret whenever the request proves its app.
 */
public final class AuthDialect implements Routes, Wire<AuthDialect.Request, SessionResult> {

  public static final String DIALECT = "auth";
  public static final String SIGNATURE_HEADER = "X-Auth-Signature";

  /** The /auth column of docs/dialects.md: code and message; an outcome without a row reads as blocked. */
  private record Row(String code, String message) {}

  private static final Map<Outcome, Row> TABLE = new EnumMap<>(Outcome.class);

  static {
    Row revoked = new Row("revoked", "the license is revoked or suspended");
    Row sessionExpired = new Row("session_expired", "the session has expired; log in again");
    Row blocked = new Row("blocked", "this machine or address is blocked");
    Row invalidApp = new Row("invalid_app", "unknown app, wrong app secret, or the app is unavailable");
    Row appDisabled = new Row("app_disabled", "the vendor's account is suspended");
    for (Outcome o : Outcome.values()) {
      TABLE.put(o, blocked);
    }
    TABLE.put(Outcome.NOT_FOUND, new Row("invalid_key", "license key not found for this app"));
    TABLE.put(Outcome.REVOKED, revoked);
    TABLE.put(Outcome.SUSPENDED, revoked);
    TABLE.put(Outcome.EXPIRED, new Row("expired", "the license has expired"));
    TABLE.put(Outcome.LIMIT_REACHED, new Row("hwid_mismatch", "every HWID slot of the license is bound to another machine"));
    TABLE.put(Outcome.MACHINE_NOT_ACTIVATED, sessionExpired);
    TABLE.put(Outcome.HEARTBEAT_OVERDUE, sessionExpired);
    TABLE.put(Outcome.SESSION_EXPIRED, sessionExpired);
    TABLE.put(Outcome.PRODUCT_ARCHIVED, invalidApp);
    TABLE.put(Outcome.PRODUCT_DISABLED, invalidApp);
    TABLE.put(Outcome.PRODUCT_NOT_FOUND, invalidApp);
    TABLE.put(Outcome.ACCOUNT_SUSPENDED, appDisabled);
    TABLE.put(Outcome.ACCOUNT_BILLING_SUSPENDED, appDisabled);
    TABLE.put(Outcome.NO_CREDITS, new Row("no_credits", "the vendor's account is out of credits"));
    TABLE.put(Outcome.QUOTA_EXHAUSTED, new Row("rate_limited", "too many requests"));
  }

  /**
   * A login ({@code query} set) or a heartbeat ({@code token} set); {@code invalid} when its
   * fields failed, answered after admission (proving the app costs a lookup).
   */
  record Request(String nonce, String appId, String appSecret, LicenseQuery query, String token, Problem invalid) {}

  /** Invalid fields of a request whose valid fields may still prove its app: answered signed then. */
  static final class BadRequest extends Problem {
    final String nonce;
    final String secret;

    BadRequest(Problem invalid, String nonce, String secret) {
      super(invalid);
      this.nonce = nonce;
      this.secret = secret;
    }
  }

  private final SessionService sessions;
  private final Pipeline pipeline;
  private final Clock clock;

  public AuthDialect(SessionService sessions, Pipeline pipeline, Clock clock) {
    this.sessions = sessions;
    this.pipeline = pipeline;
    this.clock = clock;
  }

  @Override
  public void mount(Router router) {
    pipeline.post(router, DIALECT, "/auth/validate", this, exchange -> read(exchange, true),
        r -> sessions.login(r.appId(), r.appSecret(), r.query()));
    pipeline.post(router, DIALECT, "/auth/heartbeat", this, exchange -> read(exchange, false),
        r -> sessions.heartbeat(r.appId(), r.token(), r.query().ip()));
  }

  private Future<Request> read(Exchange exchange, boolean login) {
    FieldErrors f = exchange.json();
    String nonce = f.requiredString("nonce", 128);
    String appId = f.requiredString("app_id", 64);
    String appSecret = login ? f.requiredString("app_secret", 128) : null;
    String licenseKey = login ? f.requiredString("license_key", 255) : null;
    String hwid = login ? f.requiredMachineId("hwid") : null;
    String token = login ? null : f.requiredString("session_token", 128);
    Problem invalid = f.ok() ? null : Problem.invalidFields(f.errors());
    return Future.succeededFuture(new Request(nonce, appId, appSecret,
        LicenseQuery.of(licenseKey, hwid, exchange.ip()), token, invalid));
  }

  /** docs/dialects.md: a bad request is signed like every body when the fields that were valid prove the app. */
  @Override
  public Future<Request> afterAdmission(Request request) {
    if (request.invalid() == null) {
      return Future.succeededFuture(request);
    }
    return sessions.signingSecret(request.appId(), request.appSecret(), request.token()).otherwise((String) null)
        .compose(secret -> Future.failedFuture(new BadRequest(request.invalid(), request.nonce(), secret)));
  }

  @Override
  public Admission admission(Request request, Exchange exchange) {
    return new Admission(null, List.of(pipeline.ipBucket(exchange.ip())));
  }

  @Override
  public Reply answer(Request request, SessionResult result) {
    if (!result.outcome().ok()) {
      Row row = TABLE.get(result.outcome());
      // docs/dialects.md: business outcomes are HTTP 200, "but 401 for transport-level auth": the
      // app id/secret pair (or a session of another app) failing is that 401, unsigned.
      int status = result.outcome() == Outcome.PRODUCT_NOT_FOUND ? 401 : 200;
      return send(status, failed(row.code(), row.message(), request.nonce()), result.appSecret());
    }
    LicenseContext license = result.result().context();
    JsonObject body = new JsonObject()
        .put("status", "success")
        .put("nonce", request.nonce())
        .put("timestamp", clock.instant().getEpochSecond())
        .put("session_token", result.token())
        .put("session_expires_at", UtcClock.rfc3339(result.expiresAt()))
        .put("license", new JsonObject()
            .put("key", license.key())
            .put("status", license.displayStatus(result.result().now()))
            .put("expires_at", UtcClock.rfc3339(license.expiresAt()))
            .put("max_machines", license.maxMachines())
            .put("machines_used", result.result().machinesUsed())
            .put("entitlements", new JsonArray(license.entitlements())));
    return send(200, body, result.appSecret());
  }

  /** Refusals are unsigned (the app is not proven), except invalid fields of a request that proves it. */
  @Override
  public Reply refuse(Problem problem, Request request) {
    BadRequest proven = problem instanceof BadRequest b ? b : null;
    String nonce = request != null ? request.nonce() : proven != null ? proven.nonce : null;
    return switch (problem.kind()) {
      case UNSUPPORTED_MEDIA_TYPE, PAYLOAD_TOO_LARGE, UNREADABLE, NOT_JSON, INVALID_FIELDS -> send(200,
          failed("bad_request", problem.getMessage(), nonce).put("details", proven == null ? new JsonArray()
              : FieldErrors.toJson(problem.details())), proven == null ? null : proven.secret);
      case RATE_LIMITED -> send(429, failed("rate_limited", "too many requests; retry after "
          + problem.retryAfterSeconds() + " s", nonce), null).retryAfter(problem.retryAfterSeconds());
      case UNAVAILABLE -> send(503, failed("unavailable", "the service is temporarily unavailable; retry shortly",
          nonce), null).retryAfter(problem.retryAfterSeconds());
      default -> send(500, failed("internal_error", "internal error", nonce), null);
    };
  }

  private static JsonObject failed(String code, String message, String nonce) {
    return new JsonObject().put("status", "failed").put("error", code).put("message", message).put("nonce", nonce);
  }

  /** {@code secret} null: unsigned, as the request did not prove its app. */
  private static Reply send(int status, JsonObject body, String secret) {
    Buffer bytes = body.toBuffer();
    String outcome = "success".equals(body.getString("status")) ? "success" : body.getString("error");
    Reply reply = Reply.of(status, bytes, outcome);
    return secret == null ? reply : reply.header(SIGNATURE_HEADER, Hmac.sha256(secret).hex(bytes.getBytes()));
  }
}
