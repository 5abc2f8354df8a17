package dev.licensegateway.client;

/**
 * A correctly signed answer that is not the answer to this request: its {@code nonce},
 * {@code license_key} or {@code machine_id} differs from what was sent (a replayed or
 * redirected answer). {@link #field()} names the field that differs.
 */
public class NonceMismatchException extends LicenseException {

  private static final long serialVersionUID = 1L;

  private final String field;

  public NonceMismatchException(String field, String message) {
    super(0, "NONCE_MISMATCH", message, false, 200);
    this.field = field;
  }

  /** {@code nonce}, {@code license_key} or {@code machine_id}. */
  public String field() {
    return field;
  }
}
