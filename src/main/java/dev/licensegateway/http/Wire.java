package dev.licensegateway.http;

import dev.licensegateway.gate.RateLimit;
import io.vertx.core.Future;
import java.util.List;

/**
 * A dialect's wire contract, and nothing else: how its requests read (with the caller's
 * credential, one {@link Reader} per endpoint), which buckets they take from, how the core's
 * results and every {@link Problem} are written. The {@link Pipeline} runs the steps between.
 *
 * @param <Q> the request as the dialect reads it
 * @param <R> what its operations return
 */
public interface Wire<Q, R> {

  /** What a request claims in the gate: a nonce (native only; null elsewhere) and its buckets. */
  record Admission(String nonce, List<RateLimit.Bucket> buckets) {}

  /**
   * One endpoint's intake: reads the request and authenticates its caller, or fails with a
   * {@link Problem}. Nothing is taken from any bucket yet.
   */
  @FunctionalInterface
  interface Reader<Q> {
    Future<Q> read(Exchange exchange);
  }

  Admission admission(Q request, Exchange exchange);

  /**
   * What must happen once the tokens are taken and before the operation: looking a presented
   * credential up (which costs a query, so the client IP's bucket pays for it first), checking
   * its scope. Fails with a {@link Problem}; by default the request goes on as read.
   */
  default Future<Q> afterAdmission(Q request) {
    return Future.succeededFuture(request);
  }

  /** The dialect's answer to a result of the core: its outcome table and success form. */
  Reply answer(Q request, R result);

  /** The dialect's error form; {@code request} is null when the problem came before it was read. */
  Reply refuse(Problem problem, Q request);
}
