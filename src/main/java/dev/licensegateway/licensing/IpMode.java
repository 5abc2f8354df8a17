package dev.licensegateway.licensing;

import dev.licensegateway.infra.WireName;

/** docs/domain.md policy {@code ip_mode}: {@code open} registers new IPs up to {@code max_ips}; {@code allowlist} admits only pre-registered ones. */
public enum IpMode implements WireName {
  OPEN, ALLOWLIST
}
