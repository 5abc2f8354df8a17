package dev.licensegateway.manage;

import static dev.licensegateway.manage.ManageInput.owned;

import dev.licensegateway.access.Scope;
import dev.licensegateway.http.Problem;
import dev.licensegateway.manage.ManageApi.Result;
import dev.licensegateway.manage.ManageStore.Kind;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.Locale;

/** docs/management-api.md machines of a license: list, deactivate one (freeing its slot), reset all. */
final class MachineResource extends ManageResource {

  MachineResource(ManageStore store) {
    super(store);
  }

  @Override
  void mount(ManageApi api, Router router) {
    api.route(router, HttpMethod.GET, "/licenses/:id/machines", Scope.LICENSES_READ,
        (x, c) -> owned(store, x, c, Kind.LICENSE, "id").compose(store::machines).map(page -> Result.ok(page.toJson())));
    api.route(router, HttpMethod.DELETE, "/licenses/:id/machines/:machine_id", Scope.MACHINES_WRITE,
        (x, c) -> owned(store, x, c, Kind.LICENSE, "id")
            .compose(id -> store.deleteMachines(id, x.pathParam("machine_id").toLowerCase(Locale.ROOT)))
            .compose(n -> n == 0 ? Future.failedFuture(Problem.notFound("machine"))
                : Future.succeededFuture(deleted(n))));
    api.route(router, HttpMethod.DELETE, "/licenses/:id/machines", Scope.MACHINES_WRITE,
        (x, c) -> owned(store, x, c, Kind.LICENSE, "id").compose(id -> store.deleteMachines(id, null))
            .map(MachineResource::deleted));
  }

  static Result deleted(int count) {
    return Result.ok(new JsonObject().put("deleted", count));
  }
}
