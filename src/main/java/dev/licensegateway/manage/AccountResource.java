package dev.licensegateway.manage;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

/** docs/management-api.md {@code GET /account}: any key sees its own account. */
final class AccountResource extends ManageResource {

  AccountResource(ManageStore store) {
    super(store);
  }

  @Override
  void mount(ManageApi api, Router router) {
    api.route(router, HttpMethod.GET, "/account", null,
        (x, caller) -> store.account(caller.accountId()).map(ManageApi.Result::ok));
  }
}
