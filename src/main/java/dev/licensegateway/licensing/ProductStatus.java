package dev.licensegateway.licensing;

import dev.licensegateway.infra.WireName;

/** SPEC 1: a product's status. */
public enum ProductStatus implements WireName {
  ACTIVE("active"),
  ARCHIVED("archived"),
  DISABLED("disabled");

  private final String wire;

  ProductStatus(String wire) {
    this.wire = wire;
  }

  @Override
  public String wire() {
    return wire;
  }

  /** The constant of a stored or sent name; throws for any other (schema constraints hold the stored ones). */
  public static ProductStatus of(String wire) {
    ProductStatus value = WireName.parse(ProductStatus.class, wire);
    if (value == null) {
      throw new IllegalArgumentException("not a ProductStatus: " + wire);
    }
    return value;
  }
}
