package dev.licensegateway.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.licensegateway.config.ConfigLoader;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.http.ClientIp;
import dev.licensegateway.infra.IpAddresses;
import dev.licensegateway.signing.SigningAlg;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code compose.yaml}, the one-host production setup, held to the gateway it runs. No
 * Docker engine is needed: the file is parsed (SnakeYAML, which resolves the anchors and
 * merge keys Compose uses), {@code ${VAR}} references are interpolated from
 * {@code .env.example} as Compose would from {@code .env}, and every gateway instance's
 * environment is loaded through the gateway's own {@link ConfigLoader}. The proxy's and
 * Prometheus' configurations must name every instance, and Grafana must load the dashboard
 * of {@code k8s/}.
 */
class ComposeFileTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Set<String> SERVICES =
      Set.of("postgres", "redis", "keys-init", "gateway-1", "gateway-2", "proxy", "prometheus", "grafana");
  /** Compose interpolation: {@code $$} is a literal dollar; else {@code ${NAME}} with an optional modifier. */
  private static final Pattern INTERPOLATION =
      Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)");
  /** A variable name in the gateway's main sources: {@code "LGW_…"} or {@code "LICENSE_API_SECRET"}. */
  private static final Pattern READ_VARIABLE = Pattern.compile("\"((?:LGW_[A-Z0-9_]+)|LICENSE_API_SECRET)\"");
  /** Must be set for {@code run} to start (Main.run). */
  private static final Set<String> REQUIRED =
      Set.of("LGW_PG_URI", "LGW_REDIS_URI", "LICENSE_API_SECRET", "LGW_SIGNING_KEYS_DIR");

  private static String composeText;
  private static Map<String, String> envExample;
  private static Map<String, Object> services;
  private static String jibImage;
  private static String mainClass;

  @BeforeAll
  static void load() throws Exception {
    composeText = Files.readString(ROOT.resolve("compose.yaml"));
    envExample = dotenv(ROOT.resolve(".env.example"));
    Map<String, Object> compose = yaml(composeText);
    services = map(compose.get("services"), "services");
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
    var xpath = XPathFactory.newInstance().newXPath();
    jibImage = xpath.evaluate("//plugin[artifactId='jib-maven-plugin']/configuration/to/image", pom).trim();
    mainClass = xpath.evaluate("/project/properties/*[local-name()='main.class']", pom).trim();
    assertFalse(jibImage.isEmpty(), "pom.xml names no Jib <to><image>");
    assertFalse(mainClass.isEmpty(), "pom.xml has no main.class property");
  }

  // ---------------------------------------------------------------- the file itself

  @Test
  void everyServiceIsThere() {
    Set<String> missing = new TreeSet<>(SERVICES);
    missing.removeAll(services.keySet());
    assertTrue(missing.isEmpty(), "compose.yaml lacks services " + missing);
    assertEquals(List.of("gateway-1", "gateway-2"), gatewayServices(),
        "two gateway instances run the gateway image with its own entrypoint");
  }

  @Test
  void everyImageIsPinnedAndTheGatewayIsJibs() {
    for (String name : services.keySet()) {
      String image = interpolate(string(service(name), "image", name));
      String last = image.substring(image.lastIndexOf('/') + 1);
      assertTrue(last.contains(":") || image.contains("@sha256:"), name + ": image without a tag: " + image);
      assertFalse(last.endsWith(":latest"), name + ": never latest: " + image);
    }
    for (String name : gatewayServices()) {
      assertEquals(jibImage, interpolate(string(service(name), "image", name)),
          name + " must run the image Jib builds (pom.xml)");
    }
    assertEquals(jibImage, interpolate(string(service("keys-init"), "image", "keys-init")),
        "keys-init runs the gateway image's `keys generate`");
  }

  @Test
  void envExampleNamesEveryInterpolatedVariable() throws IOException {
    Set<String> used = new TreeSet<>();
    Set<String> mandatory = new TreeSet<>();
    Matcher m = INTERPOLATION.matcher(composeText);
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(4);
      if (name != null) {
        used.add(name);
        if (m.group(2) != null && m.group(2).endsWith("?")) {
          mandatory.add(name);
        }
      }
    }
    assertFalse(used.isEmpty(), "compose.yaml interpolates nothing: secrets would be literals");
    Set<String> missing = new TreeSet<>(used);
    missing.removeAll(envExample.keySet());
    assertTrue(missing.isEmpty(), ".env.example does not name " + missing);
    for (String name : mandatory) {
      assertFalse(envExample.get(name).isBlank(), ".env.example leaves " + name + " empty");
    }
    assertTrue(mandatory.containsAll(Set.of("POSTGRES_PASSWORD", "REDIS_PASSWORD", "LICENSE_API_SECRET")),
        "secrets must be required from .env (${VAR:?…}), never defaulted: " + mandatory);
    List<String> ignored = Files.readAllLines(ROOT.resolve(".gitignore")).stream().map(String::trim).toList();
    assertTrue(ignored.contains(".env"), ".env holds the secrets: .gitignore must list it");
  }

  @Test
  void boundFilesExist() {
    for (String name : services.keySet()) {
      for (Object volume : list(service(name).get("volumes"))) {
        String spec = String.valueOf(volume);
        if (spec.startsWith("./")) {
          Path source = ROOT.resolve(spec.substring(0, spec.indexOf(':'))).normalize();
          assertTrue(Files.exists(source), name + " mounts " + source + ", which does not exist");
        }
      }
    }
  }

  @Test
  void publishedHostPortsAreDistinct() {
    List<String> published = new ArrayList<>();
    for (String name : services.keySet()) {
      for (Object port : list(service(name).get("ports"))) {
        String spec = interpolate(String.valueOf(port));
        published.add(spec.substring(0, spec.lastIndexOf(':')));
      }
    }
    assertEquals(published.size(), Set.copyOf(published).size(), "a host port is published twice: " + published);
    for (String name : gatewayServices()) {
      assertTrue(list(service(name).get("ports")).isEmpty(), name + " must be reached through the proxy only");
    }
  }

  // ---------------------------------------------------------------- the gateway's configuration

  @Test
  void gatewaysSetOnlyVariablesTheGatewayReads() throws IOException {
    Set<String> read = variablesTheGatewayReads();
    assertTrue(read.containsAll(REQUIRED), "the source scan found " + read);
    for (String name : gatewayServices()) {
      Map<String, String> env = environment(name);
      Set<String> unknown = env.keySet().stream()
          .filter(k -> k.startsWith("LGW_") || k.startsWith("LICENSE_"))
          .filter(k -> !read.contains(k))
          .collect(Collectors.toCollection(TreeSet::new));
      assertTrue(unknown.isEmpty(), name + " sets variables the gateway never reads: " + unknown);
      Set<String> missing = new TreeSet<>(REQUIRED);
      missing.removeAll(env.keySet());
      assertTrue(missing.isEmpty(), name + " lacks variables `run` requires: " + missing);
    }
  }

  @Test
  void gatewayEnvironmentLoadsAndReachesTheOtherServices() {
    Map<String, String> postgres = environment("postgres");
    Map<String, String> redis = environment("redis");
    for (String name : gatewayServices()) {
      GatewayConfig config = ConfigLoader.load(environment(name));
      assertTrue(config.postgres().configured() && config.redis().configured(), name);
      assertNotNull(config.nativeApi().secret(), name + ": LICENSE_API_SECRET");
      SigningAlg.fromWireName(config.signing().alg());

      PgConnectOptions pg = PgConnectOptions.fromUri(config.postgres().uri());
      assertTrue(services.containsKey(pg.getHost()), name + ": LGW_PG_URI names no service: " + pg.getHost());
      assertEquals("postgres", pg.getHost(), name);
      assertEquals(5432, pg.getPort(), name);
      assertEquals(postgres.get("POSTGRES_DB"), pg.getDatabase(), name + ": database");
      assertEquals(postgres.get("POSTGRES_USER"), pg.getUser(), name + ": user");
      assertEquals(postgres.get("POSTGRES_PASSWORD"), pg.getPassword(), name + ": password");

      URI redisUri = URI.create(config.redis().uri());
      assertEquals("redis", redisUri.getHost(), name);
      assertEquals(6379, redisUri.getPort(), name);
      List<String> redisCommand = list(service("redis").get("command")).stream()
          .map(c -> interpolate(String.valueOf(c))).toList();
      int requirepass = redisCommand.indexOf("--requirepass");
      assertTrue(requirepass >= 0, "Redis must require a password: " + redisCommand);
      assertEquals(":" + redisCommand.get(requirepass + 1), redisUri.getUserInfo(),
          name + ": LGW_REDIS_URI must carry the password Redis requires");
      assertEquals(redisCommand.get(requirepass + 1), redis.get("REDISCLI_AUTH"), "the healthcheck's password");

      assertEquals(List.of(String.valueOf(config.http().port())),
          list(service(name).get("expose")).stream().map(String::valueOf).toList(), name + " exposes its LGW_HTTP_PORT");

      // SIGTERM: the drain and the grace period must fit before Compose kills the container.
      long stopMs = Duration.parse("PT" + string(service(name), "stop_grace_period", name).toUpperCase()).toMillis();
      long needMs = config.shutdown().drainDelayMs() + config.shutdown().graceMs();
      assertTrue(needMs < stopMs, name + ": drain " + needMs + " ms does not fit stop_grace_period " + stopMs + " ms");
    }
  }

  @Test
  void gatewaysWaitForTheirDependenciesAndTheKeys() {
    for (String name : gatewayServices()) {
      Map<String, Object> dependsOn = map(service(name).get("depends_on"), name + ".depends_on");
      assertEquals("service_healthy", string(map(dependsOn.get("postgres"), "postgres"), "condition", name));
      assertEquals("service_healthy", string(map(dependsOn.get("redis"), "redis"), "condition", name));
      assertEquals("service_completed_successfully",
          string(map(dependsOn.get("keys-init"), "keys-init"), "condition", name));
    }
    assertNotNull(service("postgres").get("healthcheck"), "postgres needs a healthcheck for service_healthy");
    assertNotNull(service("redis").get("healthcheck"), "redis needs a healthcheck for service_healthy");
  }

  @Test
  void keysInitFillsTheVolumeTheGatewaysRead() {
    Map<String, Object> init = service("keys-init");
    String script = String.join(" ", list(init.get("entrypoint")).stream().map(String::valueOf).toList());
    Matcher dir = Pattern.compile("keys generate --alg ([^\\s;&]+) --dir ([^\\s;&]+)").matcher(script);
    Set<String> algs = new TreeSet<>();
    Set<String> dirs = new TreeSet<>();
    while (dir.find()) {
      algs.add(SigningAlg.fromWireName(dir.group(1)).wireName());
      dirs.add(dir.group(2));
    }
    assertEquals(1, dirs.size(), "keys-init writes every key into one directory: " + dirs);
    String initDir = dirs.iterator().next();
    assertTrue(algs.contains("RSA-SHA256"), "/license/* always signs with RSA: keys-init must make an RSA key");
    assertTrue(script.contains(mainClass) && script.contains("@/app/jib-classpath-file"),
        "keys-init starts " + mainClass + " from the Jib image's class path: " + script);
    String initVolume = volumeAt(init, initDir);
    assertNotNull(initVolume, "keys-init writes " + initDir + ", which is no volume");
    for (String name : gatewayServices()) {
      GatewayConfig config = ConfigLoader.load(environment(name));
      assertTrue(algs.contains(SigningAlg.fromWireName(config.signing().alg()).wireName()),
          name + " signs with " + config.signing().alg() + ", which keys-init does not generate");
      assertEquals(initVolume, volumeAt(service(name), config.signing().keysDir()),
          name + ": LGW_SIGNING_KEYS_DIR must be the volume keys-init fills");
    }
  }

  // ---------------------------------------------------------------- proxy, Prometheus, Grafana

  @Test
  void proxyBalancesEveryInstanceAndIsTheOnlyTrustedForwarder() throws IOException {
    Map<String, Object> proxy = service("proxy");
    String caddyfile = Files.readString(mountedFile(proxy, "/etc/caddy/Caddyfile"));
    Matcher upstreams = Pattern.compile("reverse_proxy\\s+([^{\\n]+)").matcher(caddyfile);
    assertTrue(upstreams.find(), "no reverse_proxy in the Caddyfile");
    Set<String> named = Set.of(upstreams.group(1).trim().split("\\s+"));
    Set<String> expected = new TreeSet<>();
    for (String name : gatewayServices()) {
      expected.add(name + ":" + ConfigLoader.load(environment(name)).http().port());
    }
    assertEquals(expected, new TreeSet<>(named), "the proxy's upstreams must be every gateway instance");
    assertTrue(caddyfile.contains("health_uri /health/ready"), "the proxy must take a draining instance out");

    Matcher listen = Pattern.compile("(?m)^:(\\d+)\\s*\\{").matcher(caddyfile);
    assertTrue(listen.find(), "the Caddyfile listens on no port");
    List<String> ports = list(proxy.get("ports")).stream().map(p -> interpolate(String.valueOf(p))).toList();
    assertTrue(ports.stream().anyMatch(p -> p.endsWith(":" + listen.group(1))),
        "the proxy publishes " + ports + " but listens on " + listen.group(1));

    String proxyIp = string(map(map(proxy.get("networks"), "proxy.networks").get("backend"), "backend"),
        "ipv4_address", "proxy");
    for (String name : gatewayServices()) {
      List<String> trusted = ConfigLoader.load(environment(name)).trustedProxies();
      new ClientIp(trusted); // every entry must parse as the gateway parses it
      assertTrue(trusted.stream().anyMatch(c -> IpAddresses.Cidr.parse(c).contains(proxyIp)),
          name + ": LGW_TRUSTED_PROXIES " + trusted + " does not cover the proxy at " + proxyIp);
    }
  }

  @Test
  void prometheusScrapesEveryInstanceAsTheDashboardExpects() throws IOException {
    Map<String, Object> prometheus = yaml(Files.readString(mountedFile(service("prometheus"),
        "/etc/prometheus/prometheus.yml")));
    String dashboard = Files.readString(ROOT.resolve("k8s/dashboards/license-gateway.json"));
    Matcher job = Pattern.compile("job=\\\\\"([^\\\\]+)\\\\\"").matcher(dashboard);
    assertTrue(job.find(), "the dashboard selects no job");
    Map<String, Object> scrape = list(prometheus.get("scrape_configs")).stream()
        .map(c -> map(c, "scrape_config"))
        .filter(c -> job.group(1).equals(c.get("job_name")))
        .findFirst().orElseThrow(() -> new AssertionError("no scrape job named " + job.group(1)));
    assertEquals("/metrics", scrape.get("metrics_path"));
    Map<String, String> podByTarget = new LinkedHashMap<>();
    for (Object group : list(scrape.get("static_configs"))) {
      Map<String, Object> labels = map(map(group, "static_config").get("labels"), "labels");
      // The dashboard filters on namespace and groups by pod, as the Prometheus Operator labels them.
      assertNotNull(labels.get("namespace"), "targets need a namespace label for the dashboard");
      for (Object target : list(map(group, "static_config").get("targets"))) {
        podByTarget.put(String.valueOf(target), String.valueOf(labels.get("pod")));
      }
    }
    Map<String, String> expected = new LinkedHashMap<>();
    for (String name : gatewayServices()) {
      expected.put(name + ":" + ConfigLoader.load(environment(name)).http().port(), name);
    }
    assertEquals(expected, podByTarget, "Prometheus must scrape every gateway instance, labelled by pod");
  }

  @Test
  void grafanaLoadsTheKubernetesDashboardFromPrometheus() throws IOException {
    Map<String, Object> grafana = service("grafana");
    String dashboardsAt = null;
    for (Object volume : list(grafana.get("volumes"))) {
      String[] parts = String.valueOf(volume).split(":");
      if (Path.of(parts[0]).normalize().equals(Path.of("k8s/dashboards"))) {
        dashboardsAt = parts[1];
      }
    }
    assertNotNull(dashboardsAt, "Grafana must mount ./k8s/dashboards itself, not a copy");
    Path provisioning = mountedFile(grafana, "/etc/grafana/provisioning");
    List<String> paths = new ArrayList<>();
    try (Stream<Path> files = Files.list(provisioning.resolve("dashboards"))) {
      for (Path file : files.toList()) {
        for (Object provider : list(yaml(Files.readString(file)).get("providers"))) {
          paths.add(String.valueOf(map(map(provider, "provider").get("options"), "options").get("path")));
        }
      }
    }
    assertTrue(paths.contains(dashboardsAt), "no dashboard provider reads " + dashboardsAt + ": " + paths);
    List<String> urls = new ArrayList<>();
    try (Stream<Path> files = Files.list(provisioning.resolve("datasources"))) {
      for (Path file : files.toList()) {
        for (Object source : list(yaml(Files.readString(file)).get("datasources"))) {
          Map<String, Object> ds = map(source, "datasource");
          if ("prometheus".equals(ds.get("type"))) {
            urls.add(String.valueOf(ds.get("url")));
          }
        }
      }
    }
    assertEquals(List.of("http://prometheus:9090"), urls, "one Prometheus data source, the prometheus service");
    assertTrue(list(service("prometheus").get("ports")).toString().contains("9090"));
  }

  // ---------------------------------------------------------------- helpers

  /** The services that run the gateway image with its own entrypoint (`run`). */
  private static List<String> gatewayServices() {
    return services.keySet().stream()
        .filter(name -> jibImage.equals(interpolate(String.valueOf(service(name).get("image")))))
        .filter(name -> service(name).get("entrypoint") == null && service(name).get("command") == null)
        .sorted().toList();
  }

  /** Every variable name the gateway's main code reads, by the names it spells out. */
  private static Set<String> variablesTheGatewayReads() throws IOException {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(ROOT.resolve("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = READ_VARIABLE.matcher(Files.readString(file));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    // ConfigLoader reads each bucket as <prefix>_CAPACITY and <prefix>_REFILL.
    for (String prefix : List.copyOf(names)) {
      if (prefix.startsWith("LGW_RL_") && !prefix.endsWith("_")) {
        names.add(prefix + "_CAPACITY");
        names.add(prefix + "_REFILL");
      }
    }
    return names;
  }

  /** A service's environment, interpolated as Compose would with .env = .env.example. */
  private static Map<String, String> environment(String name) {
    Object env = service(name).get("environment");
    Map<String, String> out = new LinkedHashMap<>();
    if (env instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : interpolate(String.valueOf(v))));
    } else if (env != null) {
      for (Object entry : list(env)) {
        String e = String.valueOf(entry);
        out.put(e.substring(0, e.indexOf('=')), interpolate(e.substring(e.indexOf('=') + 1)));
      }
    }
    return out;
  }

  private static String interpolate(String value) {
    Matcher m = INTERPOLATION.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else {
        String name = m.group(1) != null ? m.group(1) : m.group(4);
        String set = envExample.get(name);
        String modifier = m.group(2);
        if (modifier != null && modifier.endsWith("?") && (set == null || set.isEmpty() && modifier.startsWith(":"))) {
          fail("${" + name + "} is required (" + m.group(3) + ") and .env.example does not set it");
        }
        boolean useDefault = modifier != null && modifier.endsWith("-")
            && (set == null || set.isEmpty() && modifier.startsWith(":"));
        replacement = useDefault ? m.group(3) : set == null ? "" : set;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The named volume mounted at {@code path} in a service, or null. */
  private static String volumeAt(Map<String, Object> service, String path) {
    for (Object volume : list(service.get("volumes"))) {
      String[] parts = String.valueOf(volume).split(":");
      if (parts.length >= 2 && parts[1].equals(path) && !parts[0].startsWith(".") && !parts[0].startsWith("/")) {
        return parts[0];
      }
    }
    return null;
  }

  /** The repository file a service mounts at {@code target}. */
  private static Path mountedFile(Map<String, Object> service, String target) {
    for (Object volume : list(service.get("volumes"))) {
      String[] parts = String.valueOf(volume).split(":");
      if (parts.length >= 2 && parts[1].equals(target) && parts[0].startsWith("./")) {
        Path file = ROOT.resolve(parts[0]).normalize();
        assertTrue(Files.exists(file), file + " does not exist");
        return file;
      }
    }
    throw new AssertionError("nothing from the repository is mounted at " + target);
  }

  private static Map<String, String> dotenv(Path file) throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      String l = line.trim();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int eq = l.indexOf('=');
      assertTrue(eq > 0, file + ": not KEY=VALUE: " + line);
      values.put(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
    }
    return values;
  }

  private static Map<String, Object> yaml(String text) {
    return map(new Yaml(new SafeConstructor(new LoaderOptions())).load(text), "document");
  }

  private static Map<String, Object> service(String name) {
    return map(services.get(name), "service " + name);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value, String what) {
    if (!(value instanceof Map<?, ?>)) {
      throw new AssertionError(what + " is not a mapping: " + value);
    }
    return (Map<String, Object>) value;
  }

  private static List<?> list(Object value) {
    return value == null ? List.of() : value instanceof List<?> l ? l : List.of(value);
  }

  private static String string(Map<String, Object> map, String key, String where) {
    Object value = map.get(key);
    if (value == null) {
      throw new AssertionError(where + " has no " + key);
    }
    return value instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList()) : value.toString();
  }
}
