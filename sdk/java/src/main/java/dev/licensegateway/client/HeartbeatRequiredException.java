package dev.licensegateway.client;

/** {@code 1711 LICENSE_API_HEARTBEAT_REQUIRED}: the machine missed its heartbeat interval and must activate again. */
public class HeartbeatRequiredException extends LicenseRefusedException {

  private static final long serialVersionUID = 1L;

  public HeartbeatRequiredException(int code, String name, String message, int httpStatus) {
    super(code, name, message, httpStatus);
  }
}
