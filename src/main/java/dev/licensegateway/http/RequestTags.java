package dev.licensegateway.http;

import io.vertx.ext.web.RoutingContext;

/** Names under which handlers leave the metric labels of a request on its context. */
public final class RequestTags {

  public static final String DIALECT = "lgw.dialect";
  public static final String ROUTE = "lgw.route";
  public static final String OUTCOME = "lgw.outcome";

  private RequestTags() {}

  public static void route(RoutingContext ctx, String dialect, String route) {
    ctx.put(DIALECT, dialect);
    ctx.put(ROUTE, route);
  }

  public static void outcome(RoutingContext ctx, String outcome) {
    ctx.put(OUTCOME, outcome);
  }
}
