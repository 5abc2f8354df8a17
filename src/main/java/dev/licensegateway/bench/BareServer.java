package dev.licensegateway.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;

/**
 * The anchor of {@code bench http}: the least a Vert.x HTTP server can do, built as the
 * gateway is (one verticle per event loop, one event loop per core, TCP_NODELAY, no
 * compression). It reads each request's body and answers a fixed small JSON. Started by the
 * harness as a child JVM: {@code java -cp license-gateway.jar dev.licensegateway.bench.BareServer PORT}.
 */
public final class BareServer {

  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final Buffer ANSWER = Buffer.buffer("{\"data\":{\"valid\":true,\"status\":\"active\"}}");

  private BareServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int cores = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(cores));
    vertx.deployVerticle(() -> new Anchor(port), new DeploymentOptions().setInstances(cores))
        .await();
    System.out.println("bare anchor listening on port " + port + " (" + cores + " verticles)");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await(), "anchor-shutdown"));
  }

  private static final class Anchor extends VerticleBase {
    private final int port;

    Anchor(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer(new HttpServerOptions()
              .setPort(port)
              .setHost("0.0.0.0")
              .setTcpNoDelay(true)
              .setCompressionSupported(false))
          .requestHandler(request -> request.end().onComplete(ignored -> request.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
              .end(ANSWER)))
          .listen();
    }
  }
}
