package dev.licensegateway.licensing;

import dev.licensegateway.infra.WireName;

/** SPEC 4 product rules: blocked or allowed HWIDs and IPs (CIDR). */
public enum RuleKind implements WireName {
  BLOCK_HWID("block_hwid"),
  ALLOW_HWID("allow_hwid"),
  BLOCK_IP("block_ip"),
  ALLOW_IP("allow_ip");

  private final String wire;

  RuleKind(String wire) {
    this.wire = wire;
  }

  @Override
  public String wire() {
    return wire;
  }

  /** The constant of a stored or sent name; throws for any other (schema constraints hold the stored ones). */
  public static RuleKind of(String wire) {
    RuleKind value = WireName.parse(RuleKind.class, wire);
    if (value == null) {
      throw new IllegalArgumentException("not a RuleKind: " + wire);
    }
    return value;
  }
}
