package dev.licensegateway.dialect.keyport;

import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.Pipeline;
import dev.licensegateway.http.Problem;
import dev.licensegateway.http.Reply;
import dev.licensegateway.http.Routes;
import dev.licensegateway.http.Wire;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.licensing.LicenseQuery;
import dev.licensegateway.licensing.LicenseResult;
import dev.licensegateway.licensing.Outcome;
import dev.licensegateway.licensing.ProductKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/validate} (docs/dialects.md): product-key validation. Business outcomes are
 * HTTP 200 with {@code valid}, {@code status} and {@code message}; the calling IP is
 * registered on the license up to the policy's {@code max_ips}.
 */
public final class KeyportDialect implements Routes, Wire<KeyportDialect.Request, LicenseResult> {

  public static final String DIALECT = "keyport";
  public static final String PATH = "/api/v1/validate";
  private static final Pattern PRODUCT_KEY = Pattern.compile("kp_(live|test)_[0-9A-Za-z]{32}");

  /** The /api/v1/validate column of docs/dialects.md: status and message per core outcome. */
  private record Row(String status, String message) {}

  private static final Map<Outcome, Row> TABLE = new EnumMap<>(Outcome.class);
  private static final Row UNUSABLE = new Row("revoked", "the license cannot be used");

  static {
    TABLE.put(Outcome.VALID, new Row("valid", "the license is valid"));
    TABLE.put(Outcome.NOT_FOUND, new Row("license_not_found", "license key not found for this product"));
    TABLE.put(Outcome.REVOKED, new Row("revoked", "the license is revoked"));
    TABLE.put(Outcome.SUSPENDED, new Row("revoked", "the license is suspended"));
    TABLE.put(Outcome.EXPIRED, new Row("expired", "the license has expired"));
    TABLE.put(Outcome.IP_BLOCKED, new Row("ip_blocked", "this IP address is blocked"));
    TABLE.put(Outcome.IP_NOT_ALLOWED, new Row("ip_not_registered", "this IP address is not registered on the license"));
    TABLE.put(Outcome.IP_LIMIT_REACHED, new Row("ip_limit_reached", "the license has reached its IP address limit"));
    TABLE.put(Outcome.PRODUCT_NOT_FOUND, new Row("product_not_found", "no product has this product key"));
    TABLE.put(Outcome.PRODUCT_ARCHIVED, new Row("product_archived", "the product is archived"));
    TABLE.put(Outcome.PRODUCT_DISABLED, new Row("product_disabled", "the product is disabled"));
    TABLE.put(Outcome.ACCOUNT_SUSPENDED, new Row("org_suspended", "the vendor's account is suspended"));
    TABLE.put(Outcome.ACCOUNT_BILLING_SUSPENDED, new Row("billing_suspended",
        "the vendor's account is suspended for billing"));
    TABLE.put(Outcome.NO_CREDITS, new Row("billing_suspended", "the vendor's account is out of credits"));
  }

  record Request(String productKey, LicenseQuery query) {}

  private final ProductKeys productKeys;
  private final Pipeline pipeline;
  private final RateLimit.Limit productKeyLimit;

  public KeyportDialect(ProductKeys productKeys, Pipeline pipeline, RateLimit.Limit productKeyLimit) {
    this.productKeys = productKeys;
    this.pipeline = pipeline;
    this.productKeyLimit = productKeyLimit;
  }

  @Override
  public void mount(Router router) {
    pipeline.post(router, DIALECT, PATH, this, KeyportDialect::read,
        request -> productKeys.validate(request.productKey(), request.query()));
  }

  private static Future<Request> read(Exchange exchange) {
    String productKey = exchange.bearer();
    if (productKey == null || !PRODUCT_KEY.matcher(productKey).matches()) {
      throw Problem.unauthenticated("missing or malformed product key: send Authorization: Bearer kp_live_… or kp_test_…");
    }
    FieldErrors f = exchange.json();
    String licenseKey = f.requiredString("license_key", 255);
    f.orFail();
    return Future.succeededFuture(new Request(productKey, LicenseQuery.of(licenseKey, null, exchange.ip())));
  }

  @Override
  public Admission admission(Request request, Exchange exchange) {
    return new Admission(null, List.of(RateLimit.Bucket.of("productkey", Secrets.digestId(request.productKey()),
            productKeyLimit),
        pipeline.ipBucket(exchange.ip())));
  }

  @Override
  public Reply answer(Request request, LicenseResult result) {
    if (result.outcome() == Outcome.QUOTA_EXHAUSTED) {
      return tooMany(result.retryAfterSeconds(), "the product's daily validation limit is used up");
    }
    Row row = TABLE.getOrDefault(result.outcome(), UNUSABLE);
    return Reply.of(200, new JsonObject().put("valid", result.outcome().ok()).put("status", row.status())
        .put("message", row.message()), row.status());
  }

  @Override
  public Reply refuse(Problem problem, Request request) {
    return switch (problem.kind()) {
      case PAYLOAD_TOO_LARGE -> refusal(413, "payload_too_large", problem.getMessage());
      case UNREADABLE -> refusal(problem.status(), "invalid_request", problem.getMessage());
      case UNSUPPORTED_MEDIA_TYPE, NOT_JSON, INVALID_FIELDS -> Reply.of(400,
          reply("invalid_request", problem.getMessage()).put("details", FieldErrors.toJson(problem.details())),
          "invalid_request");
      case UNAUTHENTICATED -> refusal(401, "invalid_api_key", problem.getMessage());
      case RATE_LIMITED -> tooMany(problem.retryAfterSeconds(), "too many requests for this product key");
      case UNAVAILABLE -> refusal(503, "unavailable", "the service is temporarily unavailable; retry shortly")
          .retryAfter(problem.retryAfterSeconds());
      default -> refusal(500, "internal_error", "internal error");
    };
  }

  /** docs/dialects.md: 429 carries the wait in the body too, equal to Retry-After. */
  private static Reply tooMany(long retryAfter, String message) {
    return Reply.of(429, reply("rate_limit_exceeded", message).put("retry_after", retryAfter), "rate_limit_exceeded")
        .retryAfter(retryAfter);
  }

  private static Reply refusal(int status, String code, String message) {
    return Reply.of(status, reply(code, message), code);
  }

  private static JsonObject reply(String status, String message) {
    return new JsonObject().put("valid", false).put("status", status).put("message", message);
  }
}
