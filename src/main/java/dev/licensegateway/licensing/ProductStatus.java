package dev.licensegateway.licensing;

import dev.licensegateway.infra.WireName;

/** docs/domain.md: a product's status. */
public enum ProductStatus implements WireName {
  ACTIVE, ARCHIVED, DISABLED
}
