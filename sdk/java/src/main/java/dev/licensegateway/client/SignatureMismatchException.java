package dev.licensegateway.client;

/**
 * A successful answer whose signature does not verify: a changed byte, another signature, a
 * key id that no trusted key has, or a body that is not a signed envelope at all. Never
 * retried, never cached: the answer may have been tampered with.
 */
public class SignatureMismatchException extends LicenseException {

  private static final long serialVersionUID = 1L;

  public SignatureMismatchException(String message) {
    this(message, null);
  }

  public SignatureMismatchException(String message, Throwable cause) {
    super(0, "SIGNATURE_MISMATCH", message, false, 200, null, cause);
  }
}
