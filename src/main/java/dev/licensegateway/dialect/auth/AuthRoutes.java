package dev.licensegateway.dialect.auth;

import dev.licensegateway.dialect.Intake;
import dev.licensegateway.dialect.LicenseData;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.gate.RedisGate;
import dev.licensegateway.http.ClientIp;
import dev.licensegateway.http.Failures;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.RateLimitHeaders;
import dev.licensegateway.http.RequestTags;
import dev.licensegateway.licensing.LicenseContext;
import dev.licensegateway.licensing.LicenseQuery;
import dev.licensegateway.licensing.Outcome;
import dev.licensegateway.licensing.SessionService;
import dev.licensegateway.ops.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.LoggerFactory;

/**
 * {@code /auth/*} (SPEC 5.2): app SDK logins with app id + secret, HWID slots, sessions and
 * heartbeats. Business outcomes are HTTP 200 with {@code status} success/failed; every body
 * is signed in {@code X-Auth-Signature} with the app secret, except when the app id/secret
 * pair is wrong, when there is no secret to sign with.
 */
public final class AuthRoutes {

  public static final String DIALECT = "auth";
  public static final String SIGNATURE_HEADER = "X-Auth-Signature";
  private static final ThrottledLog LOG = new ThrottledLog(LoggerFactory.getLogger(AuthRoutes.class));

  /** The /auth column of SPEC 5.0. */
  private static final Map<Outcome, String> CODES = new EnumMap<>(Outcome.class);

  static {
    CODES.put(Outcome.NOT_FOUND, "invalid_key");
    CODES.put(Outcome.REVOKED, "revoked");
    CODES.put(Outcome.SUSPENDED, "revoked");
    CODES.put(Outcome.EXPIRED, "expired");
    CODES.put(Outcome.LIMIT_REACHED, "hwid_mismatch");
    CODES.put(Outcome.MACHINE_NOT_ACTIVATED, "session_expired");
    CODES.put(Outcome.HEARTBEAT_OVERDUE, "session_expired");
    CODES.put(Outcome.SESSION_EXPIRED, "session_expired");
    CODES.put(Outcome.ENTITLEMENTS_MISSING, "blocked");
    CODES.put(Outcome.HWID_BLOCKED, "blocked");
    CODES.put(Outcome.HWID_NOT_ALLOWED, "blocked");
    CODES.put(Outcome.IP_BLOCKED, "blocked");
    CODES.put(Outcome.IP_NOT_ALLOWED, "blocked");
    CODES.put(Outcome.IP_LIMIT_REACHED, "blocked");
    CODES.put(Outcome.PRODUCT_ARCHIVED, "invalid_app");
    CODES.put(Outcome.PRODUCT_DISABLED, "invalid_app");
    CODES.put(Outcome.PRODUCT_NOT_FOUND, "invalid_app");
    CODES.put(Outcome.ACCOUNT_SUSPENDED, "app_disabled");
    CODES.put(Outcome.ACCOUNT_BILLING_SUSPENDED, "app_disabled");
    CODES.put(Outcome.NO_CREDITS, "no_credits");
    CODES.put(Outcome.QUOTA_EXHAUSTED, "rate_limited");
  }

  private static final Map<String, String> MESSAGES = Map.ofEntries(
      Map.entry("invalid_key", "license key not found for this app"),
      Map.entry("revoked", "the license is revoked or suspended"),
      Map.entry("expired", "the license has expired"),
      Map.entry("hwid_mismatch", "every HWID slot of the license is bound to another machine"),
      Map.entry("session_expired", "the session has expired; log in again"),
      Map.entry("blocked", "this machine or address is blocked"),
      Map.entry("invalid_app", "unknown app, wrong app secret, or the app is unavailable"),
      Map.entry("app_disabled", "the vendor's account is suspended"),
      Map.entry("no_credits", "the vendor's account is out of credits"),
      Map.entry("rate_limited", "too many requests"));

  private final SessionService sessions;
  private final RedisGate gate;
  private final RateLimit.Limit ipLimit;
  private final ClientIp clientIp;
  private final Clock clock;
  private final int bodyLimit;

  public AuthRoutes(SessionService sessions, RedisGate gate, RateLimit.Limit ipLimit, ClientIp clientIp, Clock clock,
      int bodyLimit) {
    this.sessions = sessions;
    this.gate = gate;
    this.ipLimit = ipLimit;
    this.clientIp = clientIp;
    this.clock = clock;
    this.bodyLimit = bodyLimit;
  }

  public void mount(Router router) {
    Intake.post(router, "/auth/validate", DIALECT, bodyLimit, ctx -> handle(ctx, true), this::refused,
        (ctx, failure) -> unexpected(ctx, failure, null));
    Intake.post(router, "/auth/heartbeat", DIALECT, bodyLimit, ctx -> handle(ctx, false), this::refused,
        (ctx, failure) -> unexpected(ctx, failure, null));
  }

  private void handle(RoutingContext ctx, boolean login) {
    String ip = clientIp.resolve(ctx.request());
    Intake.Body body = Intake.read(ctx);
    if (body.problem() != null) {
      badRequest(ctx, ip, null, body.problem() == Intake.Problem.NOT_JSON ? "the request body is not valid JSON"
          : "Content-Type must be application/json", new JsonArray(), null);
      return;
    }
    FieldErrors f = body.fields();
    String nonce = f.requiredString("nonce", 128);
    String appId = f.requiredString("app_id", 64);
    String appSecret = login ? f.requiredString("app_secret", 128) : null;
    String licenseKey = login ? f.requiredString("license_key", 255) : null;
    String hwid = login ? f.requiredMachineId("hwid") : null;
    String token = login ? null : f.requiredString("session_token", 128);
    if (!f.ok()) {
      // SPEC 5.2: signed like every body when the fields that were valid prove the app.
      sessions.signingSecret(appId, appSecret, token).otherwise((String) null)
          .onComplete(secret -> badRequest(ctx, ip, nonce, "the request has invalid fields", f.toJson(),
              secret.result()));
      return;
    }
    Intake.admit(ctx, gate, List.of(RateLimit.Bucket.clientIp(ip, ipLimit)))
        .compose(decision -> decision.verdict() == RedisGate.Verdict.LIMITED
            ? Future.succeededFuture((SessionService.SessionResult) null)
            : login
                ? sessions.login(appId, appSecret, LicenseQuery.of(licenseKey, hwid, ip))
                : sessions.heartbeat(appId, token, ip))
        .onSuccess(result -> {
          if (result == null) {
            RateLimit state = RateLimitHeaders.remembered(ctx);
            ctx.response().putHeader(RateLimitHeaders.RETRY_AFTER, Long.toString(state.retryAfterSeconds()));
            send(ctx, 429, failed("rate_limited", "too many requests; retry after " + state.retryAfterSeconds() + " s",
                nonce), null);
          } else {
            answer(ctx, result, nonce);
          }
        })
        .onFailure(e -> unexpected(ctx, e, nonce));
  }

  private void answer(RoutingContext ctx, SessionService.SessionResult result, String nonce) {
    if (!result.outcome().ok()) {
      String code = CODES.getOrDefault(result.outcome(), "blocked");
      // SPEC 5.2: business outcomes are HTTP 200, "but 401 for transport-level auth": the
      // app id/secret pair (or a session of another app) failing is that 401, unsigned.
      int status = result.outcome() == Outcome.PRODUCT_NOT_FOUND ? 401 : 200;
      send(ctx, status, failed(code, MESSAGES.get(code), nonce), result.appSecret());
      return;
    }
    LicenseContext license = result.result().context();
    JsonObject body = new JsonObject()
        .put("status", "success")
        .put("nonce", nonce)
        .put("timestamp", clock.instant().getEpochSecond())
        .put("session_token", result.token())
        .put("session_expires_at", LicenseData.rfc3339(result.expiresAt()))
        .put("license", new JsonObject()
            .put("key", license.key())
            .put("status", license.displayStatus(result.result().now()))
            .put("expires_at", LicenseData.rfc3339(license.expiresAt()))
            .put("max_machines", license.maxMachines())
            .put("machines_used", result.result().machinesUsed())
            .put("entitlements", new JsonArray(license.entitlements())));
    send(ctx, 200, body, result.appSecret());
  }

  private static JsonObject failed(String code, String message, String nonce) {
    return new JsonObject().put("status", "failed").put("error", code).put("message", message).put("nonce", nonce);
  }

  /** {@code secret} null: unsigned, as the request did not prove its app. */
  private void badRequest(RoutingContext ctx, String ip, String nonce, String message, JsonArray details,
      String secret) {
    JsonObject body = failed("bad_request", message, nonce).put("details", details);
    Intake.peek(ctx, gate, List.of(RateLimit.Bucket.clientIp(ip, ipLimit)))
        .onComplete(v -> send(ctx, 200, body, secret));
  }

  /** The body over the limit, or not readable at all: bad_request, unsigned (no app is proven). */
  private void refused(RoutingContext ctx, int status) {
    badRequest(ctx, clientIp.resolve(ctx.request()), null, status == 413
        ? "request body exceeds " + bodyLimit + " bytes" : "the request could not be read", new JsonArray(), null);
  }

  private void unexpected(RoutingContext ctx, Throwable failure, String nonce) {
    if (Failures.isUnavailable(failure)) {
      LOG.warn("auth-unavailable", "a dependency is unreachable", failure);
      ctx.response().putHeader(RateLimitHeaders.RETRY_AFTER, "1");
      send(ctx, 503, failed("unavailable", "the service is temporarily unavailable; retry shortly", nonce), null);
    } else {
      LOG.error("auth-internal", "unexpected failure answering " + ctx.request().path(), failure);
      send(ctx, 500, failed("internal_error", "internal error", nonce), null);
    }
  }

  /** Ends the response; {@code secret} null means unsigned (the app could not be verified). */
  private static void send(RoutingContext ctx, int status, JsonObject body, String secret) {
    if (ctx.response().ended()) {
      return;
    }
    Buffer bytes = body.toBuffer();
    if (secret != null) {
      ctx.response().putHeader(SIGNATURE_HEADER, hmacHex(secret, bytes.getBytes()));
    }
    RequestTags.outcome(ctx, body.getString("status").equals("success") ? "success" : body.getString("error"));
    RateLimitHeaders.write(ctx.response(), RateLimitHeaders.remembered(ctx));
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(bytes);
  }

  public static String hmacHex(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
