package dev.licensegateway.client;

/** {@code 1709 LICENSE_API_MACHINE_NOT_ACTIVATED}: this machine is not activated on the license; activate it, then try once more. */
public class MachineNotActivatedException extends LicenseRefusedException {

  private static final long serialVersionUID = 1L;

  public MachineNotActivatedException(int code, String name, String message, int httpStatus) {
    super(code, name, message, httpStatus);
  }
}
