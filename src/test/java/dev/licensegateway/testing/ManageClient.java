package dev.licensegateway.testing;

import dev.licensegateway.cli.AccountAdmin;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.TimeUnit;

/** A vendor's view of the management API: one API key, blocking calls for readable tests. */
public final class ManageClient {

  private final WebClient web;
  private final int port;
  private final String apiKey;

  public ManageClient(Vertx vertx, int port, String apiKey) {
    this.web = WebClient.create(vertx);
    this.port = port;
    this.apiKey = apiKey;
  }

  /** A new account (as `admin create-account` makes it) and its all-scope live key. */
  public static AccountAdmin.NewAccount newAccount(Long credits) {
    try (AccountAdmin admin = new AccountAdmin(TestServers.get().postgresUri())) {
      return admin.createAccount("vendor", credits);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public ManageClient withKey(String key) {
    return new ManageClient(web, port, key);
  }

  private ManageClient(WebClient web, int port, String apiKey) {
    this.web = web;
    this.port = port;
    this.apiKey = apiKey;
  }

  public String apiKey() {
    return apiKey;
  }

  public Future<HttpResponse<Buffer>> send(HttpMethod method, String path, JsonObject body) {
    HttpRequest<Buffer> request = web.request(method, port, "127.0.0.1", "/api/v1/manage" + path);
    if (apiKey != null) {
      request.putHeader("Authorization", "Bearer " + apiKey);
    }
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  /** Blocking form, for tests that read as a sequence of steps. */
  public HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) {
    try {
      return send(method, path, body).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse<Buffer> get(String path) {
    return call(HttpMethod.GET, path, null);
  }

  public HttpResponse<Buffer> post(String path, JsonObject body) {
    return call(HttpMethod.POST, path, body);
  }

  public HttpResponse<Buffer> patch(String path, JsonObject body) {
    return call(HttpMethod.PATCH, path, body);
  }

  public HttpResponse<Buffer> delete(String path) {
    return call(HttpMethod.DELETE, path, null);
  }

  /** POST that must answer 201; returns the body. */
  public JsonObject create(String path, JsonObject body) {
    HttpResponse<Buffer> r = post(path, body);
    if (r.statusCode() != 201) {
      throw new AssertionError("POST " + path + " answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }
}
