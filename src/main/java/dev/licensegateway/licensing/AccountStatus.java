package dev.licensegateway.licensing;

import dev.licensegateway.infra.WireName;

/** SPEC 1: a vendor account's status. */
public enum AccountStatus implements WireName {
  ACTIVE, SUSPENDED, BILLING_SUSPENDED
}
