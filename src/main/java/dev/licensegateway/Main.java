package dev.licensegateway;

import dev.licensegateway.cli.AccountAdmin;
import dev.licensegateway.cli.DevInstance;
import dev.licensegateway.cli.SignedCall;
import dev.licensegateway.config.ConfigLoader;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.infra.Uris;
import dev.licensegateway.signing.KeyRing;
import dev.licensegateway.signing.SigningAlg;
import dev.licensegateway.signing.SigningKeys;
import dev.licensegateway.store.Migrations;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** docs/operations.md: {@code license-gateway.jar run|dev|admin|keys|call|bench}. */
public final class Main {

  private static final String USAGE = """
      usage: java -jar license-gateway.jar <command>
        run                                    serve against LGW_PG_URI and LGW_REDIS_URI (default)
        dev                                    serve on embedded Postgres and Redis with demo data
        admin create-account NAME [--credits N]
        admin set-account-status ID active|suspended|billing_suspended
        admin set-credits ID unlimited|N       make an account's credits unlimited, or a balance of N
        admin add-credits ID N                 add N to a limited balance (refused when unlimited)
                                               (admin uses LGW_PG_URI, else a running `dev` instance)
        keys generate [--alg RSA-SHA256|Ed25519] [--dir DIR]
                                               default: LGW_SIGNING_ALG, LGW_SIGNING_KEYS_DIR, else ./lgw-keys
        call PATH [JSON]                       send one signed native request (LICENSE_API_SECRET, LGW_BASE_URL;
                                               else those of a running `dev` instance)
        bench sign [--seconds S]               signatures per second per algorithm and provider
        bench http [--alg Ed25519|RSA-SHA256] [--connections 64] [--warmup 30] [--seconds 30]
                   [--licenses 500] [--endpoints LIST] [--quick] [--jvm-flags "FLAGS"]
                                               the gateway against a bare Vert.x anchor, per endpoint
                                               (LGW_PG_URI, LGW_REDIS_URI; starts both servers itself)
        bench cache [--licenses 100000] [--machines 1]
                                               heap the license read model takes
      `dev` and `bench` are in target/license-gateway.jar only, not in license-gateway-server.jar or the image.
      """;

  /** Where {@code keys generate} writes without {@code --dir} or {@code LGW_SIGNING_KEYS_DIR}. */
  static final String DEFAULT_KEYS_DIR = "lgw-keys";

  private Main() {}

  public static void main(String[] args) {
    List<String> argv = new ArrayList<>(Arrays.asList(args));
    String command = argv.isEmpty() ? "run" : argv.remove(0);
    try {
      int status = switch (command) {
        case "run" -> run(ConfigLoader.load(System.getenv()));
        case "dev" -> devOnly("dev.licensegateway.dev.DevMode", "dev", ConfigLoader.load(System.getenv()), argv);
        case "admin" -> admin(ConfigLoader.load(System.getenv()), argv);
        case "keys" -> keys(ConfigLoader.load(System.getenv()), argv);
        case "call" -> call(argv);
        case "bench" -> devOnly("dev.licensegateway.bench.Bench", "bench", null, argv);
        case "help", "--help", "-h" -> {
          System.out.print(USAGE);
          yield 0;
        }
        default -> {
          System.err.print("unknown command '" + command + "'\n" + USAGE);
          yield 2;
        }
      };
      if (status != Integer.MIN_VALUE) {
        System.exit(status);
      }
    } catch (UsageException e) {
      System.err.println(e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
    } catch (Exception e) {
      // A parser's message may quote the URI it was given (LGW_PG_URI, LGW_REDIS_URI): never its password.
      System.err.println("error: " + Uris.redact(e.getMessage() == null ? e.toString() : e.getMessage()));
      if (System.getenv("LGW_DEBUG") != null) {
        e.printStackTrace();
      }
      System.exit(1);
    }
  }

  /** Serves until SIGTERM; returns MIN_VALUE so that main leaves the JVM to the shutdown hook. */
  private static int run(GatewayConfig config) throws Exception {
    require(config.postgres().configured(), "LGW_PG_URI is not set: `run` needs a Postgres (or use `dev`)");
    require(config.redis().configured(), "LGW_REDIS_URI is not set: `run` needs a Redis (or use `dev`)");
    require(!config.signing().keysDir().isBlank(),
        "LGW_SIGNING_KEYS_DIR is not set: create keys with `keys generate --alg RSA-SHA256 --dir DIR`");
    KeyRing keys = new KeyRing(SigningKeys.load(Path.of(config.signing().keysDir())));
    requirePortFree(config);
    // docs/operations.md: waits for Postgres, Redis and another instance's migrations, up to LGW_STARTUP_TIMEOUT_S.
    Gateway gateway;
    try {
      gateway = Startup.run(config, keys, Clock.systemUTC());
    } catch (Exception e) {
      throw explainBindFailure(e, config);
    }
    stopOnShutdown(gateway, config, null);
    return Integer.MIN_VALUE;
  }

  public static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** Starts a gateway on a migrated schema; on SIGTERM it stops, then {@code alsoClose} runs. */
  public static void serve(GatewayConfig config, KeyRing keys, String schema, AutoCloseable alsoClose)
      throws Exception {
    Gateway gateway;
    try {
      gateway = Gateway.start(config, keys, schema, Clock.systemUTC()).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw explainBindFailure(e, config);
    }
    stopOnShutdown(gateway, config, alsoClose);
  }

  /** Fails at once, naming the port and the variable, when something already listens there. */
  public static void requirePortFree(GatewayConfig config) {
    String host = config.http().host();
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(host == null || host.isBlank() || host.equals("0.0.0.0")
          ? new InetSocketAddress(config.http().port())
          : new InetSocketAddress(InetAddress.getByName(host), config.http().port()));
    } catch (IOException e) {
      throw portInUse(config);
    }
  }

  private static IllegalStateException portInUse(GatewayConfig config) {
    int port = config.http().port();
    return new IllegalStateException("port " + port + " is already in use (another gateway or dev mode?): "
        + "stop it, or choose another port with LGW_HTTP_PORT, e.g. LGW_HTTP_PORT=" + (port + 1));
  }

  static Exception explainBindFailure(Exception e, GatewayConfig config) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return portInUse(config);
      }
    }
    return e;
  }

  /** Runs a command whose code ships only in the dev-capable jar. */
  private static int devOnly(String className, String command, GatewayConfig config, List<String> argv)
      throws Exception {
    Class<?> type;
    try {
      type = Class.forName(className);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("`" + command + "` is not part of this build (the server jar and the "
          + "container image leave dev mode and benchmarks out): run it from target/license-gateway.jar, "
          + "built by `./mvnw -q -DskipTests package`");
    }
    try {
      return (Integer) type.getMethod("main", GatewayConfig.class, List.class).invoke(null, config, argv);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static void stopOnShutdown(Gateway gateway, GatewayConfig config, AutoCloseable alsoClose) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        gateway.stop().await(config.shutdown().drainDelayMs() + config.shutdown().graceMs() + 5000,
            TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        System.err.println("shutdown: " + e);
      } finally {
        if (alsoClose != null) {
          try {
            alsoClose.close();
          } catch (Exception e) {
            System.err.println("shutdown: " + e);
          }
        }
      }
    }, "gateway-shutdown"));
  }

  public static String migrate(String pgUri) {
    try {
      return Migrations.apply(pgUri);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot migrate the Postgres at " + Uris.redact(pgUri) + ": "
          + Uris.redact(e.getMessage()), e);
    }
  }

  private static int admin(GatewayConfig config, List<String> argv) throws Exception {
    if (argv.isEmpty()) {
      throw new UsageException("admin needs a subcommand");
    }
    String pgUri;
    if (config.postgres().configured()) {
      pgUri = config.postgres().uri();
    } else {
      Optional<DevInstance> dev = DevInstance.find(System.getenv());
      require(dev.isPresent(), "LGW_PG_URI is not set, and no dev instance is running (looked for "
          + DevInstance.file(System.getenv()) + "): set LGW_PG_URI=postgresql://user:pass@host:5432/db, "
          + "or start `java -jar target/license-gateway.jar dev` first");
      pgUri = dev.get().postgresUri();
      System.err.println("LGW_PG_URI is not set: using the dev instance (pid " + dev.get().pid() + ") at "
          + Uris.redact(pgUri));
    }
    migrate(pgUri);
    try (AccountAdmin admin = new AccountAdmin(pgUri)) {
      switch (argv.get(0)) {
        case "create-account" -> {
          if (argv.size() < 2) {
            throw new UsageException("admin create-account NAME [--credits N]");
          }
          String credits = option(argv, "--credits");
          AccountAdmin.NewAccount account = admin.createAccount(argv.get(1),
              credits == null ? null : Long.valueOf(credits));
          System.out.println("account_id: " + account.id());
          System.out.println("api_key:    " + account.apiKey() + "   (shown once: store it now)");
        }
        case "set-account-status" -> {
          if (argv.size() != 3) {
            throw new UsageException("admin set-account-status ID active|suspended|billing_suspended");
          }
          admin.setStatus(accountId(argv.get(1)), argv.get(2));
          System.out.println("account " + argv.get(1) + " is now " + argv.get(2));
        }
        case "add-credits" -> {
          if (argv.size() != 3) {
            throw new UsageException("admin add-credits ID N");
          }
          long balance = admin.addCredits(accountId(argv.get(1)), count(argv.get(2)));
          System.out.println("account " + argv.get(1) + " now has " + balance + " credits");
        }
        case "set-credits" -> {
          if (argv.size() != 3) {
            throw new UsageException("admin set-credits ID unlimited|N");
          }
          boolean unlimited = argv.get(2).equalsIgnoreCase("unlimited");
          admin.setCredits(accountId(argv.get(1)), unlimited ? null : count(argv.get(2)));
          System.out.println("account " + argv.get(1) + " now has " + (unlimited
              ? "unlimited credits (nothing is counted)"
              : argv.get(2) + " credits (each new license and each /auth login and session hour takes one)"));
        }
        default -> throw new UsageException("unknown admin subcommand '" + argv.get(0) + "'");
      }
    }
    return 0;
  }

  private static int keys(GatewayConfig config, List<String> argv) throws Exception {
    if (argv.isEmpty() || !argv.get(0).equals("generate")) {
      throw new UsageException("keys generate [--alg RSA-SHA256|Ed25519] [--dir DIR]");
    }
    String alg = option(argv, "--alg");
    if (alg == null) {
      alg = config.signing().alg();
    }
    SigningAlg algorithm;
    try {
      algorithm = SigningAlg.fromWireName(alg);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--alg must be RSA-SHA256 or Ed25519, not '" + alg + "'");
    }
    String dir = option(argv, "--dir");
    String from = "--dir";
    if (dir == null && !config.signing().keysDir().isBlank()) {
      dir = config.signing().keysDir();
      from = "LGW_SIGNING_KEYS_DIR";
    }
    if (dir == null) {
      dir = DEFAULT_KEYS_DIR;
      from = "the default: neither --dir nor LGW_SIGNING_KEYS_DIR was given";
    }
    Path target = Path.of(dir).toAbsolutePath().normalize();
    String kid = SigningKeys.generate(algorithm, target);
    System.err.println("wrote " + kid + ".key.pem and " + kid + ".pub.pem to " + target + " (" + from + "); "
        + "serve them with LGW_SIGNING_KEYS_DIR=" + target);
    System.out.println(kid);
    return 0;
  }

  private static int call(List<String> argv) throws Exception {
    if (argv.isEmpty()) {
      throw new UsageException("call PATH [JSON]");
    }
    Map<String, String> env = System.getenv();
    String secret = env.get("LICENSE_API_SECRET");
    String base = env.get("LGW_BASE_URL");
    String baseFrom = "LGW_BASE_URL";
    if (secret == null || secret.isBlank() || base == null || base.isBlank()) {
      Optional<DevInstance> dev = DevInstance.find(env);
      if (dev.isPresent() && (secret == null || secret.isBlank())) {
        secret = dev.get().nativeSecret();
        System.err.println("LICENSE_API_SECRET is not set: using the dev instance's (pid " + dev.get().pid() + ")");
      }
      if (base == null || base.isBlank()) {
        base = dev.map(DevInstance::baseUrl).orElse("http://127.0.0.1:" + env.getOrDefault("LGW_HTTP_PORT", "8080"));
        baseFrom = dev.isPresent() ? "the running dev instance" : "the default; set LGW_BASE_URL";
      }
    }
    require(secret != null && !secret.isBlank(),
        "call signs with LICENSE_API_SECRET: set it to the gateway's secret (dev mode prints it)");
    return SignedCall.run(base, baseFrom, secret, argv.get(0), argv.size() > 1 ? argv.get(1) : "{}");
  }

  private static String option(List<String> argv, String name) {
    int i = argv.indexOf(name);
    if (i < 0) {
      return null;
    }
    if (i + 1 >= argv.size()) {
      throw new UsageException(name + " needs a value");
    }
    return argv.get(i + 1);
  }

  private static UUID accountId(String value) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException("'" + value + "' is not an account id (a UUID, as create-account prints)");
    }
  }

  private static long count(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new UsageException("'" + value + "' is not a whole number");
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }

  /** A wrong command line: printed with the usage, exit status 2. */
  public static final class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }
  }
}
