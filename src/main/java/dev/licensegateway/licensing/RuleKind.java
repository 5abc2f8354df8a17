package dev.licensegateway.licensing;

import dev.licensegateway.infra.WireName;

/** docs/management-api.md product rules: blocked or allowed HWIDs and IPs (CIDR). */
public enum RuleKind implements WireName {
  BLOCK_HWID, ALLOW_HWID, BLOCK_IP, ALLOW_IP
}
