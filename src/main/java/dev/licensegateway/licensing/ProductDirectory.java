package dev.licensegateway.licensing;

import io.vertx.core.Future;
import java.util.UUID;

/** Products as the credentials of the /auth and /api/v1/validate dialects name them. */
public interface ProductDirectory {

  /** A product found by a credential; {@code secretDigest} is the app secret's SHA-256. */
  record ProductRef(UUID id, UUID accountId, String environment, ProductStatus status, byte[] secretDigest) {}

  /** Null when no product has this app id. */
  Future<ProductRef> byAppId(String appId);

  /** Null when no product has a product key of this digest. */
  Future<ProductRef> byProductKeyDigest(byte[] digest);
}
