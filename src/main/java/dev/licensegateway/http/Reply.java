package dev.licensegateway.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * An answer as a dialect words it: HTTP status, JSON body, the outcome label the metrics
 * record, and what the pipeline writes beside it ({@code Retry-After}, one signature header).
 * The pipeline alone writes it to the response.
 */
public record Reply(int status, Buffer body, String outcome, long retryAfterSeconds, CharSequence headerName,
    String headerValue) {

  public static Reply of(int status, Buffer body, String outcome) {
    return new Reply(status, body, outcome, 0, null, null);
  }

  public static Reply of(int status, JsonObject body, String outcome) {
    return of(status, body.toBuffer(), outcome);
  }

  /** {@code Retry-After}, written when positive. */
  public Reply retryAfter(long seconds) {
    return new Reply(status, body, outcome, seconds, headerName, headerValue);
  }

  /** One more header, such as a dialect's body signature. */
  public Reply header(CharSequence name, String value) {
    return new Reply(status, body, outcome, retryAfterSeconds, name, value);
  }
}
