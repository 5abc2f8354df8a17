package dev.licensegateway.licensing;

import dev.licensegateway.infra.WireName;

/** SPEC 1 policy {@code ip_mode}: {@code open} registers new IPs up to {@code max_ips}; {@code allowlist} admits only pre-registered ones. */
public enum IpMode implements WireName {
  OPEN("open"),
  ALLOWLIST("allowlist");

  private final String wire;

  IpMode(String wire) {
    this.wire = wire;
  }

  @Override
  public String wire() {
    return wire;
  }

  /** The constant of a stored or sent name; throws for any other (schema constraints hold the stored ones). */
  public static IpMode of(String wire) {
    IpMode value = WireName.parse(IpMode.class, wire);
    if (value == null) {
      throw new IllegalArgumentException("not an IpMode: " + wire);
    }
    return value;
  }
}
