package dev.licensegateway.testing;

import dev.licensegateway.gate.RequestSignature;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** An SDK's view of the native dialect: signs each request as docs/native-protocol.md asks. */
public final class NativeClient {

  private final WebClient web;
  private final int port;
  private final RequestSignature signer;
  private final Clock clock;

  public NativeClient(Vertx vertx, int port) {
    this(vertx, port, TestGateway.SECRET);
  }

  public NativeClient(Vertx vertx, int port, String secret) {
    this(vertx, port, secret, Clock.systemUTC());
  }

  /** A client whose timestamps come from {@code clock}: the gateway's own, when a test sets the time. */
  public NativeClient(Vertx vertx, int port, Clock clock) {
    this(vertx, port, TestGateway.SECRET, clock);
  }

  public NativeClient(Vertx vertx, int port, String secret, Clock clock) {
    this.clock = clock;
    this.web = WebClient.create(vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(64));
    this.port = port;
    this.signer = new RequestSignature(secret);
  }

  public static String nonce() {
    byte[] bytes = new byte[16];
    ThreadLocalRandom.current().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** A signed request to {@code /api/v1/license/{action}} with a fresh nonce and the current time. */
  public Future<HttpResponse<Buffer>> call(String action, JsonObject body) {
    return send("/api/v1/license/" + action, body.encode().getBytes(StandardCharsets.UTF_8),
        signedHeaders("/api/v1/license/" + action, body.encode().getBytes(StandardCharsets.UTF_8)));
  }

  /** The headers a correct client sends for {@code path} and {@code body}, now. */
  public MultiMap signedHeaders(String path, byte[] body) {
    long now = clock.millis() / 1000;
    String nonce = nonce();
    return MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/json")
        .add(RequestSignature.TIMESTAMP_HEADER, Long.toString(now))
        .add(RequestSignature.NONCE_HEADER, nonce)
        .add(RequestSignature.SIGNATURE_HEADER, signer.sign(now, nonce, "POST", path, body));
  }

  public String sign(long timestamp, String nonce, String path, byte[] body) {
    return signer.sign(timestamp, nonce, "POST", path, body);
  }

  /** Sends exactly these bytes with exactly these headers. */
  public Future<HttpResponse<Buffer>> send(String path, byte[] body, MultiMap headers) {
    return web.post(port, "127.0.0.1", path).putHeaders(headers).sendBuffer(Buffer.buffer(body));
  }

  /** Sends with any method: what a broken or hostile client might do, for the gate's tests. */
  public Future<HttpResponse<Buffer>> send(HttpMethod method, String path, byte[] body, MultiMap headers) {
    return web.request(method, port, "127.0.0.1", path).putHeaders(headers).sendBuffer(Buffer.buffer(body));
  }

  public Future<HttpResponse<Buffer>> get(String path) {
    return web.get(port, "127.0.0.1", path).send();
  }

  public void close() {
    web.close();
  }
}
