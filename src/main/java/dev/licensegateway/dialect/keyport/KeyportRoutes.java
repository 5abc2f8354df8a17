package dev.licensegateway.dialect.keyport;

import dev.licensegateway.dialect.Intake;
import dev.licensegateway.gate.DailyQuota;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.gate.RedisGate;
import dev.licensegateway.http.ClientIp;
import dev.licensegateway.http.Failures;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.RateLimitHeaders;
import dev.licensegateway.http.RequestTags;
import dev.licensegateway.licensing.LicenseQuery;
import dev.licensegateway.licensing.LicenseResult;
import dev.licensegateway.licensing.Outcome;
import dev.licensegateway.licensing.ProductKeys;
import dev.licensegateway.licensing.Secrets;
import dev.licensegateway.manage.ApiKeyAuth;
import dev.licensegateway.ops.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/validate} (SPEC 5.4): product-key validation. Business outcomes are
 * HTTP 200 with {@code valid}, {@code status} and {@code message}; the calling IP is
 * registered on the license up to the policy's {@code max_ips}.
 */
public final class KeyportRoutes {

  public static final String DIALECT = "keyport";
  public static final String PATH = "/api/v1/validate";
  private static final Pattern PRODUCT_KEY = Pattern.compile("kp_(live|test)_[0-9A-Za-z]{32}");
  private static final ThrottledLog LOG = new ThrottledLog(LoggerFactory.getLogger(KeyportRoutes.class));

  /** The /api/v1/validate column of SPEC 5.0: status and message per core outcome. */
  private record Wire(String status, String message) {}

  private static final Map<Outcome, Wire> TABLE = new EnumMap<>(Outcome.class);

  static {
    TABLE.put(Outcome.VALID, new Wire("valid", "the license is valid"));
    TABLE.put(Outcome.NOT_FOUND, new Wire("license_not_found", "license key not found for this product"));
    TABLE.put(Outcome.REVOKED, new Wire("revoked", "the license is revoked"));
    TABLE.put(Outcome.SUSPENDED, new Wire("revoked", "the license is suspended"));
    TABLE.put(Outcome.EXPIRED, new Wire("expired", "the license has expired"));
    TABLE.put(Outcome.IP_BLOCKED, new Wire("ip_blocked", "this IP address is blocked"));
    TABLE.put(Outcome.IP_NOT_ALLOWED, new Wire("ip_not_registered", "this IP address is not registered on the license"));
    TABLE.put(Outcome.IP_LIMIT_REACHED, new Wire("ip_limit_reached", "the license has reached its IP address limit"));
    TABLE.put(Outcome.PRODUCT_NOT_FOUND, new Wire("product_not_found", "no product has this product key"));
    TABLE.put(Outcome.PRODUCT_ARCHIVED, new Wire("product_archived", "the product is archived"));
    TABLE.put(Outcome.PRODUCT_DISABLED, new Wire("product_disabled", "the product is disabled"));
    TABLE.put(Outcome.ACCOUNT_SUSPENDED, new Wire("org_suspended", "the vendor's account is suspended"));
    TABLE.put(Outcome.ACCOUNT_BILLING_SUSPENDED, new Wire("billing_suspended",
        "the vendor's account is suspended for billing"));
    TABLE.put(Outcome.NO_CREDITS, new Wire("billing_suspended", "the vendor's account is out of credits"));
  }

  private final ProductKeys productKeys;
  private final RedisGate gate;
  private final RateLimit.Limit productKeyLimit;
  private final RateLimit.Limit ipLimit;
  private final ClientIp clientIp;
  private final Clock clock;
  private final int bodyLimit;

  public KeyportRoutes(ProductKeys productKeys, RedisGate gate, RateLimit.Limit productKeyLimit,
      RateLimit.Limit ipLimit, ClientIp clientIp, Clock clock, int bodyLimit) {
    this.productKeys = productKeys;
    this.gate = gate;
    this.productKeyLimit = productKeyLimit;
    this.ipLimit = ipLimit;
    this.clientIp = clientIp;
    this.clock = clock;
    this.bodyLimit = bodyLimit;
  }

  public void mount(Router router) {
    Intake.post(router, PATH, DIALECT, bodyLimit, this::handle, (ctx, status) -> {
      JsonObject refusal = status == 413
          ? reply("payload_too_large", "request body exceeds " + bodyLimit + " bytes")
          : reply("invalid_request", "the request could not be read");
      // SPEC 2.3: the answer still reports the client IP's bucket.
      String ip = clientIp.resolve(ctx.request());
      Intake.peek(ctx, gate, List.of(RateLimit.Bucket.clientIp(ip, ipLimit)))
          .onComplete(v -> send(ctx, status, refusal));
    }, this::unexpected);
  }

  private void handle(RoutingContext ctx) {
    String ip = clientIp.resolve(ctx.request());
    RateLimit.Bucket ipBucket = RateLimit.Bucket.clientIp(ip, ipLimit);
    String productKey = ApiKeyAuth.bearer(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    if (productKey == null || !PRODUCT_KEY.matcher(productKey).matches()) {
      Intake.peek(ctx, gate, List.of(ipBucket)).onComplete(v -> send(ctx, 401, reply("invalid_api_key",
          "missing or malformed product key: send Authorization: Bearer kp_live_… or kp_test_…")));
      return;
    }
    Intake.Body body = Intake.read(ctx);
    FieldErrors f = body.fields();
    String licenseKey = f == null ? null : f.requiredString("license_key", 255);
    if (body.problem() != null || !f.ok()) {
      JsonObject invalid = reply("invalid_request", body.problem() == Intake.Problem.UNSUPPORTED_MEDIA_TYPE
          ? "Content-Type must be application/json" : body.problem() == Intake.Problem.NOT_JSON
          ? "the request body is not valid JSON" : "the request has invalid fields")
          .put("details", f == null ? new JsonArray() : f.toJson());
      Intake.peek(ctx, gate, List.of(ipBucket)).onComplete(v -> send(ctx, 400, invalid));
      return;
    }
    // The bucket is keyed by the key's digest: no plaintext credential is written to Redis.
    String keyId = HexFormat.of().formatHex(Secrets.digest(productKey), 0, 16);
    Intake.admit(ctx, gate, List.of(RateLimit.Bucket.of("productkey", keyId, productKeyLimit), ipBucket))
        .compose(decision -> decision.verdict() == RedisGate.Verdict.LIMITED
            ? Future.succeededFuture((LicenseResult) null)
            : productKeys.validate(productKey, LicenseQuery.of(licenseKey, null, ip)))
        .onSuccess(result -> {
          if (result == null) {
            tooMany(ctx, RateLimitHeaders.remembered(ctx).retryAfterSeconds(), "too many requests for this product key");
          } else if (result.outcome() == Outcome.QUOTA_EXHAUSTED) {
            tooMany(ctx, DailyQuota.secondsToMidnightUtc(clock), "the product's daily validation limit is used up");
          } else {
            Wire wire = TABLE.getOrDefault(result.outcome(), new Wire("revoked", "the license cannot be used"));
            send(ctx, 200, new JsonObject().put("valid", result.outcome().ok()).put("status", wire.status())
                .put("message", wire.message()));
          }
        })
        .onFailure(e -> unexpected(ctx, e));
  }

  private static void tooMany(RoutingContext ctx, long retryAfter, String message) {
    ctx.response().putHeader(RateLimitHeaders.RETRY_AFTER, Long.toString(retryAfter));
    send(ctx, 429, reply("rate_limit_exceeded", message).put("retry_after", retryAfter));
  }

  private static JsonObject reply(String status, String message) {
    return new JsonObject().put("valid", false).put("status", status).put("message", message);
  }

  private void unexpected(RoutingContext ctx, Throwable failure) {
    if (Failures.isUnavailable(failure)) {
      LOG.warn("keyport-unavailable", "a dependency is unreachable", failure);
      ctx.response().putHeader(RateLimitHeaders.RETRY_AFTER, "1");
      send(ctx, 503, reply("unavailable", "the service is temporarily unavailable; retry shortly"));
    } else {
      LOG.error("keyport-internal", "unexpected failure answering " + PATH, failure);
      send(ctx, 500, reply("internal_error", "internal error"));
    }
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return;
    }
    RequestTags.outcome(ctx, body.getString("status"));
    RateLimitHeaders.write(ctx.response(), RateLimitHeaders.remembered(ctx));
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }
}
