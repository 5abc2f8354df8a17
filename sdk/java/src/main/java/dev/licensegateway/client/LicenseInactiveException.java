package dev.licensegateway.client;

/** {@code 1704 LICENSE_API_INACTIVE}: the license exists but is suspended or inactive. */
public class LicenseInactiveException extends LicenseRefusedException {

  private static final long serialVersionUID = 1L;

  public LicenseInactiveException(int code, String name, String message, int httpStatus) {
    super(code, name, message, httpStatus);
  }
}
