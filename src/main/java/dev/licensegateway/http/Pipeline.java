package dev.licensegateway.http;

import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.gate.RedisGate;
import dev.licensegateway.infra.Unavailable;
import dev.licensegateway.ops.ThrottledLog;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * The one path of every public request: intake (body limit) → the dialect reads the
 * request and authenticates its caller → admission through the Redis gate (nonce and
 * buckets) → the operation → the dialect's answer, written here with the rate-limit
 * headers, {@code Retry-After} and the metric labels. Outages and defects are told apart
 * here, by type, for every dialect.
 *
 * <p>A request refused before admission takes nothing (docs/native-protocol.md): it reports the client
 * IP's bucket as it stands.
 */
public final class Pipeline {

  private static final ThrottledLog LOG = new ThrottledLog(LoggerFactory.getLogger(Pipeline.class));
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private final RedisGate gate;
  private final ClientIp clientIp;
  private final RateLimit.Limit ipLimit;
  private final int bodyLimit;

  public Pipeline(RedisGate gate, ClientIp clientIp, RateLimit.Limit ipLimit, int bodyLimit) {
    this.gate = gate;
    this.clientIp = clientIp;
    this.ipLimit = ipLimit;
    this.bodyLimit = bodyLimit;
  }

  /** The client-IP bucket of docs/rate-limits.md, which applies to every public request. */
  public RateLimit.Bucket ipBucket(String ip) {
    return RateLimit.Bucket.clientIp(ip, ipLimit);
  }

  public <Q, R> void post(Router router, String dialect, String path, Wire<Q, R> wire, Wire.Reader<Q> reader,
      Function<Q, Future<R>> operation) {
    mount(router.post(path), dialect, path, wire, reader, operation);
  }

  /**
   * Mounts one route; {@code label} names it in the metrics (a fixed text, never the raw URI).
   * {@code method} null: every method.
   */
  public <Q, R> void route(Router router, HttpMethod method, String path, String dialect, String label,
      Wire<Q, R> wire, Wire.Reader<Q> reader, Function<Q, Future<R>> operation) {
    mount(method == null ? router.route(path) : router.route(method, path), dialect, label, wire, reader, operation);
  }

  private <Q, R> void mount(Route route, String dialect, String label, Wire<Q, R> wire, Wire.Reader<Q> reader,
      Function<Q, Future<R>> operation) {
    route.handler(BodyHandler.create(false).setBodyLimit(bodyLimit))
        .handler(ctx -> {
          RequestTags.route(ctx, dialect, label);
          run(new Exchange(ctx, clientIp.resolve(ctx.request())), dialect, wire, reader, operation);
        })
        .failureHandler(ctx -> {
          RequestTags.route(ctx, dialect, label);
          Exchange exchange = new Exchange(ctx, clientIp.resolve(ctx.request()));
          // BodyHandler's refusals are the client's (413 over the limit, 400 undecodable, 417
          // an unmeetable Expect); anything else reaching here is a defect.
          int status = ctx.statusCode();
          Throwable failure = status == 413 ? Problem.payloadTooLarge(bodyLimit)
              : status >= 400 && status < 500 ? Problem.unreadable(status)
              : ctx.failure();
          refuseUnread(exchange, dialect, wire, failure);
        });
  }

  private <Q, R> void run(Exchange exchange, String dialect, Wire<Q, R> wire, Wire.Reader<Q> reader,
      Function<Q, Future<R>> operation) {
    Future<Q> read;
    try {
      read = reader.read(exchange);
    } catch (RuntimeException e) {
      read = Future.failedFuture(e);
    }
    read.onSuccess(request -> admit(exchange, dialect, wire, operation, request))
        .onFailure(failure -> refuseUnread(exchange, dialect, wire, failure));
  }

  private <Q, R> void admit(Exchange exchange, String dialect, Wire<Q, R> wire, Function<Q, Future<R>> operation,
      Q request) {
    RoutingContext ctx = exchange.context();
    Wire.Admission admission = wire.admission(request, exchange);
    gate.admit(admission.nonce(), admission.buckets())
        .compose(decision -> {
          RateLimitHeaders.remember(ctx, decision.applied());
          return switch (decision.verdict()) {
            case REPLAY -> Future.<Q>failedFuture(Problem.replayed());
            case LIMITED -> Future.<Q>failedFuture(Problem.rateLimited(decision.applied()));
            case PASS -> wire.afterAdmission(request);
          };
        })
        .compose(admitted -> operation.apply(admitted).map(result -> wire.answer(admitted, result)))
        .onSuccess(reply -> send(ctx, reply))
        .onFailure(failure -> send(ctx, wire.refuse(problem(dialect, failure), request)));
  }

  /** A refusal before admission: nothing taken, the client IP's bucket reported as it stands. */
  private <Q, R> void refuseUnread(Exchange exchange, String dialect, Wire<Q, R> wire, Throwable failure) {
    RoutingContext ctx = exchange.context();
    Problem problem = problem(dialect, failure);
    gate.peek(List.of(ipBucket(exchange.ip())))
        .onComplete(state -> {
          RateLimitHeaders.remember(ctx, state.result());
          send(ctx, wire.refuse(problem, null));
        });
  }

  /** A failure as the client may learn of it: an outage says so, a defect says nothing. */
  private static Problem problem(String dialect, Throwable failure) {
    if (failure instanceof Problem problem) {
      return problem;
    }
    if (failure instanceof Unavailable outage) {
      LOG.warn(dialect + "-unavailable-" + outage.dependency(), outage.getMessage(), outage.getCause());
      return Problem.unavailable(outage.dependency());
    }
    LOG.error(dialect + "-internal", "unexpected failure answering a " + dialect + " request", failure);
    return Problem.internal();
  }

  /** Writes a reply with the remembered bucket's headers; the one place a response ends. */
  public static void send(RoutingContext ctx, Reply reply) {
    HttpServerResponse response = ctx.response();
    if (response.ended()) {
      return;
    }
    RequestTags.outcome(ctx, reply.outcome());
    RateLimitHeaders.write(response, RateLimitHeaders.remembered(ctx));
    if (reply.retryAfterSeconds() > 0) {
      response.putHeader(RateLimitHeaders.RETRY_AFTER, Long.toString(reply.retryAfterSeconds()));
    }
    if (reply.headerName() != null) {
      response.putHeader(reply.headerName(), reply.headerValue());
    }
    response.setStatusCode(reply.status()).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(reply.body());
  }
}
