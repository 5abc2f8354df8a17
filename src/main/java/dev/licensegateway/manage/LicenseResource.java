package dev.licensegateway.manage;

import static dev.licensegateway.manage.ManageInput.body;
import static dev.licensegateway.manage.ManageInput.owned;
import static dev.licensegateway.manage.ManageInput.productPage;
import static dev.licensegateway.manage.ManageInput.search;
import static dev.licensegateway.manage.ManageInput.valid;

import dev.licensegateway.access.Caller;
import dev.licensegateway.access.Scope;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.http.Problem;
import dev.licensegateway.infra.Formats;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.infra.WireName;
import dev.licensegateway.licensing.LicenseStatus;
import dev.licensegateway.manage.ManageApi.Result;
import dev.licensegateway.manage.ManageStore.Kind;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** docs/management-api.md licenses: create (one credit when the account has a balance), list, read, update, soft-delete. */
final class LicenseResource extends ManageResource {

  LicenseResource(ManageStore store) {
    super(store);
  }

  @Override
  void mount(ManageApi api, Router router) {
    api.route(router, HttpMethod.POST, "/licenses", Scope.LICENSES_WRITE, this::create);
    api.route(router, HttpMethod.GET, "/licenses", Scope.LICENSES_READ, this::list);
    api.route(router, HttpMethod.GET, "/licenses/:id", Scope.LICENSES_READ,
        (x, c) -> owned(store, x, c, Kind.LICENSE, "id").compose(store::license).map(Result::ok));
    api.route(router, HttpMethod.PATCH, "/licenses/:id", Scope.LICENSES_WRITE, this::update);
    api.route(router, HttpMethod.DELETE, "/licenses/:id", Scope.LICENSES_WRITE,
        (x, c) -> owned(store, x, c, Kind.LICENSE, "id").compose(store::deleteLicense).map(Result::ok));
  }

  private Future<Result> create(Exchange x, Caller caller) {
    return body(x).compose(f -> {
      UUID policyId = f.requiredId("policy_id");
      String key = f.optionalString("key", 29);
      if (key != null && !Formats.isLicenseKey(key)) {
        f.add("key", "must be of the form " + Formats.LICENSE_KEY_FORM);
      }
      Instant expiresAt = f.optionalTimestamp("expires_at");
      Integer maxMachines = f.optionalInt("max_machines", 1, 1_000_000);
      // Absent or null: no override, the policy's entitlements apply.
      List<String> entitlements = f.has("entitlements") && !f.isNull("entitlements")
          ? f.optionalStringList("entitlements", 100, 255) : null;
      LicenseStatus status = f.optionalEnum("status", LicenseStatus.class);
      return valid(f)
          .compose(v -> store.owned(caller, Kind.POLICY, policyId))
          .compose(policy -> store.createLicense(caller, policy, key != null ? key : Secrets.licenseKey(),
              expiresAt, maxMachines, entitlements, status))
          .map(Result::created);
    });
  }

  private Future<Result> list(Exchange x, Caller caller) {
    String raw = x.queryParam("status");
    LicenseStatus status = raw == null ? null : WireName.parse(LicenseStatus.class, raw);
    if (raw != null && status == null) {
      return Future.failedFuture(Problem.invalidField("status", "must be one of "
          + String.join(", ", WireName.names(LicenseStatus.class))));
    }
    return productPage(store, x, caller, Kind.LICENSE,
        (product, after, limit) -> store.licenses(caller, product, status, search(x), after, limit));
  }

  private Future<Result> update(Exchange x, Caller caller) {
    return owned(store, x, caller, Kind.LICENSE, "id").compose(id -> body(x).compose(f -> {
      LicenseStatus status = f.optionalEnum("status", LicenseStatus.class);
      Instant expiresAt = f.optionalTimestamp("expires_at");
      Integer maxMachines = f.optionalInt("max_machines", 1, 1_000_000);
      // A present null clears the override: the policy's value applies again.
      List<String> entitlements = f.isNull("entitlements") ? null : f.optionalStringList("entitlements", 100, 255);
      return valid(f).compose(v -> store.updateLicense(id, status, f.has("expires_at"), expiresAt,
          f.has("max_machines"), maxMachines, f.has("entitlements"), entitlements));
    })).map(Result::ok);
  }
}
