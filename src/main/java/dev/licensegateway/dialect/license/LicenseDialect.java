package dev.licensegateway.dialect.license;

import dev.licensegateway.dialect.LicenseData;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.Pipeline;
import dev.licensegateway.http.Problem;
import dev.licensegateway.http.Reply;
import dev.licensegateway.http.Routes;
import dev.licensegateway.http.Wire;
import dev.licensegateway.licensing.LicenseQuery;
import dev.licensegateway.licensing.LicenseResult;
import dev.licensegateway.licensing.LicenseService;
import dev.licensegateway.licensing.Outcome;
import dev.licensegateway.signing.KeyRing;
import dev.licensegateway.signing.SignedEnvelope;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code /license/*} (docs/dialects.md): unsigned requests whose credential is the license key,
 * answers signed with RSA-SHA256 as in docs/native-protocol.md, errors as {@code {"error": {"code", "message"}}}.
 */
public final class LicenseDialect implements Routes, Wire<LicenseDialect.Request, LicenseResult> {

  public static final String DIALECT = "license";

  /** The /license column of docs/dialects.md: HTTP status, code and message per core outcome. */
  record Row(int status, String code, String message) {}

  private static final Map<Outcome, Row> TABLE = new EnumMap<>(Outcome.class);

  static {
    Row suspended = new Row(403, "license_suspended", "the license is suspended");
    for (Outcome o : Outcome.values()) {
      TABLE.put(o, suspended); // every refusal without a row of its own reads as suspended
    }
    TABLE.put(Outcome.NOT_FOUND, new Row(404, "license_not_found", "license key not found"));
    TABLE.put(Outcome.PRODUCT_NOT_FOUND, new Row(404, "license_not_found", "license key not found"));
    TABLE.put(Outcome.REVOKED, new Row(403, "license_revoked", "the license is revoked"));
    TABLE.put(Outcome.EXPIRED, new Row(403, "license_expired", "the license has expired"));
    TABLE.put(Outcome.LIMIT_REACHED, new Row(409, "activation_limit_reached",
        "the license has reached its machine limit"));
    TABLE.put(Outcome.MACHINE_NOT_ACTIVATED, new Row(403, "machine_not_activated",
        "this machine is not activated on the license"));
    TABLE.put(Outcome.HEARTBEAT_OVERDUE, new Row(403, "machine_not_activated",
        "this machine missed its heartbeat; activate it again"));
    TABLE.put(Outcome.QUOTA_EXHAUSTED, new Row(429, "rate_limit_exceeded",
        "the product's daily validation quota is used up"));
  }

  record Request(LicenseQuery query, boolean validation) {}

  private final LicenseService core;
  private final Pipeline pipeline;
  private final RateLimit.Limit licenseLimit;
  private final KeyRing.ResponseSigner signer;

  public LicenseDialect(LicenseService core, Pipeline pipeline, RateLimit.Limit licenseLimit,
      KeyRing.ResponseSigner signer) {
    this.core = core;
    this.pipeline = pipeline;
    this.licenseLimit = licenseLimit;
    this.signer = signer;
  }

  @Override
  public void mount(Router router) {
    mount(router, "/license/activate", false, core::activate);
    mount(router, "/license/validate", true, core::validate);
    mount(router, "/license/deactivate", false, core::deactivate);
  }

  private void mount(Router router, String path, boolean validation,
      Function<LicenseQuery, Future<LicenseResult>> operation) {
    pipeline.post(router, DIALECT, path, this, exchange -> read(exchange, validation),
        request -> operation.apply(request.query()));
  }

  private static Future<Request> read(Exchange exchange, boolean validation) {
    FieldErrors f = exchange.json();
    String key = f.requiredLicenseKey("license_key");
    String machine = f.requiredMachineId("machine_id");
    f.orFail();
    return Future.succeededFuture(new Request(LicenseQuery.of(key, machine, exchange.ip()), validation));
  }

  @Override
  public Admission admission(Request request, Exchange exchange) {
    return new Admission(null, List.of(RateLimit.Bucket.of("license", request.query().licenseKey(), licenseLimit),
        pipeline.ipBucket(exchange.ip())));
  }

  @Override
  public Reply answer(Request request, LicenseResult result) {
    if (!result.outcome().ok()) {
      Row row = TABLE.get(result.outcome());
      return error(row.status(), row.code(), row.message(), null).retryAfter(result.retryAfterSeconds());
    }
    Map<String, Object> data = LicenseData.of(result, request.query().machineId(),
        request.validation() ? true : null, null);
    // docs/dialects.md: status is "active" or "suspended"; every non-active license shows as suspended.
    data.put("status", "active".equals(data.get("status")) ? "active" : "suspended");
    return Reply.of(200, SignedEnvelope.of(data, signer), "ok");
  }

  @Override
  public Reply refuse(Problem problem, Request request) {
    Reply reply = switch (problem.kind()) {
      case UNSUPPORTED_MEDIA_TYPE -> error(415, "unsupported_media_type", problem.getMessage(), null);
      case PAYLOAD_TOO_LARGE -> error(413, "payload_too_large", problem.getMessage(), null);
      case UNREADABLE -> error(problem.status(), "validation_error", problem.getMessage(), null);
      case NOT_JSON -> error(422, "validation_error", problem.getMessage(),
          new JsonObject().put("body", new JsonArray().add("is not valid JSON")));
      case INVALID_FIELDS -> error(422, "validation_error", problem.getMessage(),
          FieldErrors.toFieldMap(problem.details()));
      case RATE_LIMITED -> error(429, "rate_limit_exceeded", "too many requests; retry after "
          + problem.retryAfterSeconds() + " s", null);
      case UNAVAILABLE -> error(503, "service_unavailable", "the service is temporarily unavailable; retry shortly",
          null);
      default -> error(500, "internal_error", "internal error", null);
    };
    return reply.retryAfter(problem.retryAfterSeconds());
  }

  private static Reply error(int status, String code, String message, JsonObject errors) {
    JsonObject error = new JsonObject().put("code", code).put("message", message);
    JsonObject body = new JsonObject().put("error", error);
    if (errors != null) {
      // docs/dialects.md names the field errors beside the code; they are given in the error object
      // and at the top level, where form-validation clients look for them.
      error.put("errors", errors);
      body.put("errors", errors);
    }
    return Reply.of(status, body, code);
  }
}
