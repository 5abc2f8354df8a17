package dev.licensegateway.client;

/** {@code 1703 LICENSE_API_NOT_FOUND}: the license key is unknown. */
public class LicenseNotFoundException extends LicenseRefusedException {

  private static final long serialVersionUID = 1L;

  public LicenseNotFoundException(int code, String name, String message, int httpStatus) {
    super(code, name, message, httpStatus);
  }
}
