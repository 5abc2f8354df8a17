package dev.licensegateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.dev.EmbeddedServers;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * `dev` on the built jar: it prints an all-scope key, so it listens on loopback only; every
 * call it prints works when pasted top to bottom (run here by bash, as a person would); it
 * announces itself in an instance file that `admin` uses; and the private keys it made and the
 * instance file are gone once it exits.
 */
class DevModeIT {

  private record Ran(String line, int exit, String output) {}

  @Test
  void devModeListensOnLoopbackOnlyItsPrintedCallsWorkAndItTakesItsFilesAlongWhenItExits() throws Exception {
    Path tmp = Files.createTempDirectory("lgw-dev-it");
    Path instanceFile = tmp.resolve("instance.json");
    int port = EmbeddedServers.freePort();
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-Djava.io.tmpdir=" + tmp, "-jar", Path.of("target", "license-gateway.jar").toString(), "dev")
        .redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("LGW_") || k.equals("LICENSE_API_SECRET"));
    builder.environment().put("LGW_HTTP_PORT", Integer.toString(port));
    builder.environment().put("LGW_DEV_INSTANCE_FILE", instanceFile.toString());
    Process dev = builder.start();
    String out;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!Files.readString(tmp.resolve("out.txt")).contains("# 5. Hand the machine back")
          && System.nanoTime() < deadline) {
        assertTrue(dev.isAlive(), Files.readString(tmp.resolve("out.txt")));
        Thread.sleep(200);
      }
      Thread.sleep(500); // the rest of the same println
      out = Files.readString(tmp.resolve("out.txt"));
      assertTrue(out.contains("dev mode is serving on http://127.0.0.1:" + port), out);
      assertTrue(connects(InetAddress.getLoopbackAddress(), port), "dev mode answers on loopback");
      // The console is in the jar, and dev mode says where it is and which key to paste.
      String console = "http://127.0.0.1:" + port + "/console/";
      assertTrue(out.contains("Vendor console: " + console) && out.matches("(?s).*API key\\s+lk_live_\\w{32}.*"), out);
      HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
      assertTrue(page.body().contains("src=\"js/app.js\""), page.body());
      for (InetAddress other : otherAddresses()) {
        assertFalse(connects(other, port), "dev mode listens on " + other);
      }
      assertEquals(1, keyDirs(tmp).size(), "the run's keys: " + keyDirs(tmp));

      // The URIs it started are printed and announced in the instance file.
      String postgres = printed(out, "Postgres");
      String redis = printed(out, "Redis");
      assertTrue(postgres.startsWith("postgresql://postgres@127.0.0.1:"), postgres);
      assertTrue(redis.startsWith("redis://127.0.0.1:"), redis);
      JsonObject instance = new JsonObject(Files.readString(instanceFile));
      assertEquals(postgres, instance.getString("postgres_uri"));
      assertEquals(redis, instance.getString("redis_uri"));
      assertEquals("http://127.0.0.1:" + port, instance.getString("base_url"));
      assertEquals(dev.pid(), instance.getLong("pid"));
      assertTrue(printed(out, "signing").matches("RSA-SHA256 key rsa-\\S+ by \\S+ \\(LGW_CRYPTO_PROVIDER=auto.*"),
          printed(out, "signing"));

      List<Ran> ran = runPrintedCalls(out, instanceFile);
      assertEachAnswersAsExpected(ran, out);
    } finally {
      out = Files.readString(tmp.resolve("out.txt"));
      dev.destroy(); // SIGTERM, as Ctrl-C would
      assertTrue(dev.waitFor(60, TimeUnit.SECONDS), "dev mode did not exit");
    }
    // Stopping is quiet: the gateway stops before the servers it uses, so nothing fails under it.
    String onStop = Files.readString(tmp.resolve("out.txt")).substring(out.length());
    assertFalse(onStop.contains("Exception") || onStop.contains(" WARN ") || onStop.contains(" ERROR "),
        "dev mode's stop printed: " + onStop);
    assertEquals(List.of(), keyDirs(tmp), "private keys left behind");
    assertFalse(Files.exists(instanceFile), "the instance file outlived dev mode");
  }

  /** Every command line under "Paste these", in order, through bash, from the project directory. */
  private static List<Ran> runPrintedCalls(String out, Path instanceFile) throws Exception {
    String section = out.substring(out.indexOf("Paste these top to bottom"));
    List<Ran> ran = new ArrayList<>();
    for (String raw : section.lines().toList()) {
      String line = raw.trim();
      if (!(line.startsWith("curl ") || line.startsWith("java ") || line.startsWith("LICENSE_API_SECRET="))) {
        continue;
      }
      ProcessBuilder shell = new ProcessBuilder("bash", "-c", line).redirectErrorStream(true);
      shell.environment().keySet().removeIf(k -> k.startsWith("LGW_") || k.equals("LICENSE_API_SECRET"));
      shell.environment().put("LGW_DEV_INSTANCE_FILE", instanceFile.toString());
      Process p = shell.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), line);
      ran.add(new Ran(line, p.exitValue(), output));
    }
    return ran;
  }

  private static void assertEachAnswersAsExpected(List<Ran> ran, String out) {
    String account = printed(out, "account id");
    String policy = printed(out, "policy id");
    String machine = "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea";
    // What each printed line must answer, by what it calls; every kind must be among the lines.
    Map<String, Predicate<String>> expected = new LinkedHashMap<>();
    expected.put(" call /api/v1/license/activate ", o -> o.startsWith("HTTP 200") && o.contains("\"status\":\"active\""));
    expected.put(" call /api/v1/license/validate ", o -> o.startsWith("HTTP 200") && o.contains("\"valid\":true"));
    expected.put(" call /api/v1/license/heartbeat ", o -> o.startsWith("HTTP 200") && o.contains("\"data\""));
    expected.put(" call /api/v1/license/status ", o -> o.startsWith("HTTP 200") && o.contains("\"data\""));
    expected.put("/api/v1/keys", o -> o.contains("\"keys\":[{"));
    expected.put("/license/validate -H", o -> o.contains("\"signature\"") && o.contains("\"status\":\"active\""));
    expected.put("/auth/validate -H", o -> o.contains("\"status\":\"success\"") && o.contains("\"session_token\""));
    expected.put("/v1/licenses/validate -H", o -> o.contains("\"valid\":true") && o.contains("\"code\":\"VALID\""));
    expected.put("/api/v1/validate -H", o -> o.contains("\"valid\":true"));
    expected.put("/api/v1/manage/account ", o -> o.contains("\"id\":\"" + account + "\""));
    expected.put("/api/v1/manage/policies/" + policy + " ", o -> o.contains("\"id\":\"" + policy + "\""));
    expected.put("/machines ", o -> o.contains(machine) && o.contains("\"has_more\":false"));
    expected.put("/api/v1/manage/licenses -H", o -> o.contains("\"policy_id\":\"" + policy + "\"")
        && o.contains("\"status\":\"active\""));
    expected.put(" admin set-credits ", o -> o.contains("using the dev instance") && o.contains("now has 100 credits"));
    expected.put(" admin add-credits ", o -> o.contains("now has 105 credits"));
    expected.put(" admin create-account ", o -> Pattern.compile("account_id: [0-9a-f-]{36}").matcher(o).find());
    expected.put(" call /api/v1/license/deactivate ", o -> o.startsWith("HTTP 200"));
    for (Map.Entry<String, Predicate<String>> e : expected.entrySet()) {
      assertEquals(1, ran.stream().filter(r -> r.line().contains(e.getKey())).count(),
          "one printed line calls '" + e.getKey() + "': " + ran.stream().map(Ran::line).toList());
    }
    assertEquals(expected.size(), ran.size(), "printed lines: " + ran.stream().map(Ran::line).toList());
    for (Ran r : ran) {
      Predicate<String> check = expected.entrySet().stream().filter(e -> r.line().contains(e.getKey()))
          .map(Map.Entry::getValue).findFirst().orElseThrow();
      assertEquals(0, r.exit(), r.line() + "\n" + r.output());
      assertTrue(check.test(r.output()), "unexpected answer to\n" + r.line() + "\n" + r.output());
    }
  }

  /** The value printed after a label in the header, e.g. "  policy id      P…   (…)". */
  private static String printed(String out, String label) {
    Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +(.+?)(?:   \\(.*)?$").matcher(out);
    assertTrue(m.find(), label + " not printed: " + out);
    return m.group(1).trim();
  }

  private static List<Path> keyDirs(Path tmp) throws IOException {
    try (var files = Files.list(tmp)) {
      return files.filter(p -> p.getFileName().toString().startsWith("lgw-dev-keys")).toList();
    }
  }

  private static List<InetAddress> otherAddresses() throws IOException {
    return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .flatMap(n -> Collections.list(n.getInetAddresses()).stream())
        .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
        .toList();
  }

  private static boolean connects(InetAddress address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
