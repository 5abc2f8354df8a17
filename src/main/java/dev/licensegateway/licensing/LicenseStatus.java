package dev.licensegateway.licensing;

import dev.licensegateway.infra.WireName;

/** docs/domain.md: a license's own status; expiry is separate ({@link LicenseContext#expired}). */
public enum LicenseStatus implements WireName {
  ACTIVE, INACTIVE, SUSPENDED, REVOKED
}
