package dev.licensegateway.manage;

import dev.licensegateway.access.Caller;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.Ids;
import dev.licensegateway.http.Problem;
import dev.licensegateway.manage.ManageStore.Kind;
import io.vertx.core.Future;
import java.util.UUID;

/** What every management resource reads from a request: bodies, owned ids, cursors, page sizes. */
final class ManageInput {

  private ManageInput() {}

  /** The JSON body, ready for field validation; fails with the media-type or JSON problem. */
  static Future<FieldErrors> body(Exchange exchange) {
    try {
      return Future.succeededFuture(exchange.json());
    } catch (Problem problem) {
      return Future.failedFuture(problem);
    }
  }

  /** Succeeds when every field passed; else fails with all the bad ones. */
  static Future<Void> valid(FieldErrors f) {
    return f.ok() ? Future.succeededFuture() : Future.failedFuture(Problem.invalidFields(f.errors()));
  }

  /** The id in a path parameter, when it names a resource of this kind that the caller sees. */
  static Future<UUID> owned(ManageStore store, Exchange exchange, Caller caller, Kind kind, String param) {
    return store.owned(caller, kind, Ids.parse(exchange.pathParam(param)));
  }

  /** An optional id filter in the query string: null when absent, else it must be the caller's. */
  static Future<UUID> optionalOwned(ManageStore store, Exchange exchange, Caller caller, Kind kind, String param) {
    String raw = exchange.queryParam(param);
    if (raw == null || raw.isEmpty()) {
      return Future.succeededFuture(null);
    }
    UUID id = Ids.parse(raw);
    return id == null ? Future.failedFuture(Problem.invalidField(param, "is not a valid id"))
        : store.owned(caller, kind, id);
  }

  /**
   * docs/management-api.md {@code starting_after}: must name a resource of this kind that the caller sees.
   * The cursor is a plain id, so a row deleted since the previous page carries no position to
   * continue from: the answer is a 400 that says so and tells the client to start over.
   */
  static Future<UUID> cursor(ManageStore store, Exchange exchange, Caller caller, Kind kind) {
    String raw = exchange.queryParam("starting_after");
    if (raw == null || raw.isEmpty()) {
      return Future.succeededFuture(null);
    }
    return store.owned(caller, kind, Ids.parse(raw))
        .recover(e -> Future.failedFuture(e instanceof Problem ? Problem.invalidField("starting_after",
            "names no " + kind.noun + " of this account: it does not exist or was deleted since the previous"
                + " page; restart from the first page (without starting_after)")
            : e));
  }

  /** One page of a list: the rows after a cursor, at most {@code limit}, within an optional product. */
  @FunctionalInterface
  interface Pager {
    Future<ManageStore.Page> page(UUID product, UUID after, int limit);
  }

  /**
   * docs/management-api.md lists: the optional {@code product_id} filter (the caller's product), the cursor
   * (a {@code kind} the caller sees) and the page size, then {@code {"data", "has_more"}}.
   */
  static Future<ManageApi.Result> productPage(ManageStore store, Exchange exchange, Caller caller, Kind kind,
      Pager pager) {
    return optionalOwned(store, exchange, caller, Kind.PRODUCT, "product_id")
        .compose(product -> cursor(store, exchange, caller, kind)
            .compose(after -> pager.page(product, after, limit(exchange))))
        .map(page -> ManageApi.Result.ok(page.toJson()));
  }

  /**
   * The optional {@code q} filter of a list, as an ILIKE pattern: the text anywhere in the
   * name (or key), case-insensitive, with its own {@code %}, {@code _} and {@code \} literal.
   * Null when absent or blank.
   */
  static String search(Exchange exchange) {
    String raw = exchange.queryParam("q");
    if (raw == null || raw.isBlank()) {
      return null;
    }
    String q = raw.strip();
    if (q.length() > 255 || q.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw Problem.invalidField("q", "must be at most 255 characters, without control characters");
    }
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }

  /** docs/management-api.md {@code limit}: 1 to 100, default 20. */
  static int limit(Exchange exchange) {
    String raw = exchange.queryParam("limit");
    if (raw == null || raw.isEmpty()) {
      return 20;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= 100) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw Problem.invalidField("limit", "must be an integer from 1 to 100");
  }
}
