package dev.licensegateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.licensegateway.Gateway;
import dev.licensegateway.testing.RawHttp;
import dev.licensegateway.testing.TestGateway;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 11, item 1, on raw sockets: a connection that sends nothing, one that never completes
 * its request head however slowly it keeps sending, and one kept alive in silence are each
 * closed by the gateway; past the connection cap new connections are closed at once, with a
 * throttled warning. Timeouts are short here (1 s for the head, 4 s of silence) and every
 * bound the test waits for is several times longer, so a slow machine passes too.
 */
class ConnectionLimitsTest {

  private static final int HEADER_TIMEOUT_S = 1;
  private static final int IDLE_TIMEOUT_S = 4;
  private static final String PING = "GET /health/live HTTP/1.1\r\nHost: gw\r\n\r\n";

  private static Gateway gateway;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(c -> c.withConnectionLimits(IDLE_TIMEOUT_S, HEADER_TIMEOUT_S, 10_000));
  }

  @AfterAll
  static void stop() {
    TestGateway.stop(gateway);
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() {
    try (RawHttp http = new RawHttp(gateway.port())) {
      assertTrue(http.closedByServerWithin(15_000), "a silent connection stayed open");
    }
  }

  /** The idle timeout restarts on every byte: only a deadline for the whole head catches this. */
  @Test
  void aHeadDrippedByteByByteIsClosedAtTheHeaderDeadline() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      OutputStream out = socket.getOutputStream();
      byte[] head = ("GET /health/live HTTP/1.1\r\nHost: gw\r\nX-Slow: " + "a".repeat(200)).getBytes();
      long started = System.nanoTime();
      boolean closed = false;
      // One byte every 250 ms (traffic well within the idle timeout) for up to 30 s.
      for (int i = 0; i < head.length && !closed; i++) {
        try {
          out.write(head[i]);
          out.flush();
          Thread.sleep(250);
          socket.setSoTimeout(1);
          closed = socket.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
          // still open
        } catch (IOException e) {
          closed = true; // reset, or a write to a closed connection
        }
        if ((System.nanoTime() - started) / 1_000_000_000 > 30) {
          break;
        }
      }
      assertTrue(closed, "a head dripped byte by byte kept its connection for 30 s");
    }
  }

  @Test
  void aKeptAliveConnectionServesRequestsThenIsClosedWhenSilent() throws Exception {
    try (RawHttp http = new RawHttp(gateway.port())) {
      assertEquals(200, http.exchange(PING).status());
      // Past the header timeout but within the idle timeout: still open, and a second request is served.
      Thread.sleep(HEADER_TIMEOUT_S * 1000L + 500);
      RawHttp.Answer second = http.exchange(PING);
      assertEquals(200, second.status());
      assertFalse(second.announcesClose());
      assertTrue(http.closedByServerWithin(30_000), "a silent kept-alive connection stayed open");
    }
  }

  @Test
  void pastTheCapNewConnectionsAreClosedAtOnceWithAThrottledWarning() throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger guardLog = (Logger) LoggerFactory.getLogger(ConnectionGuard.class);
    guardLog.addAppender(logs);
    int cap = 4;
    Gateway capped = TestGateway.start(c -> c.withConnectionLimits(60, 60, cap));
    List<RawHttp> held = new ArrayList<>();
    try {
      for (int i = 0; i < cap; i++) {
        RawHttp http = new RawHttp(capped.port());
        held.add(http);
        assertEquals(200, http.exchange(PING).status(), "connection " + (i + 1) + " of " + cap);
      }
      for (int i = 0; i < 20; i++) {
        try (RawHttp refused = new RawHttp(capped.port())) {
          assertTrue(refused.closedByServerWithin(10_000), "connection " + (cap + i + 1) + " was kept past the cap");
        }
      }
      List<ILoggingEvent> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN
          && e.getFormattedMessage().contains("LGW_HTTP_MAX_CONNECTIONS")).toList();
      assertFalse(warnings.isEmpty(), "no warning when the cap bit");
      assertTrue(warnings.size() <= 5, "one warning per refused connection: " + warnings.size());
      // Those in place are still served, and once one closes a new one is accepted.
      assertEquals(200, held.get(0).exchange(PING).status());
      held.remove(0).close();
      assertTrue(servedWithin(capped.port(), 10_000), "no connection accepted after one closed");
    } finally {
      held.forEach(RawHttp::close);
      guardLog.detachAppender(logs);
      TestGateway.stop(capped);
    }
  }

  /** Whether a new connection is served within {@code ms} (the gateway sees a close a moment after it happens). */
  private static boolean servedWithin(int port, long ms) throws InterruptedException {
    long deadline = System.nanoTime() + ms * 1_000_000;
    while (System.nanoTime() < deadline) {
      try (RawHttp http = new RawHttp(port)) {
        if (http.exchange(PING).status() == 200) {
          return true;
        }
      } catch (RuntimeException | AssertionError e) {
        Thread.sleep(100);
      }
    }
    return false;
  }
}
