package dev.licensegateway.manage;

import static dev.licensegateway.manage.ManageInput.body;
import static dev.licensegateway.manage.ManageInput.cursor;
import static dev.licensegateway.manage.ManageInput.limit;
import static dev.licensegateway.manage.ManageInput.owned;
import static dev.licensegateway.manage.ManageInput.valid;

import dev.licensegateway.access.Caller;
import dev.licensegateway.access.Scope;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.Ids;
import dev.licensegateway.http.Problem;
import dev.licensegateway.manage.ManageApi.Result;
import dev.licensegateway.manage.ManageStore.Kind;
import dev.licensegateway.webhook.EventType;
import dev.licensegateway.webhook.UrlGuard;
import dev.licensegateway.webhook.WebhookSecrets;
import dev.licensegateway.webhook.WebhookStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Webhook endpoints: create (its signing secret shown once), list, read, update, delete,
 * rotate the secret; and each endpoint's deliveries, listed and retried.
 */
final class WebhookResource extends ManageResource {

  private static final Set<String> STATES = Set.of("pending", "delivered", "failed");

  private final WebhookStore webhooks;
  private final WebhookSecrets secrets;
  private final UrlGuard urls;

  WebhookResource(ManageStore store, WebhookStore webhooks, WebhookSecrets secrets, UrlGuard urls) {
    super(store);
    this.webhooks = webhooks;
    this.secrets = secrets;
    this.urls = urls;
  }

  @Override
  void mount(ManageApi api, Router router) {
    api.route(router, HttpMethod.POST, "/webhooks", Scope.WEBHOOKS_WRITE, this::create);
    api.route(router, HttpMethod.GET, "/webhooks", Scope.WEBHOOKS_READ, (x, c) -> cursor(store, x, c, Kind.WEBHOOK)
        .compose(after -> webhooks.endpoints(c.accountId(), c.environment(), after, limit(x))).map(Result::ok));
    api.route(router, HttpMethod.GET, "/webhooks/:id", Scope.WEBHOOKS_READ,
        (x, c) -> owned(store, x, c, Kind.WEBHOOK, "id").compose(webhooks::endpoint).map(Result::ok));
    api.route(router, HttpMethod.PATCH, "/webhooks/:id", Scope.WEBHOOKS_WRITE, this::update);
    api.route(router, HttpMethod.DELETE, "/webhooks/:id", Scope.WEBHOOKS_WRITE,
        (x, c) -> owned(store, x, c, Kind.WEBHOOK, "id").compose(webhooks::delete).map(Result::ok));
    api.route(router, HttpMethod.POST, "/webhooks/:id/rotate-secret", Scope.WEBHOOKS_WRITE, this::rotate);
    api.route(router, HttpMethod.GET, "/webhooks/:id/deliveries", Scope.WEBHOOKS_READ, this::deliveries);
    api.route(router, HttpMethod.POST, "/webhooks/:id/deliveries/:delivery_id/retry", Scope.WEBHOOKS_WRITE,
        this::retry);
  }

  private Future<Result> create(Exchange x, Caller caller) {
    return body(x).compose(f -> {
      String url = f.requiredString("url", 2048);
      List<String> events = events(f);
      return valid(f)
          .compose(v -> checkedUrl(url))
          .compose(v -> sealing())
          .compose(v -> {
            UUID id = UUID.randomUUID();
            String secret = WebhookSecrets.newSecret();
            return webhooks.create(caller.accountId(), caller.environment(), id, url, events, secrets.seal(id, secret))
                // Shown this once: the receiver needs it to verify; the gateway keeps it sealed.
                .map(doc -> doc.put("secret", secret));
          })
          .map(Result::created);
    });
  }

  private Future<Result> update(Exchange x, Caller caller) {
    return owned(store, x, caller, Kind.WEBHOOK, "id").compose(id -> body(x).compose(f -> {
      String url = f.optionalString("url", 2048);
      if (f.has("url") && f.isNull("url")) {
        f.add("url", "cannot be null");
      }
      boolean eventsGiven = f.has("events");
      List<String> events = events(f);
      String status = f.optionalEnum("status", Set.of("enabled", "disabled"));
      return valid(f)
          .compose(v -> url == null ? Future.succeededFuture() : checkedUrl(url))
          .compose(v -> webhooks.update(id, url, eventsGiven, events, status));
    })).map(Result::ok);
  }

  private Future<Result> rotate(Exchange x, Caller caller) {
    return owned(store, x, caller, Kind.WEBHOOK, "id").compose(id -> sealing().compose(v -> {
      String secret = WebhookSecrets.newSecret();
      return webhooks.rotate(id, secrets.seal(id, secret)).map(doc -> doc == null ? null : doc.put("secret", secret));
    })).map(Result::ok);
  }

  private Future<Result> deliveries(Exchange x, Caller caller) {
    String state = x.queryParam("state");
    if (state != null && !STATES.contains(state)) {
      return Future.failedFuture(Problem.invalidField("state", "must be one of pending, delivered, failed"));
    }
    return owned(store, x, caller, Kind.WEBHOOK, "id").compose(id -> deliveryCursor(x, id)
        .compose(after -> webhooks.deliveries(id, state, after, limit(x)))).map(Result::ok);
  }

  private Future<Result> retry(Exchange x, Caller caller) {
    return owned(store, x, caller, Kind.WEBHOOK, "id").compose(id -> {
      UUID delivery = Ids.parse(x.pathParam("delivery_id"));
      if (delivery == null) {
        return Future.failedFuture(Problem.notFound("delivery"));
      }
      return webhooks.endpoint(id).compose(endpoint -> {
        if (endpoint == null) {
          return Future.failedFuture(Problem.notFound("webhook"));
        }
        if (!"enabled".equals(endpoint.getString("status"))) {
          return Future.failedFuture(Problem.badRequest("the webhook is disabled: enable it first"));
        }
        return webhooks.retry(id, delivery);
      }).compose(doc -> doc == null ? Future.failedFuture(Problem.notFound("delivery"))
          : Future.succeededFuture(new Result(202, doc)));
    });
  }

  /** {@code starting_after} on deliveries: a delivery of this endpoint. */
  private Future<UUID> deliveryCursor(Exchange x, UUID endpoint) {
    String raw = x.queryParam("starting_after");
    if (raw == null || raw.isEmpty()) {
      return Future.succeededFuture(null);
    }
    UUID after = Ids.parse(raw);
    Future<Boolean> known = after == null ? Future.succeededFuture(false) : webhooks.hasDelivery(endpoint, after);
    return known.compose(ok -> ok ? Future.succeededFuture(after)
        : Future.failedFuture(Problem.invalidField("starting_after", "does not name a delivery of this webhook")));
  }

  /** {@code events}: absent or null means every type; else a non-empty list of known types. */
  private static List<String> events(FieldErrors f) {
    if (!f.has("events") || f.isNull("events")) {
      return null;
    }
    List<String> names = f.optionalStringList("events", 64, 64);
    if (names == null) {
      return null;
    }
    if (names.isEmpty()) {
      f.add("events", "must name at least one event type (omit it for every type)");
      return null;
    }
    Set<String> known = Set.copyOf(EventType.all());
    Set<String> chosen = new LinkedHashSet<>();
    for (String name : names) {
      if (!known.contains(name)) {
        f.add("events", "unknown event type " + name + "; known: " + String.join(", ", EventType.all()));
      } else {
        chosen.add(name);
      }
    }
    return new ArrayList<>(chosen);
  }

  /** The URL's form, then where it leads (SSRF guard): a refusal is the client's 400 on {@code url}. */
  private Future<Void> checkedUrl(String url) {
    return urls.check(url).<Void>mapEmpty()
        .recover(e -> Future.failedFuture(e instanceof UrlGuard.Refused
            ? Problem.invalidField("url", e.getMessage()) : e));
  }

  private Future<Void> sealing() {
    return secrets.available() ? Future.succeededFuture()
        : Future.failedFuture(Problem.badRequest(
            "webhooks need a seal key for their secrets: the operator sets LGW_WEBHOOK_SEAL_KEY or LICENSE_API_SECRET"));
  }
}
