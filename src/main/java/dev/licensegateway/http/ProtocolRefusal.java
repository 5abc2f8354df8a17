package dev.licensegateway.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;

/**
 * The refusals the HTTP layer writes itself, before any route runs or instead of one: a head
 * that does not parse or is too large, ambiguous or malformed framing, a URI that does not
 * decode. Each is a 4xx with a JSON body in the error form of the API its path belongs to
 * (docs/operations.md: every refusal has a JSON body; malformed framing is a 4xx, never a 5xx), and the
 * connection closes after it: what follows on the wire cannot be trusted to start a request.
 */
public final class ProtocolRefusal {

  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence CLOSE = HttpHeaders.createOptimized("close");
  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");

  /** The body of a refusal of a request to {@code path}, in the error form of the API it addresses. */
  @FunctionalInterface
  public interface Form {
    JsonObject body(String path, String code, String message);
  }

  private ProtocolRefusal() {}

  /**
   * Answers a request whose head Netty could not decode: 414 for a request line over the limit,
   * 431 for headers over it, 400 for anything else (garbage, a framing we refuse).
   */
  public static void invalidHead(HttpServerRequest request, Form form) {
    Throwable cause = request.decoderResult().cause();
    if (cause instanceof TooLongHttpLineException) {
      answer(request, 414, "uri_too_long", "the request line is longer than the gateway reads", form);
    } else if (cause instanceof TooLongHttpHeaderException) {
      answer(request, 431, "headers_too_large", "the request headers are larger than the gateway reads", form);
    } else if (cause instanceof StrictFraming.AmbiguousFraming ambiguous) {
      answer(request, 400, "bad_request", ambiguous.getMessage(), form);
    } else {
      answer(request, 400, "bad_request", "the request head is malformed", form);
    }
  }

  /** Writes the refusal and closes the connection once it is written; nothing if an answer has begun. */
  public static void answer(HttpServerRequest request, int status, String code, String message, Form form) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.headWritten()) {
      request.connection().close();
      return;
    }
    String path = request.decoderResult().isSuccess() ? request.path() : "";
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .putHeader(HttpHeaders.CONNECTION, CLOSE);
    if (!response.headers().contains(REQUEST_ID)) {
      response.putHeader(REQUEST_ID, RequestIds.next());
    }
    response.end(form.body(path == null ? "" : path, code, message).toBuffer());
    if (request.version() != HttpVersion.HTTP_2) {
      request.connection().close();
    }
  }
}
