package dev.licensegateway.client;

/** {@code 1714 LICENSE_API_PRODUCT_UNAVAILABLE}: the product is archived or disabled. */
public class ProductUnavailableException extends LicenseRefusedException {

  private static final long serialVersionUID = 1L;

  public ProductUnavailableException(int code, String name, String message, int httpStatus) {
    super(code, name, message, httpStatus);
  }
}
