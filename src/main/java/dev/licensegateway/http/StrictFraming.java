package dev.licensegateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.List;

/**
 * RFC 9112 message framing, strictly: a request that says both how long it is and that it is
 * chunked, or that names a transfer coding other than {@code chunked}, is refused and its
 * connection closed (section 6.3), so that no proxy in front can read a different request
 * boundary than ours (request smuggling); and a body whose chunked framing breaks is a client
 * error, answered as one.
 *
 * <p>Most of this is visible on the request Vert.x hands us. One case is not: for HTTP/1.1,
 * Netty's decoder drops {@code Content-Length} when {@code Transfer-Encoding: chunked} is also
 * present and reads the chunks, as RFC 9112 allows, so nothing later can tell. No public Vert.x
 * option reaches the decoder; this class replaces it on each new connection with a subclass
 * that refuses such a request instead. That reaches into Vert.x internals
 * ({@code ConnectionBase}, {@code VertxHttpRequestDecoder}): {@code ProtocolRefusalsTest} fails
 * if an upgrade changes them.
 */
final class StrictFraming {

  /** The decoder's name in the pipeline Vert.x builds for an HTTP/1.x connection. */
  private static final String DECODER = "httpDecoder";

  private StrictFraming() {}

  /** Why a request head was refused before it reached the router: its message is the client's answer. */
  static final class AmbiguousFraming extends DecoderException {
    AmbiguousFraming(String message) {
      super(message);
    }
  }

  /**
   * A body whose chunked framing broke. A {@link DecoderException}, as the codec's own failures
   * are, so that the body reader reports it as the client's 400 rather than as a defect.
   */
  static final class MalformedBody extends DecoderException {
    MalformedBody(Throwable cause) {
      super("malformed chunked framing: " + cause.getMessage(), cause);
    }
  }

  /** On a new HTTP/1.x connection, before it has read a byte: our decoder in place of Vert.x's. */
  static void install(HttpConnection connection, HttpServerOptions options) {
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
      if (pipeline.get(DECODER) instanceof VertxHttpRequestDecoder current && !(current instanceof Decoder)) {
        pipeline.replace(DECODER, DECODER, new Decoder(options));
      }
    }
  }

  /**
   * What is wrong with a request's framing, or null. The case the decoder hides (chunked with
   * a length, HTTP/1.1) never gets here: {@link Decoder} fails its head instead.
   */
  static String problem(HttpServerRequest request) {
    List<String> codings = request.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
    if (codings.isEmpty()) {
      return null;
    }
    if (request.version() == HttpVersion.HTTP_1_0) {
      return "Transfer-Encoding is not defined for HTTP/1.0";
    }
    if (request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      return "a request must not carry both Content-Length and Transfer-Encoding";
    }
    // The only coding we read is chunked, once. Refused with a 4xx rather than RFC 9112's 501:
    // anyone can send it, and a 5xx would count against the gateway's error ratio.
    if (codings.size() != 1 || !codings.get(0).trim().equalsIgnoreCase("chunked")) {
      return "the only supported Transfer-Encoding is chunked";
    }
    return null;
  }

  /** Vert.x's request decoder, refusing what RFC 9112 6.3 lets a server refuse, and naming body failures. */
  private static final class Decoder extends VertxHttpRequestDecoder {

    Decoder(HttpServerOptions options) {
      super(options);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      super.handleTransferEncodingChunkedWithContentLength(message);
      message.setDecoderResult(DecoderResult.failure(
          new AmbiguousFraming("a request must not carry both Content-Length and Transfer-Encoding")));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
      int before = out.size();
      super.decode(ctx, buffer, out);
      for (int i = before; i < out.size(); i++) {
        // A head that fails to decode comes as a (full) message: Vert.x refuses those itself.
        if (out.get(i) instanceof HttpContent content && !(content instanceof HttpMessage)
            && content.decoderResult().isFailure()
            && !(content.decoderResult().cause() instanceof MalformedBody)) {
          content.setDecoderResult(DecoderResult.failure(new MalformedBody(content.decoderResult().cause())));
        }
      }
    }
  }
}
