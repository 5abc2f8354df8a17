package dev.licensegateway.licensing;

import dev.licensegateway.infra.WireName;

/** docs/domain.md: a vendor account's status. */
public enum AccountStatus implements WireName {
  ACTIVE, SUSPENDED, BILLING_SUSPENDED
}
