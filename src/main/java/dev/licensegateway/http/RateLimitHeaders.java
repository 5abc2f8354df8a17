package dev.licensegateway.http;

import dev.licensegateway.gate.RateLimit;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** docs/native-protocol.md: every answer of every dialect reports the bucket that applied. */
public final class RateLimitHeaders {

  public static final CharSequence LIMIT = HttpHeaders.createOptimized("X-RateLimit-Limit");
  public static final CharSequence REMAINING = HttpHeaders.createOptimized("X-RateLimit-Remaining");
  public static final CharSequence RESET = HttpHeaders.createOptimized("X-RateLimit-Reset");
  public static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");
  private static final String CONTEXT_KEY = "lgw.ratelimit";

  private RateLimitHeaders() {}

  /** Remembers the bucket for this request; the headers are written when the response starts. */
  public static void remember(RoutingContext ctx, RateLimit state) {
    if (state != null) {
      ctx.put(CONTEXT_KEY, state);
    }
  }

  public static RateLimit remembered(RoutingContext ctx) {
    return ctx.get(CONTEXT_KEY);
  }

  public static void write(HttpServerResponse response, RateLimit state) {
    if (state == null) {
      return;
    }
    response.putHeader(LIMIT, Integer.toString(state.limit()))
        .putHeader(REMAINING, Long.toString(state.remaining()))
        .putHeader(RESET, Long.toString(state.resetEpochSeconds()));
  }
}
