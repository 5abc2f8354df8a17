package dev.licensegateway.licensing;

import dev.licensegateway.infra.WireName;

/** SPEC 1: a product's status. */
public enum ProductStatus implements WireName {
  ACTIVE, ARCHIVED, DISABLED
}
