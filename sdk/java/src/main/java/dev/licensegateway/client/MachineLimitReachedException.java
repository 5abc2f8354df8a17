package dev.licensegateway.client;

/** {@code 1705 LICENSE_API_LIMIT_REACHED}: every machine slot of the license is taken. */
public class MachineLimitReachedException extends LicenseRefusedException {

  private static final long serialVersionUID = 1L;

  public MachineLimitReachedException(int code, String name, String message, int httpStatus) {
    super(code, name, message, httpStatus);
  }
}
