package dev.licensegateway.dialect.v1;

import dev.licensegateway.dialect.Intake;
import dev.licensegateway.dialect.LicenseData;
import dev.licensegateway.gate.DailyQuota;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.gate.RedisGate;
import dev.licensegateway.http.ClientIp;
import dev.licensegateway.http.Failures;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.RateLimitHeaders;
import dev.licensegateway.http.RequestTags;
import dev.licensegateway.licensing.LicenseContext;
import dev.licensegateway.licensing.LicenseQuery;
import dev.licensegateway.licensing.LicenseResult;
import dev.licensegateway.licensing.LicenseService;
import dev.licensegateway.licensing.Outcome;
import dev.licensegateway.manage.ApiKeyAuth;
import dev.licensegateway.manage.Caller;
import dev.licensegateway.manage.ManageError;
import dev.licensegateway.ops.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
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
 * {@code /v1/licenses/*} (SPEC 5.3): server-side validation with scoped API keys. Business
 * outcomes are HTTP 200 with {@code valid}, {@code code} and {@code license}; a key sees
 * only the licenses of its own account and environment.
 */
public final class V1Routes {

  public static final String DIALECT = "v1";
  public static final String SCOPE = "licenses:validate";
  private static final ThrottledLog LOG = new ThrottledLog(LoggerFactory.getLogger(V1Routes.class));

  /** The /v1 column of SPEC 5.0. */
  private static final Map<Outcome, String> CODES = new EnumMap<>(Outcome.class);

  static {
    CODES.put(Outcome.VALID, "VALID");
    CODES.put(Outcome.NOT_FOUND, "NOT_FOUND");
    CODES.put(Outcome.PRODUCT_NOT_FOUND, "NOT_FOUND");
    CODES.put(Outcome.REVOKED, "REVOKED");
    CODES.put(Outcome.SUSPENDED, "SUSPENDED");
    CODES.put(Outcome.EXPIRED, "EXPIRED");
    CODES.put(Outcome.LIMIT_REACHED, "MACHINE_LIMIT_EXCEEDED");
    CODES.put(Outcome.MACHINE_NOT_ACTIVATED, "FINGERPRINT_NOT_FOUND");
    CODES.put(Outcome.HEARTBEAT_OVERDUE, "HEARTBEAT_REQUIRED");
    CODES.put(Outcome.ENTITLEMENTS_MISSING, "ENTITLEMENTS_MISSING");
    for (Outcome o : List.of(Outcome.HWID_BLOCKED, Outcome.HWID_NOT_ALLOWED, Outcome.IP_BLOCKED, Outcome.IP_NOT_ALLOWED,
        Outcome.IP_LIMIT_REACHED)) {
      CODES.put(o, "BLOCKED");
    }
    CODES.put(Outcome.PRODUCT_ARCHIVED, "PRODUCT_UNAVAILABLE");
    CODES.put(Outcome.PRODUCT_DISABLED, "PRODUCT_UNAVAILABLE");
    CODES.put(Outcome.ACCOUNT_SUSPENDED, "ACCOUNT_SUSPENDED");
    CODES.put(Outcome.ACCOUNT_BILLING_SUSPENDED, "ACCOUNT_SUSPENDED");
    CODES.put(Outcome.NO_CREDITS, "ACCOUNT_SUSPENDED");
  }

  private record Endpoint(String path, boolean fingerprintRequired, boolean isValidation,
      Function<LicenseQuery, Future<LicenseResult>> op) {}

  private final LicenseService core;
  private final ApiKeyAuth auth;
  private final RedisGate gate;
  private final RateLimit.Limit apiKeyLimit;
  private final RateLimit.Limit ipLimit;
  private final ClientIp clientIp;
  private final Clock clock;
  private final int bodyLimit;

  public V1Routes(LicenseService core, ApiKeyAuth auth, RedisGate gate, RateLimit.Limit apiKeyLimit,
      RateLimit.Limit ipLimit, ClientIp clientIp, Clock clock, int bodyLimit) {
    this.core = core;
    this.auth = auth;
    this.gate = gate;
    this.apiKeyLimit = apiKeyLimit;
    this.ipLimit = ipLimit;
    this.clientIp = clientIp;
    this.clock = clock;
    this.bodyLimit = bodyLimit;
  }

  public void mount(Router router) {
    for (Endpoint e : List.of(
        new Endpoint("/v1/licenses/validate", false, true, core::validate),
        new Endpoint("/v1/licenses/activate", true, false, core::activate),
        new Endpoint("/v1/licenses/heartbeat", true, false, core::heartbeat))) {
      Intake.post(router, e.path(), DIALECT, bodyLimit, ctx -> handle(ctx, e),
          (ctx, status) -> reportBuckets(ctx, clientIp.resolve(ctx.request())).onComplete(v -> {
            switch (status) {
              case 413 -> error(ctx, 413, "PAYLOAD_TOO_LARGE", "Payload too large",
                  "request body exceeds " + bodyLimit + " bytes", null);
              case 417 -> error(ctx, 417, "EXPECTATION_FAILED", "Expectation failed", "the request could not be read",
                  null);
              default -> error(ctx, status, "BAD_REQUEST", "Bad request", "the request could not be read", null);
            }
          }),
          this::unexpected);
    }
  }

  private void handle(RoutingContext ctx, Endpoint endpoint) {
    String ip = clientIp.resolve(ctx.request());
    auth.authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
        .compose(caller -> Intake.admit(ctx, gate, List.of(
                RateLimit.Bucket.of("apikey", caller.keyId().toString(), apiKeyLimit),
                RateLimit.Bucket.clientIp(ip, ipLimit)))
            .map(decision -> {
              if (decision.verdict() == RedisGate.Verdict.LIMITED) {
                throw ManageError.rateLimited(decision.applied().retryAfterSeconds());
              }
              if (!caller.has(SCOPE)) {
                throw ManageError.forbidden("this API key lacks the scope " + SCOPE);
              }
              return caller;
            }))
        .compose(caller -> {
          Intake.Body body = Intake.read(ctx);
          if (body.problem() != null) {
            return Future.failedFuture(ManageError.badField("body", body.problem() == Intake.Problem.NOT_JSON
                ? "is not valid JSON" : "Content-Type must be application/json"));
          }
          FieldErrors f = body.fields();
          String key = f.requiredString("key", 255);
          String fingerprint = endpoint.fingerprintRequired() || f.has("fingerprint") && !f.isNull("fingerprint")
              ? f.requiredMachineId("fingerprint") : null;
          List<String> entitlements = endpoint.isValidation() ? f.optionalStringList("entitlements", 64, 255) : List.of();
          if (!f.ok()) {
            return Future.failedFuture(ManageError.badRequest("invalid parameters", f.toJson()));
          }
          LicenseQuery query = LicenseQuery.of(key, fingerprint, ip).withEntitlements(entitlements)
              .inAccount(caller.accountId(), caller.environment());
          return endpoint.op().apply(query);
        })
        .onSuccess(result -> answer(ctx, result))
        .onFailure(e -> reportBuckets(ctx, ip).onComplete(v -> unexpected(ctx, e)));
  }

  /**
   * SPEC 2.3: every answer reports a bucket. One refused before any token was taken (a
   * missing or unknown API key) reports the client IP's bucket as it stands.
   */
  private Future<Void> reportBuckets(RoutingContext ctx, String ip) {
    return RateLimitHeaders.remembered(ctx) != null
        ? Future.succeededFuture()
        : Intake.peek(ctx, gate, List.of(RateLimit.Bucket.clientIp(ip, ipLimit)));
  }

  private void answer(RoutingContext ctx, LicenseResult result) {
    if (result.outcome() == Outcome.QUOTA_EXHAUSTED) {
      ctx.response().putHeader(RateLimitHeaders.RETRY_AFTER, Long.toString(DailyQuota.secondsToMidnightUtc(clock)));
      error(ctx, 429, "QUOTA_EXHAUSTED", "Too many requests", "the product's daily validation quota is used up", null);
      return;
    }
    LicenseContext license = result.context();
    JsonObject body = new JsonObject()
        .put("valid", result.outcome().ok())
        .put("code", CODES.getOrDefault(result.outcome(), "BLOCKED"))
        .put("license", license == null ? null : new JsonObject()
            .put("id", license.licenseId().toString())
            .put("key", license.key())
            .put("status", license.displayStatus(result.now()))
            .put("expires_at", LicenseData.rfc3339(license.expiresAt()))
            .put("max_machines", license.maxMachines())
            .put("machines_used", result.machinesUsed())
            .put("entitlements", new JsonArray(license.entitlements())));
    RequestTags.outcome(ctx, body.getString("code"));
    RateLimitHeaders.write(ctx.response(), RateLimitHeaders.remembered(ctx));
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }

  private void unexpected(RoutingContext ctx, Throwable failure) {
    if (failure instanceof ManageError e) {
      if (e.status() == 429) {
        ctx.response().putHeader(RateLimitHeaders.RETRY_AFTER,
            Long.toString(RateLimitHeaders.remembered(ctx).retryAfterSeconds()));
      }
      String title = switch (e.status()) {
        case 400 -> "Bad request";
        case 401 -> "Unauthorized";
        case 403 -> "Forbidden";
        case 429 -> "Too many requests";
        default -> "Error";
      };
      error(ctx, e.status(), e.code().toUpperCase(java.util.Locale.ROOT), title, e.getMessage(), e.details());
    } else if (Failures.isUnavailable(failure)) {
      LOG.warn("v1-unavailable", "a dependency is unreachable", failure);
      ctx.response().putHeader(RateLimitHeaders.RETRY_AFTER, "1");
      error(ctx, 503, "UNAVAILABLE", "Service unavailable", "retry shortly", null);
    } else {
      LOG.error("v1-internal", "unexpected failure answering " + ctx.request().path(), failure);
      error(ctx, 500, "INTERNAL_ERROR", "Internal error", "internal error", null);
    }
  }

  /** The dialect's error form: {@code {"errors": [{"title", "detail", "code", "source"?}]}}. */
  private static void error(RoutingContext ctx, int status, String code, String title, String detail, JsonArray fields) {
    if (ctx.response().ended()) {
      return;
    }
    JsonArray errors = new JsonArray();
    if (fields != null && !fields.isEmpty()) {
      fields.forEach(f -> {
        JsonObject field = (JsonObject) f;
        errors.add(new JsonObject().put("title", title).put("detail", field.getString("message")).put("code", code)
            .put("source", new JsonObject().put("pointer", "/" + field.getString("field"))));
      });
    } else {
      errors.add(new JsonObject().put("title", title).put("detail", detail).put("code", code));
    }
    RequestTags.outcome(ctx, code);
    RateLimitHeaders.write(ctx.response(), RateLimitHeaders.remembered(ctx));
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("errors", errors).toBuffer());
  }
}
