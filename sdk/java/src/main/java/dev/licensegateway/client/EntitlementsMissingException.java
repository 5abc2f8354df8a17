package dev.licensegateway.client;

/** {@code 1712 LICENSE_API_ENTITLEMENTS_MISSING}: a requested entitlement is not granted. */
public class EntitlementsMissingException extends LicenseRefusedException {

  private static final long serialVersionUID = 1L;

  public EntitlementsMissingException(int code, String name, String message, int httpStatus) {
    super(code, name, message, httpStatus);
  }
}
