package dev.licensegateway.client;

/**
 * {@code 1706 LICENSE_API_RATE_LIMITED} or {@code 1716 LICENSE_API_QUOTA_EXHAUSTED}: the
 * client waited {@code Retry-After} while that fitted its deadline, and the gateway still
 * refused, or asked for a longer wait than the deadline allows.
 */
public class RateLimitException extends LicenseException {

  private static final long serialVersionUID = 1L;

  private final long retryAfterSeconds;

  public RateLimitException(int code, String name, String message, int httpStatus, long retryAfterSeconds) {
    super(code, name, message, true, httpStatus);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The {@code Retry-After} of the last answer in seconds, or -1 when it had none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
