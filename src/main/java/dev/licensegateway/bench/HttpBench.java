package dev.licensegateway.bench;

import dev.licensegateway.dev.EmbeddedServers;
import dev.licensegateway.signing.SigningAlg;
import dev.licensegateway.signing.SigningKeys;
import dev.licensegateway.store.Migrations;
import io.vertx.pgclient.PgConnectOptions;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code bench http}: the project's benchmark, in one command. Measures a bare Vert.x server
 * (the anchor: what this machine, JVM and load generator allow at all), then the gateway
 * running as {@code run} on the configured Postgres and Redis, endpoint by endpoint, and
 * prints a Markdown report: peak rate and latency (closed loop), latency at half that rate
 * from each request's intended send time (open loop), and CPU per request of the gateway,
 * Postgres and Redis. A harness that prints figures, never a test.
 */
public final class HttpBench {

  static final String DEFAULT_JVM_FLAGS = "-Xms768m -Xmx768m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError";
  /** High enough that no bucket empties during a run: the benchmark measures answers, not 429s. */
  private static final String UNLIMITED = "1000000000";
  private static final String DASH = "—";

  /** The command line. */
  record Options(SigningAlg alg, int connections, double warmup, double seconds, int licenses,
      List<String> endpoints, boolean quick, String jvmFlags) {

    static Options parse(List<String> argv) {
      try {
        return parseOrThrow(argv);
      } catch (IllegalArgumentException e) {
        throw new BadOption(e.getMessage());
      }
    }

    private static Options parseOrThrow(List<String> argv) {
      Map<String, String> values = new LinkedHashMap<>();
      boolean quick = false;
      for (int i = 0; i < argv.size(); i++) {
        String a = argv.get(i);
        switch (a) {
          case "--quick" -> quick = true;
          case "--alg", "--connections", "--warmup", "--seconds", "--licenses", "--endpoints", "--jvm-flags" -> {
            if (i + 1 >= argv.size()) {
              throw new IllegalArgumentException(a + " needs a value");
            }
            values.put(a, argv.get(++i));
          }
          default -> throw new IllegalArgumentException("bench http: unknown option '" + a + "'");
        }
      }
      List<String> endpoints = values.containsKey("--endpoints")
          ? Arrays.stream(values.get("--endpoints").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()
          : BenchEndpoints.ALL;
      for (String e : endpoints) {
        if (!BenchEndpoints.ALL.contains(e)) {
          throw new IllegalArgumentException("unknown endpoint '" + e + "'; known: " + String.join(",", BenchEndpoints.ALL));
        }
      }
      Options o = new Options(
          SigningAlg.fromWireName(values.getOrDefault("--alg", "Ed25519")),
          number(values, "--connections", "64", Integer::parseInt, "a whole number"),
          number(values, "--warmup", quick ? "2" : "30", Double::parseDouble, "a number"),
          number(values, "--seconds", quick ? "3" : "30", Double::parseDouble, "a number"),
          number(values, "--licenses", "500", Integer::parseInt, "a whole number"),
          endpoints, quick, values.getOrDefault("--jvm-flags", DEFAULT_JVM_FLAGS));
      if (o.connections < 1 || o.licenses < 1 || !(o.seconds > 0) || o.warmup < 0) {
        throw new IllegalArgumentException("--connections and --licenses must be >= 1, --seconds > 0, --warmup >= 0");
      }
      return o;
    }

    private static <T> T number(Map<String, String> values, String name, String fallback,
        java.util.function.Function<String, T> parse, String what) {
      return Bench.parsed(name, values.getOrDefault(name, fallback), parse, what);
    }

    String describe() {
      return "--alg " + alg.wireName() + " --connections " + connections + " --warmup " + num(warmup)
          + " --seconds " + num(seconds) + " --licenses " + licenses + " --endpoints " + String.join(",", endpoints)
          + (quick ? " --quick" : "");
    }
  }

  /** A command line that does not parse: answered with the usage. */
  public static final class BadOption extends IllegalArgumentException {
    BadOption(String message) {
      super(message);
    }
  }

  /** One endpoint's figures. */
  record Row(String name, LoadGenerator.Result closed, Cpu closedCpu, double openTarget, LoadGenerator.Result open,
      Cpu openCpu) {}

  /** CPU per request over one measured run, in microseconds; NaN where the process is not visible. */
  record Cpu(double server, double postgres, double redis, double loadGenerator, double other, double machineBusy,
      double steal) {}

  /** What /proc said at one instant, with the number of answers received by then. */
  private record Snapshot(long answers, OptionalLong server, OptionalLong postgres, OptionalLong redis,
      OptionalLong self, long[] machine) {}

  private final Options options;
  private final String pgUri;
  private final String redisUri;
  private final long clockTicks = ProcCpu.clockTicks();
  private final long selfPid = ProcessHandle.current().pid();
  private final Deque<Runnable> cleanups = new ArrayDeque<>();
  private final AtomicBoolean cleaned = new AtomicBoolean();
  private long postgresPid = -1;
  private long redisPid = -1;
  private String postgresVersion = "?";
  private String redisVersion = "?";
  private Child child;
  private LoadGenerator load;
  private final List<String> background = new ArrayList<>();

  private HttpBench(Options options, String pgUri, String redisUri) {
    this.options = options;
    this.pgUri = pgUri;
    this.redisUri = redisUri;
  }

  public static void run(List<String> argv) throws Exception {
    Options options = Options.parse(argv);
    String pg = System.getenv("LGW_PG_URI");
    String redis = System.getenv("LGW_REDIS_URI");
    boolean pgSet = pg != null && !pg.isBlank();
    boolean redisSet = redis != null && !redis.isBlank();
    if (pgSet != redisSet) {
      throw new IllegalStateException("bench http needs both LGW_PG_URI and LGW_REDIS_URI, or neither "
          + "(then it starts embedded Postgres and Redis for the run)");
    }
    EmbeddedServers embedded = null;
    if (!pgSet) {
      progress("LGW_PG_URI and LGW_REDIS_URI are not set: starting embedded Postgres and Redis for this run "
          + "(their figures are those of the embedded builds)");
      embedded = EmbeddedServers.start();
      pg = embedded.postgresUri();
      redis = embedded.redisUri();
    }
    HttpBench bench = new HttpBench(options, pg.trim(), redis.trim());
    if (embedded != null) {
      bench.cleanups.addLast(embedded::close); // last: after the gateway child has stopped
    }
    Thread hook = new Thread(bench::cleanUp, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      bench.measure();
    } finally {
      bench.cleanUp();
    }
  }

  /**
   * What the gateway under test is started with besides its port, secret and keys: every
   * rate-limit bucket raised out of reach, so that the benchmark measures answers, not 429s
   * ({@code BenchGatewayEnvTest} holds this against every bucket the configuration has).
   */
  static Map<String, String> unlimitedBuckets() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String bucket : List.of("LICENSE", "IP", "API_KEY", "PRODUCT_KEY")) {
      env.put("LGW_RL_" + bucket + "_CAPACITY", UNLIMITED);
      env.put("LGW_RL_" + bucket + "_REFILL", UNLIMITED);
    }
    return env;
  }

  private void measure() throws Exception {
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Path work = Files.createTempDirectory("lgw-bench-");
    cleanups.push(() -> deleteTree(work));
    Path keys = Files.createDirectory(work.resolve("keys"));

    progress("migrating and seeding %d licenses into a new account", options.licenses);
    Migrations.apply(pgUri);
    BenchSeed.Fixture fixture = BenchSeed.seed(pgUri, options.licenses);
    findServers();
    background.add("seeded account " + fixture.accountId() + " (" + options.licenses
        + " licenses, one machine each; the rows stay)");

    SigningKeys.generate(options.alg, keys);
    if (options.alg != SigningAlg.RSA_SHA256) {
      // docs/dialects.md: /license answers are RSA-SHA256 whatever the native algorithm, as in production.
      SigningKeys.generate(SigningAlg.RSA_SHA256, keys);
    }
    String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));

    load = new LoadGenerator(options.connections);
    cleanups.push(load::close);

    background.add("other clients connected before the run: " + otherClients()
        + " (their work counts in the Postgres and Redis CPU)");
    background.add(idle("idle machine before the anchor"));

    // The anchor: same JVM flags, same connections, same measurement.
    int anchorPort = freePort();
    child = Child.start("anchor", command("dev.licensegateway.bench.BareServer", List.of(Integer.toString(anchorPort)),
        false), Map.of(), work.resolve("anchor.log"));
    cleanups.push(this::stopChild);
    child.awaitReady(anchorPort, Duration.ofSeconds(60));
    Row anchor = endpoint(BenchEndpoints.anchor(fixture), anchorPort);
    stopChild();

    int port = freePort();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LGW_HTTP_PORT", Integer.toString(port));
    env.put("LICENSE_API_SECRET", secret);
    env.put("LGW_SIGNING_ALG", options.alg.wireName());
    env.put("LGW_SIGNING_KEYS_DIR", keys.toString());
    env.putAll(unlimitedBuckets());
    env.put("LGW_DRAIN_DELAY_MS", "0");
    env.put("LGW_SHUTDOWN_GRACE_MS", "2000");
    child = Child.start("gateway", command("dev.licensegateway.Main", List.of("run"), true), env,
        work.resolve("gateway.log"));
    child.awaitReady(port, Duration.ofSeconds(120));

    progress("activating %d (license, machine) pairs through the native API", options.licenses);
    LoadGenerator.Result activation = load.each("127.0.0.1", port,
        BenchEndpoints.of("native-activate", fixture, secret), options.licenses)
        .await(120, TimeUnit.SECONDS);
    if (activation.failed() > 0) {
      throw new IllegalStateException("activation failed for " + activation.failed() + " of " + options.licenses
          + " licenses: " + activation.failures() + " " + activation.samples());
    }

    background.add(idle("gateway started, activated and idle"));
    List<Row> rows = new ArrayList<>();
    for (String name : options.endpoints) {
      rows.add(endpoint(BenchEndpoints.of(name, fixture, secret), port));
    }
    stopChild();
    report(started, anchor, rows);
  }

  /** Closed loop (warm-up, then measured), then open loop at half the measured peak. */
  private Row endpoint(LoadGenerator.Target target, int port) throws Exception {
    progress("%s: closed loop, %d connections, %s s warm-up + %s s", target.name(), options.connections,
        num(options.warmup), num(options.seconds));
    long now = System.nanoTime();
    long measureStart = now + (long) (options.warmup * 1e9);
    long measureEnd = measureStart + (long) (options.seconds * 1e9);
    var closedRun = load.closed("127.0.0.1", port, target, measureStart, measureEnd);
    sleepUntil(measureStart);
    Snapshot a = snapshot();
    sleepUntil(measureEnd);
    Snapshot b = snapshot();
    LoadGenerator.Result closed = closedRun.await((long) options.seconds + 120, TimeUnit.SECONDS);
    Cpu closedCpu = cpu(a, b);
    progress("%s: %,.0f req/s, p50 %s ms, p99 %s ms, failures %s", target.name(), closed.rate(), ms(closed.ms(50)),
        ms(closed.ms(99)), closed.failures());

    double rate = closed.rate() / 2;
    if (closed.answered() == 0 || rate < 1) {
      return new Row(target.name(), closed, closedCpu, 0, null, null);
    }
    progress("%s: open loop at %,.0f req/s for %s s", target.name(), rate, num(options.seconds));
    long start = System.nanoTime() + 200_000_000L;
    long end = start + (long) (options.seconds * 1e9);
    var openRun = load.open("127.0.0.1", port, target, rate, start, end);
    sleepUntil(start);
    Snapshot c = snapshot();
    sleepUntil(end);
    Snapshot d = snapshot();
    LoadGenerator.Result open;
    try {
      open = openRun.await((long) options.seconds + 120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(target.name() + ": the open-loop run did not finish; "
          + load.outstanding() + " requests unanswered", e);
    }
    progress("%s: open loop achieved %,.0f req/s, p50 %s ms, p99 %s ms, p99.9 %s ms", target.name(), open.rate(),
        ms(open.ms(50)), ms(open.ms(99)), ms(open.ms(99.9)));
    return new Row(target.name(), closed, closedCpu, rate, open, cpu(c, d));
  }

  /** CPU with no load from this harness, as shares of one core: what runs on the machine anyway. */
  private String idle(String what) throws InterruptedException {
    double seconds = options.quick ? 1 : 3;
    Snapshot a = snapshot();
    long t0 = System.nanoTime();
    Thread.sleep((long) (seconds * 1000));
    Snapshot b = snapshot();
    double elapsed = (System.nanoTime() - t0) / 1e9;
    double[] known = {0};
    java.util.function.BiFunction<OptionalLong, OptionalLong, String> core = (x, y) -> {
      if (x.isEmpty() || y.isEmpty()) {
        return "n/a";
      }
      double share = (y.getAsLong() - x.getAsLong()) * 100.0 / clockTicks / elapsed;
      known[0] += share;
      return String.format("%.0f %%", Math.abs(share) < 0.5 ? 0.0 : share);
    };
    String line = what + " (" + num(seconds) + " s), % of one core: " + (child == null ? ""
        : "server JVM " + core.apply(a.server, b.server) + ", ")
        + "Postgres " + core.apply(a.postgres, b.postgres) + ", Redis " + core.apply(a.redis, b.redis)
        + ", load gen " + core.apply(a.self, b.self);
    if (a.machine != null && b.machine != null) {
      double busy = (b.machine[0] - a.machine[0]) * 100.0 / clockTicks / elapsed;
      double rest = busy - known[0];
      line += String.format(", rest %.0f %%; machine busy %.0f %% of %s cores", Math.abs(rest) < 0.5 ? 0.0 : rest,
          100.0 * (b.machine[0] - a.machine[0]) / Math.max(1, b.machine[2] - a.machine[2]), nproc());
    }
    progress("%s", line);
    return line;
  }

  /** Connections other than this harness's to the same Postgres and Redis. */
  private String otherClients() {
    String pg;
    PgConnectOptions o = PgConnectOptions.fromUri(pgUri);
    try (Connection c = DriverManager.getConnection(Migrations.jdbcUrl(o), o.getUser(), o.getPassword());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity "
            + "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
      rs.next();
      pg = Long.toString(rs.getLong(1));
    } catch (Exception e) {
      pg = "?";
    }
    String redis;
    try {
      long clients = Long.parseLong(redisInfo(URI.create(redisUri.split(",")[0].trim()), "clients")
          .getOrDefault("connected_clients", "0"));
      redis = Long.toString(clients - 1);
    } catch (Exception e) {
      redis = "?";
    }
    return "Postgres " + pg + ", Redis " + redis;
  }

  private Snapshot snapshot() {
    long answers = load.completions();
    OptionalLong server = child == null ? OptionalLong.empty() : ProcCpu.ticks(child.pid());
    OptionalLong postgres = postgresPid > 0 ? ProcCpu.treeTicks(postgresPid) : OptionalLong.empty();
    OptionalLong redis = redisPid > 0 ? ProcCpu.ticks(redisPid) : OptionalLong.empty();
    return new Snapshot(answers, server, postgres, redis, ProcCpu.ticks(selfPid), ProcCpu.machine());
  }

  private Cpu cpu(Snapshot a, Snapshot b) {
    long requests = b.answers - a.answers;
    double server = perRequest(a.server, b.server, requests);
    double postgres = perRequest(a.postgres, b.postgres, requests);
    double redis = perRequest(a.redis, b.redis, requests);
    double self = perRequest(a.self, b.self, requests);
    double other = Double.NaN;
    double busy = Double.NaN;
    double steal = Double.NaN;
    if (a.machine != null && b.machine != null && requests > 0) {
      double machine = (b.machine[0] - a.machine[0]) * 1e6 / clockTicks / requests;
      double known = Stream.of(server, postgres, redis, self).filter(v -> !Double.isNaN(v))
          .mapToDouble(Double::doubleValue).sum();
      other = machine - known;
      long total = b.machine[2] - a.machine[2];
      busy = total == 0 ? Double.NaN : 100.0 * (b.machine[0] - a.machine[0]) / total;
      steal = total == 0 ? Double.NaN : 100.0 * (b.machine[1] - a.machine[1]) / total;
    }
    return new Cpu(server, postgres, redis, self, other, busy, steal);
  }

  private double perRequest(OptionalLong before, OptionalLong after, long requests) {
    if (before.isEmpty() || after.isEmpty() || requests <= 0) {
      return Double.NaN;
    }
    return (after.getAsLong() - before.getAsLong()) * 1e6 / clockTicks / requests;
  }

  // ---------------------------------------------------------------- report

  private void report(Instant started, Row anchor, List<Row> rows) {
    StringBuilder out = new StringBuilder();
    out.append("### bench http, ").append(started).append("\n\n");
    out.append("- machine: nproc ").append(nproc()).append(", ").append(cpuModel()).append(", ")
        .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
        .append("; load generator in the harness JVM on the same machine\n");
    out.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append("; anchor and gateway children: `")
        .append(options.jvmFlags).append("`\n");
    out.append("- Postgres ").append(postgresVersion).append(" at ").append(hostPort(PgConnectOptions.fromUri(pgUri)))
        .append(", Redis ").append(redisVersion).append(" at ").append(redisUri.replaceAll("//[^@/]*@", "//"))
        .append("; gateway signs with ").append(options.alg.wireName()).append(", rate limits raised out of reach\n");
    out.append("- options: `").append(options.describe()).append("`\n");
    background.forEach(b -> out.append("- ").append(b).append('\n'));
    if (options.quick) {
      out.append("- --quick: a smoke check; the JIT is not warm and the figures compare with nothing\n");
    }
    out.append("- closed loop: ").append(options.connections).append(" connections back to back; open loop: a fixed ")
        .append("rate of half the closed-loop peak, latency from each request's intended send time\n\n");

    out.append("| endpoint | req/s | × anchor | p50 ms | p99 ms | p99.9 ms | open req/s (target) | open p50 ms "
        + "| open p99 ms | open p99.9 ms | CPU µs/req gateway | Postgres | Redis | failures closed / open |\n");
    out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
    double anchorRate = anchor.closed.rate();
    out.append(line(anchor, anchorRate, true));
    for (Row r : rows) {
      out.append(line(r, anchorRate, false));
    }
    out.append("\nCPU µs per request, closed loop / open loop. \"load gen\" is this harness. \"rest\" is the "
        + "machine's busy time charged to none of the four: other tenants, and interrupt time (loopback TCP) "
        + "where the kernel charges it to no process; per-process and machine totals are sampled apart, so a "
        + "small negative is noise. Busy and steal are shares of the machine's time (steal: taken by the "
        + "hypervisor for other guests). Send lag: how late this client handed due open-loop requests to its "
        + "event loops (its own pacing error, inside the open-loop latency).\n\n");
    out.append("| endpoint | server JVM | Postgres | Redis | load gen | rest | machine busy | steal "
        + "| open-loop send lag p50 / p99 ms |\n");
    out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (Row r : concat(anchor, rows)) {
      Cpu c = r.closedCpu;
      Cpu o = r.openCpu;
      out.append("| ").append(String.join(" | ", r.name,
          pair(c.server(), o == null ? Double.NaN : o.server()),
          pair(c.postgres(), o == null ? Double.NaN : o.postgres()),
          pair(c.redis(), o == null ? Double.NaN : o.redis()),
          pair(c.loadGenerator(), o == null ? Double.NaN : o.loadGenerator()),
          pair(c.other(), o == null ? Double.NaN : o.other()),
          percent(c.machineBusy()) + " / " + (o == null ? DASH : percent(o.machineBusy())),
          percent(c.steal()) + " / " + (o == null ? DASH : percent(o.steal())),
          r.open == null || r.open.sendLag() == null ? DASH
              : ms(LoadGenerator.Result.ms(r.open.sendLag(), 50)) + " / "
                  + ms(LoadGenerator.Result.ms(r.open.sendLag(), 99)))).append(" |\n");
    }
    List<String> failures = new ArrayList<>();
    for (Row r : concat(anchor, rows)) {
      describeFailures(failures, r.name + " closed", r.closed);
      if (r.open != null) {
        describeFailures(failures, r.name + " open", r.open);
      }
    }
    out.append(failures.isEmpty() ? "\nEvery answer was a success.\n" : "\nFailures:\n\n" + String.join("\n", failures)
        + "\n");
    System.out.print(out);
    System.out.flush();
  }

  private String line(Row r, double anchorRate, boolean isAnchor) {
    LoadGenerator.Result c = r.closed;
    LoadGenerator.Result o = r.open;
    return "| " + String.join(" | ",
        r.name,
        String.format("%,.0f", c.rate()),
        String.format("%.3f", c.rate() / anchorRate),
        ms(c.ms(50)), ms(c.ms(99)), ms(c.ms(99.9)),
        o == null ? DASH : String.format("%,.0f (%,.0f)", o.rate(), r.openTarget),
        o == null ? DASH : ms(o.ms(50)),
        o == null ? DASH : ms(o.ms(99)),
        o == null ? DASH : ms(o.ms(99.9)),
        us(r.closedCpu.server()) + (isAnchor ? " (anchor)" : ""),
        isAnchor ? DASH : us(r.closedCpu.postgres()),
        isAnchor ? DASH : us(r.closedCpu.redis()),
        c.failed() + " / " + (o == null ? DASH : Long.toString(o.failed() + o.unanswered()))) + " |\n";
  }

  private static void describeFailures(List<String> out, String what, LoadGenerator.Result r) {
    r.failures().forEach((label, count) -> out.add("- " + what + ": " + count + " × " + label + ", e.g. `"
        + r.samples().getOrDefault(label, "") + "`"));
    if (r.unanswered() > 0) {
      out.add("- " + what + ": " + r.unanswered() + " never answered");
    }
  }

  private static List<Row> concat(Row first, List<Row> rest) {
    List<Row> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all;
  }

  private static String ms(double v) {
    if (Double.isNaN(v)) {
      return DASH;
    }
    return v >= 100 ? String.format("%.0f", v) : v >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
  }

  private static String us(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double shown = Math.abs(v) < 0.05 ? 0.0 : v;
    return Math.abs(shown) >= 10 ? String.format("%,.0f", shown) : String.format("%.1f", shown);
  }

  private static String pair(double closed, double open) {
    return us(closed) + " / " + (Double.isNaN(open) ? DASH : us(open));
  }

  private static String percent(double v) {
    return Double.isNaN(v) ? "n/a" : String.format("%.0f %%", v);
  }

  private static String num(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static String hostPort(PgConnectOptions o) {
    return o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
  }

  private static String nproc() {
    try {
      Process p = new ProcessBuilder("nproc").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return out.isEmpty() ? Integer.toString(Runtime.getRuntime().availableProcessors()) : out;
    } catch (IOException e) {
      return Integer.toString(Runtime.getRuntime().availableProcessors());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
    } catch (IOException | RuntimeException e) {
      return "unknown CPU";
    }
  }

  // ---------------------------------------------------------------- the servers' processes

  /**
   * The Postgres postmaster is the parent of this connection's backend; Redis tells its pid.
   * Only when they run on this machine (their pids are visible here); else CPU is "n/a".
   */
  private void findServers() {
    PgConnectOptions pg = PgConnectOptions.fromUri(pgUri);
    try (Connection c = DriverManager.getConnection(Migrations.jdbcUrl(pg), pg.getUser(), pg.getPassword());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid(), current_setting('server_version')")) {
      rs.next();
      postgresVersion = rs.getString(2);
      long backend = rs.getLong(1);
      OptionalLong parent = local(pg.getHost()) ? ProcCpu.parent(backend) : OptionalLong.empty();
      if (parent.isPresent() && ProcCpu.command(parent.getAsLong()).startsWith("postgres")) {
        postgresPid = parent.getAsLong();
      } else {
        progress("Postgres backend %d is not visible in /proc: its CPU is not measured", backend);
      }
    } catch (Exception e) {
      progress("cannot ask Postgres for its pid (%s): its CPU is not measured", e.getMessage());
    }
    try {
      Map<String, String> info = redisInfo(URI.create(redisUri.split(",")[0].trim()), "server");
      redisVersion = info.getOrDefault("redis_version", "?");
      long pid = Long.parseLong(info.getOrDefault("process_id", "-1"));
      URI u = URI.create(redisUri.split(",")[0].trim());
      if (local(u.getHost()) && ProcCpu.command(pid).startsWith("redis")) {
        redisPid = pid;
      } else {
        progress("Redis pid %d is not visible in /proc: its CPU is not measured", pid);
      }
      if (redisUri.contains(",")) {
        progress("Redis Cluster: only the first node's CPU is measured");
      }
    } catch (Exception e) {
      progress("cannot ask Redis for its pid (%s): its CPU is not measured", e.getMessage());
    }
  }

  private static boolean local(String host) {
    try {
      InetAddress a = InetAddress.getByName(host);
      return a.isLoopbackAddress() || a.isAnyLocalAddress();
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code INFO server} over RESP, after AUTH when the URI carries a password. */
  private static Map<String, String> redisInfo(URI uri, String section) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), 5000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      String userInfo = uri.getUserInfo();
      if (userInfo != null && !userInfo.isEmpty()) {
        String[] parts = userInfo.split(":", 2);
        out.write(resp(parts.length == 2 && !parts[0].isEmpty() ? List.of("AUTH", parts[0], parts[1])
            : List.of("AUTH", parts[parts.length - 1])));
        String reply = readLine(in);
        if (!reply.startsWith("+")) {
          throw new IOException("AUTH: " + reply);
        }
      }
      out.write(resp(List.of("INFO", section)));
      String header = readLine(in);
      if (!header.startsWith("$")) {
        throw new IOException("INFO: " + header);
      }
      byte[] payload = new byte[Integer.parseInt(header.substring(1))];
      in.readFully(payload);
      return new String(payload, StandardCharsets.UTF_8).lines().filter(l -> l.contains(":"))
          .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1).trim(),
              (x, y) -> x));
    }
  }

  private static byte[] resp(List<String> args) {
    StringBuilder sb = new StringBuilder("*").append(args.size()).append("\r\n");
    for (String a : args) {
      sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String readLine(DataInputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- child JVMs

  /**
   * {@code java FLAGS -jar this.jar ARGS} for the gateway ({@code -cp} and the main class for
   * the anchor, or when not run from the jar), with the JVM running this harness.
   */
  private List<String> command(String mainClass, List<String> args, boolean viaJar) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(Arrays.asList(options.jvmFlags.trim().split("\\s+")));
    String classPath = System.getProperty("java.class.path");
    boolean jar = classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator);
    if (viaJar && jar) {
      cmd.add("-jar");
      cmd.add(classPath);
      if (!mainClass.equals("dev.licensegateway.Main")) {
        throw new IllegalStateException("-jar runs Main only");
      }
    } else {
      cmd.add("-cp");
      cmd.add(classPath);
      cmd.add(mainClass);
    }
    cmd.addAll(args);
    return cmd;
  }

  private void stopChild() {
    Child c = child;
    child = null;
    if (c != null) {
      c.stop();
    }
  }

  /** A child JVM, its output in a log file under the run's temporary directory. */
  private static final class Child {
    private final String name;
    private final Process process;
    private final Path log;

    private Child(String name, Process process, Path log) {
      this.name = name;
      this.process = process;
      this.log = log;
    }

    static Child start(String name, List<String> command, Map<String, String> env, Path log) throws IOException {
      progress("starting the %s: %s", name, String.join(" ", command));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().putAll(env);
      return new Child(name, pb.start(), log);
    }

    long pid() {
      return process.pid();
    }

    void awaitReady(int port, Duration timeout) throws Exception {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
          .timeout(Duration.ofSeconds(5)).GET().build();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the " + name + " exited with status " + process.exitValue() + ":\n"
              + tail());
        }
        try {
          if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            progress("the %s (pid %d) is ready on port %d", name, process.pid(), port);
            return;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(250);
      }
      throw new IllegalStateException("the " + name + " was not ready within " + timeout.toSeconds() + " s:\n" + tail());
    }

    String tail() {
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
      } catch (IOException e) {
        return "(no log: " + e.getMessage() + ")";
      }
    }

    void stop() {
      if (!process.isAlive()) {
        return;
      }
      process.destroy();
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          progress("the %s did not stop within 15 s: killing it", name);
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---------------------------------------------------------------- plumbing

  /** Runs on every exit path once: children stopped, load generator closed, keys deleted. */
  private void cleanUp() {
    if (!cleaned.compareAndSet(false, true)) {
      return;
    }
    while (!cleanups.isEmpty()) {
      try {
        cleanups.pop().run();
      } catch (RuntimeException e) {
        System.err.println("[bench] cleanup: " + e);
      }
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          System.err.println("[bench] cannot delete " + p + ": " + e.getMessage());
        }
      });
    } catch (IOException e) {
      System.err.println("[bench] cannot delete " + root + ": " + e.getMessage());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait;
    while ((wait = nanoTime - System.nanoTime()) > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
  }

  /** Progress goes to stderr, so that stdout holds only the report. */
  private static void progress(String format, Object... args) {
    System.err.println("[bench] " + String.format(format, args));
  }
}
