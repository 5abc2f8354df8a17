package dev.licensegateway.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.io.IOException;

/** One request as a dialect's reader sees it: headers, the raw body, the client IP. */
public final class Exchange {

  private final RoutingContext ctx;
  private final String ip;
  private byte[] body;

  Exchange(RoutingContext ctx, String ip) {
    this.ctx = ctx;
    this.ip = ip;
  }

  /** docs/rate-limits.md: the client IP (the peer, or the trusted proxies' client). */
  public String ip() {
    return ip;
  }

  public String header(CharSequence name) {
    return ctx.request().getHeader(name);
  }

  public String method() {
    return ctx.request().method().name();
  }

  /** The path as sent, with its query string (what the native signature covers). */
  public String uri() {
    return ctx.request().uri();
  }

  public String pathParam(String name) {
    return ctx.pathParam(name);
  }

  /** A query parameter, decoded; a query string that does not decode is the client's bad request. */
  public String queryParam(String name) {
    try {
      return ctx.queryParams().get(name);
    } catch (IllegalArgumentException | HttpException e) {
      // Whichever parameter is asked for first, the fault is the whole query string's.
      throw Problem.invalidField("query", "has malformed percent-encoding");
    }
  }

  /** The bearer token of the Authorization header, or null. */
  public String bearer() {
    String authorization = header(HttpHeaders.AUTHORIZATION);
    if (authorization == null || authorization.length() < 8
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).trim();
  }

  /** The raw body, copied out of the request once. */
  public byte[] bodyBytes() {
    if (body == null) {
      Buffer buffer = ctx.body() == null ? null : ctx.body().buffer();
      body = buffer == null ? new byte[0] : buffer.getBytes();
    }
    return body;
  }

  /** Fails unless the body is declared {@code application/json} (parameters such as charset allowed). */
  public void requireJson() {
    if (!isJson(header(HttpHeaders.CONTENT_TYPE))) {
      throw Problem.unsupportedMediaType();
    }
  }

  /** The body parsed for field validation; fails unless it is one JSON value. */
  public FieldErrors parseJson() {
    try {
      return FieldErrors.of(Json.parse(bodyBytes()));
    } catch (IOException e) {
      throw Problem.notJson();
    }
  }

  /** Both checks in their order: the media type, then the JSON. */
  public FieldErrors json() {
    requireJson();
    return parseJson();
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return mediaType.equalsIgnoreCase("application/json");
  }

  RoutingContext context() {
    return ctx;
  }
}
