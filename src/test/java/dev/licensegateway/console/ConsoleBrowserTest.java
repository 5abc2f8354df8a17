package dev.licensegateway.console;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import dev.licensegateway.Gateway;
import dev.licensegateway.cli.AccountAdmin;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.TestServers;
import dev.licensegateway.testing.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The vendor console in headless Chromium against a real gateway: controls are found the way
 * a person (or a screen reader) finds them, by role and accessible name. Screenshots of each
 * main page land in target/console-screenshots/.
 */
class ConsoleBrowserTest {

  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  /** How long a webhook delivery may take on a busy machine. */
  static final long DELIVERY_WAIT_MS = 90_000;

  private static Gateway gateway;
  private static Vertx vertx;
  private static Playwright playwright;
  private static Browser browser;

  private BrowserContext context;
  private Page page;
  private String apiKey;
  private ManageClient api;
  private final List<String> consoleErrors = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    // The browser first: without one the class fails at once, naming what is missing.
    playwright = Chromium.playwright();
    browser = Chromium.launch(playwright);
    // Webhooks may point at the test's own loopback receiver. A failed attempt is retried only
    // after minutes (10, less jitter), so within a test a failed delivery is delivered only if Retry is pressed.
    gateway = TestGateway.start(c -> c.withWebhooks(c.webhooks().withAllowPrivate(true)
        .withRetries(600_000, 600_000, 86_400_000).withTiming(10_000, 30_000, 200, 60_000)));
    vertx = Vertx.vertx();
    // Two cores shared with other builds: waits are generous, and no step depends on speed.
    PlaywrightAssertions.setDefaultAssertionTimeout(20_000);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    TestGateway.stop(gateway);
    if (vertx != null) {
      vertx.close();
    }
  }

  @BeforeEach
  void newAccountAndTab() throws Exception {
    try (AccountAdmin admin = new AccountAdmin(TestServers.get().postgresUri())) {
      apiKey = admin.createAccount("Acme Software", 25L).apiKey();
    }
    api = new ManageClient(vertx, gateway.port(), apiKey);
    openTab(1280, 900);
  }

  private void openTab(int width, int height) {
    if (context != null) {
      context.close();
    }
    context = browser.newContext(new Browser.NewContextOptions()
        .setBaseURL("http://127.0.0.1:" + gateway.port())
        .setViewportSize(width, height));
    context.setDefaultTimeout(30_000);
    page = context.newPage();
    // A CSP violation, a failed module import or an uncaught exception shows up here.
    page.onConsoleMessage(m -> {
      // The browser reports each 4xx answer too: the API's refusals are expected in some tests.
      if (m.type().equals("error") && !m.text().startsWith("Failed to load resource: the server responded with a status of 4")) {
        consoleErrors.add(m.text());
      }
    });
    page.onPageError(e -> consoleErrors.add("uncaught: " + e));
  }

  @AfterEach
  void closeTab() {
    context.close();
    context = null;
    assertEquals(List.of(), consoleErrors, "the browser console reported errors");
  }

  // ---- the tests ---------------------------------------------------------------------------

  @Test
  void signInShowsTheAccountWithALiveBadgeAndSignOutForgetsTheKey() {
    page.navigate("/console/");
    assertThat(heading("Sign in to the console")).isVisible();
    shot("01-sign-in");
    signIn(apiKey);

    assertThat(heading("Overview")).isVisible();
    assertThat(page.getByLabel("Live environment", new Page.GetByLabelOptions().setExact(true))).hasText("Live");
    assertThat(page.locator("#account-name")).hasText("Acme Software");
    Locator account = page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Account"));
    assertThat(account).containsText("active");
    assertThat(account).containsText("25");
    shot("02-overview");

    // The key is in this tab's sessionStorage, and nowhere a server or a log would see it.
    assertEquals(apiKey, page.evaluate("() => sessionStorage.getItem('lgw.console.apiKey')"));
    assertEquals(List.of(), context.cookies(), "no cookie");
    assertFalse(page.url().contains(apiKey), "not in the URL");
    assertEquals(0L, ((Number) page.evaluate("() => localStorage.length")).longValue(), "not in localStorage");

    button("Sign out").click();
    assertThat(heading("Sign in to the console")).isVisible();
    assertThat(page.getByLabel("API key", new Page.GetByLabelOptions().setExact(true))).hasValue("");
    assertEquals(0L, ((Number) page.evaluate("() => sessionStorage.length")).longValue(), "sign-out clears the key");
    page.reload();
    assertThat(heading("Sign in to the console")).isVisible();
    assertThat(page.getByRole(AriaRole.NAVIGATION)).isHidden();
  }

  @Test
  void aTestKeyShowsTheTestBadgeAndARefusedKeyIsReportedBesideTheField() {
    String testKey = api.create("/keys", new JsonObject().put("name", "staging").put("environment", "test")
        .put("scopes", new JsonArray().add("products:read"))).getString("key");
    page.navigate("/console/");
    Locator keyField = page.getByLabel("API key", new Page.GetByLabelOptions().setExact(true));

    keyField.fill("lk_live_" + "x".repeat(32));
    button("Sign in").click();
    assertThat(keyField).hasAttribute("aria-invalid", "true");
    assertThat(keyField).hasAccessibleDescription(Pattern.compile("was refused by the gateway"));
    assertEquals(0L, ((Number) page.evaluate("() => sessionStorage.length")).longValue(), "a refused key is not kept");

    signIn(testKey);
    assertThat(page.getByLabel("Test environment", new Page.GetByLabelOptions().setExact(true))).hasText("Test");
  }

  @Test
  void aVendorCreatesProductPolicyLicenseSeesTheMachineAndSuspendsIt() throws Exception {
    page.navigate("/console/");
    signIn(apiKey);

    link("Products").click();
    assertThat(heading("Products")).isVisible();
    link("New product").click();
    field("Name").fill("Editor");
    field("Daily validation limit").fill("1000");
    button("Create product").click();
    assertThat(heading("Product “Editor” created", 2)).isVisible();
    assertThat(page.getByText("shown this once")).isVisible();
    assertTrue(field("App secret").inputValue().startsWith("as_"), "the app secret is shown");
    assertTrue(field("Product key").inputValue().startsWith("kp_live_"), "the product key is shown");
    assertThat(button("Copy App secret")).isVisible();
    assertThat(button("Copy Product key")).isVisible();
    shot("03-product-created");

    link("Add a policy to it").click();
    assertThat(heading("New policy")).isVisible();
    field("Name").fill("Pro");
    field("Max machines").fill("2");
    field("Heartbeat interval (seconds)").fill("3600");
    field("Entitlements").fill("export, pro");
    button("Create policy").click();
    assertThat(heading("Policy Pro")).isVisible();
    shot("04-policy");

    link("New license with this policy").click();
    assertThat(heading("New license")).isVisible();
    button("Create license").click();
    Locator licenseHeading = page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1)
        .setName(Pattern.compile("^License [A-Z0-9]{5}(-[A-Z0-9]{5}){4}$")));
    assertThat(licenseHeading).isVisible();
    String key = licenseHeading.textContent().substring("License ".length());
    assertThat(page.getByText("No machine is activated on this license.")).isVisible();

    // An SDK activates a machine, signing its request as the native API requires.
    NativeClient sdk = new NativeClient(vertx, gateway.port());
    String machine = Fixtures.randomMachineId();
    HttpResponse<Buffer> activated = sdk.call("activate", new JsonObject().put("license_key", key)
        .put("machine_id", machine).put("name", "Build server").put("platform", "linux")).await(30, TimeUnit.SECONDS);
    assertEquals(200, activated.statusCode(), activated.bodyAsString());

    page.reload();
    Locator machines = page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Machines").setExact(true));
    assertThat(machines.getByRole(AriaRole.TABLE)).containsText(machine);
    assertThat(machines).containsText("Build server");
    assertThat(machines).containsText("Holds its slot");
    assertThat(machines.getByRole(AriaRole.CELL).filter(new Locator.FilterOptions().setHasText(" UTC")).first()).isVisible();
    assertThat(button("Deactivate machine Build server")).isVisible();
    assertThat(page.locator("dl.facts")).containsText("1 of 2 slots held");
    assertThat(page.locator("dl.facts")).containsText("export");
    everyControlHasAName();
    shot("05-license");

    button("Suspend").click();
    Locator dialog = page.getByRole(AriaRole.DIALOG);
    assertThat(dialog).hasAccessibleName("Suspend this license?");
    shot("06-confirm-suspend");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Suspend license")).click();
    assertThat(dialog).isHidden();
    assertThat(button("Reinstate")).isVisible();
    assertThat(button("Suspend")).isHidden();
    assertThat(page.locator("dl.facts")).containsText("suspended");
    shot("07-license-suspended");

    HttpResponse<Buffer> validated = sdk.call("validate", new JsonObject().put("license_key", key)
        .put("machine_id", machine)).await(30, TimeUnit.SECONDS);
    assertEquals(403, validated.statusCode(), validated.bodyAsString());
    assertEquals(1704, validated.bodyAsJsonObject().getJsonObject("error").getInteger("code"));

    // The edit form sends what changed, and nothing else: the license stays suspended.
    field("Max machines").fill("5");
    button("Save license").click();
    assertThat(page.locator("dl.facts")).containsText("1 of 5 slots held");
    JsonObject stored = api.get("/licenses?q=" + key).bodyAsJsonObject().getJsonArray("data").getJsonObject(0);
    assertEquals("suspended", stored.getString("status"));
    assertEquals(5, stored.getInteger("max_machines"));

    // Cancel leaves everything as it was; confirming deactivates the machine and frees its slot.
    button("Deactivate machine Build server").click();
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Cancel")).click();
    assertThat(machines).containsText(machine);
    button("Deactivate machine Build server").click();
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Deactivate machine")).click();
    assertThat(page.getByText("No machine is activated on this license.")).isVisible();
    assertEquals(0, api.get("/licenses?q=" + key).bodyAsJsonObject().getJsonArray("data").getJsonObject(0)
        .getInteger("machines_used"));
    sdk.close();

    // The list finds it by a piece of its key.
    link("Licenses").click();
    field("Search licenses by key").fill(key.substring(6, 11).toLowerCase());
    button("Search").click();
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(key))).isVisible();
    shot("08-licenses");
  }

  @Test
  void theApiValidationErrorsAreShownBesideTheirFields() {
    String productId = api.create("/products", new JsonObject().put("name", "Editor")).getString("id");
    // What the API says about this body, field by field: the console must show exactly that.
    JsonObject body = new JsonObject().put("product_id", productId).put("max_machines", 0).put("max_ips", "many");
    HttpResponse<Buffer> refused = api.post("/policies", body);
    assertEquals(400, refused.statusCode());
    JsonArray details = refused.bodyAsJsonObject().getJsonArray("details");
    String nameError = message(details, "name");
    String maxMachinesError = message(details, "max_machines");
    String maxIpsError = message(details, "max_ips");

    page.navigate("/console/");
    signIn(apiKey);
    page.navigate("/console/#/policies/new");
    assertThat(heading("New policy")).isVisible();
    field("Max machines").fill("0");
    field("Max IPs").fill("many");
    button("Create policy").click();

    assertBeside("Name", nameError);
    assertBeside("Max machines", maxMachinesError);
    assertBeside("Max IPs", maxIpsError);
    for (String untouched : List.of("Duration (days)", "Heartbeat interval (seconds)", "Entitlements")) {
      assertThat(field(untouched)).not().hasAttribute("aria-invalid", "true");
    }
    assertThat(field("Name")).isFocused();
    shot("09-form-errors");

    // Corrected, the same form goes through.
    field("Name").fill("Pro");
    field("Max machines").fill("3");
    field("Max IPs").fill("");
    button("Create policy").click();
    assertThat(heading("Policy Pro")).isVisible();
  }

  @Test
  void vendorControlledTextIsRenderedAsTextNeverAsHtml() {
    String hostile = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">Tools & <b>more</b>";
    String productId = api.create("/products", new JsonObject().put("name", hostile)).getString("id");
    String policyId = api.create("/policies", new JsonObject().put("product_id", productId).put("name", hostile)
        .put("max_machines", 1).put("entitlements", new JsonArray().add("<i>pro</i>"))).getString("id");
    String licenseId = api.create("/licenses", new JsonObject().put("policy_id", policyId)).getString("id");

    page.navigate("/console/");
    signIn(apiKey);
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(hostile).setExact(true))).isVisible();
    link("Products").click();
    Locator productLink = page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(hostile).setExact(true));
    assertThat(productLink).hasText(hostile);
    productLink.click();
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setLevel(1).setName(hostile).setExact(true)))
        .isVisible();
    page.navigate("/console/#/licenses/" + licenseId);
    assertThat(page.locator("dl.facts")).containsText("<i>pro</i>");
    shot("10-hostile-names");

    assertEquals(0, page.locator("main script, main img, main b, main i").count(), "no element came from the text");
    assertEquals(null, page.evaluate("() => window.__xss ?? null"), "no vendor text ran as script");
  }

  @Test
  void rulesAndApiKeysAreManagedWithConfirmationAndTheNewKeyIsShownOnce() {
    String productId = api.create("/products", new JsonObject().put("name", "Editor")).getString("id");
    page.navigate("/console/");
    signIn(apiKey);

    link("Rules").click();
    assertThat(heading("Rules")).isVisible();
    page.getByLabel("Kind", new Page.GetByLabelOptions().setExact(true)).selectOption("block_ip");
    field("Value").fill("203.0.113.0/24");
    button("Add rule").click();
    assertThat(button("Delete rule Block an IP or CIDR 203.0.113.0/24")).isVisible();
    field("Value").fill("not-an-ip");
    button("Add rule").click();
    assertThat(field("Value")).hasAttribute("aria-invalid", "true");
    shot("11-rules");
    button("Delete rule Block an IP or CIDR 203.0.113.0/24").click();
    page.getByRole(AriaRole.DIALOG).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Delete rule")).click();
    assertThat(page.getByText("No rules.")).isVisible();
    assertEquals(0, api.get("/rules?product_id=" + productId).bodyAsJsonObject().getJsonArray("data").size());

    link("API keys").click();
    assertThat(heading("API keys")).isVisible();
    field("Name").fill("billing server");
    page.getByLabel("licenses:read", new Page.GetByLabelOptions()).check();
    button("Create API key").click();
    Locator newKey = field("API key");
    assertThat(newKey).hasValue(Pattern.compile("^lk_live_[0-9A-Za-z]{32}$"));
    assertThat(page.getByText("shown this once")).isVisible();
    assertThat(button("Copy API key")).isVisible();
    assertThat(button("Revoke key billing server")).isVisible();
    shot("12-api-keys");
    String created = newKey.inputValue();
    assertEquals(200, api.withKey(created).get("/licenses").statusCode(), "the new key works");

    button("Revoke key billing server").click();
    page.getByRole(AriaRole.DIALOG).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Revoke key")).click();
    assertThat(button("Revoke key billing server")).isHidden();
    assertEquals(401, api.withKey(created).get("/licenses").statusCode(), "the revoked key is refused");
  }

  @Test
  void at360PixelsWideEveryPageFitsAndWorksFromTheKeyboard() throws Exception {
    String productId = api.create("/products", new JsonObject().put("name", "Editor").put("daily_validation_limit", 50))
        .getString("id");
    String policyId = api.create("/policies", new JsonObject().put("product_id", productId).put("name", "Pro")
        .put("max_machines", 3).put("entitlements", new JsonArray().add("export").add("pro"))).getString("id");
    JsonObject license = api.create("/licenses", new JsonObject().put("policy_id", policyId));
    NativeClient sdk = new NativeClient(vertx, gateway.port());
    String machine = Fixtures.randomMachineId();
    assertEquals(200, sdk.call("activate", new JsonObject().put("license_key", license.getString("key"))
        .put("machine_id", machine)).await(30, TimeUnit.SECONDS).statusCode());
    assertEquals(200, sdk.call("validate", new JsonObject().put("license_key", license.getString("key"))
        .put("machine_id", machine)).await(30, TimeUnit.SECONDS).statusCode());
    sdk.close();

    openTab(360, 760);
    page.navigate("/console/");
    // Keyboard only: the key field has the focus; Enter submits.
    assertThat(field("API key")).isFocused();
    page.keyboard().type(apiKey);
    page.keyboard().press("Enter");
    assertThat(heading("Overview")).isVisible();
    fitsTheWidth();
    Locator usage = page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Validations today per product"));
    assertThat(usage).containsText("Editor");
    assertThat(usage.getByRole(AriaRole.ROW).nth(1)).containsText("1");
    assertThat(usage.getByRole(AriaRole.ROW).nth(1)).containsText("50");
    shot("13-mobile-overview");

    Locator licensesLink = link("Licenses");
    for (int i = 0; i < 40 && !isFocused(licensesLink); i++) {
      page.keyboard().press("Tab");
    }
    assertTrue(isFocused(licensesLink), "Tab reaches the Licenses link");
    page.keyboard().press("Enter");
    assertThat(heading("Licenses")).isVisible();
    fitsTheWidth();
    shot("14-mobile-licenses");

    page.navigate("/console/#/licenses/" + license.getString("id"));
    assertThat(page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Machines").setExact(true)))
        .containsText(machine);
    fitsTheWidth();
    everyControlHasAName();
    shot("15-mobile-license");
  }

  @Test
  void aVendorCreatesAWebhookSeesItsDeliveriesAndRetriesAFailedOne() throws Exception {
    String productId = api.create("/products", new JsonObject().put("name", "Editor")).getString("id");
    String policyId = api.create("/policies", new JsonObject().put("product_id", productId).put("name", "Pro")
        .put("max_machines", 1)).getString("id");
    String licenseId = api.create("/licenses", new JsonObject().put("policy_id", policyId)).getString("id");
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      page.navigate("/console/");
      signIn(apiKey);
      link("Webhooks").click();
      assertThat(heading("Webhooks")).isVisible();
      field("URL").fill(receiver.url());
      page.getByLabel("license.suspended").check();
      page.getByLabel("license.reinstated").check();
      button("Create webhook").click();

      // The signing secret, shown once with Copy and a warning.
      assertThat(heading("Webhook created", 2)).isVisible();
      assertThat(page.getByText("shown this once")).isVisible();
      assertThat(field("Signing secret")).hasValue(Pattern.compile("^whsec_[A-Za-z0-9+/=]+$"));
      assertThat(button("Copy Signing secret")).isVisible();
      String secret = field("Signing secret").inputValue();
      Locator hooks = page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Webhooks"));
      assertThat(hooks).containsText("license.suspended, license.reinstated");
      assertThat(hooks).containsText("enabled");
      everyControlHasAName();
      shot("16-webhooks");
      JsonObject stored = api.get("/webhooks").bodyAsJsonObject().getJsonArray("data").getJsonObject(0);
      assertEquals(receiver.url(), stored.getString("url"));
      assertEquals(List.of("license.suspended", "license.reinstated"), stored.getJsonArray("events").getList());
      String hookId = stored.getString("id");

      // The endpoint's page: the secret is not shown again.
      link(receiver.url()).click();
      assertThat(heading("Webhook " + receiver.url())).isVisible();
      assertThat(page.getByText("No deliveries yet.")).isVisible();
      assertThat(field("Signing secret")).hasCount(0);

      // A change is delivered, signed with the secret the console showed.
      assertEquals(200, api.patch("/licenses/" + licenseId, new JsonObject().put("status", "suspended")).statusCode());
      WebhookReceiver.await("the license.suspended delivery", DELIVERY_WAIT_MS,
          () -> deliveries(hookId, "delivered").size() == 1);
      String suspended = deliveries(hookId, "delivered").getJsonObject(0).getString("event_id");
      WebhookReceiver.Received arrived = receiver.received().get(0);
      assertEquals(suspended, arrived.header("webhook-id"));
      assertTrue(signedWith(secret, arrived), "the delivery verifies with the secret shown once");
      button("Refresh deliveries").click();
      Locator deliveries = page.getByRole(AriaRole.TABLE, new Page.GetByRoleOptions().setName("Deliveries"));
      Locator first = deliveries.getByRole(AriaRole.ROW).filter(new Locator.FilterOptions().setHasText(suspended));
      assertThat(first).containsText("license.suspended");
      assertThat(first).containsText("delivered");
      assertThat(first).containsText("200");
      assertThat(button("Retry delivery " + suspended)).hasCount(0);

      // The receiver fails: the next event stays pending, its next attempt minutes away.
      receiver.answering(r -> 500);
      assertEquals(200, api.patch("/licenses/" + licenseId, new JsonObject().put("status", "active")).statusCode());
      WebhookReceiver.await("a failed attempt of the license.reinstated delivery", DELIVERY_WAIT_MS,
          () -> deliveries(hookId, "pending").stream().map(JsonObject.class::cast)
              .anyMatch(d -> d.getInteger("attempts") >= 1 && Integer.valueOf(500).equals(d.getInteger("last_status_code"))));
      String reinstated = deliveries(hookId, "pending").getJsonObject(0).getString("event_id");
      page.getByLabel("Show deliveries", new Page.GetByLabelOptions().setExact(true)).selectOption("pending");
      Locator second = deliveries.getByRole(AriaRole.ROW).filter(new Locator.FilterOptions().setHasText(reinstated));
      assertThat(second).containsText("license.reinstated");
      assertThat(second).containsText("pending");
      assertThat(second).containsText("500");
      assertThat(second.getByRole(AriaRole.CELL).filter(new Locator.FilterOptions().setHasText(" UTC")).first()).isVisible();
      assertThat(deliveries).not().containsText(suspended);
      assertThat(deliveries.getByRole(AriaRole.ROW)).hasCount(2);
      everyControlHasAName();
      shot("17-webhook-deliveries");

      // Healthy again: Retry makes it due now, and it is delivered (no automatic retry would come for minutes).
      receiver.answering(r -> 200);
      button("Retry delivery " + reinstated).click();
      WebhookReceiver.await("the retried license.reinstated delivery", DELIVERY_WAIT_MS,
          () -> deliveries(hookId, "delivered").size() == 2);
      page.getByLabel("Show deliveries", new Page.GetByLabelOptions().setExact(true)).selectOption("delivered");
      Locator retried = deliveries.getByRole(AriaRole.ROW).filter(new Locator.FilterOptions().setHasText(reinstated));
      assertThat(retried).containsText("delivered");
      assertThat(retried).containsText("200");
      assertEquals(2L, receiver.received().stream().filter(r -> reinstated.equals(r.header("webhook-id"))).count(),
          "the failed attempt and the retry");

      // Rotating the secret (confirmed) shows the new one once.
      button("Rotate secret").click();
      page.getByRole(AriaRole.DIALOG).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Rotate secret")).click();
      assertThat(heading("New signing secret", 2)).isVisible();
      assertThat(field("Signing secret")).hasValue(Pattern.compile("^whsec_"));
      assertFalse(secret.equals(field("Signing secret").inputValue()), "a new secret");

      // Disabled, then deleted (each confirmed).
      button("Disable").click();
      page.getByRole(AriaRole.DIALOG).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Disable webhook")).click();
      assertThat(button("Enable")).isVisible();
      assertEquals("disabled", api.get("/webhooks/" + hookId).bodyAsJsonObject().getString("status"));
      button("Delete").click();
      page.getByRole(AriaRole.DIALOG).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Delete webhook")).click();
      assertThat(heading("Webhooks")).isVisible();
      assertThat(page.getByText("No webhooks yet.")).isVisible();
      assertEquals(404, api.get("/webhooks/" + hookId).statusCode());
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private JsonArray deliveries(String hookId, String state) {
    return api.get("/webhooks/" + hookId + "/deliveries?state=" + state).bodyAsJsonObject().getJsonArray("data");
  }

  /** Standard Webhooks: v1,base64(HMAC-SHA256(key, id.timestamp.body)), the key being the secret after whsec_. */
  private static boolean signedWith(String secret, WebhookReceiver.Received r) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(
        (r.header("webhook-id") + "." + r.header("webhook-timestamp") + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
    return Arrays.asList(r.header("webhook-signature").split(" ")).contains(expected);
  }

  private void signIn(String key) {
    field("API key").fill(key);
    button("Sign in").click();
    assertThat(button("Sign out")).isVisible();
  }

  /** The page's title (its one h1): a section may have a heading of the same name. */
  private Locator heading(String name) {
    return heading(name, 1);
  }

  private Locator heading(String name, int level) {
    return page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName(name).setExact(true).setLevel(level));
  }

  private Locator button(String name) {
    return page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
  }

  private Locator link(String name) {
    return page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(name).setExact(true));
  }

  private Locator field(String label) {
    return page.getByLabel(label, new Page.GetByLabelOptions().setExact(true));
  }

  private boolean isFocused(Locator locator) {
    return (Boolean) locator.evaluate("el => el === document.activeElement");
  }

  /** The field is marked invalid and the API's message is its accessible description, beside it. */
  private void assertBeside(String label, String apiMessage) {
    assertNotNull(apiMessage, "the API reported no error for " + label);
    Locator input = field(label);
    assertThat(input).hasAttribute("aria-invalid", "true");
    assertThat(input).hasAccessibleDescription(literally(apiMessage));
    Locator row = page.locator(".field").filter(new Locator.FilterOptions().setHas(input));
    assertThat(row.locator(".field-error")).hasText(literally(apiMessage));
  }

  /** A pattern matching the text anywhere; escaped by hand, as Playwright hands it to JavaScript (no \\Q…\\E). */
  private static Pattern literally(String text) {
    return Pattern.compile(text.replaceAll("[\\\\^$.|?*+()\\[\\]{}/]", "\\\\$0"));
  }

  private static String message(JsonArray details, String field) {
    for (int i = 0; i < details.size(); i++) {
      if (field.equals(details.getJsonObject(i).getString("field"))) {
        return details.getJsonObject(i).getString("message");
      }
    }
    return null;
  }

  /** No sideways scrolling of the page itself (wide tables scroll inside their own region). */
  private void fitsTheWidth() {
    Number overflow = (Number) page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth");
    assertTrue(overflow.intValue() <= 0, "the page is " + overflow + " px wider than the screen");
  }

  /** Every control a person can reach has a name that says what it does. */
  private void everyControlHasAName() {
    Locator controls = page.locator("header button:visible, nav a:visible, main a:visible, main button:visible, "
        + "main input:visible, main select:visible");
    int count = controls.count();
    assertTrue(count > 5, "controls found: " + count);
    for (int i = 0; i < count; i++) {
      assertThat(controls.nth(i)).hasAccessibleName(Pattern.compile("\\S"));
    }
  }

  private void shot(String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
  }
}
