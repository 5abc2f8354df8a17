package dev.licensegateway.client;

import java.util.List;

/**
 * The gateway's native error codes, each with the exception the client raises for it and
 * whether the client retries it. Codes are a public contract: new ones are added, none is
 * re-purposed; an unknown code becomes a plain {@link LicenseException}.
 */
public enum ErrorCode {
  BAD_SIGNATURE(1700, "LICENSE_API_BAD_SIGNATURE", Kind.REJECTED),
  STALE_TIMESTAMP(1701, "LICENSE_API_STALE_TIMESTAMP", Kind.REJECTED),
  MALFORMED(1702, "LICENSE_API_MALFORMED", Kind.REJECTED),
  NOT_FOUND(1703, "LICENSE_API_NOT_FOUND", Kind.REFUSED),
  INACTIVE(1704, "LICENSE_API_INACTIVE", Kind.REFUSED),
  LIMIT_REACHED(1705, "LICENSE_API_LIMIT_REACHED", Kind.REFUSED),
  RATE_LIMITED(1706, "LICENSE_API_RATE_LIMITED", Kind.RATE_LIMIT),
  SECRET_NOT_SET(1707, "LICENSE_API_SECRET_NOT_SET", Kind.REJECTED),
  REVOKED(1708, "LICENSE_API_REVOKED", Kind.REFUSED),
  MACHINE_NOT_ACTIVATED(1709, "LICENSE_API_MACHINE_NOT_ACTIVATED", Kind.REFUSED),
  EXPIRED(1710, "LICENSE_API_EXPIRED", Kind.REFUSED),
  HEARTBEAT_REQUIRED(1711, "LICENSE_API_HEARTBEAT_REQUIRED", Kind.REFUSED),
  ENTITLEMENTS_MISSING(1712, "LICENSE_API_ENTITLEMENTS_MISSING", Kind.REFUSED),
  BLOCKED(1713, "LICENSE_API_BLOCKED", Kind.REFUSED),
  PRODUCT_UNAVAILABLE(1714, "LICENSE_API_PRODUCT_UNAVAILABLE", Kind.REFUSED),
  ACCOUNT_SUSPENDED(1715, "LICENSE_API_ACCOUNT_SUSPENDED", Kind.REFUSED),
  QUOTA_EXHAUSTED(1716, "LICENSE_API_QUOTA_EXHAUSTED", Kind.RATE_LIMIT),
  UNAVAILABLE(1717, "LICENSE_API_UNAVAILABLE", Kind.UNAVAILABLE),
  PAYLOAD_TOO_LARGE(1718, "LICENSE_API_PAYLOAD_TOO_LARGE", Kind.REJECTED),
  UNSUPPORTED_MEDIA_TYPE(1719, "LICENSE_API_UNSUPPORTED_MEDIA_TYPE", Kind.REJECTED),
  INTERNAL_ERROR(1720, "LICENSE_API_INTERNAL_ERROR", Kind.UNAVAILABLE);

  /** How the client treats a code. */
  public enum Kind {
    /** The request itself: configuration or integration problem ({@link RequestRejectedException}); not retried. */
    REJECTED,
    /** The license or machine ({@link LicenseRefusedException}); not retried, evicts the cached validation. */
    REFUSED,
    /** Retried after {@code Retry-After} while the deadline allows ({@link RateLimitException}). */
    RATE_LIMIT,
    /** Retried with backoff; offline grace applies when retries are used up ({@link GatewayUnavailableException}). */
    UNAVAILABLE
  }

  private final int code;
  private final String wireName;
  private final Kind kind;

  ErrorCode(int code, String wireName, Kind kind) {
    this.code = code;
    this.wireName = wireName;
    this.kind = kind;
  }

  public int code() {
    return code;
  }

  public String wireName() {
    return wireName;
  }

  public Kind kind() {
    return kind;
  }

  /** Whether the client retries this code by itself (1701 needs a clock fix first: not retried). */
  public boolean retriedByClient() {
    return kind == Kind.RATE_LIMIT || kind == Kind.UNAVAILABLE;
  }

  /** The entry for a code, or null when this SDK does not know it. */
  public static ErrorCode of(int code) {
    for (ErrorCode c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    return null;
  }

  /**
   * The exception for an error answer.
   *
   * @param retryable        the answer's own {@code retryable}
   * @param retryAfterSeconds its {@code Retry-After}, or -1
   */
  static LicenseException toException(int httpStatus, int code, String name, String message, boolean retryable,
      long retryAfterSeconds, List<LicenseException.FieldError> details) {
    ErrorCode known = of(code);
    if (known == null) {
      // A code newer than this SDK: its HTTP status says which family it is in.
      if (httpStatus == 429) {
        return new RateLimitException(code, name, message, httpStatus, retryAfterSeconds);
      }
      if (httpStatus >= 500 && retryable) {
        return new GatewayUnavailableException(code, name, message, httpStatus, null);
      }
      return new LicenseException(code, name, message, retryable, httpStatus, details, null);
    }
    return switch (known) {
      case NOT_FOUND -> new LicenseNotFoundException(code, name, message, httpStatus);
      case INACTIVE -> new LicenseInactiveException(code, name, message, httpStatus);
      case LIMIT_REACHED -> new MachineLimitReachedException(code, name, message, httpStatus);
      case REVOKED -> new LicenseRevokedException(code, name, message, httpStatus);
      case MACHINE_NOT_ACTIVATED -> new MachineNotActivatedException(code, name, message, httpStatus);
      case EXPIRED -> new LicenseExpiredException(code, name, message, httpStatus);
      case HEARTBEAT_REQUIRED -> new HeartbeatRequiredException(code, name, message, httpStatus);
      case ENTITLEMENTS_MISSING -> new EntitlementsMissingException(code, name, message, httpStatus);
      case BLOCKED -> new AccessBlockedException(code, name, message, httpStatus);
      case PRODUCT_UNAVAILABLE -> new ProductUnavailableException(code, name, message, httpStatus);
      case ACCOUNT_SUSPENDED -> new AccountSuspendedException(code, name, message, httpStatus);
      case RATE_LIMITED, QUOTA_EXHAUSTED -> new RateLimitException(code, name, message, httpStatus, retryAfterSeconds);
      case UNAVAILABLE, INTERNAL_ERROR -> new GatewayUnavailableException(code, name, message, httpStatus, null);
      case BAD_SIGNATURE, STALE_TIMESTAMP, MALFORMED, SECRET_NOT_SET, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE ->
          new RequestRejectedException(code, name, message, retryable, httpStatus, details);
    };
  }
}
