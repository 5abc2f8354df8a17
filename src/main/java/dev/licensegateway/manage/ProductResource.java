package dev.licensegateway.manage;

import static dev.licensegateway.manage.ManageInput.body;
import static dev.licensegateway.manage.ManageInput.cursor;
import static dev.licensegateway.manage.ManageInput.limit;
import static dev.licensegateway.manage.ManageInput.owned;
import static dev.licensegateway.manage.ManageInput.search;
import static dev.licensegateway.manage.ManageInput.valid;

import dev.licensegateway.access.Caller;
import dev.licensegateway.access.Scope;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.licensing.ProductStatus;
import dev.licensegateway.manage.ManageApi.Result;
import dev.licensegateway.manage.ManageStore.Kind;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

/** docs/management-api.md products: create (with its credentials shown once), list, read, update. */
final class ProductResource extends ManageResource {

  ProductResource(ManageStore store) {
    super(store);
  }

  @Override
  void mount(ManageApi api, Router router) {
    api.route(router, HttpMethod.POST, "/products", Scope.PRODUCTS_WRITE, this::create);
    api.route(router, HttpMethod.GET, "/products", Scope.PRODUCTS_READ, (x, c) -> cursor(store, x, c, Kind.PRODUCT)
        .compose(after -> store.products(c, search(x), after, limit(x))).map(page -> Result.ok(page.toJson())));
    api.route(router, HttpMethod.GET, "/products/:id", Scope.PRODUCTS_READ,
        (x, c) -> owned(store, x, c, Kind.PRODUCT, "id").compose(store::product).map(Result::ok));
    api.route(router, HttpMethod.PATCH, "/products/:id", Scope.PRODUCTS_WRITE, this::update);
  }

  private Future<Result> create(Exchange x, Caller caller) {
    return body(x).compose(f -> {
      String name = f.requiredString("name", 255);
      Integer limit = f.optionalInt("daily_validation_limit", 1, Integer.MAX_VALUE);
      return valid(f).compose(v -> store.createProduct(caller, name, limit)).map(Result::created);
    });
  }

  private Future<Result> update(Exchange x, Caller caller) {
    return owned(store, x, caller, Kind.PRODUCT, "id").compose(id -> body(x).compose(f -> {
      String name = f.optionalString("name", 255);
      ProductStatus status = f.optionalEnum("status", ProductStatus.class);
      Integer limit = f.optionalInt("daily_validation_limit", 1, Integer.MAX_VALUE);
      return valid(f).compose(v -> store.updateProduct(id, name, status == null ? null : status.wire(),
          f.has("daily_validation_limit"), limit));
    })).map(Result::ok);
  }
}
