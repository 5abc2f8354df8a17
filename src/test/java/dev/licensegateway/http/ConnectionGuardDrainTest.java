package dev.licensegateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The drain begins while an answer is on its way: its head went out without
 * {@code Connection: close}, so its client may reuse the connection at once. The gateway must
 * not close that connection under the next request; that request is served, its answer says
 * close, and the connection closes after it.
 */
class ConnectionGuardDrainTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void anAnswerBegunBeforeTheDrainKeepsItsConnectionForTheRequestThatFollows() throws Exception {
    // A connection quiet for a second during a drain is closed by design: an attempt in which
    // this machine stalled that long between the two requests proves nothing and is run again.
    for (int attempt = 1; ; attempt++) {
      Outcome outcome = attempt();
      if (outcome.gapMs() < ConnectionGuard.DRAIN_QUIET_MS / 2 || attempt == 5) {
        assertNull(outcome.failure(), "the next request failed: " + outcome.failure());
        assertEquals(200, outcome.next().statusCode());
        assertEquals("close", outcome.next().getHeader(HttpHeaders.CONNECTION.toString()));
        assertEquals("next", outcome.next().bodyAsString());
        assertEquals(1, outcome.connections(), "the next request needed a new connection: the first was closed under it"
            + " (" + outcome.gapMs() + " ms between the two requests, attempt " + attempt + ")");
        return;
      }
    }
  }

  private record Outcome(HttpResponse<Buffer> next, Throwable failure, int connections, long gapMs) {}

  private Outcome attempt() throws Exception {
    AtomicBoolean draining = new AtomicBoolean();
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    ConnectionGuard guard = new ConnectionGuard(vertx, options, new ConnectionGuard.Census(100), 60, 10,
        (path, code, message) -> new JsonObject().put("code", code), draining::get);
    AtomicInteger connections = new AtomicInteger();
    AtomicLong slowEnded = new AtomicLong();
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
            // The head goes out, then SIGTERM's drain begins, then the answer ends.
            request.response().setChunked(true).write("begun before the drain; ");
            draining.set(true);
            guard.drain();
            request.response().end("ended during it");
            slowEnded.set(System.nanoTime());
          } else {
            request.response().end("next");
          }
        });
    int port = server.listen().await(10, TimeUnit.SECONDS).actualPort();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(1));
    try {
      HttpResponse<Buffer> slow = client.get(port, "127.0.0.1", "/slow").send().await(10, TimeUnit.SECONDS);
      assertNull(slow.getHeader(HttpHeaders.CONNECTION.toString()), "its head went out before the drain");
      assertEquals("begun before the drain; ended during it", slow.bodyAsString());
      // The same connection (a pool of one), at once: it must be served, and say close.
      long sent = System.nanoTime();
      try {
        HttpResponse<Buffer> next = client.get(port, "127.0.0.1", "/").send().await(10, TimeUnit.SECONDS);
        return new Outcome(next, null, connections.get(), (sent - slowEnded.get()) / 1_000_000);
      } catch (Exception e) {
        return new Outcome(null, e, connections.get(), (sent - slowEnded.get()) / 1_000_000);
      }
    } finally {
      client.close();
      guard.stop();
      server.close();
    }
  }
}
