package dev.licensegateway.client;

/** {@code 1715 LICENSE_API_ACCOUNT_SUSPENDED}: the vendor's account is suspended. */
public class AccountSuspendedException extends LicenseRefusedException {

  private static final long serialVersionUID = 1L;

  public AccountSuspendedException(int code, String name, String message, int httpStatus) {
    super(code, name, message, httpStatus);
  }
}
