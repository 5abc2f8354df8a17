package dev.licensegateway.manage;

import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.gate.RedisGate;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.Ids;
import dev.licensegateway.http.Json;
import dev.licensegateway.http.RateLimitHeaders;
import dev.licensegateway.http.RequestTags;
import dev.licensegateway.manage.ManageStore.Kind;
import dev.licensegateway.manage.ManageStore.PolicyFields;
import dev.licensegateway.ops.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import org.slf4j.LoggerFactory;

/**
 * The management API, {@code /api/v1/manage/*} (SPEC 4): scoped, environment-bound API keys,
 * tenant isolation, cursor pagination, credits. Handlers validate and translate; the SQL is
 * in {@link ManageStore}.
 */
public final class ManageRoutes {

  public static final String PREFIX = "/api/v1/manage";
  public static final List<String> SCOPES = List.of("products:read", "products:write", "licenses:read",
      "licenses:write", "machines:write", "rules:write", "keys:write", "licenses:validate");
  private static final Set<String> PRODUCT_STATUSES = Set.of("active", "archived", "disabled");
  private static final Set<String> LICENSE_STATUSES = Set.of("active", "inactive", "suspended", "revoked");
  private static final Set<String> RULE_KINDS = Set.of("block_hwid", "allow_hwid", "block_ip", "allow_ip");
  private static final ThrottledLog LOG = new ThrottledLog(LoggerFactory.getLogger(ManageRoutes.class));
  private static final String CALLER = "lgw.caller";

  /** An answer: HTTP status and JSON body. */
  record Reply(int status, JsonObject body) {
    static Reply ok(JsonObject body) {
      return new Reply(200, body);
    }

    static Reply created(JsonObject body) {
      return new Reply(201, body);
    }
  }

  private final ManageStore store;
  private final ApiKeyAuth auth;
  private final RedisGate gate;
  private final RateLimit.Limit apiKeyLimit;
  private final int bodyLimit;

  public ManageRoutes(ManageStore store, ApiKeyAuth auth, RedisGate gate, RateLimit.Limit apiKeyLimit, int bodyLimit) {
    this.store = store;
    this.auth = auth;
    this.gate = gate;
    this.apiKeyLimit = apiKeyLimit;
    this.bodyLimit = bodyLimit;
  }

  public void mount(Router router) {
    router.route(PREFIX + "/*").handler(BodyHandler.create(false).setBodyLimit(bodyLimit));

    route(router, HttpMethod.GET, "/account", null, (ctx, c) -> store.account(c.accountId()).map(Reply::ok));

    route(router, HttpMethod.POST, "/products", "products:write", this::createProduct);
    route(router, HttpMethod.GET, "/products", "products:read",
        (ctx, c) -> cursor(ctx, c, Kind.PRODUCT).compose(after -> store.products(c, after, limit(ctx))).map(p -> Reply.ok(p.toJson())));
    route(router, HttpMethod.GET, "/products/:id", "products:read",
        (ctx, c) -> owned(ctx, c, Kind.PRODUCT, "id").compose(store::product).map(Reply::ok));
    route(router, HttpMethod.PATCH, "/products/:id", "products:write", this::updateProduct);

    route(router, HttpMethod.POST, "/policies", "products:write", this::createPolicy);
    route(router, HttpMethod.GET, "/policies", "products:read", (ctx, c) -> optionalOwned(ctx, c, Kind.PRODUCT, "product_id")
        .compose(product -> cursor(ctx, c, Kind.POLICY).compose(after -> store.policies(c, product, after, limit(ctx))))
        .map(p -> Reply.ok(p.toJson())));
    route(router, HttpMethod.GET, "/policies/:id", "products:read",
        (ctx, c) -> owned(ctx, c, Kind.POLICY, "id").compose(store::policy).map(Reply::ok));
    route(router, HttpMethod.PATCH, "/policies/:id", "products:write", this::updatePolicy);

    route(router, HttpMethod.POST, "/licenses", "licenses:write", this::createLicense);
    route(router, HttpMethod.GET, "/licenses", "licenses:read", this::listLicenses);
    route(router, HttpMethod.GET, "/licenses/:id", "licenses:read",
        (ctx, c) -> owned(ctx, c, Kind.LICENSE, "id").compose(store::license).map(Reply::ok));
    route(router, HttpMethod.PATCH, "/licenses/:id", "licenses:write", this::updateLicense);
    route(router, HttpMethod.DELETE, "/licenses/:id", "licenses:write",
        (ctx, c) -> owned(ctx, c, Kind.LICENSE, "id").compose(store::deleteLicense).map(Reply::ok));

    route(router, HttpMethod.GET, "/licenses/:id/machines", "licenses:read",
        (ctx, c) -> owned(ctx, c, Kind.LICENSE, "id").compose(store::machines).map(p -> Reply.ok(p.toJson())));
    route(router, HttpMethod.DELETE, "/licenses/:id/machines/:machine_id", "machines:write", (ctx, c) ->
        owned(ctx, c, Kind.LICENSE, "id").compose(id -> store.deleteMachines(id,
                ctx.pathParam("machine_id").toLowerCase(Locale.ROOT)))
            .compose(n -> n == 0 ? Future.failedFuture(ManageError.notFound("machine"))
                : Future.succeededFuture(Reply.ok(new JsonObject().put("deleted", n)))));
    route(router, HttpMethod.DELETE, "/licenses/:id/machines", "machines:write", (ctx, c) ->
        owned(ctx, c, Kind.LICENSE, "id").compose(id -> store.deleteMachines(id, null))
            .map(n -> Reply.ok(new JsonObject().put("deleted", n))));

    route(router, HttpMethod.POST, "/rules", "rules:write", this::createRule);
    route(router, HttpMethod.GET, "/rules", "rules:write", (ctx, c) -> optionalOwned(ctx, c, Kind.PRODUCT, "product_id")
        .compose(product -> cursor(ctx, c, Kind.RULE).compose(after -> store.rules(c, product, after, limit(ctx))))
        .map(p -> Reply.ok(p.toJson())));
    route(router, HttpMethod.DELETE, "/rules/:id", "rules:write", (ctx, c) -> owned(ctx, c, Kind.RULE, "id")
        .compose(store::deleteRule).map(n -> Reply.ok(new JsonObject().put("deleted", n))));
    route(router, HttpMethod.POST, "/licenses/:id/ips", "rules:write", this::putLicenseIp);
    route(router, HttpMethod.DELETE, "/licenses/:id/ips/:ip", "rules:write", (ctx, c) -> {
      String ip = dev.licensegateway.http.ClientIp.normalize(ctx.pathParam("ip"));
      return owned(ctx, c, Kind.LICENSE, "id").compose(id -> ip == null
              ? Future.failedFuture(ManageError.notFound("IP")) : store.deleteLicenseIp(id, ip))
          .compose(n -> n == 0 ? Future.failedFuture(ManageError.notFound("IP"))
              : Future.succeededFuture(Reply.ok(new JsonObject().put("deleted", n))));
    });

    route(router, HttpMethod.POST, "/keys", "keys:write", this::createKey);
    route(router, HttpMethod.GET, "/keys", "keys:write", (ctx, c) -> store.keys(c).map(p -> Reply.ok(p.toJson())));
    route(router, HttpMethod.DELETE, "/keys/:id", "keys:write",
        (ctx, c) -> owned(ctx, c, Kind.KEY, "id").compose(store::revokeKey).map(Reply::ok));
    // Anything else under the prefix answers in this API's error form.
    router.route(PREFIX + "/*").handler(ctx -> {
      RequestTags.route(ctx, "manage", "unmatched");
      fail(ctx, ManageError.notFound("route"));
    });
  }

  /** Registers one endpoint: authenticate, take a token, check the scope, run, answer. */
  private void route(Router router, HttpMethod method, String path, String scope,
      BiFunction<RoutingContext, Caller, Future<Reply>> handler) {
    String full = PREFIX + path;
    router.route(method, full).handler(ctx -> {
      RequestTags.route(ctx, "manage", method.name() + " " + full);
      auth.authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
          .compose(caller -> gate.admit(null, List.of(RateLimit.Bucket.of("apikey", caller.keyId().toString(),
                  apiKeyLimit)))
              .compose(decision -> {
                RateLimitHeaders.remember(ctx, decision.applied());
                if (decision.verdict() == RedisGate.Verdict.LIMITED) {
                  return Future.failedFuture(ManageError.rateLimited(decision.applied().retryAfterSeconds()));
                }
                if (scope != null && !caller.has(scope)) {
                  return Future.failedFuture(ManageError.forbidden("this API key lacks the scope " + scope));
                }
                ctx.put(CALLER, caller);
                return handler.apply(ctx, caller);
              }))
          .onSuccess(reply -> {
            if (reply.body() == null) {
              fail(ctx, ManageError.notFound("resource"));
              return;
            }
            RequestTags.outcome(ctx, String.valueOf(reply.status()));
            RateLimitHeaders.write(ctx.response(), RateLimitHeaders.remembered(ctx));
            ctx.response().setStatusCode(reply.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(reply.body().toBuffer());
          })
          .onFailure(e -> fail(ctx, e));
    }).failureHandler(ctx -> {
      RequestTags.route(ctx, "manage", method.name() + " " + full);
      fail(ctx, ctx.statusCode() == 413
          ? ManageError.badRequest("request body exceeds " + bodyLimit + " bytes", null)
          : ctx.failure() != null ? ctx.failure() : ManageError.badRequest("the request could not be read", null));
    });
  }

  private void fail(RoutingContext ctx, Throwable failure) {
    if (ctx.response().ended()) {
      return;
    }
    ManageError error;
    if (failure instanceof ManageError e) {
      error = e;
    } else if (ManageStore.isUniqueViolation(failure)) {
      error = ManageError.badRequest("that value is already in use", null);
    } else if (ManageStore.isDataError(failure)) {
      // A value our validation let through but a database constraint refused.
      error = ManageError.badRequest("a value is out of range or malformed", null);
    } else {
      LOG.error("manage-internal", "unexpected failure answering " + ctx.request().path(), failure);
      error = null;
    }
    JsonObject body = error == null
        ? new JsonObject().put("error", "internal_error").put("message", "internal error")
        : new JsonObject().put("error", error.code).put("message", error.getMessage());
    if (error != null && error.details != null) {
      body.put("details", error.details);
    }
    int status = error == null ? 500 : error.status;
    RequestTags.outcome(ctx, error == null ? "internal_error" : error.code);
    RateLimitHeaders.write(ctx.response(), RateLimitHeaders.remembered(ctx));
    if (status == 429) {
      ctx.response().putHeader(RateLimitHeaders.RETRY_AFTER,
          Long.toString(RateLimitHeaders.remembered(ctx).retryAfterSeconds()));
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }

  // ---- handlers ---------------------------------------------------------------------------

  private Future<Reply> createProduct(RoutingContext ctx, Caller caller) {
    return body(ctx).compose(f -> {
      String name = f.requiredString("name", 255);
      Integer limit = f.optionalInt("daily_validation_limit", 1, Integer.MAX_VALUE);
      return valid(f).compose(v -> store.createProduct(caller, name, limit)).map(Reply::created);
    });
  }

  private Future<Reply> updateProduct(RoutingContext ctx, Caller caller) {
    return owned(ctx, caller, Kind.PRODUCT, "id").compose(id -> body(ctx).compose(f -> {
      String name = f.optionalString("name", 255);
      String status = f.optionalEnum("status", PRODUCT_STATUSES);
      Integer limit = f.optionalInt("daily_validation_limit", 1, Integer.MAX_VALUE);
      return valid(f).compose(v -> store.updateProduct(id, name, status, f.has("daily_validation_limit"), limit));
    })).map(Reply::ok);
  }

  private Future<Reply> createPolicy(RoutingContext ctx, Caller caller) {
    return body(ctx).compose(f -> {
      UUID productId = f.requiredId("product_id");
      String name = f.requiredString("name", 255);
      Integer maxMachines = f.requiredInt("max_machines", 1, 1_000_000);
      PolicyFields fields = policyFields(f, name, maxMachines);
      return valid(f)
          .compose(v -> store.owned(caller, Kind.PRODUCT, productId))
          .compose(product -> store.createPolicy(caller, product, fields))
          .map(Reply::created);
    });
  }

  private Future<Reply> updatePolicy(RoutingContext ctx, Caller caller) {
    return owned(ctx, caller, Kind.POLICY, "id").compose(id -> body(ctx).compose(f -> {
      String name = f.optionalString("name", 255);
      Integer maxMachines = f.optionalInt("max_machines", 1, 1_000_000);
      PolicyFields fields = policyFields(f, name, maxMachines);
      return valid(f).compose(v -> store.updatePolicy(id, fields));
    })).map(Reply::ok);
  }

  private static PolicyFields policyFields(FieldErrors f, String name, Integer maxMachines) {
    Integer duration = f.optionalInt("duration_days", 1, 36_500);
    Integer heartbeat = f.optionalInt("heartbeat_interval_s", 1, 31_536_000);
    List<String> entitlements = f.has("entitlements") ? f.optionalStringList("entitlements", 100, 255) : null;
    Integer maxIps = f.optionalInt("max_ips", 1, 1_000_000);
    String ipMode = f.optionalEnum("ip_mode", Set.of("open", "allowlist"));
    return new PolicyFields(name, maxMachines, f.has("duration_days"), duration, f.has("heartbeat_interval_s"),
        heartbeat, entitlements, f.has("max_ips"), maxIps, ipMode);
  }

  private Future<Reply> createLicense(RoutingContext ctx, Caller caller) {
    return body(ctx).compose(f -> {
      UUID policyId = f.requiredId("policy_id");
      String key = f.optionalString("key", 29);
      if (key != null && !key.matches("[A-Z0-9]{5}(-[A-Z0-9]{5}){4}")) {
        f.add("key", "must be of the form XXXXX-XXXXX-XXXXX-XXXXX-XXXXX (A-Z, 0-9)");
      }
      var expiresAt = f.optionalTimestamp("expires_at");
      Integer maxMachines = f.optionalInt("max_machines", 1, 1_000_000);
      // Absent or null: no override, the policy's entitlements apply.
      List<String> entitlements = f.has("entitlements") && !f.isNull("entitlements")
          ? f.optionalStringList("entitlements", 100, 255) : null;
      String status = f.optionalEnum("status", LICENSE_STATUSES);
      return valid(f)
          .compose(v -> store.owned(caller, Kind.POLICY, policyId))
          .compose(policy -> store.createLicense(caller, policy,
              key != null ? key : dev.licensegateway.licensing.Secrets.licenseKey(),
              expiresAt, maxMachines, entitlements, status))
          .map(Reply::created);
    });
  }

  private Future<Reply> listLicenses(RoutingContext ctx, Caller caller) {
    String status = ctx.queryParams().get("status");
    if (status != null && !LICENSE_STATUSES.contains(status)) {
      return Future.failedFuture(ManageError.badField("status", "must be one of active, inactive, suspended, revoked"));
    }
    return optionalOwned(ctx, caller, Kind.PRODUCT, "product_id")
        .compose(product -> cursor(ctx, caller, Kind.LICENSE)
            .compose(after -> store.licenses(caller, product, status, after, limit(ctx))))
        .map(p -> Reply.ok(p.toJson()));
  }

  private Future<Reply> updateLicense(RoutingContext ctx, Caller caller) {
    return owned(ctx, caller, Kind.LICENSE, "id").compose(id -> body(ctx).compose(f -> {
      String status = f.optionalEnum("status", LICENSE_STATUSES);
      var expiresAt = f.optionalTimestamp("expires_at");
      Integer maxMachines = f.optionalInt("max_machines", 1, 1_000_000);
      // A present null clears the override: the policy's value applies again.
      List<String> entitlements = f.isNull("entitlements") ? null : f.optionalStringList("entitlements", 100, 255);
      return valid(f).compose(v -> store.updateLicense(id, status, f.has("expires_at"), expiresAt,
          f.has("max_machines"), maxMachines, f.has("entitlements"), entitlements));
    })).map(Reply::ok);
  }

  private Future<Reply> createRule(RoutingContext ctx, Caller caller) {
    return body(ctx).compose(f -> {
      UUID productId = f.requiredId("product_id");
      String kind = f.requiredString("kind", 32);
      if (kind != null && !RULE_KINDS.contains(kind)) {
        f.add("kind", "must be one of allow_hwid, allow_ip, block_hwid, block_ip");
        kind = null;
      }
      String value = f.requiredString("value", 255);
      String cidr = null;
      if (kind != null && value != null) {
        if (kind.endsWith("_ip")) {
          cidr = cidr(value);
          if (cidr == null) {
            f.add("value", "must be an IP address or a CIDR such as 203.0.113.0/24");
          }
        } else {
          value = value.toLowerCase(Locale.ROOT);
          if (!value.matches("[0-9a-f]{64}")) {
            f.add("value", "must be a machine id: 64 hexadecimal characters");
          }
        }
      }
      String ruleKind = kind;
      String ruleValue = cidr != null ? cidr : value;
      String ruleCidr = cidr;
      return valid(f)
          .compose(v -> store.owned(caller, Kind.PRODUCT, productId))
          .compose(product -> store.createRule(caller, product, ruleKind, ruleValue, ruleCidr))
          .map(Reply::created);
    });
  }

  private Future<Reply> putLicenseIp(RoutingContext ctx, Caller caller) {
    return owned(ctx, caller, Kind.LICENSE, "id").compose(id -> body(ctx).compose(f -> {
      String raw = f.requiredString("ip", 64);
      String ip = raw == null ? null : dev.licensegateway.http.ClientIp.normalize(raw);
      if (raw != null && ip == null) {
        f.add("ip", "must be an IP address");
      }
      Boolean blocked = f.optionalBoolean("blocked");
      return valid(f).compose(v -> store.putLicenseIp(id, ip, Boolean.TRUE.equals(blocked)));
    })).map(Reply::created);
  }

  private Future<Reply> createKey(RoutingContext ctx, Caller caller) {
    return body(ctx).compose(f -> {
      String name = f.requiredString("name", 255);
      List<String> scopes = f.has("scopes") ? f.optionalStringList("scopes", 16, 64) : null;
      if (scopes == null) {
        f.add("scopes", "is required");
      } else {
        for (String scope : scopes) {
          if (!SCOPES.contains(scope)) {
            f.add("scopes", "unknown scope " + scope + "; known: " + String.join(", ", SCOPES));
          }
        }
      }
      String environment = f.optionalEnum("environment", Set.of("live", "test"));
      return valid(f).compose(v -> {
        String env = environment == null ? caller.environment() : environment;
        if (caller.environment().equals("test") && env.equals("live")) {
          return Future.failedFuture(ManageError.forbidden("a test key can create only test keys"));
        }
        if (!caller.scopes().containsAll(scopes)) {
          return Future.failedFuture(ManageError.forbidden("a key cannot grant scopes it does not hold"));
        }
        return store.createKey(caller, name, List.copyOf(new LinkedHashSet<>(scopes)), env);
      }).map(Reply::created);
    });
  }

  // ---- input helpers ----------------------------------------------------------------------

  private static Future<FieldErrors> body(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      return Future.failedFuture(ManageError.badRequest("Content-Type must be application/json", null));
    }
    try {
      var buffer = ctx.body().buffer();
      return Future.succeededFuture(FieldErrors.of(Json.parse(buffer == null ? io.vertx.core.buffer.Buffer.buffer()
          : buffer)));
    } catch (IOException e) {
      return Future.failedFuture(ManageError.badField("body", "is not valid JSON"));
    }
  }

  private static Future<Void> valid(FieldErrors f) {
    return f.ok() ? Future.succeededFuture()
        : Future.failedFuture(ManageError.badRequest("invalid parameters", f.toJson()));
  }

  private Future<UUID> owned(RoutingContext ctx, Caller caller, Kind kind, String param) {
    return store.owned(caller, kind, Ids.parse(ctx.pathParam(param)));
  }

  /** An optional id filter in the query string: null when absent, else it must be ours. */
  private Future<UUID> optionalOwned(RoutingContext ctx, Caller caller, Kind kind, String param) {
    String raw = ctx.queryParams().get(param);
    if (raw == null || raw.isEmpty()) {
      return Future.succeededFuture(null);
    }
    UUID id = Ids.parse(raw);
    return id == null ? Future.failedFuture(ManageError.badField(param, "is not a valid id"))
        : store.owned(caller, kind, id);
  }

  /** {@code starting_after}: must name a resource of this kind that the caller sees. */
  private Future<UUID> cursor(RoutingContext ctx, Caller caller, Kind kind) {
    String raw = ctx.queryParams().get("starting_after");
    if (raw == null || raw.isEmpty()) {
      return Future.succeededFuture(null);
    }
    return store.owned(caller, kind, Ids.parse(raw))
        .recover(e -> Future.failedFuture(ManageError.badField("starting_after", "does not name a " + kind.noun
            + " of this account")));
  }

  private static int limit(RoutingContext ctx) {
    String raw = ctx.queryParams().get("limit");
    if (raw == null || raw.isEmpty()) {
      return 20;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= 100) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ManageError.badField("limit", "must be an integer from 1 to 100");
  }

  static String cidr(String value) {
    String[] parts = value.split("/", -1);
    if (parts.length > 2) {
      return null;
    }
    String ip = dev.licensegateway.http.ClientIp.normalize(parts[0]);
    if (ip == null) {
      return null;
    }
    int max = ip.contains(":") ? 128 : 32;
    int prefix = max;
    if (parts.length == 2) {
      try {
        prefix = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        return null;
      }
      if (prefix < 0 || prefix > max) {
        return null;
      }
    }
    return ip + "/" + prefix;
  }
}
