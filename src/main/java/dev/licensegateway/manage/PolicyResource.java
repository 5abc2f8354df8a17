package dev.licensegateway.manage;

import static dev.licensegateway.manage.ManageInput.body;
import static dev.licensegateway.manage.ManageInput.owned;
import static dev.licensegateway.manage.ManageInput.productPage;
import static dev.licensegateway.manage.ManageInput.search;
import static dev.licensegateway.manage.ManageInput.valid;

import dev.licensegateway.access.Caller;
import dev.licensegateway.access.Scope;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.licensing.IpMode;
import dev.licensegateway.manage.ManageApi.Result;
import dev.licensegateway.manage.ManageStore.Kind;
import dev.licensegateway.manage.ManageStore.PolicyFields;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.UUID;

/** docs/management-api.md policies: the rules a product's licenses follow. */
final class PolicyResource extends ManageResource {

  PolicyResource(ManageStore store) {
    super(store);
  }

  @Override
  void mount(ManageApi api, Router router) {
    api.route(router, HttpMethod.POST, "/policies", Scope.PRODUCTS_WRITE, this::create);
    api.route(router, HttpMethod.GET, "/policies", Scope.PRODUCTS_READ, (x, c) -> productPage(store, x, c,
        Kind.POLICY, (product, after, limit) -> store.policies(c, product, search(x), after, limit)));
    api.route(router, HttpMethod.GET, "/policies/:id", Scope.PRODUCTS_READ,
        (x, c) -> owned(store, x, c, Kind.POLICY, "id").compose(store::policy).map(Result::ok));
    api.route(router, HttpMethod.PATCH, "/policies/:id", Scope.PRODUCTS_WRITE, this::update);
  }

  private Future<Result> create(Exchange x, Caller caller) {
    return body(x).compose(f -> {
      UUID productId = f.requiredId("product_id");
      String name = f.requiredString("name", 255);
      Integer maxMachines = f.requiredInt("max_machines", 1, 1_000_000);
      PolicyFields fields = fields(f, name, maxMachines);
      return valid(f)
          .compose(v -> store.owned(caller, Kind.PRODUCT, productId))
          .compose(product -> store.createPolicy(caller, product, fields))
          .map(Result::created);
    });
  }

  private Future<Result> update(Exchange x, Caller caller) {
    return owned(store, x, caller, Kind.POLICY, "id").compose(id -> body(x).compose(f -> {
      String name = f.optionalString("name", 255);
      Integer maxMachines = f.optionalInt("max_machines", 1, 1_000_000);
      PolicyFields fields = fields(f, name, maxMachines);
      return valid(f).compose(v -> store.updatePolicy(id, fields));
    })).map(Result::ok);
  }

  private static PolicyFields fields(FieldErrors f, String name, Integer maxMachines) {
    Integer duration = f.optionalInt("duration_days", 1, 36_500);
    Integer heartbeat = f.optionalInt("heartbeat_interval_s", 1, 31_536_000);
    List<String> entitlements = f.has("entitlements") ? f.optionalStringList("entitlements", 100, 255) : null;
    Integer maxIps = f.optionalInt("max_ips", 1, 1_000_000);
    IpMode ipMode = f.optionalEnum("ip_mode", IpMode.class);
    return new PolicyFields(name, maxMachines, f.has("duration_days"), duration, f.has("heartbeat_interval_s"),
        heartbeat, entitlements, f.has("max_ips"), maxIps, ipMode);
  }
}
