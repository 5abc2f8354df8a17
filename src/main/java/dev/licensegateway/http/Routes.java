package dev.licensegateway.http;

import io.vertx.ext.web.Router;

/** A feature's routes: each dialect and the management API mount theirs through the {@link Pipeline}. */
public interface Routes {

  void mount(Router router);
}
