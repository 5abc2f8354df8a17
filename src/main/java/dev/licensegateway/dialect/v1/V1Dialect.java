package dev.licensegateway.dialect.v1;

import dev.licensegateway.access.ApiKeyAuth;
import dev.licensegateway.access.Caller;
import dev.licensegateway.access.Scope;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.FieldErrors.FieldError;
import dev.licensegateway.http.Pipeline;
import dev.licensegateway.http.Problem;
import dev.licensegateway.http.Reply;
import dev.licensegateway.http.Routes;
import dev.licensegateway.http.Wire;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.infra.UtcClock;
import dev.licensegateway.licensing.LicenseContext;
import dev.licensegateway.licensing.LicenseQuery;
import dev.licensegateway.licensing.LicenseResult;
import dev.licensegateway.licensing.LicenseService;
import dev.licensegateway.licensing.Outcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code /v1/licenses/*} (docs/dialects.md): server-side validation with scoped API keys. Business
 * outcomes are HTTP 200 with {@code valid}, {@code code} and {@code license}; a key sees
 * only the licenses of its own account and environment.
 */
public final class V1Dialect implements Routes, Wire<V1Dialect.Request, LicenseResult> {

  public static final String DIALECT = "v1";

  /** The /v1 column of docs/dialects.md; an outcome without a row reads as BLOCKED. */
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
    CODES.put(Outcome.PRODUCT_ARCHIVED, "PRODUCT_UNAVAILABLE");
    CODES.put(Outcome.PRODUCT_DISABLED, "PRODUCT_UNAVAILABLE");
    CODES.put(Outcome.ACCOUNT_SUSPENDED, "ACCOUNT_SUSPENDED");
    CODES.put(Outcome.ACCOUNT_BILLING_SUSPENDED, "ACCOUNT_SUSPENDED");
    CODES.put(Outcome.NO_CREDITS, "ACCOUNT_SUSPENDED");
  }

  /**
   * A request and its presented key; {@code caller} once the key is looked up (after
   * admission, so the client IP's bucket pays for the lookup). Its body is read at once but
   * judged after admission ({@code bodyProblem}): a key that sends a bad body spends its token.
   */
  record Request(String key, Caller caller, LicenseQuery query, Problem bodyProblem) {}

  private final LicenseService core;
  private final ApiKeyAuth auth;
  private final Pipeline pipeline;
  private final RateLimit.Limit apiKeyLimit;

  public V1Dialect(LicenseService core, ApiKeyAuth auth, Pipeline pipeline, RateLimit.Limit apiKeyLimit) {
    this.core = core;
    this.auth = auth;
    this.pipeline = pipeline;
    this.apiKeyLimit = apiKeyLimit;
  }

  @Override
  public void mount(Router router) {
    mount(router, "/v1/licenses/validate", false, true, core::validate);
    mount(router, "/v1/licenses/activate", true, false, core::activate);
    mount(router, "/v1/licenses/heartbeat", true, false, core::heartbeat);
  }

  private void mount(Router router, String path, boolean fingerprintRequired, boolean validation,
      Function<LicenseQuery, Future<LicenseResult>> operation) {
    pipeline.post(router, DIALECT, path, this,
        exchange -> Future.succeededFuture(read(exchange, fingerprintRequired, validation)),
        request -> operation.apply(request.query()));
  }

  private static Request read(Exchange exchange, boolean fingerprintRequired, boolean validation) {
    String key = ApiKeyAuth.presented(exchange.bearer());
    try {
      FieldErrors f = exchange.json();
      String licenseKey = f.requiredString("key", 255);
      String fingerprint = fingerprintRequired || f.has("fingerprint") && !f.isNull("fingerprint")
          ? f.requiredMachineId("fingerprint") : null;
      List<String> entitlements = validation ? f.optionalStringList("entitlements", 64, 255) : List.of();
      f.orFail();
      return new Request(key, null, LicenseQuery.of(licenseKey, fingerprint, exchange.ip())
          .withEntitlements(entitlements), null);
    } catch (Problem problem) {
      return new Request(key, null, null, problem);
    }
  }

  @Override
  public Admission admission(Request request, Exchange exchange) {
    return new Admission(null, List.of(
        RateLimit.Bucket.of("apikey", Secrets.digestId(request.key()), apiKeyLimit),
        pipeline.ipBucket(exchange.ip())));
  }

  /** The key looked up, its scope checked, then its body judged; the query sees only the key's account. */
  @Override
  public Future<Request> afterAdmission(Request request) {
    return auth.authenticate(request.key()).compose(caller -> {
      if (!caller.has(Scope.LICENSES_VALIDATE)) {
        return Future.failedFuture(Problem.forbidden("this API key lacks the scope " + Scope.LICENSES_VALIDATE.wire()));
      }
      if (request.bodyProblem() != null) {
        return Future.failedFuture(request.bodyProblem());
      }
      return Future.succeededFuture(new Request(request.key(), caller,
          request.query().inAccount(caller.accountId(), caller.environment()), null));
    });
  }

  @Override
  public Reply answer(Request request, LicenseResult result) {
    if (result.outcome() == Outcome.QUOTA_EXHAUSTED) {
      return error(429, "QUOTA_EXHAUSTED", "Too many requests", "the product's daily validation quota is used up",
          List.of()).retryAfter(result.retryAfterSeconds());
    }
    LicenseContext license = result.context();
    String code = CODES.getOrDefault(result.outcome(), "BLOCKED");
    JsonObject body = new JsonObject()
        .put("valid", result.outcome().ok())
        .put("code", code)
        .put("license", license == null ? null : new JsonObject()
            .put("id", license.licenseId().toString())
            .put("key", license.key())
            .put("status", license.displayStatus(result.now()))
            .put("expires_at", UtcClock.rfc3339(license.expiresAt()))
            .put("max_machines", license.maxMachines())
            .put("machines_used", result.machinesUsed())
            .put("entitlements", new JsonArray(license.entitlements())));
    return Reply.of(200, body, code);
  }

  @Override
  public Reply refuse(Problem problem, Request request) {
    Reply reply = switch (problem.kind()) {
      case PAYLOAD_TOO_LARGE -> error(413, "PAYLOAD_TOO_LARGE", "Payload too large", problem.getMessage(), List.of());
      case UNREADABLE -> problem.status() == 417
          ? error(417, "EXPECTATION_FAILED", "Expectation failed", problem.getMessage(), List.of())
          : error(problem.status(), "BAD_REQUEST", "Bad request", problem.getMessage(), List.of());
      case UNSUPPORTED_MEDIA_TYPE -> error(400, "BAD_REQUEST", "Bad request", problem.getMessage(),
          List.of(new FieldError("body", problem.getMessage())));
      case NOT_JSON, INVALID_FIELDS -> error(400, "BAD_REQUEST", "Bad request", problem.getMessage(),
          problem.details());
      case UNAUTHENTICATED -> error(401, "INVALID_API_KEY", "Unauthorized", problem.getMessage(), List.of());
      case FORBIDDEN -> error(403, "FORBIDDEN", "Forbidden", problem.getMessage(), List.of());
      case RATE_LIMITED -> error(429, "RATE_LIMITED", "Too many requests", problem.getMessage(), List.of());
      case UNAVAILABLE -> error(503, "UNAVAILABLE", "Service unavailable", "retry shortly", List.of());
      default -> error(500, "INTERNAL_ERROR", "Internal error", "internal error", List.of());
    };
    return reply.retryAfter(problem.retryAfterSeconds());
  }

  /** The dialect's error form: {@code {"errors": [{"title", "detail", "code", "source"?}]}}, one per bad field. */
  private static Reply error(int status, String code, String title, String detail, List<FieldError> fields) {
    JsonArray errors = new JsonArray();
    fields.forEach(f -> errors.add(new JsonObject().put("title", title).put("detail", f.message()).put("code", code)
        .put("source", new JsonObject().put("pointer", "/" + f.field()))));
    if (errors.isEmpty()) {
      errors.add(new JsonObject().put("title", title).put("detail", detail).put("code", code));
    }
    return Reply.of(status, new JsonObject().put("errors", errors), code);
  }
}
