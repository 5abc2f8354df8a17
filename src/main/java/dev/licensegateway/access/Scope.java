package dev.licensegateway.access;

import dev.licensegateway.infra.WireName;
import java.util.Locale;

/** docs/management-api.md: what an API key may do; on the wire {@code products:read} for {@code PRODUCTS_READ}. */
public enum Scope implements WireName {
  PRODUCTS_READ, PRODUCTS_WRITE, LICENSES_READ, LICENSES_WRITE, MACHINES_WRITE, RULES_WRITE, KEYS_WRITE,
  LICENSES_VALIDATE, WEBHOOKS_READ, WEBHOOKS_WRITE;

  @Override
  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', ':');
  }

  /** The scope of a name, or null for a name that is none. */
  public static Scope parse(String wire) {
    return WireName.parse(Scope.class, wire);
  }
}
