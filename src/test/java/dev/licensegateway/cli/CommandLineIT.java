package dev.licensegateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.dev.EmbeddedServers;
import dev.licensegateway.signing.SigningAlg;
import dev.licensegateway.signing.SigningKeys;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.TestServers;
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

/** SPEC 7 on the built jar: `run` fails at once and clearly when it cannot serve; `admin` works. */
class CommandLineIT {

  private record Result(int exit, String output) {}

  private static Result jar(Map<String, String> env, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
        Path.of("target", "license-gateway.jar").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
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
    // SPEC 6: it waits for Redis up to LGW_STARTUP_TIMEOUT_S, then names it, without its password.
    Map<String, String> deadRedis = runEnv(keys);
    int closedPort = EmbeddedServers.freePort();
    deadRedis.put("LGW_REDIS_URI", "redis://:S3cretRedisPass@127.0.0.1:" + closedPort);
    // Long enough for the live Postgres to answer on a busy machine first: only Redis is missing.
    deadRedis.put("LGW_STARTUP_TIMEOUT_S", "10");
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
}
