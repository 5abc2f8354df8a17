package dev.licensegateway.client;

import java.util.List;

/**
 * Every error the SDK raises. {@link #code()} and {@link #name()} are the gateway's native
 * error code and name ({@code 1708}, {@code LICENSE_API_REVOKED}); errors found by the
 * client itself (a signature that does not verify, a network failure) carry code {@code 0}
 * and a name of their own ({@code SIGNATURE_MISMATCH}, {@code GATEWAY_UNREACHABLE}).
 *
 * <p>Messages never contain the API secret.
 */
public class LicenseException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int code;
  private final String name;
  private final boolean retryable;
  private final int httpStatus;
  private final transient List<FieldError> details;

  /** A field-level problem of a {@code 1702 LICENSE_API_MALFORMED} answer. */
  public record FieldError(String field, String message) {}

  public LicenseException(int code, String name, String message, boolean retryable, int httpStatus) {
    this(code, name, message, retryable, httpStatus, List.of(), null);
  }

  public LicenseException(int code, String name, String message, boolean retryable, int httpStatus,
      List<FieldError> details, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.name = name;
    this.retryable = retryable;
    this.httpStatus = httpStatus;
    this.details = details == null ? List.of() : List.copyOf(details);
  }

  /** The native error code, or 0 for an error the client found. */
  public int code() {
    return code;
  }

  /** The native error name ({@code LICENSE_API_…}), or the client's own name for its errors. */
  public String name() {
    return name;
  }

  /** The error as a table entry, or null for codes this SDK does not know (newer gateways add codes). */
  public ErrorCode errorCode() {
    return ErrorCode.of(code);
  }

  /** Whether trying again later may succeed. The client already retried what it could. */
  public boolean retryable() {
    return retryable;
  }

  /** The HTTP status of the answer, or 0 when there was no answer. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Field-level problems, for {@code 1702}; empty otherwise. */
  public List<FieldError> details() {
    return details;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + (code == 0 ? "" : code + " ") + name + "]: " + getMessage();
  }
}
