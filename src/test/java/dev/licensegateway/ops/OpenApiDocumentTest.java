package dev.licensegateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /openapi.json}: a well-formed OpenAPI 3.1 document that describes exactly the
 * routes the gateway serves, so a route added without documenting it fails here.
 */
class OpenApiDocumentTest {

  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final Pattern ROUTER_PARAM = Pattern.compile(":([A-Za-z0-9_]+)");

  private static Gateway gateway;
  private static Vertx vertx;
  private static HttpResponse<Buffer> response;
  private static JsonObject document;

  @BeforeAll
  static void fetchDocument() throws Exception {
    gateway = TestGateway.start();
    vertx = Vertx.vertx();
    response = WebClient.create(vertx).get(gateway.port(), "127.0.0.1", "/openapi.json").send()
        .await(30, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    document = new JsonObject(response.body());
  }

  @AfterAll
  static void stop() {
    TestGateway.stop(gateway);
    if (vertx != null) {
      vertx.close();
    }
  }

  @Test
  void isServedAsAnOpenApi31JsonDocument() {
    assertTrue(response.getHeader("Content-Type").startsWith("application/json"), response.getHeader("Content-Type"));
    assertNotNull(response.getHeader("X-Request-Id"));
    assertTrue(document.getString("openapi", "").startsWith("3.1"), "openapi: " + document.getValue("openapi"));
    assertNotNull(document.getJsonObject("info").getString("title"));
    assertNotNull(document.getJsonObject("info").getString("version"));
  }

  @Test
  void documentsExactlyTheRoutesTheRouterServes() {
    Set<String> served = new TreeSet<>();
    for (Route route : gateway.newRouter().getRoutes()) {
      // The request observer, the body handlers on "/prefix/*" mounts: no method, not an endpoint.
      if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) {
        continue;
      }
      String path = ROUTER_PARAM.matcher(route.getPath()).replaceAll("{$1}");
      for (HttpMethod method : route.methods()) {
        served.add(method.name() + " " + path);
      }
    }
    Set<String> documented = new TreeSet<>(operations().stream().map(o -> o.method + " " + o.path).toList());

    Set<String> undocumented = new TreeSet<>(served);
    undocumented.removeAll(documented);
    Set<String> notServed = new TreeSet<>(documented);
    notServed.removeAll(served);
    assertTrue(undocumented.isEmpty() && notServed.isEmpty(),
        "routes served but not in openapi.json: " + undocumented + "; in openapi.json but not served: " + notServed);
    assertFalse(served.isEmpty());
    assertTrue(served.contains("GET /openapi.json"));
  }

  @Test
  void everyOperationHasAResponse() {
    for (Operation o : operations()) {
      JsonObject responses = o.body.getJsonObject("responses");
      assertTrue(responses != null && !responses.isEmpty(), o.method + " " + o.path + " has no responses");
    }
  }

  @Test
  void everyRefResolvesToAComponent() {
    List<String> refs = new ArrayList<>();
    collectRefs(document, refs);
    assertFalse(refs.isEmpty());
    List<String> broken = new ArrayList<>();
    for (String ref : refs) {
      if (!ref.startsWith("#/components/") || resolve(ref) == null) {
        broken.add(ref);
      }
    }
    assertTrue(broken.isEmpty(), "unresolved $ref: " + broken);
  }

  private record Operation(String method, String path, JsonObject body) {}

  private static List<Operation> operations() {
    List<Operation> operations = new ArrayList<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String key : item.fieldNames()) {
        if (HTTP_METHODS.contains(key)) {
          operations.add(new Operation(key.toUpperCase(Locale.ROOT), path, item.getJsonObject(key)));
        }
      }
    }
    return operations;
  }

  private static void collectRefs(Object node, List<String> refs) {
    if (node instanceof JsonObject object) {
      for (String key : object.fieldNames()) {
        Object value = object.getValue(key);
        if (key.equals("$ref") && value instanceof String ref) {
          refs.add(ref);
        } else {
          collectRefs(value, refs);
        }
      }
    } else if (node instanceof JsonArray array) {
      array.forEach(item -> collectRefs(item, refs));
    }
  }

  /** The node a local JSON pointer reference names, or null. */
  private static Object resolve(String ref) {
    Object node = document;
    for (String token : ref.substring(2).split("/", -1)) {
      String name = token.replace("~1", "/").replace("~0", "~");
      if (node instanceof JsonObject object && object.containsKey(name)) {
        node = object.getValue(name);
      } else if (node instanceof JsonArray array && name.matches("[0-9]+") && Integer.parseInt(name) < array.size()) {
        node = array.getValue(Integer.parseInt(name));
      } else {
        return null;
      }
    }
    return node;
  }
}
