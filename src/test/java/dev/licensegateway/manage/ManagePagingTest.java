package dev.licensegateway.manage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/management-api.md "Paging": {@code limit} and {@code starting_after} over products,
 * policies and rules — every item once, newest first; an exactly full last page; and a cursor
 * whose row was deleted between two pages.
 */
class ManagePagingTest {

  private static Gateway gateway;
  private static Vertx vertx;
  private ManageClient api;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    TestGateway.stop(gateway);
    vertx.close();
  }

  /** Each test on an account of its own, so a list holds exactly what the test made. */
  @BeforeEach
  void newAccount() {
    api = new ManageClient(vertx, gateway.port(), ManageClient.newAccount(null).apiKey());
  }

  @Test
  void anExactlyFullLastPageSaysNoMoreAndAskingAfterItIsEmpty() {
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      made.add(product("full-" + i));
    }
    JsonObject first = page("/products?limit=2");
    assertEquals(List.of(made.get(3), made.get(2)), ids(first));
    assertTrue(first.getBoolean("has_more"));

    JsonObject second = page("/products?limit=2&starting_after=" + made.get(2));
    assertEquals(List.of(made.get(1), made.get(0)), ids(second));
    assertFalse(second.getBoolean("has_more"), "the second page holds exactly the last two");

    JsonObject third = page("/products?limit=2&starting_after=" + made.get(0));
    assertEquals(new JsonObject().put("data", new JsonArray()).put("has_more", false), third);
  }

  @Test
  void productsPageEveryItemOnceNewestFirst() {
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      made.add(product("paged-" + i));
    }
    assertEquals(List.of(2, 2, 1), walk("/products?", 2, reversed(made)));
  }

  @Test
  void policiesPageEveryItemOnceNewestFirst() {
    String product = product("with policies");
    String other = product("other");
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      made.add(api.create("/policies", new JsonObject().put("product_id", i % 2 == 0 ? product : other)
          .put("name", "policy-" + i).put("max_machines", 1)).getString("id"));
    }
    assertEquals(List.of(3, 3, 1), walk("/policies?", 3, reversed(made)));
    List<String> ofProduct = List.of(made.get(6), made.get(4), made.get(2), made.get(0));
    assertEquals(List.of(2, 2), walk("/policies?product_id=" + product + "&", 2, ofProduct));
  }

  @Test
  void rulesPageEveryItemOnceNewestFirst() {
    String product = product("with rules");
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      made.add(rule(product, "hw-" + i));
    }
    assertEquals(List.of(1, 1, 1, 1, 1), walk("/rules?", 1, reversed(made)));
    assertEquals(List.of(4, 1), walk("/rules?product_id=" + product + "&", 4, reversed(made)));
  }

  @Test
  void aCursorDeletedBetweenPagesIsA400ThatSaysToRestart() {
    String product = product("churn");
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      made.add(rule(product, "gone-" + i));
    }
    JsonObject first = page("/rules?limit=1");
    assertEquals(List.of(made.get(2)), ids(first));
    assertTrue(first.getBoolean("has_more"));

    // Another client deletes the row this one holds as its cursor.
    assertEquals(200, api.delete("/rules/" + made.get(2)).statusCode());

    HttpResponse<Buffer> next = api.get("/rules?limit=1&starting_after=" + made.get(2));
    assertEquals(400, next.statusCode());
    JsonObject body = next.bodyAsJsonObject();
    assertEquals("bad_request", body.getString("error"));
    JsonArray details = body.getJsonArray("details");
    assertEquals(1, details.size());
    assertEquals("starting_after", details.getJsonObject(0).getString("field"));
    String message = details.getJsonObject(0).getString("message");
    assertTrue(message.contains("was deleted") && message.contains("restart from the first page"), message);

    // Restarting, as the answer says, gives the rest exactly once.
    assertEquals(List.of(1, 1), walk("/rules?", 1, List.of(made.get(1), made.get(0))));
  }

  // ---- helpers ----

  private String product(String name) {
    return api.create("/products", new JsonObject().put("name", name)).getString("id");
  }

  private String rule(String product, String hwid) {
    return api.create("/rules", new JsonObject().put("product_id", product).put("kind", "block_hwid")
        .put("value", Fixtures.machineId(hwid))).getString("id");
  }

  private JsonObject page(String path) {
    HttpResponse<Buffer> answer = api.get(path);
    assertEquals(200, answer.statusCode(), path + ": " + answer.bodyAsString());
    return answer.bodyAsJsonObject();
  }

  private static List<String> ids(JsonObject page) {
    JsonArray data = page.getJsonArray("data");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      ids.add(data.getJsonObject(i).getString("id"));
    }
    return ids;
  }

  private static List<String> reversed(List<String> made) {
    List<String> copy = new ArrayList<>(made);
    java.util.Collections.reverse(copy);
    return copy;
  }

  /**
   * Pages through {@code prefix} with {@code limit} until {@code has_more} is false; asserts the
   * items seen, in order across the pages, are exactly {@code expected}; returns the page sizes.
   */
  private List<Integer> walk(String prefix, int limit, List<String> expected) {
    List<String> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    String after = null;
    boolean more = true;
    while (more) {
      assertTrue(sizes.size() <= expected.size(), "paging ends: " + seen);
      JsonObject page = page(prefix + "limit=" + limit + (after == null ? "" : "&starting_after=" + after));
      List<String> ids = ids(page);
      assertTrue(ids.size() <= limit, "at most limit items: " + ids);
      seen.addAll(ids);
      sizes.add(ids.size());
      more = page.getBoolean("has_more");
      if (more) {
        assertFalse(ids.isEmpty(), "a page with more after it is not empty");
        after = ids.get(ids.size() - 1);
      }
    }
    assertEquals(expected, seen, prefix + " every item once, newest first");
    return sizes;
  }
}
