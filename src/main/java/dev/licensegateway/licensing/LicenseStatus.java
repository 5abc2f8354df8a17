package dev.licensegateway.licensing;

import dev.licensegateway.infra.WireName;

/** SPEC 1: a license's own status; expiry is separate ({@link LicenseContext#expired}). */
public enum LicenseStatus implements WireName {
  ACTIVE("active"),
  INACTIVE("inactive"),
  SUSPENDED("suspended"),
  REVOKED("revoked");

  private final String wire;

  LicenseStatus(String wire) {
    this.wire = wire;
  }

  @Override
  public String wire() {
    return wire;
  }

  /** The constant of a stored or sent name; throws for any other (schema constraints hold the stored ones). */
  public static LicenseStatus of(String wire) {
    LicenseStatus value = WireName.parse(LicenseStatus.class, wire);
    if (value == null) {
      throw new IllegalArgumentException("not a LicenseStatus: " + wire);
    }
    return value;
  }
}
