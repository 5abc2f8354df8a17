package dev.licensegateway.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.ManageClient;
import dev.licensegateway.testing.TestGateway;
import dev.licensegateway.testing.TestServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the Python SDK's pytest suite ({@code sdk/python/tests}) against two real gateways, one
 * signing with RSA-SHA256 and one with Ed25519, on the test run's embedded Postgres and Redis.
 * The SDK is installed into a virtualenv under {@code target/}; pytest's own summary line must
 * show exactly the expected number of passed tests and nothing failed, errored or skipped, so a
 * collection error or a silently skipped module cannot pass.
 */
class PythonSdkTest {

  /** Tests in sdk/python/tests, parametrized cases counted one by one. Change it with the suite. */
  static final int EXPECTED_PASSED = 82;

  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Path SDK = ROOT.resolve("sdk/python");
  private static final Path WORK = ROOT.resolve("target/sdk-python");
  private static final Path VENV = WORK.resolve("venv");
  private static final Pattern SUMMARY_COUNT = Pattern.compile("(\\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)");

  private static Gateway rsa;
  private static Gateway ed25519;

  @BeforeAll
  static void startGateways() {
    String keys = TestServers.keysDir().toString();
    rsa = TestGateway.start(c -> c.withSigning("RSA-SHA256", keys));
    ed25519 = TestGateway.start(c -> c.withSigning("Ed25519", keys));
  }

  @AfterAll
  static void stopGateways() {
    TestGateway.stop(rsa);
    TestGateway.stop(ed25519);
  }

  @Test
  void pytestSuitePassesAgainstRealGateways() throws Exception {
    assertTrue(Files.isRegularFile(SDK.resolve("pyproject.toml")), "no Python SDK at " + SDK);
    Files.createDirectories(WORK);
    Path python = VENV.resolve("bin/python");
    if (!Files.isExecutable(python)) {
      Run venv = run(List.of("python3", "-m", "venv", VENV.toString()), Map.of(), 300, "venv");
      if (venv.exitCode != 0) {
        fail("the Python SDK tests need python3 with the venv module (`python3 -m venv` failed with exit code "
            + venv.exitCode + "). Install them, e.g. `apt-get install -y python3 python3-venv python3-pip`"
            + " (.ci/run does so where they are missing).");
      }
    }
    Run pip = run(List.of(python.toString(), "-m", "pip", "install", "--retries", "0", "--quiet",
        "--disable-pip-version-check", SDK.toString(), "pytest"), Map.of(), 900, "pip");
    assertEquals(0, pip.exitCode, "pip could not install the SDK and pytest into " + VENV);

    Path config = WORK.resolve("gateways.json");
    Files.writeString(config, new JsonObject()
        .put("api_secret", TestGateway.SECRET)
        .put("manage_api_key", ManageClient.newAccount(null).apiKey())
        .put("gateways", new JsonArray()
            .add(gateway("rsa", rsa, "RSA-SHA256"))
            .add(gateway("ed25519", ed25519, "Ed25519")))
        .encodePrettily());

    Map<String, String> env = new HashMap<>();
    env.put("LGW_SDK_TEST_CONFIG", config.toString());
    env.put("LGW_SDK_TEST_REQUIRED", "1");
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    Run pytest = run(List.of(python.toString(), "-m", "pytest", SDK.resolve("tests").toString(),
        "-p", "no:cacheprovider", "-v", "-rfEs", "--color=no"), env, 900, "pytest");

    Map<String, Integer> counts = summary(pytest.lines);
    assertEquals(0, pytest.exitCode, "pytest failed: " + counts);
    assertEquals(0, counts.getOrDefault("failed", 0), "failed: " + counts);
    assertEquals(0, counts.getOrDefault("errors", 0) + counts.getOrDefault("error", 0), "errors: " + counts);
    assertEquals(0, counts.getOrDefault("skipped", 0), "skipped: " + counts);
    assertEquals(EXPECTED_PASSED, counts.getOrDefault("passed", 0), "passed: " + counts);
  }

  private static JsonObject gateway(String name, Gateway gateway, String alg) {
    return new JsonObject().put("name", name).put("base_url", "http://127.0.0.1:" + gateway.port()).put("alg", alg);
  }

  /** The counts of pytest's last summary line ("=== 3 failed, 40 passed in 9.1s ==="). */
  static Map<String, Integer> summary(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i);
      if (line.startsWith("=") && line.contains(" in ")) {
        Map<String, Integer> counts = new HashMap<>();
        Matcher m = SUMMARY_COUNT.matcher(line);
        while (m.find()) {
          counts.put(m.group(2), Integer.parseInt(m.group(1)));
        }
        if (!counts.isEmpty()) {
          return counts;
        }
      }
    }
    fail("pytest printed no summary line");
    return Map.of();
  }

  private record Run(int exitCode, List<String> lines) {}

  /** Runs a command in the project root, its output streamed into the test log, within a time limit. */
  private static Run run(List<String> command, Map<String, String> env, long timeoutSeconds, String label)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    // Only the virtualenv's packages: nothing from a developer's own Python set-up.
    builder.environment().remove("PYTHONPATH");
    builder.environment().remove("PYTHONHOME");
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return new Run(127, List.of(e.getMessage()));
    }
    process.getOutputStream().close();
    List<String> lines = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          System.out.println("[" + label + "] " + line);
          synchronized (lines) {
            lines.add(line);
          }
        }
      } catch (IOException e) {
        System.out.println("[" + label + "] output lost: " + e);
      }
    }, "python-sdk-" + label);
    reader.start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      fail(label + " did not finish within " + timeoutSeconds + " s: " + command);
    }
    reader.join(10_000);
    synchronized (lines) {
      return new Run(process.exitValue(), List.copyOf(lines));
    }
  }
}
