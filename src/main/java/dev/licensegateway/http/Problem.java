package dev.licensegateway.http;

import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.http.FieldErrors.FieldError;
import java.util.List;

/**
 * Why a request is answered without a business outcome: the vocabulary every dialect
 * shares. The pipeline and a dialect's reader raise these; each dialect renders them in its
 * own error form, in one switch. A subclass may carry what one dialect's form needs more.
 */
public class Problem extends RuntimeException {

  public enum Kind {
    /** The body is not {@code application/json}. */
    UNSUPPORTED_MEDIA_TYPE,
    /** The body is over the limit. */
    PAYLOAD_TOO_LARGE,
    /** The request could not be read at all (malformed framing, an unmeetable Expect): {@link #status()}. */
    UNREADABLE,
    /** The body is not one JSON value: one detail names {@code body}. */
    NOT_JSON,
    /** Fields fail their schema: every bad field in {@link #details()}. */
    INVALID_FIELDS,
    /** The credential is missing, malformed, unknown or revoked. */
    UNAUTHENTICATED,
    /** Native only: the request-signing secret is not configured. */
    SECRET_NOT_SET,
    /** Native only: the request timestamp is outside the allowed skew. */
    STALE_TIMESTAMP,
    /** Native only: the nonce was seen before. */
    REPLAYED,
    /** The credential lacks a scope, or the target is another account's. */
    FORBIDDEN,
    NOT_FOUND,
    NO_CREDITS,
    /** A token bucket is empty: {@link #rateLimit()}. */
    RATE_LIMITED,
    /** Postgres or Redis could not answer. */
    UNAVAILABLE,
    /** A defect: the client did nothing wrong and learns nothing more. */
    INTERNAL
  }

  private final Kind kind;
  private final int status;
  private final List<FieldError> details;
  private final RateLimit rateLimit;

  protected Problem(Kind kind, String message, int status, List<FieldError> details, RateLimit rateLimit) {
    super(message, null, false, false);
    this.kind = kind;
    this.status = status;
    this.details = details == null ? List.of() : List.copyOf(details);
    this.rateLimit = rateLimit;
  }

  protected Problem(Problem of) {
    this(of.kind, of.getMessage(), of.status, of.details, of.rateLimit);
  }

  private static Problem of(Kind kind, String message) {
    return new Problem(kind, message, 0, null, null);
  }

  public static Problem unsupportedMediaType() {
    return of(Kind.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json");
  }

  public static Problem payloadTooLarge(int limit) {
    return of(Kind.PAYLOAD_TOO_LARGE, "request body exceeds " + limit + " bytes");
  }

  /** {@code status}: the 4xx the HTTP layer gave (400 for framing, 417 for an Expect). */
  public static Problem unreadable(int status) {
    return new Problem(Kind.UNREADABLE, "the request could not be read", status, null, null);
  }

  public static Problem notJson() {
    return new Problem(Kind.NOT_JSON, "the request body is not valid JSON", 0,
        List.of(new FieldError("body", "is not valid JSON (or nests deeper than " + Json.MAX_DEPTH + " levels)")),
        null);
  }

  public static Problem invalidFields(List<FieldError> details) {
    return new Problem(Kind.INVALID_FIELDS, "the request has invalid fields", 0, details, null);
  }

  /** A request refused as a whole, with no field to name. */
  public static Problem badRequest(String message) {
    return new Problem(Kind.INVALID_FIELDS, message, 0, null, null);
  }

  public static Problem invalidField(String field, String message) {
    return invalidFields(List.of(new FieldError(field, message)));
  }

  public static Problem unauthenticated(String message) {
    return of(Kind.UNAUTHENTICATED, message);
  }

  public static Problem secretNotSet() {
    return of(Kind.SECRET_NOT_SET, "the gateway has no LICENSE_API_SECRET configured");
  }

  public static Problem staleTimestamp(String message) {
    return of(Kind.STALE_TIMESTAMP, message);
  }

  public static Problem replayed() {
    return of(Kind.REPLAYED, "replayed nonce");
  }

  public static Problem forbidden(String message) {
    return of(Kind.FORBIDDEN, message);
  }

  public static Problem notFound(String what) {
    return of(Kind.NOT_FOUND, "no such " + what + " in this account");
  }

  public static Problem noCredits() {
    return of(Kind.NO_CREDITS, "the account has no credits left for this operation");
  }

  public static Problem rateLimited(RateLimit state) {
    return new Problem(Kind.RATE_LIMITED, "rate limit reached for this " + state.kind() + "; retry after "
        + state.retryAfterSeconds() + " s", 0, null, state);
  }

  public static Problem unavailable(String dependency) {
    return of(Kind.UNAVAILABLE, dependency + " is unreachable; retry shortly");
  }

  public static Problem internal() {
    return of(Kind.INTERNAL, "internal error");
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP layer's status for {@link Kind#UNREADABLE}; 0 otherwise. */
  public int status() {
    return status;
  }

  public List<FieldError> details() {
    return details;
  }

  /** The empty bucket of {@link Kind#RATE_LIMITED}; null otherwise. */
  public RateLimit rateLimit() {
    return rateLimit;
  }

  /** Seconds a client should wait: the bucket's refill for 429, a moment for 503, else 0. */
  public long retryAfterSeconds() {
    return switch (kind) {
      case RATE_LIMITED -> rateLimit.retryAfterSeconds();
      case UNAVAILABLE -> 1;
      default -> 0;
    };
  }
}
