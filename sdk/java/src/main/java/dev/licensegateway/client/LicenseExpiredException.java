package dev.licensegateway.client;

/** {@code 1710 LICENSE_API_EXPIRED}: the license's expiry has passed. */
public class LicenseExpiredException extends LicenseRefusedException {

  private static final long serialVersionUID = 1L;

  public LicenseExpiredException(int code, String name, String message, int httpStatus) {
    super(code, name, message, httpStatus);
  }
}
