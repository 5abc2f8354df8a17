package dev.licensegateway.client;

/**
 * The gateway could not be reached or could not answer: a network error or timeout
 * ({@code GATEWAY_UNREACHABLE}, code 0), {@code 1717 LICENSE_API_UNAVAILABLE}, or another
 * transient 5xx. Retried with backoff; when retries are used up, {@code validate} falls back
 * to the offline grace, and this is raised only when no cached validation is usable.
 */
public class GatewayUnavailableException extends LicenseException {

  private static final long serialVersionUID = 1L;

  public GatewayUnavailableException(int code, String name, String message, int httpStatus, Throwable cause) {
    super(code, name, message, true, httpStatus, null, cause);
  }

  static GatewayUnavailableException unreachable(String message, Throwable cause) {
    return new GatewayUnavailableException(0, "GATEWAY_UNREACHABLE", message, 0, cause);
  }
}
