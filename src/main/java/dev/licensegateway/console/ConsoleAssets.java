package dev.licensegateway.console;

import dev.licensegateway.http.RequestTags;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The vendor console: static files from the classpath folder {@code console/}, served at
 * {@code /console/}. It is a client of the management API like any other (same origin, a
 * bearer key on every call); the gateway gives it no route of its own beyond its files.
 *
 * <p>Not part of the API, so not in {@code openapi.json}: its routes carry no method (the
 * handler below refuses every method but GET and HEAD itself).
 */
public final class ConsoleAssets {

  public static final String PATH = "/console/";

  /**
   * Only the console's own origin, for everything: no inline script or style, no framing,
   * no third-party host; the API it calls is same-origin ({@code connect-src 'self'}).
   */
  public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
      + "form-action 'self'; frame-ancestors 'none'";

  private static final CharSequence CSP = HttpHeaders.createOptimized("Content-Security-Policy");
  private static final CharSequence CSP_VALUE = HttpHeaders.createOptimized(CONTENT_SECURITY_POLICY);
  private static final CharSequence NOSNIFF_NAME = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence FRAME_OPTIONS = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");
  // The files are not fingerprinted (there is no build step), so a browser revalidates each one
  // (Last-Modified, 304) rather than keep a stale copy after an upgrade.
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");

  private ConsoleAssets() {}

  public static void mount(Router router) {
    // Vert.x lets "/console" match "/console/" too: only the bare path is redirected, so that
    // the page's relative module URLs resolve under /console/.
    router.route("/console").handler(ctx -> {
      if (!"/console".equals(ctx.request().path())) {
        ctx.next();
        return;
      }
      tag(ctx);
      secure(ctx);
      ctx.response().setStatusCode(301).putHeader(HttpHeaders.LOCATION, PATH).end();
    });
    StaticHandler files = StaticHandler.create("console")
        .setDirectoryListing(false)
        .setIndexPage("index.html")
        .setIncludeHidden(false)
        .setSendVaryHeader(false)
        .setDefaultContentEncoding("UTF-8");
    router.route(PATH + "*").handler(ctx -> {
      tag(ctx);
      HttpMethod method = ctx.request().method();
      if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
        ctx.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET, HEAD")
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("error", new JsonObject().put("code", "method_not_allowed")
                .put("message", "the console serves files only")).toBuffer());
        return;
      }
      secure(ctx);
      ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, NO_CACHE);
      ctx.next();
    }).handler(files);
  }

  private static void tag(RoutingContext ctx) {
    RequestTags.route(ctx, "console", PATH);
  }

  private static void secure(RoutingContext ctx) {
    ctx.response().putHeader(CSP, CSP_VALUE).putHeader(NOSNIFF_NAME, NOSNIFF).putHeader(FRAME_OPTIONS, DENY)
        .putHeader(REFERRER_POLICY, NO_REFERRER);
  }
}
