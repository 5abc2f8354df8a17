package dev.licensegateway.dev;

import dev.licensegateway.Main;
import dev.licensegateway.cli.DevInstance;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.signing.KeyRing;
import dev.licensegateway.signing.SigningAlg;
import dev.licensegateway.signing.SigningKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * {@code dev}: a gateway on embedded Postgres and Redis with demo data, and a list of calls to
 * paste. Only in the dev-capable jar ({@code target/license-gateway.jar}); the server jar and
 * the container image carry neither this class nor the embedded binaries.
 */
public final class DevMode {

  static final String JAR = "java -jar target/license-gateway.jar";
  static final String MACHINE = "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea";

  private DevMode() {}

  /** Called by {@link Main} through reflection; returns MIN_VALUE: the JVM stays up until Ctrl-C. */
  public static int main(GatewayConfig config, List<String> argv) throws Exception {
    Main.requirePortFree(config.withHttpHost("127.0.0.1"));
    System.out.println("starting embedded Postgres and Redis for " + EmbeddedServers.platform() + "…");
    // Closed by our own shutdown hook, after the gateway has stopped (or below, on a failed start);
    // until the gateway serves, a Ctrl-C closes them at once.
    EmbeddedServers servers = EmbeddedServers.start(false);
    Thread whileStarting = new Thread(servers::close, "dev-servers-stop");
    Runtime.getRuntime().addShutdownHook(whileStarting);
    Path made = null;
    Path instanceFile = DevInstance.file(System.getenv());
    long pid = ProcessHandle.current().pid();
    try {
      // Configured keys are used as they are; without any, dev mode makes a pair of each kind.
      Path keysDir = config.signing().keysDir().isBlank() ? null : Path.of(config.signing().keysDir());
      if (keysDir == null || !Files.isDirectory(keysDir) || SigningKeys.load(keysDir).isEmpty()) {
        made = Files.createTempDirectory("lgw-dev-keys");
        keysDir = made;
        SigningKeys.generate(SigningAlg.RSA_SHA256, keysDir);
        SigningKeys.generate(SigningAlg.ED25519, keysDir);
      }
      String secret = config.nativeApi().secret() != null ? config.nativeApi().secret()
          : "dev-secret-" + UUID.randomUUID();
      // Loopback only: dev mode prints an all-scope key and a demo secret.
      GatewayConfig devConfig = config.withPostgresUri(servers.postgresUri()).withRedisUri(servers.redisUri())
          .withSigning(config.signing().alg(), keysDir.toString()).withSecret(secret).withHttpHost("127.0.0.1")
          // Webhooks to a receiver on this machine (http://localhost:…) while developing.
          .withWebhooks(config.webhooks().withAllowPrivate(true));
      String schema = Main.migrate(devConfig.postgres().uri());
      DemoSeed.Demo demo = DemoSeed.seed(devConfig.postgres().uri());
      KeyRing keys = new KeyRing(SigningKeys.load(keysDir));
      String base = "http://127.0.0.1:" + devConfig.http().port();
      Path keysToDelete = made;
      // Everything this run made leaves with it: the servers, the keys, the instance file.
      AutoCloseable cleanUp = () -> {
        DevInstance.removeIfOurs(instanceFile, pid);
        try {
          servers.close();
        } finally {
          if (keysToDelete != null) {
            Main.deleteTree(keysToDelete);
          }
        }
      };
      Runtime.getRuntime().removeShutdownHook(whileStarting);
      Main.serve(devConfig, keys, schema, cleanUp);
      new DevInstance(pid, servers.postgresUri(), servers.redisUri(), base, secret).write(instanceFile);
      SigningAlg alg = SigningAlg.fromWireName(devConfig.signing().alg());
      KeyRing.ResponseSigner signer = keys.signer(alg).orElseThrow();
      System.out.println(printout(devConfig, servers, demo, keysDir, instanceFile,
          alg.wireName() + " key " + signer.kid() + " by " + signer.provider(), randomNonce()));
      return Integer.MIN_VALUE;
    } catch (Exception | Error e) {
      DevInstance.removeIfOurs(instanceFile, pid);
      if (!exiting(whileStarting)) {
        servers.close();
      }
      if (made != null) {
        Main.deleteTree(made);
      }
      throw e;
    }
  }

  /** Takes the start-up hook back; true when the JVM is already exiting and that hook closes the servers. */
  private static boolean exiting(Thread startupHook) {
    try {
      Runtime.getRuntime().removeShutdownHook(startupHook);
      return false;
    } catch (IllegalStateException shuttingDown) {
      return true;
    }
  }

  private static String randomNonce() {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * What dev mode prints: the demo data, then calls that work pasted top to bottom (the
   * activation first: every later call finds the machine bound). {@code DevModeIT} runs them.
   */
  static String printout(GatewayConfig config, EmbeddedServers servers, DemoSeed.Demo demo, Path keysDir,
      Path instanceFile, String signing, String authNonce) {
    String base = "http://127.0.0.1:" + config.http().port();
    String env = "LICENSE_API_SECRET=" + config.nativeApi().secret() + " LGW_BASE_URL=" + base;
    String call = env + " " + JAR + " call";
    String key = "-H 'Authorization: Bearer " + demo.apiKey() + "'";
    String json = "-H 'Content-Type: application/json'";
    String manage = base + "/api/v1/manage";
    return """

        License Gateway dev mode is serving on %1$s (Ctrl-C stops it and removes what it made)

          Postgres       %2$s   (embedded)
          Redis          %3$s   (embedded)
          instance file  %4$s   (`admin` and `call` in another terminal use it)
          signing        %5$s
          account id     %6$s   (unlimited credits)
          API key        %7$s   (all scopes)
          product id     %8$s
          app id         %9$s
          app secret     %10$s
          product key    %11$s
          policy id      %12$s   (Pro: 3 machines, entitlements export + pro, 365 days)
          license id     %13$s
          license key    %14$s
          signing keys   %15$s
          native secret  %16$s

        Vendor console: %1$s/console/  (sign in by pasting the API key above)

        Paste these top to bottom; each works after the ones above it.

          # 1. The native API (`call` signs each request: curl cannot compute the HMAC). Bind the machine first.
          %17$s /api/v1/license/activate '{"license_key":"%14$s","machine_id":"%18$s"}'
          %17$s /api/v1/license/validate '{"license_key":"%14$s","machine_id":"%18$s","entitlements":["pro"]}'
          %17$s /api/v1/license/heartbeat '{"license_key":"%14$s","machine_id":"%18$s"}'
          %17$s /api/v1/license/status '{"license_key":"%14$s"}'
          curl -s %1$s/api/v1/keys

          # 2. The same license and machine through each other dialect
          curl -s -X POST %1$s/license/validate %19$s -d '{"license_key":"%14$s","machine_id":"%18$s"}'
          curl -s -X POST %1$s/auth/validate %19$s -d '{"app_id":"%9$s","app_secret":"%10$s","license_key":"%14$s","hwid":"%18$s","nonce":"%20$s"}'
          curl -s -X POST %1$s/v1/licenses/validate %21$s %19$s -d '{"key":"%14$s","fingerprint":"%18$s","entitlements":["pro"]}'
          curl -s -X POST %1$s/api/v1/validate -H 'Authorization: Bearer %11$s' %19$s -d '{"license_key":"%14$s"}'

          # 3. The management API (its OpenAPI document: curl -s %1$s/openapi.json)
          curl -s %22$s/account %21$s
          curl -s %22$s/policies/%12$s %21$s
          curl -s %22$s/licenses/%13$s/machines %21$s
          curl -s -X POST %22$s/licenses %21$s %19$s -d '{"policy_id":"%12$s"}'

          # 4. Operator commands (they find this instance through the instance file)
          %23$s admin set-credits %6$s 100
          %23$s admin add-credits %6$s 5
          %23$s admin create-account "Second Vendor" --credits 10

          # 5. Hand the machine back
          %17$s /api/v1/license/deactivate '{"license_key":"%14$s","machine_id":"%18$s"}'
        """.formatted(base, servers.postgresUri(), servers.redisUri(), instanceFile, signing,
        demo.accountId(), demo.apiKey(), demo.productId(), demo.appId(), demo.appSecret(), demo.productKey(),
        demo.policyId(), demo.licenseId(), demo.licenseKey(), keysDir, config.nativeApi().secret(),
        call, MACHINE, json, authNonce, key, manage, JAR);
  }
}
