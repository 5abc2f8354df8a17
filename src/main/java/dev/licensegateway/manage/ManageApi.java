package dev.licensegateway.manage;

import dev.licensegateway.access.ApiKeyAuth;
import dev.licensegateway.access.Caller;
import dev.licensegateway.access.Scope;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.Pipeline;
import dev.licensegateway.http.Problem;
import dev.licensegateway.http.Reply;
import dev.licensegateway.http.Routes;
import dev.licensegateway.http.Wire;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.licensing.ValidationQuota;
import dev.licensegateway.webhook.UrlGuard;
import dev.licensegateway.webhook.WebhookSecrets;
import dev.licensegateway.webhook.WebhookStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.List;

/**
 * The management API, {@code /api/v1/manage/*} (docs/management-api.md), on the same pipeline as the
 * dialects: a bearer API key authenticates, its bucket admits, its scope authorises, then one
 * resource's handler runs. Each resource mounts its routes through {@link #route}.
 */
public final class ManageApi implements Routes, Wire<ManageApi.Request, ManageApi.Result> {

  public static final String PREFIX = "/api/v1/manage";
  private static final String DIALECT = "manage";

  /** A request to a route that needs {@code scope} (null: any key); {@code caller} once its key is looked up. */
  public record Request(String key, Caller caller, Exchange exchange, Scope scope) {}

  /** A handler's answer: 200 or 201 with the document; a null body means the resource is gone. */
  public record Result(int status, JsonObject body) {
    public static Result ok(JsonObject body) {
      return new Result(200, body);
    }

    public static Result created(JsonObject body) {
      return new Result(201, body);
    }
  }

  /** One endpoint's work, once the caller is authenticated, admitted and authorised. */
  @FunctionalInterface
  public interface Handler {
    Future<Result> handle(Exchange exchange, Caller caller);
  }

  private final ApiKeyAuth auth;
  private final Pipeline pipeline;
  private final RateLimit.Limit apiKeyLimit;
  private final List<ManageResource> resources;

  public ManageApi(ApiKeyAuth auth, Pipeline pipeline, RateLimit.Limit apiKeyLimit, ManageStore store,
      ValidationQuota quota, Clock clock, WebhookStore webhooks, WebhookSecrets secrets, UrlGuard urls) {
    this.auth = auth;
    this.pipeline = pipeline;
    this.apiKeyLimit = apiKeyLimit;
    this.resources = List.of(new AccountResource(store), new ProductResource(store), new PolicyResource(store),
        new LicenseResource(store), new MachineResource(store), new RuleResource(store), new KeyResource(store),
        new UsageResource(store, quota, clock),
        new WebhookResource(store, webhooks, secrets, urls));
  }

  @Override
  public void mount(Router router) {
    resources.forEach(resource -> resource.mount(this, router));
    // Anything else under the prefix answers in this API's error form.
    pipeline.route(router, null, PREFIX + "/*", DIALECT, "unmatched", this,
        exchange -> Future.failedFuture(Problem.notFound("route")), request -> Future.succeededFuture());
  }

  /** Mounts one endpoint under {@link #PREFIX}. */
  void route(Router router, HttpMethod method, String path, Scope scope, Handler handler) {
    String full = PREFIX + path;
    pipeline.route(router, method, full, DIALECT, method.name() + " " + full, this,
        exchange -> Future.succeededFuture(new Request(ApiKeyAuth.presented(exchange.bearer()), null, exchange, scope)),
        request -> handler.handle(request.exchange(), request.caller()));
  }

  /** docs/rate-limits.md: the key's bucket and, as on every public route, the client IP's, before any lookup. */
  @Override
  public Admission admission(Request request, Exchange exchange) {
    return new Admission(null, List.of(RateLimit.Bucket.of("apikey", Secrets.digestId(request.key()), apiKeyLimit),
        pipeline.ipBucket(exchange.ip())));
  }

  /** The key looked up, then its scope checked. */
  @Override
  public Future<Request> afterAdmission(Request request) {
    Scope scope = request.scope();
    return auth.authenticate(request.key()).compose(caller -> scope == null || caller.has(scope)
        ? Future.succeededFuture(new Request(request.key(), caller, request.exchange(), scope))
        : Future.failedFuture(Problem.forbidden("this API key lacks the scope " + scope.wire())));
  }

  @Override
  public Reply answer(Request request, Result result) {
    if (result.body() == null) {
      return refuse(Problem.notFound("resource"), request);
    }
    return Reply.of(result.status(), result.body(), String.valueOf(result.status()));
  }

  /** docs/management-api.md's error form: {@code {"error": "<code>", "message", "details"?}}. */
  @Override
  public Reply refuse(Problem problem, Request request) {
    return switch (problem.kind()) {
      // The dialects' media-type check (Exchange.requireJson), answered as HTTP says: 415.
      case UNSUPPORTED_MEDIA_TYPE -> error(415, "unsupported_media_type", problem);
      case PAYLOAD_TOO_LARGE, UNREADABLE, NOT_JSON, INVALID_FIELDS -> error(400, "bad_request", problem);
      case UNAUTHENTICATED, SECRET_NOT_SET, STALE_TIMESTAMP, REPLAYED -> error(401, "invalid_api_key", problem);
      case NO_CREDITS -> error(402, "no_credits", problem);
      case FORBIDDEN -> error(403, "forbidden", problem);
      case NOT_FOUND -> error(404, "not_found", problem);
      case RATE_LIMITED -> error(429, "rate_limited", problem).retryAfter(problem.retryAfterSeconds());
      case UNAVAILABLE -> error(503, "unavailable", problem).retryAfter(problem.retryAfterSeconds());
      case INTERNAL -> error(500, "internal_error", problem);
    };
  }

  /** docs/management-api.md's error form, also for refusals written before a route runs (a URI that does not decode). */
  public static JsonObject errorBody(String code, String message) {
    return new JsonObject().put("error", code).put("message", message);
  }

  private static Reply error(int status, String code, Problem problem) {
    JsonObject body = errorBody(code, problem.getMessage());
    if (!problem.details().isEmpty()) {
      body.put("details", FieldErrors.toJson(problem.details()));
    }
    return Reply.of(status, body, code);
  }
}
