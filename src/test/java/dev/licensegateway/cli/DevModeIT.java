package dev.licensegateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.dev.EmbeddedServers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * `dev` on the built jar: it prints an all-scope key, so it listens on loopback only, and
 * the private keys it made for the run are gone once it exits.
 */
class DevModeIT {

  @Test
  void devModeListensOnLoopbackOnlyAndTakesItsKeysAlongWhenItExits() throws Exception {
    Path tmp = Files.createTempDirectory("lgw-dev-it");
    int port = EmbeddedServers.freePort();
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-Djava.io.tmpdir=" + tmp, "-jar", Path.of("target", "license-gateway.jar").toString(), "dev")
        .redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("LGW_") || k.equals("LICENSE_API_SECRET"));
    builder.environment().put("LGW_HTTP_PORT", Integer.toString(port));
    Process dev = builder.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!Files.readString(tmp.resolve("out.txt")).contains("dev mode is serving") && System.nanoTime() < deadline) {
        assertTrue(dev.isAlive(), Files.readString(tmp.resolve("out.txt")));
        Thread.sleep(200);
      }
      assertTrue(connects(InetAddress.getLoopbackAddress(), port), "dev mode answers on loopback");
      // The console is in the jar, and dev mode says where it is and which key to paste.
      String out = Files.readString(tmp.resolve("out.txt"));
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
    } finally {
      dev.destroy(); // SIGTERM, as Ctrl-C would
      assertTrue(dev.waitFor(60, TimeUnit.SECONDS), "dev mode did not exit");
    }
    assertEquals(List.of(), keyDirs(tmp), "private keys left behind");
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
