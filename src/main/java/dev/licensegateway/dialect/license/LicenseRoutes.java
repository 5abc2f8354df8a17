package dev.licensegateway.dialect.license;

import dev.licensegateway.dialect.Intake;
import dev.licensegateway.dialect.LicenseData;
import dev.licensegateway.gate.DailyQuota;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.gate.RedisGate;
import dev.licensegateway.http.ClientIp;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.RateLimitHeaders;
import dev.licensegateway.http.RequestTags;
import dev.licensegateway.licensing.LicenseQuery;
import dev.licensegateway.licensing.LicenseResult;
import dev.licensegateway.licensing.LicenseService;
import dev.licensegateway.licensing.Outcome;
import dev.licensegateway.ops.ThrottledLog;
import dev.licensegateway.signing.KeyRing;
import dev.licensegateway.signing.SignedEnvelope;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * {@code /license/*} (SPEC 5.1): unsigned requests whose credential is the license key,
 * answers signed with RSA-SHA256 as in SPEC 2.3, errors as {@code {"error": {"code", "message"}}}.
 */
public final class LicenseRoutes {

  public static final String DIALECT = "license";
  private static final ThrottledLog LOG = new ThrottledLog(LoggerFactory.getLogger(LicenseRoutes.class));

  /** The /license column of SPEC 5.0: HTTP status, code and message per core outcome. */
  record Wire(int status, String code, String message) {}

  private static final Map<Outcome, Wire> TABLE = new EnumMap<>(Outcome.class);

  static {
    Wire suspended = new Wire(403, "license_suspended", "the license is suspended");
    for (Outcome o : Outcome.values()) {
      TABLE.put(o, suspended); // every refusal without a row of its own reads as suspended
    }
    TABLE.put(Outcome.NOT_FOUND, new Wire(404, "license_not_found", "license key not found"));
    TABLE.put(Outcome.PRODUCT_NOT_FOUND, new Wire(404, "license_not_found", "license key not found"));
    TABLE.put(Outcome.REVOKED, new Wire(403, "license_revoked", "the license is revoked"));
    TABLE.put(Outcome.EXPIRED, new Wire(403, "license_expired", "the license has expired"));
    TABLE.put(Outcome.LIMIT_REACHED, new Wire(409, "activation_limit_reached",
        "the license has reached its machine limit"));
    TABLE.put(Outcome.MACHINE_NOT_ACTIVATED, new Wire(403, "machine_not_activated",
        "this machine is not activated on the license"));
    TABLE.put(Outcome.HEARTBEAT_OVERDUE, new Wire(403, "machine_not_activated",
        "this machine missed its heartbeat; activate it again"));
    TABLE.put(Outcome.QUOTA_EXHAUSTED, new Wire(429, "rate_limit_exceeded",
        "the product's daily validation quota is used up"));
  }

  private record Endpoint(String path, boolean isValidation, Function<LicenseQuery, Future<LicenseResult>> op) {}

  private final LicenseService core;
  private final RedisGate gate;
  private final RateLimit.Limit licenseLimit;
  private final RateLimit.Limit ipLimit;
  private final KeyRing.ResponseSigner signer;
  private final ClientIp clientIp;
  private final Clock clock;
  private final int bodyLimit;

  public LicenseRoutes(LicenseService core, RedisGate gate, RateLimit.Limit licenseLimit, RateLimit.Limit ipLimit,
      KeyRing.ResponseSigner signer, ClientIp clientIp, Clock clock, int bodyLimit) {
    this.core = core;
    this.gate = gate;
    this.licenseLimit = licenseLimit;
    this.ipLimit = ipLimit;
    this.signer = signer;
    this.clientIp = clientIp;
    this.clock = clock;
    this.bodyLimit = bodyLimit;
  }

  public void mount(Router router) {
    for (Endpoint e : List.of(
        new Endpoint("/license/activate", false, core::activate),
        new Endpoint("/license/validate", true, core::validate),
        new Endpoint("/license/deactivate", false, core::deactivate))) {
      Intake.post(router, e.path(), DIALECT, bodyLimit, ctx -> handle(ctx, e),
          (ctx, status) -> refuse(ctx, clientIp.resolve(ctx.request()), status,
              status == 413 ? "payload_too_large" : "validation_error",
              status == 413 ? "request body exceeds " + bodyLimit + " bytes" : "the request could not be read", null),
          this::unexpected);
    }
  }

  private void handle(RoutingContext ctx, Endpoint endpoint) {
    String ip = clientIp.resolve(ctx.request());
    Intake.Body body = Intake.read(ctx);
    if (body.problem() == Intake.Problem.UNSUPPORTED_MEDIA_TYPE) {
      refuse(ctx, ip, 415, "unsupported_media_type", "Content-Type must be application/json", null);
      return;
    }
    if (body.problem() == Intake.Problem.NOT_JSON) {
      refuse(ctx, ip, 422, "validation_error", "the request body is not valid JSON",
          new JsonObject().put("body", new io.vertx.core.json.JsonArray().add("is not valid JSON")));
      return;
    }
    FieldErrors f = body.fields();
    String key = f.requiredString("license_key", 255);
    String machine = f.requiredMachineId("machine_id");
    if (!f.ok()) {
      refuse(ctx, ip, 422, "validation_error", "the request has invalid fields", f.toFieldMap());
      return;
    }
    LicenseQuery query = LicenseQuery.of(key, machine, ip);
    Intake.admit(ctx, gate, List.of(RateLimit.Bucket.of("license", key, licenseLimit),
            RateLimit.Bucket.clientIp(ip, ipLimit)))
        .compose(decision -> decision.verdict() == RedisGate.Verdict.LIMITED
            ? Future.succeededFuture((LicenseResult) null)
            : endpoint.op().apply(query))
        .onSuccess(result -> {
          if (result == null) {
            RateLimit state = RateLimitHeaders.remembered(ctx);
            ctx.response().putHeader(RateLimitHeaders.RETRY_AFTER, Long.toString(state.retryAfterSeconds()));
            error(ctx, 429, "rate_limit_exceeded", "too many requests; retry after " + state.retryAfterSeconds()
                + " s", null);
          } else {
            answer(ctx, endpoint, query, result);
          }
        })
        .onFailure(e -> unexpected(ctx, e));
  }

  private void answer(RoutingContext ctx, Endpoint endpoint, LicenseQuery query, LicenseResult result) {
    if (!result.outcome().ok()) {
      Wire wire = TABLE.get(result.outcome());
      if (result.outcome() == Outcome.QUOTA_EXHAUSTED) {
        ctx.response().putHeader(RateLimitHeaders.RETRY_AFTER, Long.toString(DailyQuota.secondsToMidnightUtc(clock)));
      }
      error(ctx, wire.status(), wire.code(), wire.message(), null);
      return;
    }
    Map<String, Object> data = LicenseData.of(result, query.machineId(), endpoint.isValidation() ? true : null, null);
    // SPEC 5.1: status is "active" or "suspended"; every non-active license shows as suspended.
    data.put("status", "active".equals(data.get("status")) ? "active" : "suspended");
    RequestTags.outcome(ctx, "ok");
    RateLimitHeaders.write(ctx.response(), RateLimitHeaders.remembered(ctx));
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(SignedEnvelope.of(data, signer));
  }

  private void refuse(RoutingContext ctx, String ip, int status, String code, String message, JsonObject errors) {
    Intake.peek(ctx, gate, List.of(RateLimit.Bucket.clientIp(ip, ipLimit)))
        .onComplete(v -> error(ctx, status, code, message, errors));
  }

  private void unexpected(RoutingContext ctx, Throwable failure) {
    if (dev.licensegateway.http.Failures.isUnavailable(failure)) {
      LOG.warn("license-unavailable", "a dependency is unreachable", failure);
      ctx.response().putHeader(RateLimitHeaders.RETRY_AFTER, "1");
      error(ctx, 503, "service_unavailable", "the service is temporarily unavailable; retry shortly", null);
    } else {
      LOG.error("license-internal", "unexpected failure answering " + ctx.request().path(), failure);
      error(ctx, 500, "internal_error", "internal error", null);
    }
  }

  private static void error(RoutingContext ctx, int status, String code, String message, JsonObject errors) {
    if (ctx.response().ended()) {
      return;
    }
    JsonObject error = new JsonObject().put("code", code).put("message", message);
    JsonObject body = new JsonObject().put("error", error);
    if (errors != null) {
      // SPEC 5.1 names the field errors beside the code; they are given in the error object
      // and at the top level, where form-validation clients look for them.
      error.put("errors", errors);
      body.put("errors", errors);
    }
    RequestTags.outcome(ctx, code);
    RateLimitHeaders.write(ctx.response(), RateLimitHeaders.remembered(ctx));
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }
}
