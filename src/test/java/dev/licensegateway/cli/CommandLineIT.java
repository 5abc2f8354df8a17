package dev.licensegateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.dev.EmbeddedServers;
import dev.licensegateway.signing.SigningAlg;
import dev.licensegateway.signing.SigningKeys;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.TestServers;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/operations.md on the built jar: `run` fails at once and clearly when it cannot serve; `admin` works. */
class CommandLineIT {

  private record Result(int exit, String output) {}

  private static Result jar(Map<String, String> env, String... args) throws Exception {
    return jarIn(Path.of("").toAbsolutePath(), "license-gateway.jar", env, args);
  }

  /** The jar named, run from {@code dir}, with only {@code env} of the LGW_ variables. */
  private static Result jarIn(Path dir, String jarName, Map<String, String> env, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
        Path.of("target", jarName).toAbsolutePath().toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("LGW_") || k.equals("LICENSE_API_SECRET"));
    builder.environment().putAll(env);
    Process process = builder.start();
    boolean exited = process.waitFor(60, TimeUnit.SECONDS);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!exited) {
      process.destroyForcibly();
      throw new AssertionError("still running after 60 s: " + output);
    }
    return new Result(process.exitValue(), output);
  }

  private static Map<String, String> runEnv(Path keys) {
    Map<String, String> env = new HashMap<>();
    env.put("LGW_PG_URI", TestServers.get().postgresUri());
    env.put("LGW_REDIS_URI", TestServers.get().redisUri());
    env.put("LGW_SIGNING_KEYS_DIR", keys.toString());
    env.put("LICENSE_API_SECRET", "cli-secret-0123456789");
    env.put("LGW_HTTP_PORT", Integer.toString(EmbeddedServers.freePort()));
    return env;
  }

  @Test
  void runRefusesToStartWithoutWhatItNeeds() throws Exception {
    Result noPostgres = jar(Map.of(), "run");
    assertEquals(1, noPostgres.exit());
    assertTrue(noPostgres.output().contains("LGW_PG_URI is not set"), noPostgres.output());

    Path keys = Files.createTempDirectory("lgw-cli-keys");
    SigningKeys.generate(SigningAlg.RSA_SHA256, keys);
    // docs/operations.md: it waits for Redis up to LGW_STARTUP_TIMEOUT_S, then names it, without its password.
    Map<String, String> deadRedis = runEnv(keys);
    int closedPort = EmbeddedServers.freePort();
    deadRedis.put("LGW_REDIS_URI", "redis://:S3cretRedisPass@127.0.0.1:" + closedPort);
    // The budget covers the migrations and the Postgres check too, which a busy shared machine
    // can stretch past several seconds; Redis never comes, so the run always takes all of it.
    deadRedis.put("LGW_STARTUP_TIMEOUT_S", "20");
    Result noRedis = jar(deadRedis, "run");
    assertEquals(1, noRedis.exit());
    assertTrue(noRedis.output().contains("gave up waiting for Redis at redis://:***@127.0.0.1:" + closedPort),
        noRedis.output());
    assertTrue(!noRedis.output().contains("S3cretRedisPass"), "the Redis password was printed: " + noRedis.output());

    Map<String, String> ed25519Wanted = runEnv(keys);
    ed25519Wanted.put("LGW_SIGNING_ALG", "Ed25519");
    Result noKey = jar(ed25519Wanted, "run");
    assertEquals(1, noKey.exit());
    assertTrue(noKey.output().contains("no Ed25519 private key"), noKey.output());

    Path broken = Files.createTempDirectory("lgw-cli-broken");
    Files.writeString(broken.resolve("rsa-20260101T000000Z-00000000.pub.pem"),
        "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n");
    Result unreadable = jar(runEnv(broken), "run");
    assertEquals(1, unreadable.exit());
    assertTrue(unreadable.output().contains("cannot read signing key rsa-20260101T000000Z-00000000"),
        unreadable.output());
  }

  @Test
  void adminCommandsWorkAgainstTheConfiguredPostgres() throws Exception {
    Map<String, String> env = Map.of("LGW_PG_URI", TestServers.get().postgresUri());
    Result created = jar(env, "admin", "create-account", "CLI Vendor", "--credits", "5");
    assertEquals(0, created.exit(), created.output());
    Matcher id = Pattern.compile("account_id: ([0-9a-f-]{36})").matcher(created.output());
    assertTrue(id.find(), created.output());
    assertTrue(Pattern.compile("api_key: +lk_live_[0-9A-Za-z]{32}").matcher(created.output()).find(), created.output());
    UUID account = UUID.fromString(id.group(1));

    Result added = jar(env, "admin", "add-credits", account.toString(), "3");
    assertEquals(0, added.exit(), added.output());
    assertEquals(8, Fixtures.count("SELECT credits FROM accounts WHERE id = ?", account));

    // Unlimited is explicit: set-credits makes it, add-credits refuses to end it silently.
    Result unlimited = jar(env, "admin", "set-credits", account.toString(), "unlimited");
    assertEquals(0, unlimited.exit(), unlimited.output());
    assertTrue(unlimited.output().contains("now has unlimited credits"), unlimited.output());
    assertEquals(1, Fixtures.count("SELECT count(*) FROM accounts WHERE id = ? AND credits IS NULL", account));
    Result refused = jar(env, "admin", "add-credits", account.toString(), "5");
    assertEquals(1, refused.exit(), refused.output());
    assertTrue(refused.output().contains("has unlimited credits; nothing was added")
        && refused.output().contains("admin set-credits " + account + " N"), refused.output());
    assertEquals(1, Fixtures.count("SELECT count(*) FROM accounts WHERE id = ? AND credits IS NULL", account));
    Result balance = jar(env, "admin", "set-credits", account.toString(), "12");
    assertEquals(0, balance.exit(), balance.output());
    assertEquals(12, Fixtures.count("SELECT credits FROM accounts WHERE id = ?", account));
    Result notANumber = jar(env, "admin", "set-credits", account.toString(), "lots");
    assertEquals(2, notANumber.exit(), notANumber.output());
    assertTrue(notANumber.output().contains("'lots' is not a whole number"), notANumber.output());

    Result suspended = jar(env, "admin", "set-account-status", account.toString(), "billing_suspended");
    assertEquals(0, suspended.exit(), suspended.output());
    assertEquals(1, Fixtures.count("SELECT count(*) FROM accounts WHERE id = ? AND status = 'billing_suspended'",
        account));

    Result wrong = jar(env, "admin", "set-account-status", account.toString(), "gone");
    assertEquals(1, wrong.exit());
    assertTrue(wrong.output().contains("status must be active, suspended or billing_suspended"), wrong.output());

    Path keys = Files.createTempDirectory("lgw-cli-gen");
    Result generated = jar(Map.of(), "keys", "generate", "--alg", "Ed25519", "--dir", keys.toString());
    assertEquals(0, generated.exit(), generated.output());
    String kid = generated.output().trim().lines().reduce((a, b) -> b).orElseThrow();
    assertTrue(Files.exists(keys.resolve(kid + ".key.pem")) && Files.exists(keys.resolve(kid + ".pub.pem")), kid);
  }

  @Test
  void adminWithoutPostgresSaysWhereItLookedAndWhatToSet() throws Exception {
    Path tmp = Files.createTempDirectory("lgw-cli-noinstance");
    Result none = jar(Map.of("LGW_DEV_INSTANCE_FILE", tmp.resolve("absent.json").toString()),
        "admin", "create-account", "Nobody");
    assertEquals(1, none.exit(), none.output());
    assertTrue(none.output().contains("LGW_PG_URI is not set, and no dev instance is running (looked for "
        + tmp.resolve("absent.json") + ")"), none.output());

    // A file left by a process that is gone is not trusted.
    Path stale = tmp.resolve("stale.json");
    new DevInstance(deadPid(), TestServers.get().postgresUri(), TestServers.get().redisUri(),
        "http://127.0.0.1:1", "s").write(stale);
    Result staleRun = jar(Map.of("LGW_DEV_INSTANCE_FILE", stale.toString()), "admin", "create-account", "Nobody");
    assertEquals(1, staleRun.exit(), staleRun.output());
    assertTrue(staleRun.output().contains("no dev instance is running"), staleRun.output());
  }

  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    p.waitFor();
    return p.pid();
  }

  @Test
  void aBusyPortIsNamedWithTheVariableThatMovesIt() throws Exception {
    Path keys = Files.createTempDirectory("lgw-cli-port");
    SigningKeys.generate(SigningAlg.RSA_SHA256, keys);
    try (ServerSocket taken = new ServerSocket(0)) { // another process on the port, every address
      int port = taken.getLocalPort();
      Map<String, String> env = runEnv(keys);
      env.put("LGW_HTTP_PORT", Integer.toString(port));
      Result second = jarIn(Path.of("").toAbsolutePath(), "license-gateway-server.jar", env, "run");
      assertEquals(1, second.exit(), second.output());
      assertTrue(second.output().contains("port " + port + " is already in use (another gateway or dev mode?): "
          + "stop it, or choose another port with LGW_HTTP_PORT"), second.output());
      Result dev = jar(Map.of("LGW_HTTP_PORT", Integer.toString(port)), "dev");
      assertEquals(1, dev.exit(), dev.output());
      assertTrue(dev.output().contains("port " + port + " is already in use"), dev.output());
      assertTrue(!dev.output().contains("starting embedded"), "nothing is started for nothing: " + dev.output());
    }
  }

  @Test
  void benchOptionsThatDoNotParseAreUsageErrorsNotStackTraces() throws Exception {
    for (String[] args : List.of(
        new String[] {"bench", "sign", "--seconds", "x"},
        new String[] {"bench", "sign", "--seconds", "0"},
        new String[] {"bench", "sign", "--seconds"},
        new String[] {"bench", "cache", "--licenses", "many"},
        new String[] {"bench", "http", "--connections", "lots"})) {
      Result bad = jar(Map.of(), args);
      String line = String.join(" ", args);
      assertEquals(2, bad.exit(), line + ": " + bad.output());
      assertTrue(bad.output().contains(args[2]), line + " should name the option: " + bad.output());
      assertFalse(bad.output().contains("Exception"), line + " printed a stack trace: " + bad.output());
    }
  }

  @Test
  void callToNothingNamesTheUrlAndTheVariable() throws Exception {
    int closed = EmbeddedServers.freePort();
    Path tmp = Files.createTempDirectory("lgw-cli-call");
    Result dead = jar(Map.of("LICENSE_API_SECRET", "x", "LGW_BASE_URL", "http://127.0.0.1:" + closed,
        "LGW_DEV_INSTANCE_FILE", tmp.resolve("none.json").toString()), "call", "/api/v1/license/status", "{}");
    assertEquals(1, dead.exit(), dead.output());
    assertTrue(dead.output().contains("no gateway answers at http://127.0.0.1:" + closed + " (LGW_BASE_URL; "
        + "connection refused)"), dead.output());
    assertTrue(dead.output().contains("point LGW_BASE_URL at a running gateway"), dead.output());
    Result noSecret = jar(Map.of("LGW_DEV_INSTANCE_FILE", tmp.resolve("none.json").toString()),
        "call", "/api/v1/license/status", "{}");
    assertEquals(1, noSecret.exit(), noSecret.output());
    assertTrue(noSecret.output().contains("call signs with LICENSE_API_SECRET"), noSecret.output());
  }

  @Test
  void keysGenerateWithoutDirUsesTheVariableElseLgwKeysHere() throws Exception {
    Path here = Files.createTempDirectory("lgw-cli-keysdir");
    Result plain = jarIn(here, "license-gateway-server.jar", Map.of(), "keys", "generate");
    assertEquals(0, plain.exit(), plain.output());
    String kid = plain.output().trim().lines().reduce((a, b) -> b).orElseThrow();
    assertTrue(kid.startsWith("rsa-"), "LGW_SIGNING_ALG's default, RSA-SHA256: " + kid);
    assertTrue(Files.exists(here.resolve("lgw-keys").resolve(kid + ".key.pem")), plain.output());
    assertTrue(plain.output().contains("neither --dir nor LGW_SIGNING_KEYS_DIR was given")
        && plain.output().contains("LGW_SIGNING_KEYS_DIR=" + here.resolve("lgw-keys").toRealPath()), plain.output());

    Path configured = Files.createTempDirectory("lgw-cli-keysvar");
    Result fromVariable = jarIn(here, "license-gateway-server.jar",
        Map.of("LGW_SIGNING_KEYS_DIR", configured.toString()), "keys", "generate", "--alg", "Ed25519");
    assertEquals(0, fromVariable.exit(), fromVariable.output());
    String ed = fromVariable.output().trim().lines().reduce((a, b) -> b).orElseThrow();
    assertTrue(Files.exists(configured.resolve(ed + ".pub.pem")), fromVariable.output());

    Result wrongAlg = jarIn(here, "license-gateway-server.jar", Map.of(), "keys", "generate", "--alg", "DSA");
    assertEquals(2, wrongAlg.exit(), wrongAlg.output());
    assertTrue(wrongAlg.output().contains("--alg must be RSA-SHA256 or Ed25519, not 'DSA'"), wrongAlg.output());
  }
}
