package dev.licensegateway;

import dev.licensegateway.cli.AccountAdmin;
import dev.licensegateway.cli.HttpBench;
import dev.licensegateway.cli.SignBench;
import dev.licensegateway.cli.SignedCall;
import dev.licensegateway.config.ConfigLoader;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.dev.DemoSeed;
import dev.licensegateway.dev.EmbeddedServers;
import dev.licensegateway.infra.Uris;
import dev.licensegateway.signing.KeyRing;
import dev.licensegateway.signing.SigningAlg;
import dev.licensegateway.signing.SigningKeys;
import dev.licensegateway.store.Migrations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** SPEC 7: {@code license-gateway.jar run|dev|admin|keys|call|bench}. */
public final class Main {

  private static final String USAGE = """
      usage: java -jar license-gateway.jar <command>
        run                                    serve against LGW_PG_URI and LGW_REDIS_URI (default)
        dev                                    serve on embedded Postgres and Redis with demo data
        admin create-account NAME [--credits N]
        admin set-account-status ID active|suspended|billing_suspended
        admin add-credits ID N
        keys generate --alg RSA-SHA256|Ed25519 [--dir DIR]
        call PATH [JSON]                       send one signed native request (LICENSE_API_SECRET, LGW_BASE_URL)
        bench sign [--seconds S]               signatures per second per algorithm and provider
        bench http [--alg Ed25519|RSA-SHA256] [--connections 64] [--warmup 30] [--seconds 30]
                   [--licenses 500] [--endpoints LIST] [--quick] [--jvm-flags "FLAGS"]
                                               the gateway against a bare Vert.x anchor, per endpoint
                                               (LGW_PG_URI, LGW_REDIS_URI; starts both servers itself)
      """;

  private Main() {}

  public static void main(String[] args) {
    List<String> argv = new ArrayList<>(Arrays.asList(args));
    String command = argv.isEmpty() ? "run" : argv.remove(0);
    try {
      int status = switch (command) {
        case "run" -> run(ConfigLoader.load(System.getenv()));
        case "dev" -> dev(ConfigLoader.load(System.getenv()));
        case "admin" -> admin(ConfigLoader.load(System.getenv()), argv);
        case "keys" -> keys(ConfigLoader.load(System.getenv()), argv);
        case "call" -> call(argv);
        case "bench" -> bench(argv);
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
    // SPEC 6: waits for Postgres, Redis and another instance's migrations, up to LGW_STARTUP_TIMEOUT_S.
    Gateway gateway = Startup.run(config, keys, Clock.systemUTC());
    stopOnShutdown(gateway, config, null);
    return Integer.MIN_VALUE;
  }

  private static int dev(GatewayConfig config) throws Exception {
    System.out.println("starting embedded Postgres and Redis…");
    EmbeddedServers servers = EmbeddedServers.start();
    // Configured keys are used as they are; without any, dev mode makes a pair of each kind.
    Path keysDir = config.signing().keysDir().isBlank() ? null : Path.of(config.signing().keysDir());
    AutoCloseable alsoClose = servers;
    if (keysDir == null || !Files.isDirectory(keysDir) || SigningKeys.load(keysDir).isEmpty()) {
      Path made = Files.createTempDirectory("lgw-dev-keys");
      keysDir = made;
      SigningKeys.generate(SigningAlg.RSA_SHA256, keysDir);
      SigningKeys.generate(SigningAlg.ED25519, keysDir);
      // Private keys made for this run leave with it.
      alsoClose = () -> {
        try {
          servers.close();
        } finally {
          deleteTree(made);
        }
      };
    }
    String secret = config.nativeApi().secret() != null ? config.nativeApi().secret() : "dev-secret-" + UUID.randomUUID();
    // Loopback only: dev mode prints an all-scope key and a demo secret.
    GatewayConfig devConfig = config.withPostgresUri(servers.postgresUri()).withRedisUri(servers.redisUri())
        .withSigning(config.signing().alg(), keysDir.toString()).withSecret(secret).withHttpHost("127.0.0.1")
        // Webhooks to a receiver on this machine (http://localhost:…) while developing.
        .withWebhooks(config.webhooks().withAllowPrivate(true));
    String schema = migrate(devConfig.postgres().uri());
    DemoSeed.Demo demo = DemoSeed.seed(devConfig.postgres().uri());
    serve(devConfig, new KeyRing(SigningKeys.load(keysDir)), schema, alsoClose);
    printDemo(devConfig, demo, keysDir);
    return Integer.MIN_VALUE;
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static void serve(GatewayConfig config, KeyRing keys, String schema, AutoCloseable alsoClose)
      throws Exception {
    stopOnShutdown(Gateway.start(config, keys, schema, Clock.systemUTC()).await(60, TimeUnit.SECONDS), config,
        alsoClose);
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

  private static String migrate(String pgUri) {
    try {
      return Migrations.apply(pgUri);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot migrate the Postgres at " + Uris.redact(pgUri) + ": "
          + Uris.redact(e.getMessage()), e);
    }
  }

  private static int admin(GatewayConfig config, List<String> argv) throws Exception {
    require(config.postgres().configured(), "LGW_PG_URI is not set");
    if (argv.isEmpty()) {
      throw new UsageException("admin needs a subcommand");
    }
    migrate(config.postgres().uri());
    try (AccountAdmin admin = new AccountAdmin(config.postgres().uri())) {
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
          admin.setStatus(UUID.fromString(argv.get(1)), argv.get(2));
          System.out.println("account " + argv.get(1) + " is now " + argv.get(2));
        }
        case "add-credits" -> {
          if (argv.size() != 3) {
            throw new UsageException("admin add-credits ID N");
          }
          long balance = admin.addCredits(UUID.fromString(argv.get(1)), Long.parseLong(argv.get(2)));
          System.out.println("account " + argv.get(1) + " now has " + balance + " credits");
        }
        default -> throw new UsageException("unknown admin subcommand '" + argv.get(0) + "'");
      }
    }
    return 0;
  }

  private static int keys(GatewayConfig config, List<String> argv) throws Exception {
    if (argv.isEmpty() || !argv.get(0).equals("generate")) {
      throw new UsageException("keys generate --alg RSA-SHA256|Ed25519 [--dir DIR]");
    }
    String alg = option(argv, "--alg");
    String dir = option(argv, "--dir");
    if (dir == null) {
      dir = config.signing().keysDir();
    }
    require(alg != null, "keys generate needs --alg RSA-SHA256 or --alg Ed25519");
    require(dir != null && !dir.isBlank(), "keys generate needs --dir DIR or LGW_SIGNING_KEYS_DIR");
    String kid = SigningKeys.generate(SigningAlg.fromWireName(alg), Path.of(dir));
    System.out.println(kid);
    return 0;
  }

  private static int call(List<String> argv) throws Exception {
    if (argv.isEmpty()) {
      throw new UsageException("call PATH [JSON]");
    }
    String secret = System.getenv("LICENSE_API_SECRET");
    require(secret != null && !secret.isBlank(), "call signs with LICENSE_API_SECRET: set it");
    String base = System.getenv().getOrDefault("LGW_BASE_URL",
        "http://127.0.0.1:" + System.getenv().getOrDefault("LGW_HTTP_PORT", "8080"));
    return SignedCall.run(base, secret, argv.get(0), argv.size() > 1 ? argv.get(1) : "{}");
  }

  private static int bench(List<String> argv) throws Exception {
    if (!argv.isEmpty() && argv.get(0).equals("sign")) {
      String seconds = option(argv, "--seconds");
      SignBench.run(seconds == null ? 2.0 : Double.parseDouble(seconds));
      return 0;
    }
    if (!argv.isEmpty() && argv.get(0).equals("http")) {
      try {
        HttpBench.run(argv.subList(1, argv.size()));
      } catch (HttpBench.BadOption e) {
        throw new UsageException(e.getMessage());
      }
      return 0;
    }
    throw new UsageException("bench sign [--seconds S] | bench http [options]");
  }

  private static void printDemo(GatewayConfig config, DemoSeed.Demo demo, Path keysDir) {
    String jar = "java -jar target/license-gateway.jar";
    String base = "http://127.0.0.1:" + config.http().port();
    String machine = "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea";
    String env = "LICENSE_API_SECRET=" + config.nativeApi().secret() + " LGW_BASE_URL=" + base;
    System.out.println("""

        License Gateway dev mode is serving on %s (embedded Postgres and Redis; Ctrl-C stops it)

          account id     %s
          API key        %s   (all scopes)
          product id     %s
          app id         %s
          app secret     %s
          product key    %s
          license key    %s   (3 machines, entitlements export + pro, 365 days)
          signing keys   %s
          native secret  %s

        Try it (the `call` command signs each request as SPEC 2.1 asks):

          %s %s call /api/v1/license/activate '{"license_key":"%s","machine_id":"%s"}'
          %s %s call /api/v1/license/validate '{"license_key":"%s","machine_id":"%s","entitlements":["pro"]}'
          %s %s call /api/v1/license/status '{"license_key":"%s"}'
          curl -s %s/api/v1/keys

        The same license through the other dialects (SPEC 5):

          curl -s -X POST %s/license/validate -H 'Content-Type: application/json' -d '{"license_key":"%s","machine_id":"%s"}'
          curl -s -X POST %s/api/v1/validate -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{"license_key":"%s"}'
          curl -s -X POST %s/v1/licenses/validate -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{"key":"%s","fingerprint":"%s"}'
          curl -s -X GET %s/api/v1/manage/licenses -H 'Authorization: Bearer %s'
        """.formatted(base, demo.accountId(), demo.apiKey(), demo.productId(), demo.appId(), demo.appSecret(),
        demo.productKey(), demo.licenseKey(), keysDir, config.nativeApi().secret(),
        env, jar, demo.licenseKey(), machine,
        env, jar, demo.licenseKey(), machine,
        env, jar, demo.licenseKey(),
        base,
        base, demo.licenseKey(), machine,
        base, demo.productKey(), demo.licenseKey(),
        base, demo.apiKey(), demo.licenseKey(), machine,
        base, demo.apiKey()));
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

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }

  private static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
