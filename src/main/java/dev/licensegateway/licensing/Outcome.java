package dev.licensegateway.licensing;

/**
 * Every business result of the licensing core (docs/dialects.md). Dialects translate these, each
 * through one table; none of them decides.
 */
public enum Outcome {
  VALID,
  NOT_FOUND,
  PRODUCT_NOT_FOUND,
  ACCOUNT_SUSPENDED,
  ACCOUNT_BILLING_SUSPENDED,
  PRODUCT_ARCHIVED,
  PRODUCT_DISABLED,
  REVOKED,
  SUSPENDED,
  EXPIRED,
  HWID_BLOCKED,
  HWID_NOT_ALLOWED,
  IP_BLOCKED,
  IP_NOT_ALLOWED,
  IP_LIMIT_REACHED,
  MACHINE_NOT_ACTIVATED,
  HEARTBEAT_OVERDUE,
  ENTITLEMENTS_MISSING,
  LIMIT_REACHED,
  NO_CREDITS,
  /** An /auth session unknown, expired, or past its heartbeat. */
  SESSION_EXPIRED,
  QUOTA_EXHAUSTED;

  public boolean ok() {
    return this == VALID;
  }
}
