package dev.licensegateway.licensing;

import dev.licensegateway.infra.WireName;

/** SPEC 1: a vendor account's status. */
public enum AccountStatus implements WireName {
  ACTIVE("active"),
  SUSPENDED("suspended"),
  BILLING_SUSPENDED("billing_suspended");

  private final String wire;

  AccountStatus(String wire) {
    this.wire = wire;
  }

  @Override
  public String wire() {
    return wire;
  }

  /** The constant of a stored or sent name; throws for any other (schema constraints hold the stored ones). */
  public static AccountStatus of(String wire) {
    AccountStatus value = WireName.parse(AccountStatus.class, wire);
    if (value == null) {
      throw new IllegalArgumentException("not an AccountStatus: " + wire);
    }
    return value;
  }
}
