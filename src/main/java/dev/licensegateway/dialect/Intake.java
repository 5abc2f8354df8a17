package dev.licensegateway.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.gate.RedisGate;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.Json;
import dev.licensegateway.http.RateLimitHeaders;
import dev.licensegateway.http.RequestTags;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * What every dialect does before the core: take the body (JSON only), parse it, and pass
 * the token buckets. Each dialect words the refusals in its own form.
 */
public final class Intake {

  /** Why a body could not be read; null when it was. */
  public enum Problem { UNSUPPORTED_MEDIA_TYPE, NOT_JSON }

  /** A parsed body ready for field validation, or the problem that stopped it. */
  public record Body(FieldErrors fields, Problem problem) {}

  private Intake() {}

  /**
   * Mounts one POST endpoint of a dialect: the body limit, the metric labels and the handler.
   * A failure that is the client's (the body over the limit: 413; a form body BodyHandler
   * cannot decode: 400; an Expect it cannot meet: 417) goes to {@code refused} with its
   * status, never to {@code defect}, which answers 5xx.
   */
  public static void post(Router router, String path, String dialect, int bodyLimit, Handler<RoutingContext> handler,
      BiConsumer<RoutingContext, Integer> refused, BiConsumer<RoutingContext, Throwable> defect) {
    router.post(path)
        .handler(BodyHandler.create(false).setBodyLimit(bodyLimit))
        .handler(ctx -> {
          RequestTags.route(ctx, dialect, path);
          handler.handle(ctx);
        })
        .failureHandler(ctx -> {
          RequestTags.route(ctx, dialect, path);
          int status = ctx.statusCode();
          if (status >= 400 && status < 500) {
            refused.accept(ctx, status);
          } else {
            defect.accept(ctx, ctx.failure());
          }
        });
  }

  public static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return mediaType.equalsIgnoreCase("application/json");
  }

  public static Body read(RoutingContext ctx) {
    if (!isJson(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      return new Body(null, Problem.UNSUPPORTED_MEDIA_TYPE);
    }
    try {
      Buffer buffer = ctx.body() == null ? null : ctx.body().buffer();
      JsonNode json = Json.parse(buffer == null ? Buffer.buffer() : buffer);
      return new Body(FieldErrors.of(json), null);
    } catch (IOException e) {
      return new Body(null, Problem.NOT_JSON);
    }
  }

  /**
   * Takes a token from each bucket (no nonce: these dialects fail open) and remembers the
   * bucket to report; the decision says whether the request may go on.
   */
  public static Future<RedisGate.Decision> admit(RoutingContext ctx, RedisGate gate, List<RateLimit.Bucket> buckets) {
    return gate.admit(null, buckets).onSuccess(d -> RateLimitHeaders.remember(ctx, d.applied()));
  }

  /** Reports the buckets as they stand, for answers given before any token is taken. */
  public static Future<Void> peek(RoutingContext ctx, RedisGate gate, List<RateLimit.Bucket> buckets) {
    return gate.peek(buckets).map(state -> {
      RateLimitHeaders.remember(ctx, state);
      return null;
    });
  }
}
