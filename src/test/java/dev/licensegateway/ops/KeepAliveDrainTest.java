package dev.licensegateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.RawHttp;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 13: the drain after SIGTERM, seen from kept-alive connections. Every answer
 * written during the drain says {@code Connection: close} and its connection closes after it,
 * and a kept-alive connection left quiet is closed by the gateway while its listener still
 * accepts: a client (or a load balancer's pool) learns the connection is gone before it sends
 * on it, and its next request opens a new connection that is served, instead of failing on a
 * connection closed under it when the listener goes away.
 */
class KeepAliveDrainTest {

  /** Long beside the ~1 s the gateway lets a quiet connection stay, so the listener is surely open meanwhile. */
  private static final long DRAIN_DELAY_MS = 8_000;
  private static final String PING = "GET /health/live HTTP/1.1\r\nHost: gw\r\n\r\n";

  @Test
  void duringTheDrainAnswersCloseTheirConnectionsAndQuietOnesAreClosedWhileTheListenerAccepts() throws Exception {
    Gateway gateway = TestGateway.start(c -> c.withShutdown(DRAIN_DELAY_MS, 10_000));
    int port = gateway.port();
    Future<Void> stopped = null;
    try (RawHttp quiet = new RawHttp(port)) {
      RawHttp.Answer before = quiet.exchange(PING);
      assertEquals(200, before.status());
      assertFalse(before.announcesClose(), "before the drain, connections are kept alive");

      long sigterm = System.nanoTime();
      stopped = TestGateway.beginStop(gateway);

      try (RawHttp fresh = new RawHttp(port)) {
        RawHttp.Answer during = fresh.exchange(PING);
        assertEquals(200, during.status(), "the listener serves during the drain");
        assertTrue(during.announcesClose(), "an answer during the drain must say Connection: close: "
            + during.headers());
        assertTrue(fresh.closedByServerWithin(5_000), "the connection stayed open after its answer said close");
      }

      assertTrue(quiet.closedByServerWithin(DRAIN_DELAY_MS), "a quiet kept-alive connection stayed open");
      long closedAfterMs = (System.nanoTime() - sigterm) / 1_000_000;
      // It was closed while the listener still accepted: a client that comes back is served.
      try (RawHttp again = new RawHttp(port)) {
        RawHttp.Answer after = again.exchange(PING);
        assertEquals(200, after.status(), "the listener closed before the quiet connection was");
        assertTrue(after.announcesClose());
      }
      System.out.printf("drain: quiet kept-alive connection closed %d ms after SIGTERM (listener open for %d ms)%n",
          closedAfterMs, DRAIN_DELAY_MS);
    } finally {
      if (stopped == null) {
        TestGateway.stop(gateway);
      } else {
        stopped.await(30, TimeUnit.SECONDS);
      }
    }
  }
}
