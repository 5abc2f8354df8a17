package dev.licensegateway.dialect.nativeapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.licensegateway.dialect.Intake;
import dev.licensegateway.dialect.LicenseData;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.gate.DailyQuota;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.gate.RedisGate;
import dev.licensegateway.gate.RequestSignature;
import dev.licensegateway.http.ClientIp;
import dev.licensegateway.http.Failures;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.Json;
import dev.licensegateway.http.RateLimitHeaders;
import dev.licensegateway.http.RequestTags;
import dev.licensegateway.licensing.LicenseQuery;
import dev.licensegateway.licensing.LicenseResult;
import dev.licensegateway.licensing.LicenseService;
import dev.licensegateway.ops.ThrottledLog;
import dev.licensegateway.signing.KeyRing;
import dev.licensegateway.signing.SignedEnvelope;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * The native dialect, {@code /api/v1/license/*} (SPEC 2): the gate of SPEC 2.1 in its fixed
 * order, then the core, then a signed answer. Wire mapping only: the core decides.
 */
public final class NativeRoutes {

  public static final String DIALECT = "native";
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final ThrottledLog LOG = new ThrottledLog(LoggerFactory.getLogger(NativeRoutes.class));

  /** One endpoint: its path, how its body reads, and which core operation answers it. */
  private record Endpoint(String path, boolean namesMachine, boolean isValidation,
      Function<LicenseQuery, Future<LicenseResult>> operation) {}

  private final LicenseService core;
  private final RequestSignature signature;
  private final RedisGate gate;
  private final GatewayConfig.RateLimits limits;
  private final KeyRing.ResponseSigner signer;
  private final ClientIp clientIp;
  private final Clock clock;
  private final long skewSeconds;
  private final int bodyLimit;

  public NativeRoutes(LicenseService core, String secret, RedisGate gate, GatewayConfig.RateLimits limits,
      KeyRing.ResponseSigner signer, ClientIp clientIp, Clock clock, long skewSeconds, int bodyLimit) {
    this.core = core;
    this.signature = secret == null || secret.isEmpty() ? null : new RequestSignature(secret);
    this.gate = gate;
    this.limits = limits;
    this.signer = signer;
    this.clientIp = clientIp;
    this.clock = clock;
    this.skewSeconds = skewSeconds;
    this.bodyLimit = bodyLimit;
  }

  public void mount(Router router) {
    List<Endpoint> endpoints = List.of(
        new Endpoint("/api/v1/license/activate", true, false, core::activate),
        new Endpoint("/api/v1/license/validate", true, true, core::validate),
        new Endpoint("/api/v1/license/deactivate", true, false, core::deactivate),
        new Endpoint("/api/v1/license/heartbeat", true, false, core::heartbeat),
        new Endpoint("/api/v1/license/status", false, false, core::status));
    for (Endpoint endpoint : endpoints) {
      Intake.post(router, endpoint.path(), DIALECT, bodyLimit, ctx -> handle(ctx, endpoint),
          (ctx, status) -> refuse(ctx, clientIp.resolve(ctx.request()),
              status == 413 ? NativeError.PAYLOAD_TOO_LARGE : NativeError.MALFORMED,
              status == 413 ? "request body exceeds " + bodyLimit + " bytes" : "the request could not be read", null),
          (ctx, failure) -> failure(ctx, failure));
    }
  }

  private void handle(RoutingContext ctx, Endpoint endpoint) {
    String ip = clientIp.resolve(ctx.request());
    // SPEC 2.1 step 1 (size is BodyHandler's, answered in failure()) and the media type.
    if (!Intake.isJson(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      refuse(ctx, ip, NativeError.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json", null);
      return;
    }
    if (signature == null) {
      refuse(ctx, ip, NativeError.SECRET_NOT_SET, "the gateway has no LICENSE_API_SECRET configured", null);
      return;
    }
    MultiMap headers = ctx.request().headers();
    RequestSignature.Headers signed = RequestSignature.parseHeaders(
        headers.get(RequestSignature.TIMESTAMP_HEADER),
        headers.get(RequestSignature.NONCE_HEADER),
        headers.get(RequestSignature.SIGNATURE_HEADER));
    if (!signed.wellFormed()) {
      refuse(ctx, ip, NativeError.BAD_SIGNATURE,
          "X-License-Timestamp, X-License-Nonce and X-License-Signature must all be present and well-formed", null);
      return;
    }
    byte[] body = bodyBytes(ctx.body());
    if (!signature.verify(signed, ctx.request().method().name(), ctx.request().uri(), body)) {
      refuse(ctx, ip, NativeError.BAD_SIGNATURE, "signature does not match the request", null);
      return;
    }
    long now = clock.millis() / 1000;
    if (Math.abs(now - signed.timestamp()) > skewSeconds) {
      refuse(ctx, ip, NativeError.STALE_TIMESTAMP,
          "X-License-Timestamp is more than " + skewSeconds + " s from the server's clock (" + now + ")", null);
      return;
    }
    JsonNode json;
    try {
      json = Json.parse(Buffer.buffer(body));
    } catch (IOException e) {
      JsonArray details = new JsonArray().add(new JsonObject().put("field", "body").put("message",
          "is not valid JSON (or nests deeper than " + Json.MAX_DEPTH + " levels)"));
      refuse(ctx, ip, NativeError.MALFORMED, "request body is not valid JSON", details);
      return;
    }
    FieldErrors fields = FieldErrors.of(json);
    LicenseQuery query = readQuery(fields, endpoint, ip);
    if (!fields.ok()) {
      refuse(ctx, ip, NativeError.MALFORMED, "request body failed validation", fields.toJson());
      return;
    }
    // Step 7: nonce and buckets in one Redis round trip; step 8: the core.
    String nonce = signed.nonce();
    gate.admit(nonce, buckets(query.licenseKey(), ip))
        .recover(e -> Future.failedFuture(new Unavailable("Redis", e)))
        .compose(decision -> {
          RateLimitHeaders.remember(ctx, decision.applied());
          return switch (decision.verdict()) {
            case REPLAY -> Future.failedFuture(new Refusal(NativeError.BAD_SIGNATURE, "replayed nonce"));
            case LIMITED -> Future.failedFuture(new Refusal(NativeError.RATE_LIMITED,
                "rate limit reached for this " + decision.applied().kind() + "; retry after "
                    + decision.applied().retryAfterSeconds() + " s"));
            case PASS -> endpoint.operation().apply(query).recover(e -> Future.failedFuture(
                Failures.isUnavailable(e) ? new Unavailable("Postgres", e) : e));
          };
        })
        .onSuccess(result -> answer(ctx, endpoint, query, result, nonce))
        .onFailure(ctx::fail);
  }

  private List<RateLimit.Bucket> buckets(String licenseKey, String ip) {
    List<RateLimit.Bucket> buckets = new ArrayList<>(2);
    if (licenseKey != null) {
      buckets.add(RateLimit.Bucket.of("license", licenseKey, limits.licenseKey()));
    }
    buckets.add(RateLimit.Bucket.clientIp(ip, limits.clientIp()));
    return buckets;
  }

  /**
   * An answer decided before step 7: it stores nothing (SPEC 2.1), so it reports the client
   * IP's bucket as it stands, without taking from it.
   */
  private void refuse(RoutingContext ctx, String ip, NativeError error, String message, JsonArray details) {
    Intake.peek(ctx, gate, buckets(null, ip)).onComplete(v -> error(ctx, error, message, details));
  }

  private static LicenseQuery readQuery(FieldErrors fields, Endpoint endpoint, String ip) {
    String key = fields.requiredString("license_key", 255);
    if (!endpoint.namesMachine()) {
      return LicenseQuery.of(key, null, ip);
    }
    String machineId = fields.requiredMachineId("machine_id");
    LicenseQuery query = LicenseQuery.of(key, machineId, ip)
        .withMachine(new LicenseQuery.MachineInfo(
            fields.optionalString("name", 255),
            fields.optionalString("platform", 255),
            fields.optionalString("hostname", 255)));
    return endpoint.isValidation()
        ? query.withEntitlements(fields.optionalStringList("entitlements", 64, 255))
        : query;
  }

  private void answer(RoutingContext ctx, Endpoint endpoint, LicenseQuery query, LicenseResult result, String nonce) {
    if (!result.outcome().ok()) {
      NativeError.Mapping mapping = NativeError.of(result.outcome());
      error(ctx, mapping.error(), mapping.message(), null);
      return;
    }
    RateLimitHeaders.write(ctx.response(), RateLimitHeaders.remembered(ctx));
    var data = LicenseData.of(result, query.machineId(), endpoint.isValidation() ? Boolean.TRUE : null, nonce);
    RequestTags.outcome(ctx, "ok");
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .end(SignedEnvelope.of(data, signer));
  }

  private void failure(RoutingContext ctx, Throwable failure) {
    if (ctx.response().ended()) {
      return;
    }
    if (failure instanceof Refusal refusal) {
      error(ctx, refusal.error, refusal.getMessage(), null);
    } else if (failure instanceof Unavailable unavailable) {
      LOG.warn("native-unavailable-" + unavailable.dependency, unavailable.getMessage(), unavailable.getCause());
      error(ctx, NativeError.UNAVAILABLE, unavailable.dependency + " is unreachable; retry shortly", null);
    } else {
      LOG.error("native-internal", "unexpected failure answering " + ctx.normalizedPath(), failure);
      error(ctx, NativeError.INTERNAL_ERROR, "internal error", null);
    }
  }

  private void error(RoutingContext ctx, NativeError error, String message, JsonArray details) {
    JsonObject body = new JsonObject()
        .put("code", error.code)
        .put("name", error.wireName)
        .put("message", message)
        .put("retryable", error.retryable);
    if (details != null) {
      body.put("details", details);
    }
    RequestTags.outcome(ctx, String.valueOf(error.code));
    var response = ctx.response().setStatusCode(error.httpStatus).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    RateLimit state = RateLimitHeaders.remembered(ctx);
    RateLimitHeaders.write(response, state);
    switch (error) {
      case UNAVAILABLE -> response.putHeader(RateLimitHeaders.RETRY_AFTER, "1");
      case RATE_LIMITED -> response.putHeader(RateLimitHeaders.RETRY_AFTER,
          Long.toString(state == null ? 1 : state.retryAfterSeconds()));
      case QUOTA_EXHAUSTED -> response.putHeader(RateLimitHeaders.RETRY_AFTER,
          Long.toString(DailyQuota.secondsToMidnightUtc(clock)));
      default -> { }
    }
    response.end(new JsonObject().put("error", body).toBuffer());
  }

  private static byte[] bodyBytes(RequestBody body) {
    Buffer buffer = body == null ? null : body.buffer();
    return buffer == null ? new byte[0] : buffer.getBytes();
  }

  /** A refusal decided in the gate after the body was read (a replayed nonce). */
  static final class Refusal extends RuntimeException {
    final NativeError error;

    Refusal(NativeError error, String message) {
      super(message, null, false, false);
      this.error = error;
    }
  }

  /** Postgres or Redis could not answer: 1717 with Retry-After. */
  static final class Unavailable extends RuntimeException {
    final String dependency;

    Unavailable(String dependency, Throwable cause) {
      super(dependency + " unavailable", cause, false, false);
      this.dependency = dependency;
    }
  }
}
