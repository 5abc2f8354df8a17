package dev.licensegateway;

import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.console.ConsoleAssets;
import dev.licensegateway.http.ConnectionGuard;
import dev.licensegateway.http.Pipeline;
import dev.licensegateway.http.ProtocolRefusal;
import dev.licensegateway.http.Reply;
import dev.licensegateway.http.RequestIds;
import dev.licensegateway.http.RequestTags;
import dev.licensegateway.http.Routes;
import dev.licensegateway.ops.GatewayMetrics;
import dev.licensegateway.ops.Health;
import dev.licensegateway.manage.ManageApi;
import dev.licensegateway.ops.OpenApiDocument;
import dev.licensegateway.ops.ThrottledLog;
import dev.licensegateway.signing.KeyRing;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** Mounts every feature's routes on one router and serves them; one instance per event loop. */
public final class GatewayVerticle extends VerticleBase {

  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private static final ThrottledLog LOG = new ThrottledLog(LoggerFactory.getLogger(GatewayVerticle.class));
  /** At shutdown, the longest wait for requests sent on accepted connections to be read. */
  private static final long SETTLE_MS = 2_000;

  /** What every verticle instance shares: built once by {@link Gateway}. */
  public record Services(
      GatewayConfig config,
      KeyRing keys,
      GatewayMetrics metrics,
      Health health,
      ConnectionGuard.Census connections,
      List<Routes> routes) {}

  private final Services services;
  private HttpServer server;
  private ConnectionGuard guard;

  public GatewayVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    Router router = buildRouter(vertx, services);
    GatewayConfig.Http http = services.config().http();
    HttpServerOptions options = new HttpServerOptions()
        .setPort(http.port())
        .setHost(http.host())
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        // A connection with no traffic at all for this long is closed (docs/operations.md).
        .setIdleTimeout(http.idleTimeoutSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        // HTTP/1.1 only. With cleartext HTTP/2 on, Vert.x waits for a connection's first bytes
        // before it sets the connection up, so a silent one would escape the cap and the head
        // deadline; no client of the contract speaks h2c.
        .setHttp2ClearTextEnabled(false);
    guard = new ConnectionGuard(vertx, options, services.connections(), http.idleTimeoutSeconds(),
        http.headerTimeoutSeconds(), GatewayVerticle::refusalBody, services.health()::draining);
    services.health().onDraining(() -> context.runOnContext(v -> guard.drain()));
    GatewayMetrics metrics = services.metrics();
    server = vertx.createHttpServer(options)
        .connectionHandler(guard::accept)
        .invalidRequestHandler(request -> ProtocolRefusal.invalidHead(request, GatewayVerticle::refusalBody))
        .requestHandler(request -> {
          if (!guard.admit(request)) {
            return;
          }
          metrics.requestStarted();
          request.response().endHandler(v -> {
            metrics.requestFinished();
            guard.responded(request);
          });
          router.handle(request);
        });
    return server.listen();
  }

  /**
   * Every route the gateway serves, mounted on a new router that nothing listens on yet:
   * {@link #start()} serves it, and the OpenAPI test compares its routes with the document.
   */
  public static Router buildRouter(Vertx vertx, Services services) {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> observe(ctx, services.metrics()));

    router.get("/health/live").handler(ctx -> {
      RequestTags.route(ctx, "ops", "/health/live");
      ctx.json(new JsonObject().put("status", "UP"));
    });
    router.get("/health/ready").handler(ctx -> {
      RequestTags.route(ctx, "ops", "/health/ready");
      // docs/operations.md: 200 or 503, never anything else, within the checks' deadline whatever hangs.
      services.health().readiness().onComplete(report -> {
        boolean up = report.succeeded() && report.result().up();
        JsonObject body = report.succeeded() ? report.result().toJson()
            : new JsonObject().put("status", "DOWN").put("outcome", "DOWN");
        ctx.response().setStatusCode(up ? 200 : 503).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
            .end(body.toBuffer());
      });
    });
    router.get("/metrics").handler(ctx -> {
      RequestTags.route(ctx, "ops", "/metrics");
      ctx.next();
    }).handler(PrometheusScrapingHandler.create(services.metrics().registry()));
    // Read from the classpath once per JVM (OpenApiDocument), so a missing resource fails
    // the start, not a request.
    Buffer openApi = OpenApiDocument.json();
    router.get("/openapi.json").handler(ctx -> {
      RequestTags.route(ctx, "ops", "/openapi.json");
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(openApi);
    });
    String jwks = services.keys().jwks().encode();
    router.get("/api/v1/keys").handler(ctx -> {
      RequestTags.route(ctx, "native", "/api/v1/keys");
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/jwk-set+json").end(jwks);
    });
    // The vendor console's static files: a same-origin client of the management API.
    ConsoleAssets.mount(router);

    services.routes().forEach(routes -> routes.mount(router));

    router.errorHandler(404, ctx -> plainError(ctx, 404, "not_found", "no such route"));
    router.errorHandler(405, ctx -> plainError(ctx, 405, "method_not_allowed", "method not allowed on this route"));
    // The router's own refusals, before any route's handler: a URI whose percent-encoding does
    // not decode, an HTTP/1.1 request without Host. The client's error, in JSON, logged by no one.
    router.errorHandler(400, ctx -> ProtocolRefusal.answer(ctx.request(), 400, "bad_request",
        "the request URI or headers are malformed", GatewayVerticle::refusalBody));
    // A defect outside every pipeline (the pipeline answers its own): JSON, and logged once here.
    router.errorHandler(500, ctx -> {
      LOG.error("router-internal", "unexpected failure serving " + ctx.request().method() + " "
          + ctx.normalizedPath(), ctx.failure());
      plainError(ctx, 500, "internal_error", "internal error");
    });
    return router;
  }

  /** A refusal written before any route runs, in the error form of the API its path addresses. */
  static JsonObject refusalBody(String path, String code, String message) {
    return path.startsWith(ManageApi.PREFIX + "/") ? ManageApi.errorBody(code, message)
        : new JsonObject().put("error", new JsonObject().put("code", code).put("message", message));
  }

  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    // docs/operations.md: in-flight requests finish within the grace period; no new connections meanwhile.
    // Requests already sent on accepted connections count as in flight: the listener's shutdown
    // would close a connection it has not read yet, so it waits (briefly) for them to be read.
    long grace = services.config().shutdown().graceMs();
    long started = System.nanoTime();
    return guard.settle(Math.min(SETTLE_MS, grace))
        .compose(settled -> server.shutdown(Math.max(0, grace - (System.nanoTime() - started) / 1_000_000),
            TimeUnit.MILLISECONDS))
        .eventually(() -> {
          guard.stop();
          return Future.succeededFuture();
        });
  }

  /** Every routed response: a unique X-Request-Id, and one sample of the request meter. */
  private static void observe(RoutingContext ctx, GatewayMetrics metrics) {
    long start = System.nanoTime();
    ctx.response().putHeader(REQUEST_ID, RequestIds.next());
    ctx.addBodyEndHandler(v -> {
      String dialect = ctx.get(RequestTags.DIALECT);
      String route = ctx.get(RequestTags.ROUTE);
      String outcome = ctx.get(RequestTags.OUTCOME);
      metrics.request(
          dialect == null ? "none" : dialect,
          route == null ? "unmatched" : route,
          outcome == null ? String.valueOf(ctx.response().getStatusCode()) : outcome,
          ctx.response().getStatusCode(),
          System.nanoTime() - start);
    });
    ctx.next();
  }

  private static void plainError(RoutingContext ctx, int status, String code, String message) {
    Pipeline.send(ctx, Reply.of(status, new JsonObject().put("error", new JsonObject().put("code", code)
        .put("message", message)), String.valueOf(status)));
  }
}
