package dev.licensegateway.client;

/**
 * The gateway refused the license or the machine: unknown key, revoked, expired, limit
 * reached, blocked… Never retried, and a cached validation is never returned in its place:
 * the client forgets the cached validations of that license and machine. Subclasses name
 * the common refusals; {@link #errorCode()} names each.
 */
public class LicenseRefusedException extends LicenseException {

  private static final long serialVersionUID = 1L;

  public LicenseRefusedException(int code, String name, String message, int httpStatus) {
    super(code, name, message, false, httpStatus);
  }
}
