package dev.licensegateway.licensing;

import dev.licensegateway.infra.Secrets;
import io.vertx.core.Future;
import java.time.Clock;

/** docs/dialects.md: validation by product key; the key names the product the license must belong to. */
public final class ProductKeys {

  private final LicenseService core;
  private final ProductDirectory products;
  private final Clock clock;

  public ProductKeys(LicenseService core, ProductDirectory products, Clock clock) {
    this.core = core;
    this.products = products;
    this.clock = clock;
  }

  /** First the product the key names (PRODUCT_NOT_FOUND when none), then the license within it. */
  public Future<LicenseResult> validate(String productKey, LicenseQuery query) {
    return products.byProductKeyDigest(Secrets.digest(productKey)).compose(product -> product == null
        ? Future.succeededFuture(LicenseResult.of(Outcome.PRODUCT_NOT_FOUND, null, clock.instant()))
        : core.validate(query.inProduct(product.id())));
  }
}
