package dev.licensegateway;

import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.http.Pipeline;
import dev.licensegateway.http.Reply;
import dev.licensegateway.http.RequestIds;
import dev.licensegateway.http.RequestTags;
import dev.licensegateway.http.Routes;
import dev.licensegateway.ops.GatewayMetrics;
import dev.licensegateway.ops.Health;
import dev.licensegateway.ops.OpenApiDocument;
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

/** Mounts every feature's routes on one router and serves them; one instance per event loop. */
public final class GatewayVerticle extends VerticleBase {

  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  /** What every verticle instance shares: built once by {@link Gateway}. */
  public record Services(
      GatewayConfig config,
      KeyRing keys,
      GatewayMetrics metrics,
      Health health,
      List<Routes> routes) {}

  private final Services services;
  private HttpServer server;

  public GatewayVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    Router router = buildRouter(vertx, services);
    GatewayConfig config = services.config();
    server = vertx.createHttpServer(new HttpServerOptions()
        .setPort(config.http().port())
        .setHost("0.0.0.0")
        .setTcpNoDelay(true)
        .setCompressionSupported(false));
    return server.requestHandler(router).listen();
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
      // SPEC 6: 200 or 503, never anything else, within the checks' deadline whatever hangs.
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

    services.routes().forEach(routes -> routes.mount(router));

    router.errorHandler(404, ctx -> plainError(ctx, 404, "not_found", "no such route"));
    router.errorHandler(405, ctx -> plainError(ctx, 405, "method_not_allowed", "method not allowed on this route"));
    return router;
  }

  @Override
  public Future<?> stop() {
    // SPEC 6: in-flight requests finish within the grace period; no new connections meanwhile.
    return server == null ? Future.succeededFuture()
        : server.shutdown(services.config().shutdown().graceMs(), TimeUnit.MILLISECONDS);
  }

  /** Every response: a unique X-Request-Id, and one sample of the request meter. */
  private static void observe(RoutingContext ctx, GatewayMetrics metrics) {
    long start = System.nanoTime();
    metrics.requestStarted();
    ctx.response().endHandler(v -> metrics.requestFinished());
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
