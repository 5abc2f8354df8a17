package dev.licensegateway.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy in front of a real Postgres or Redis that a test can cut (connections reset,
 * new ones refused), pause (connections stay open, nothing flows: a hung server) and
 * restore, to drive the gateway's failure modes.
 */
public final class FaultProxy implements AutoCloseable {

  public enum Mode { PASS, CUT, PAUSE }

  private final Vertx vertx = Vertx.vertx();
  private final NetServer server;
  private final NetClient client;
  private final List<NetSocket[]> pairs = new CopyOnWriteArrayList<>();
  private volatile Mode mode = Mode.PASS;

  public FaultProxy(int targetPort) {
    this.client = vertx.createNetClient();
    this.server = vertx.createNetServer().connectHandler(inbound -> {
      if (mode == Mode.CUT) {
        inbound.close();
        return;
      }
      inbound.pause();
      client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
        if (ar.failed()) {
          inbound.close();
          return;
        }
        NetSocket outbound = ar.result();
        NetSocket[] pair = {inbound, outbound};
        pairs.add(pair);
        inbound.handler(outbound::write);
        outbound.handler(inbound::write);
        inbound.closeHandler(v -> { outbound.close(); pairs.remove(pair); });
        outbound.closeHandler(v -> { inbound.close(); pairs.remove(pair); });
        if (mode == Mode.PASS) {
          inbound.resume();
        } else {
          outbound.pause();
        }
      });
    });
    try {
      server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return server.actualPort();
  }

  /** Resets every connection and refuses new ones, as a crashed server would. */
  public void cut() {
    mode = Mode.CUT;
    for (NetSocket[] pair : pairs) {
      pair[0].close();
      pair[1].close();
    }
  }

  /** Stops all traffic but keeps connections open, as a hung server would. */
  public void pause() {
    mode = Mode.PAUSE;
    vertx.runOnContext(v -> pairs.forEach(pair -> {
      pair[0].pause();
      pair[1].pause();
    }));
  }

  public void restore() {
    mode = Mode.PASS;
    vertx.runOnContext(v -> pairs.forEach(pair -> {
      pair[0].resume();
      pair[1].resume();
    }));
  }

  @Override
  public void close() {
    vertx.close();
  }
}
