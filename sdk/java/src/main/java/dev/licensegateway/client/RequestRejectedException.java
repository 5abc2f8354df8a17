package dev.licensegateway.client;

import java.util.List;

/**
 * The gateway refused the request itself, not the license: a wrong API secret
 * ({@code 1700}), a clock more than five minutes off ({@code 1701}), a malformed body
 * ({@code 1702}, with {@link #details()}), no secret on the server ({@code 1707}), or an
 * unexpected 4xx. An integration or configuration problem; not retried.
 */
public class RequestRejectedException extends LicenseException {

  private static final long serialVersionUID = 1L;

  public RequestRejectedException(int code, String name, String message, boolean retryable, int httpStatus,
      List<FieldError> details) {
    super(code, name, message, retryable, httpStatus, details, null);
  }
}
