package dev.licensegateway.sdk;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of a real gateway that does to native answers what a hostile or
 * broken network would: flips a byte of the signed data, swaps in another answer's signature,
 * replays an old answer, answers 503 or 429 itself, drops the connection, or goes away.
 * Each native request takes the next queued {@link Action} (then {@link Action#PASS}); it
 * records every native request it receives.
 */
final class TamperingProxy implements AutoCloseable {

  enum Action { PASS, FLIP_DATA_BYTE, SWAP_SIGNATURE, REPLAY_LAST, UNAVAILABLE_503, RATE_LIMITED_429, DROP }

  /** A native request as the proxy received it. */
  record Seen(String path, String nonce, long atNanos) {}

  private final Vertx vertx;
  private final HttpClient upstream;
  private final Queue<Action> actions = new ConcurrentLinkedQueue<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Map<String, Buffer> lastOkByPath = new ConcurrentHashMap<>();
  private final AtomicInteger keyFetches = new AtomicInteger();
  private volatile String lastSignature;
  private volatile String staleJwksWithoutKid;
  private volatile long retryAfterSeconds = 1;
  private HttpServer server;

  TamperingProxy(Vertx vertx, int gatewayPort) {
    this.vertx = vertx;
    this.upstream = vertx.createHttpClient(new HttpClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(gatewayPort));
    this.server = vertx.createHttpServer().requestHandler(this::handle);
    await(server.listen(0, "127.0.0.1"));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Queues actions for the next native requests, in order. */
  TamperingProxy then(Action... next) {
    actions.addAll(List.of(next));
    return this;
  }

  /** The Retry-After of the 429s and 503s the proxy makes up. */
  TamperingProxy retryAfter(long seconds) {
    this.retryAfterSeconds = seconds;
    return this;
  }

  /** The next JWKS fetch gets the gateway's JWKS without this kid (as before a key rotation). */
  TamperingProxy staleJwksOnceWithout(String kid) {
    this.staleJwksWithoutKid = kid;
    return this;
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  List<Seen> seen(String action) {
    return seen.stream().filter(s -> s.path().endsWith("/" + action)).toList();
  }

  int keyFetches() {
    return keyFetches.get();
  }

  /** Closes the listening socket and every connection: the gateway becomes unreachable. */
  void goDown() {
    await(server.close());
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      if (request.path().equals("/api/v1/keys")) {
        keyFetches.incrementAndGet();
        forward(request, body).onSuccess(answer -> {
          String without = staleJwksWithoutKid;
          Buffer out = answer.body;
          if (without != null && answer.status == 200) {
            staleJwksWithoutKid = null;
            JsonObject jwks = new JsonObject(answer.body);
            jwks.getJsonArray("keys").getList().removeIf(k -> without.equals(((Map<?, ?>) k).get("kid")));
            out = jwks.toBuffer();
          }
          respond(request, answer.status, answer.headers, out);
        }).onFailure(e -> request.connection().close());
        return;
      }
      seen.add(new Seen(request.path(), request.getHeader("X-License-Nonce"), System.nanoTime()));
      Action action = actions.poll();
      switch (action == null ? Action.PASS : action) {
        case DROP -> request.connection().close();
        case UNAVAILABLE_503 -> request.response().setStatusCode(503)
            .putHeader("Content-Type", "application/json")
            .end(error(1717, "LICENSE_API_UNAVAILABLE", true).encode());
        case RATE_LIMITED_429 -> request.response().setStatusCode(429)
            .putHeader("Content-Type", "application/json")
            .putHeader("Retry-After", Long.toString(retryAfterSeconds))
            .end(error(1706, "LICENSE_API_RATE_LIMITED", true).encode());
        case REPLAY_LAST -> {
          Buffer old = lastOkByPath.get(request.path());
          if (old == null) {
            throw new IllegalStateException("nothing to replay yet for " + request.path());
          }
          request.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(old);
        }
        case PASS, FLIP_DATA_BYTE, SWAP_SIGNATURE -> forward(request, body).onSuccess(answer -> {
          Buffer out = answer.body;
          if (answer.status == 200) {
            String previousSignature = lastSignature;
            lastOkByPath.put(request.path(), answer.body);
            lastSignature = new JsonObject(answer.body).getString("signature");
            if (action == Action.FLIP_DATA_BYTE) {
              out = flipStatusByte(answer.body);
            } else if (action == Action.SWAP_SIGNATURE) {
              out = swapSignature(answer.body, previousSignature);
            }
          }
          respond(request, answer.status, answer.headers, out);
        }).onFailure(e -> request.connection().close());
      }
    });
  }

  private static JsonObject error(int code, String name, boolean retryable) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("name", name)
        .put("message", "made up by the test proxy").put("retryable", retryable));
  }

  /** XORs one bit of the last letter of {@code data.status}, in the raw bytes: the JSON stays valid. */
  static Buffer flipStatusByte(Buffer body) {
    byte[] bytes = body.getBytes();
    String text = new String(bytes, StandardCharsets.UTF_8);
    int at = text.indexOf("\"status\":\"");
    if (at < 0 || !text.startsWith("{\"data\":")) {
      throw new IllegalStateException("no data.status to flip in " + text);
    }
    int end = text.indexOf('"', at + "\"status\":\"".length());
    bytes[end - 1] ^= 0x01; // ASCII: the byte index equals the char index
    return Buffer.buffer(bytes);
  }

  /** Puts another answer's (valid, but not for this data) signature into this one. */
  private static Buffer swapSignature(Buffer body, String other) {
    if (other == null) {
      throw new IllegalStateException("no earlier signature to swap in");
    }
    JsonObject envelope = new JsonObject(body);
    String mine = envelope.getString("signature");
    if (mine.equals(other)) {
      throw new IllegalStateException("the earlier signature is this one");
    }
    String text = body.toString(StandardCharsets.UTF_8);
    return Buffer.buffer(text.replace("\"signature\":\"" + mine + "\"", "\"signature\":\"" + other + "\""));
  }

  private record Answer(int status, MultiMap headers, Buffer body) {}

  private Future<Answer> forward(HttpServerRequest request, Buffer body) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
    headers.remove("Host");
    return upstream.request(new RequestOptions().setMethod(request.method()).setURI(request.uri()).setHeaders(headers))
        .compose(out -> out.send(body))
        .compose(response -> response.body().map(b -> new Answer(response.statusCode(), response.headers(), b)));
  }

  private static void respond(HttpServerRequest request, int status, MultiMap headers, Buffer body) {
    var response = request.response().setStatusCode(status);
    headers.forEach((name, value) -> {
      if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Transfer-Encoding")
          && !name.equalsIgnoreCase("Connection")) {
        response.headers().add(name, value);
      }
    });
    response.end(body);
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      server.close().await(10, TimeUnit.SECONDS);
      upstream.close().await(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // already down
    }
  }
}
