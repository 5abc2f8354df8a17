package dev.licensegateway.testing;

import dev.licensegateway.dev.EmbeddedServers;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A vendor's webhook endpoint: a real HTTP server on a free loopback port that records every
 * request (headers and body) and answers as the test says: a status, or no answer at all
 * ({@code null}), to hold the request open.
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One request as it arrived. */
  public record Received(String path, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase());
    }

    public JsonObject json() {
      return new JsonObject(body);
    }

    public String type() {
      return json().getString("type");
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
  private volatile Function<Received, Integer> answer = r -> 200;

  public WebhookReceiver() {
    try {
      server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
        Map<String, String> headers = new TreeMap<>();
        request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
        Received r = new Received(request.path(), headers, body.toString());
        received.add(r);
        Integer status = answer.apply(r);
        if (status == null) {
          held.add(request);
        } else {
          request.response().setStatusCode(status).end();
        }
      })).listen(EmbeddedServers.freePort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** How to answer each request from now on: a status, or null to leave it unanswered. */
  public WebhookReceiver answering(Function<Received, Integer> answer) {
    this.answer = answer;
    return this;
  }

  public String url() {
    return url("/hook");
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  public int port() {
    return server.actualPort();
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  /** Requests whose body is of this event type, in arrival order. */
  public List<Received> ofType(String type) {
    return received.stream().filter(r -> type.equals(r.type())).collect(Collectors.toList());
  }

  /** Requests about this license (data.id or data.license_id), in arrival order. */
  public List<Received> aboutLicense(String licenseId) {
    return received.stream().filter(r -> {
      JsonObject data = r.json().getJsonObject("data");
      return licenseId.equals(data.getString("license_id")) || licenseId.equals(data.getString("id"));
    }).collect(Collectors.toList());
  }

  /** Waits, generously, until the condition holds; fails with {@code what} otherwise. */
  public static void await(String what, long timeoutMs, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
  }
}
