package dev.licensegateway.manage;

import static dev.licensegateway.manage.ManageInput.body;
import static dev.licensegateway.manage.ManageInput.owned;
import static dev.licensegateway.manage.ManageInput.valid;

import dev.licensegateway.access.Caller;
import dev.licensegateway.access.Scope;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.http.Problem;
import dev.licensegateway.infra.WireName;
import dev.licensegateway.manage.ManageApi.Result;
import dev.licensegateway.manage.ManageStore.Kind;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** docs/management-api.md API keys: create (plaintext shown once), list, revoke. A key grants only what it holds. */
final class KeyResource extends ManageResource {

  KeyResource(ManageStore store) {
    super(store);
  }

  @Override
  void mount(ManageApi api, Router router) {
    api.route(router, HttpMethod.POST, "/keys", Scope.KEYS_WRITE, this::create);
    api.route(router, HttpMethod.GET, "/keys", Scope.KEYS_WRITE,
        (x, c) -> store.keys(c).map(page -> Result.ok(page.toJson())));
    api.route(router, HttpMethod.DELETE, "/keys/:id", Scope.KEYS_WRITE,
        (x, c) -> owned(store, x, c, Kind.KEY, "id").compose(store::revokeKey).map(Result::ok));
  }

  private Future<Result> create(Exchange x, Caller caller) {
    return body(x).compose(f -> {
      String name = f.requiredString("name", 255);
      List<String> names = f.has("scopes") ? f.optionalStringList("scopes", 16, 64) : null;
      // In the order asked for: the key lists its scopes as they were granted.
      Set<Scope> scopes = new LinkedHashSet<>();
      if (names == null) {
        f.add("scopes", "is required");
      } else {
        for (String scopeName : names) {
          Scope scope = Scope.parse(scopeName);
          if (scope == null) {
            f.add("scopes", "unknown scope " + scopeName + "; known: " + String.join(", ", WireName.names(Scope.class)));
          } else {
            scopes.add(scope);
          }
        }
      }
      String environment = f.optionalEnum("environment", Set.of("live", "test"));
      return valid(f).compose(v -> {
        String env = environment == null ? caller.environment() : environment;
        if (caller.environment().equals("test") && env.equals("live")) {
          return Future.failedFuture(Problem.forbidden("a test key can create only test keys"));
        }
        if (!caller.scopes().containsAll(scopes)) {
          return Future.failedFuture(Problem.forbidden("a key cannot grant scopes it does not hold"));
        }
        return store.createKey(caller, name, scopes, env);
      }).map(Result::created);
    });
  }
}
