package dev.licensegateway.webhook;

import dev.licensegateway.infra.WireName;
import java.util.List;

/**
 * Every event a webhook may subscribe to. The triggers of migration V7 record them (and the
 * sweep and the delivery worker the rest); these are their names on the wire.
 */
public enum EventType implements WireName {
  LICENSE_CREATED("license.created"),
  LICENSE_UPDATED("license.updated"),
  LICENSE_SUSPENDED("license.suspended"),
  LICENSE_REINSTATED("license.reinstated"),
  LICENSE_REVOKED("license.revoked"),
  LICENSE_DELETED("license.deleted"),
  LICENSE_EXPIRED("license.expired"),
  MACHINE_ACTIVATED("machine.activated"),
  MACHINE_DEACTIVATED("machine.deactivated"),
  MACHINE_RELEASED("machine.released"),
  POLICY_UPDATED("policy.updated"),
  PRODUCT_UPDATED("product.updated"),
  ACCOUNT_CREDITS_LOW("account.credits_low"),
  WEBHOOK_DISABLED("webhook.disabled");

  private final String wire;

  EventType(String wire) {
    this.wire = wire;
  }

  @Override
  public String wire() {
    return wire;
  }

  public static List<String> all() {
    return List.copyOf(WireName.names(EventType.class));
  }
}
