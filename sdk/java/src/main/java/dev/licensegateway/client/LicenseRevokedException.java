package dev.licensegateway.client;

/** {@code 1708 LICENSE_API_REVOKED}: the license is revoked. */
public class LicenseRevokedException extends LicenseRefusedException {

  private static final long serialVersionUID = 1L;

  public LicenseRevokedException(int code, String name, String message, int httpStatus) {
    super(code, name, message, httpStatus);
  }
}
