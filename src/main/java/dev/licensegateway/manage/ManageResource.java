package dev.licensegateway.manage;

import io.vertx.ext.web.Router;

/** One resource of the management API: its routes, its validation, its calls to the store. */
interface ManageResource {

  void mount(ManageApi api, Router router);
}
