package dev.licensegateway.manage;

import io.vertx.ext.web.Router;

/** One resource of the management API: its routes, its validation, its calls to the store. */
abstract class ManageResource {

  protected final ManageStore store;

  ManageResource(ManageStore store) {
    this.store = store;
  }

  abstract void mount(ManageApi api, Router router);
}
