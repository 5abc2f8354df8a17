package dev.licensegateway.client;

/** {@code 1713 LICENSE_API_BLOCKED}: the machine or IP address is blocked or not allowed. */
public class AccessBlockedException extends LicenseRefusedException {

  private static final long serialVersionUID = 1L;

  public AccessBlockedException(int code, String name, String message, int httpStatus) {
    super(code, name, message, httpStatus);
  }
}
