package dev.licensegateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The console's files over HTTP: what a browser is told about them, and what they may not contain. */
class ConsoleAssetsTest {

  private static final Path SOURCES = Path.of("src", "main", "resources", "console");

  private static Gateway gateway;
  private static Vertx vertx;
  private static WebClient web;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    vertx = Vertx.vertx();
    web = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false).setDefaultHost("127.0.0.1")
        .setDefaultPort(gateway.port()));
  }

  @AfterAll
  static void stop() {
    TestGateway.stop(gateway);
    vertx.close();
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path, String... headers) throws Exception {
    var request = web.request(method, path);
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return request.send().await(30, TimeUnit.SECONDS);
  }

  @Test
  void everyFileIsServedWithAStrictPolicyNoSniffingNoFramingAndRevalidation() throws Exception {
    List<String> files = new ArrayList<>(List.of("/console/", "/console/index.html", "/console/console.css"));
    try (Stream<Path> js = Files.walk(SOURCES.resolve("js"))) {
      js.filter(p -> p.toString().endsWith(".js"))
          .forEach(p -> files.add("/console/" + SOURCES.relativize(p).toString().replace('\\', '/')));
    }
    assertTrue(files.contains("/console/js/app.js") && files.contains("/console/js/views/licenses.js"), files.toString());
    for (String file : files) {
      HttpResponse<Buffer> r = send(HttpMethod.GET, file, "Origin", "https://elsewhere.example");
      assertEquals(200, r.statusCode(), file);
      String csp = r.getHeader("Content-Security-Policy");
      assertEquals(ConsoleAssets.CONTENT_SECURITY_POLICY, csp, file);
      assertEquals("nosniff", r.getHeader("X-Content-Type-Options"), file);
      assertEquals("DENY", r.getHeader("X-Frame-Options"), file);
      assertEquals("no-referrer", r.getHeader("Referrer-Policy"), file);
      assertEquals("no-cache", r.getHeader("Cache-Control"), file);
      assertNotNull(r.getHeader("Last-Modified"), file);
      assertNull(r.getHeader("Access-Control-Allow-Origin"), "CORS stays closed: " + file);
      String type = r.getHeader("Content-Type");
      if (file.endsWith(".js")) {
        assertTrue(type.startsWith("text/javascript") || type.startsWith("application/javascript"), file + ": " + type);
      } else if (file.endsWith(".css")) {
        assertTrue(type.startsWith("text/css"), file + ": " + type);
      } else {
        assertTrue(type.startsWith("text/html"), file + ": " + type);
      }
    }
  }

  @Test
  void thePolicyAllowsOnlyTheConsolesOwnOriginAndNoInlineCode() {
    String csp = ConsoleAssets.CONTENT_SECURITY_POLICY;
    for (String directive : List.of("default-src 'self'", "script-src 'self'", "style-src 'self'",
        "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'")) {
      assertTrue(csp.contains(directive), "missing " + directive + " in " + csp);
    }
    assertFalse(csp.contains("unsafe"), csp);
    assertFalse(csp.contains("http") || csp.contains("*") || csp.contains("data:"), "another origin in " + csp);
  }

  @Test
  void aRevalidationOfAnUnchangedFileAnswers304() throws Exception {
    HttpResponse<Buffer> first = send(HttpMethod.GET, "/console/js/app.js");
    HttpResponse<Buffer> again = send(HttpMethod.GET, "/console/js/app.js", "If-Modified-Since", first.getHeader("Last-Modified"));
    assertEquals(304, again.statusCode());
  }

  @Test
  void theBarePathRedirectsOtherMethodsAre405AndUnknownFiles404() throws Exception {
    HttpResponse<Buffer> bare = send(HttpMethod.GET, "/console");
    assertEquals(301, bare.statusCode());
    assertEquals("/console/", bare.getHeader("Location"));

    HttpResponse<Buffer> post = send(HttpMethod.POST, "/console/");
    assertEquals(405, post.statusCode());
    assertEquals("GET, HEAD", post.getHeader("Allow"));
    assertEquals("method_not_allowed", post.bodyAsJsonObject().getJsonObject("error").getString("code"));

    HttpResponse<Buffer> missing = send(HttpMethod.GET, "/console/js/nothing-here.js");
    assertEquals(404, missing.statusCode());
    assertEquals("not_found", missing.bodyAsJsonObject().getJsonObject("error").getString("code"));
    assertEquals(404, send(HttpMethod.GET, "/console/../../pom.xml").statusCode());
  }

  @Test
  void theManagementApiAnswersNoCorsPreflight() throws Exception {
    HttpResponse<Buffer> preflight = send(HttpMethod.OPTIONS, "/api/v1/manage/account",
        "Origin", "https://elsewhere.example", "Access-Control-Request-Method", "GET",
        "Access-Control-Request-Headers", "authorization");
    assertNull(preflight.getHeader("Access-Control-Allow-Origin"), "a browser on another origin cannot call the API");
    HttpResponse<Buffer> call = send(HttpMethod.GET, "/api/v1/manage/account", "Origin", "https://elsewhere.example");
    assertNull(call.getHeader("Access-Control-Allow-Origin"));
  }

  /** What the policy enforces in the browser, checked in the sources too: a violation fails here by name. */
  @Test
  void theSourcesHaveNoInlineScriptOrStyleAndNeverParseTextAsHtml() throws Exception {
    String index = Files.readString(SOURCES.resolve("index.html"));
    Matcher scripts = Pattern.compile("<script\\b([^>]*)>", Pattern.CASE_INSENSITIVE).matcher(index);
    int count = 0;
    while (scripts.find()) {
      count++;
      assertTrue(scripts.group(1).contains("src="), "inline script in index.html: " + scripts.group());
    }
    assertEquals(1, count, "index.html loads one module");
    assertFalse(Pattern.compile("<style|\\sstyle=|\\son[a-z]+=", Pattern.CASE_INSENSITIVE).matcher(index).find(),
        "inline style or handler in index.html");
    Pattern forbidden = Pattern.compile("innerHTML|outerHTML|insertAdjacentHTML|document\\.write|\\beval\\(|new Function"
        + "|setAttribute\\('style'|\\.style\\.|localStorage|document\\.cookie");
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".js")).toList()) {
        Matcher m = forbidden.matcher(Files.readString(file));
        boolean found = m.find();
        assertFalse(found, () -> file + " uses " + m.group());
      }
    }
  }
}
