package dev.licensegateway.access;

import dev.licensegateway.infra.WireName;

/** SPEC 4: what an API key may do. */
public enum Scope implements WireName {
  PRODUCTS_READ("products:read"),
  PRODUCTS_WRITE("products:write"),
  LICENSES_READ("licenses:read"),
  LICENSES_WRITE("licenses:write"),
  MACHINES_WRITE("machines:write"),
  RULES_WRITE("rules:write"),
  KEYS_WRITE("keys:write"),
  LICENSES_VALIDATE("licenses:validate");

  private final String wire;

  Scope(String wire) {
    this.wire = wire;
  }

  @Override
  public String wire() {
    return wire;
  }

  /** The scope of a name, or null for a name that is none. */
  public static Scope parse(String wire) {
    return WireName.parse(Scope.class, wire);
  }
}
