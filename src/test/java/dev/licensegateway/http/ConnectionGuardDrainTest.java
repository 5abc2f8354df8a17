package dev.licensegateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The drain begins while an answer is on its way: its head went out without
 * {@code Connection: close}, so its client may reuse the connection at once. The gateway must
 * not close that connection under the next request; it closes it once quiet, and the next
 * answer says close.
 */
class ConnectionGuardDrainTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A response's head, and its body as it comes. */
  private static final class Answer {
    final int status;
    final String connection;
    final Future<Buffer> body;

    Answer(HttpClientResponse response) {
      this.status = response.statusCode();
      this.connection = response.getHeader(HttpHeaders.CONNECTION);
      this.body = response.body();
    }
  }

  @Test
  void anAnswerBegunBeforeTheDrainKeepsItsConnectionForTheRequestThatFollows() throws Exception {
    AtomicBoolean draining = new AtomicBoolean();
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    ConnectionGuard guard = new ConnectionGuard(vertx, options, new ConnectionGuard.Census(100), 60, 10,
        (path, code, message) -> new JsonObject().put("code", code), draining::get);
    Promise<Void> finish = Promise.promise();
    AtomicInteger connections = new AtomicInteger();
    HttpServer server = vertx.createHttpServer(options)
        .connectionHandler(connection -> {
          guard.accept(connection);
          connections.incrementAndGet();
        })
        .requestHandler(request -> {
          if (!guard.admit(request)) {
            return;
          }
          request.response().endHandler(v -> guard.responded(request));
          if (request.path().equals("/slow")) {
            request.response().setChunked(true).write("begun before the drain; ");
            finish.future().onSuccess(v -> request.response().end("ended during it"));
          } else {
            request.response().end("next");
          }
        });
    int port = server.listen().await(10, TimeUnit.SECONDS).actualPort();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(1));
    try {
      // Each body is asked for where its head arrives, on the event loop, so that no byte is missed.
      Answer slow = client.request(HttpMethod.GET, port, "127.0.0.1", "/slow").compose(r -> r.send())
          .map(Answer::new).await(10, TimeUnit.SECONDS);
      assertNull(slow.connection, "its head went out before the drain");
      draining.set(true);
      guard.drain();
      finish.complete();
      Buffer body = slow.body.await(10, TimeUnit.SECONDS);
      assertEquals("begun before the drain; ended during it", body.toString());

      // The same connection (a pool of one), at once: it must be served, and say close.
      Answer next = client.request(HttpMethod.GET, port, "127.0.0.1", "/").compose(r -> r.send())
          .map(Answer::new).await(10, TimeUnit.SECONDS);
      assertEquals(200, next.status);
      assertEquals("close", next.connection);
      assertEquals("next", next.body.await(10, TimeUnit.SECONDS).toString());
      assertEquals(1, connections.get(), "the next request needed a new connection: the first was closed under it");
    } finally {
      client.close();
      guard.stop();
      server.close();
    }
  }
}
