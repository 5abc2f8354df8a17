package dev.licensegateway.webhook;

import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.ops.GatewayMetrics;
import dev.licensegateway.ops.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

/**
 * Delivers webhooks: one per gateway instance, all on this verticle's event loop. Every
 * {@code pollMs} it claims due deliveries (a lease in Postgres: one instance attempts a
 * delivery at a time, and a dead instance's claims come due again when their lease runs out),
 * signs each per Standard Webhooks and posts it with the non-blocking HTTP client; then
 * records the result. Requests never wait for any of this: events are rows their transactions
 * wrote, picked up here afterwards. It also runs the sweep (license.expired, machine.released;
 * one instance at a time) and reads the backlog for the metrics.
 */
public final class WebhookVerticle extends VerticleBase {

  private static final ThrottledLog LOG = new ThrottledLog(LoggerFactory.getLogger(WebhookVerticle.class));
  private static final String USER_AGENT = "license-gateway-webhooks/1";
  private static final long BACKLOG_EVERY_MS = 5_000;

  private final WebhookStore store;
  private final WebhookSecrets secrets;
  private final GatewayConfig.Webhooks config;
  private final GatewayMetrics metrics;
  private final Clock clock;

  private UrlGuard guard;
  private HttpClient client;
  private long pollTimer = -1;
  private long sweepTimer = -1;
  private long backlogTimer = -1;
  private int inFlight;
  private boolean claiming;
  private boolean moreDue;
  private boolean sweeping;
  private boolean stopping;
  private Promise<Void> drained;
  private volatile long pending;
  private volatile double oldestSeconds;

  public WebhookVerticle(WebhookStore store, WebhookSecrets secrets, GatewayConfig.Webhooks config,
      GatewayMetrics metrics, Clock clock) {
    if (config.leaseMs() <= config.timeoutMs()) {
      throw new IllegalStateException("LGW_WEBHOOK_LEASE_MS (" + config.leaseMs()
          + ") must exceed LGW_WEBHOOK_TIMEOUT_MS (" + config.timeoutMs() + "): a lease must outlive its attempt");
    }
    this.store = store;
    this.secrets = secrets;
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    metrics.webhookBacklog(() -> pending, () -> oldestSeconds);
  }

  @Override
  public Future<?> start() {
    guard = new UrlGuard(vertx, config.allowPrivate());
    client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout((int) config.timeoutMs())
            .setIdleTimeout((int) config.timeoutMs())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setVerifyHost(true)
            .setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(Math.max(4, config.batch())));
    pollTimer = vertx.setPeriodic(config.pollMs(), id -> poll());
    sweepTimer = vertx.setPeriodic(config.sweepMs(), id -> sweep());
    backlogTimer = vertx.setPeriodic(Math.min(BACKLOG_EVERY_MS, config.pollMs() * 5), id -> readBacklog());
    return Future.succeededFuture();
  }

  /** Claims no more; lets the attempts under way finish (up to their deadline) so that their results are recorded. */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(backlogTimer);
    Future<Void> settled = Future.succeededFuture();
    if (inFlight > 0) {
      drained = Promise.promise();
      settled = drained.future().timeout(config.timeoutMs() + 1_000, TimeUnit.MILLISECONDS)
          .recover(e -> Future.succeededFuture());
    }
    return settled.compose(v -> client.close());
  }

  private void poll() {
    int room = config.batch() - inFlight;
    if (claiming || stopping || room <= 0) {
      return;
    }
    claiming = true;
    UUID token = UUID.randomUUID();
    store.claim(token, config.leaseMs(), room).onComplete(ar -> {
      claiming = false;
      if (ar.failed()) {
        LOG.warn("webhook-claim", "webhook claim failed", ar.cause());
        return;
      }
      List<WebhookStore.Claimed> claimed = ar.result();
      // A full batch: more may be due, so claim again as soon as room frees up.
      moreDue = claimed.size() == room;
      for (WebhookStore.Claimed delivery : claimed) {
        inFlight++;
        attempt(delivery, token).onComplete(done -> {
          inFlight--;
          if (stopping) {
            if (inFlight == 0 && drained != null) {
              drained.tryComplete();
            }
          } else if (moreDue) {
            poll();
          }
        });
      }
    });
  }

  /** One attempt, its result recorded; never fails. */
  private Future<Void> attempt(WebhookStore.Claimed d, UUID token) {
    return guard.check(d.url())
        .compose(target -> send(target, d))
        .transform(ar -> {
          if (ar.succeeded() && ar.result() >= 200 && ar.result() < 300) {
            return store.delivered(d.id(), token, ar.result()).map(recorded -> recorded ? "delivered" : "lost");
          }
          Integer status = ar.succeeded() ? ar.result() : null;
          String error = ar.succeeded() ? "the endpoint answered HTTP " + status : describe(ar.cause());
          return store.failed(d.id(), token, status, error, backoffMs(d.attempts()), config.retryWindowMs())
              .map(state -> state == null ? "lost" : state.equals("failed") ? "failed" : "retry");
        })
        .onSuccess(metrics::webhookAttempt)
        .otherwise(e -> {
          // The result could not be written: the lease runs out and the delivery is attempted again.
          LOG.warn("webhook-result", "a webhook delivery result was not recorded", e);
          return null;
        })
        .mapEmpty();
  }

  /** Posts the event, signed; the HTTP status, whatever it is. */
  private Future<Integer> send(UrlGuard.Target target, WebhookStore.Claimed d) {
    String secret = secrets.open(d.endpointId(), d.secretBox());
    if (secret == null) {
      return Future.failedFuture(new IllegalStateException(
          "the signing secret does not open: the seal key (LGW_WEBHOOK_SEAL_KEY) is not the one it was sealed with"));
    }
    long timestamp = clock.instant().getEpochSecond();
    byte[] body = d.body().getBytes();
    String signature = WebhookSecrets.sign(secret, d.eventId(), timestamp, body);
    String previous = secrets.open(d.endpointId(), d.previousBox());
    if (previous != null) {
      // A rotation under way: receivers holding either secret verify.
      signature = signature + " " + WebhookSecrets.sign(previous, d.eventId(), timestamp, body);
    }
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost(target.host())
        .setPort(target.port())
        .setSsl(target.ssl())
        .setURI(target.pathAndQuery())
        .setFollowRedirects(false)
        .setConnectTimeout(config.timeoutMs())
        .putHeader("content-type", "application/json")
        .putHeader("user-agent", USER_AGENT)
        .putHeader("webhook-id", d.eventId())
        .putHeader("webhook-timestamp", Long.toString(timestamp))
        .putHeader("webhook-signature", signature);
    if (target.address() != null) {
      // The address the guard checked, not a second lookup that DNS could answer differently;
      // the host still names the peer for TLS (SNI, certificate) and the Host header.
      options.setServer(SocketAddress.inetSocketAddress(target.port(), target.address()));
    }
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    return client.request(options)
        .compose(request -> {
          sent.set(request);
          return request.send(Buffer.buffer(body));
        })
        .compose(response -> {
          // The body is not needed: read and dropped as it comes, never held.
          response.handler(chunk -> { });
          return response.end().map(v -> response.statusCode());
        })
        .timeout(config.timeoutMs(), TimeUnit.MILLISECONDS)
        .onFailure(e -> {
          HttpClientRequest request = sent.get();
          if (request != null) {
            request.reset();
          }
        });
  }

  /** Exponential from the base, capped, with equal jitter (half fixed, half random). */
  long backoffMs(int attempts) {
    double exponential = config.retryBaseMs() * Math.pow(2, Math.min(attempts - 1, 40));
    double delay = Math.min(config.retryCapMs(), exponential);
    return Math.max(1, (long) (delay / 2 + ThreadLocalRandom.current().nextDouble() * delay / 2));
  }

  private String describe(Throwable e) {
    String text;
    if (e instanceof UrlGuard.Refused) {
      text = "refused: the URL " + e.getMessage();
    } else if (e instanceof TimeoutException) {
      text = "no answer within " + config.timeoutMs() + " ms";
    } else {
      text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return text.length() > 500 ? text.substring(0, 500) : text;
  }

  private void sweep() {
    if (sweeping || stopping) {
      return;
    }
    sweeping = true;
    store.sweep()
        .onFailure(e -> LOG.warn("webhook-sweep", "webhook sweep failed", e))
        .onComplete(ar -> sweeping = false);
  }

  private void readBacklog() {
    store.backlog()
        .onSuccess(b -> {
          pending = b.pending();
          oldestSeconds = b.oldestSeconds();
        })
        .onFailure(e -> LOG.warn("webhook-backlog", "webhook backlog read failed", e));
  }
}
