package dev.licensegateway.manage;

import dev.licensegateway.access.Caller;
import dev.licensegateway.access.Scope;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.infra.UtcClock;
import dev.licensegateway.licensing.ValidationQuota;
import dev.licensegateway.manage.ManageApi.Result;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code GET /usage}: what the account holds in the key's environment (products, licenses,
 * machines holding a slot) and each product's validations of the UTC day against its
 * {@code daily_validation_limit}. Read-only; the console's overview is built on it.
 */
final class UsageResource extends ManageResource {

  /** Products listed with their day's validations, newest first; the counts cover all of them. */
  static final int MAX_PRODUCTS = 100;

  private final ValidationQuota quota;
  private final Clock clock;

  UsageResource(ManageStore store, ValidationQuota quota, Clock clock) {
    super(store);
    this.quota = quota;
    this.clock = clock;
  }

  @Override
  void mount(ManageApi api, Router router) {
    api.route(router, HttpMethod.GET, "/usage", Scope.PRODUCTS_READ, this::usage);
  }

  private Future<Result> usage(Exchange x, Caller caller) {
    LocalDate day = UtcClock.day(clock.instant());
    return store.counts(caller).compose(counts -> store.allProducts(caller, MAX_PRODUCTS).compose(page -> {
      List<JsonObject> rows = new ArrayList<>();
      List<Future<Long>> counted = new ArrayList<>();
      for (Object item : page.data()) {
        JsonObject product = (JsonObject) item;
        Integer limit = product.getInteger("daily_validation_limit");
        rows.add(new JsonObject().put("product_id", product.getString("id")).put("name", product.getString("name"))
            .put("status", product.getString("status")).put("daily_validation_limit", limit));
        // Only a product with a limit has its validations counted (docs/rate-limits.md): null says "not counted".
        counted.add(limit == null ? Future.succeededFuture(null)
            : quota.counted(UUID.fromString(product.getString("id")), day));
      }
      return Future.all(counted).map(all -> {
        JsonArray validations = new JsonArray();
        for (int i = 0; i < rows.size(); i++) {
          validations.add(rows.get(i).put("validations_today", counted.get(i).result()));
        }
        return Result.ok(new JsonObject()
            .put("day", day.toString())
            .put("products", counts.products())
            .put("licenses", counts.licenses())
            .put("active_machines", counts.activeMachines())
            .put("validations", validations)
            .put("validations_has_more", page.hasMore()));
      });
    }));
  }
}
