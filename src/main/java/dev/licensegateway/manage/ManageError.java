package dev.licensegateway.manage;

import io.vertx.core.json.JsonArray;

/** SPEC 4's error table: an HTTP status, an error code string and a message. */
public final class ManageError extends RuntimeException {

  final int status;
  final String code;
  final JsonArray details;

  private ManageError(int status, String code, String message, JsonArray details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonArray details() {
    return details;
  }

  public static ManageError badRequest(String message, JsonArray details) {
    return new ManageError(400, "bad_request", message, details);
  }

  public static ManageError badField(String field, String message) {
    return badRequest("invalid parameters",
        new JsonArray().add(new io.vertx.core.json.JsonObject().put("field", field).put("message", message)));
  }

  public static ManageError invalidApiKey(String message) {
    return new ManageError(401, "invalid_api_key", message, null);
  }

  public static ManageError noCredits() {
    return new ManageError(402, "no_credits", "the account has no credits left for this operation", null);
  }

  public static ManageError forbidden(String message) {
    return new ManageError(403, "forbidden", message, null);
  }

  public static ManageError notFound(String what) {
    return new ManageError(404, "not_found", "no such " + what + " in this account", null);
  }

  public static ManageError rateLimited(long retryAfter) {
    return new ManageError(429, "rate_limited", "rate limit reached for this API key; retry after " + retryAfter + " s",
        null);
  }
}
