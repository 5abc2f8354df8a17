package dev.licensegateway.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A client of the unsigned compatibility dialects ({@code /license}, {@code /auth}): plain
 * JSON POSTs, in blocking form for tests that read as steps and async form for races.
 */
public final class DialectClient {

  private final WebClient web;
  private final int port;

  public DialectClient(Vertx vertx, int port) {
    this.web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(64));
    this.port = port;
  }

  /** Sends {@code body} as {@code application/json}. */
  public Future<HttpResponse<Buffer>> send(String path, JsonObject body) {
    return sendRaw(path, "application/json", body.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** Sends exactly these bytes; {@code contentType} null sends no Content-Type header. */
  public Future<HttpResponse<Buffer>> sendRaw(String path, String contentType, byte[] body) {
    HttpRequest<Buffer> request = web.post(port, "127.0.0.1", path);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    return request.sendBuffer(Buffer.buffer(body));
  }

  public HttpResponse<Buffer> post(String path, JsonObject body) {
    return await(send(path, body));
  }

  public HttpResponse<Buffer> postRaw(String path, String contentType, byte[] body) {
    return await(sendRaw(path, contentType, body));
  }

  public HttpResponse<Buffer> get(String path) {
    return await(web.get(port, "127.0.0.1", path).send());
  }

  /** Every future's result, in order, once all have completed; fails if any failed. */
  public static <T> List<T> awaitAll(List<Future<T>> futures) {
    try {
      Future.all(futures).await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("a concurrent request failed", e);
    }
    return futures.stream().map(Future::result).toList();
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("request failed", e);
    }
  }

  /**
   * docs/dialects.md {@code X-Auth-Signature} as an SDK computes it, with the JDK alone: lowercase
   * hex of HMAC-SHA256(app secret, raw body bytes).
   */
  public static String hmacHex(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  public void close() {
    web.close();
  }
}
