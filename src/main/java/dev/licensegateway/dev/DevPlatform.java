package dev.licensegateway.dev;

import java.util.List;
import java.util.Locale;

/**
 * The platforms whose embedded Postgres and Redis binaries the dev jar and the tests carry,
 * and which archive and executable each one starts. The names are those the two libraries
 * look up on the class path (zonky's {@code postgres-<os>-<arch>.txz}, codemonstur's
 * {@code redis-server-…}); {@code DevPlatformTest} checks that each is really there.
 */
public record DevPlatform(String name, String postgresArchive, String redisExecutable) {

  public static final List<DevPlatform> SUPPORTED = List.of(
      new DevPlatform("Linux x86-64", "postgres-linux-x86_64.txz", "redis-server-6.2.6-v5-linux-amd64"),
      new DevPlatform("Linux arm64", "postgres-linux-arm_64.txz", "redis-server-6.2.7-linux-arm64"),
      new DevPlatform("macOS x86-64", "postgres-darwin-x86_64.txz", "redis-server-6.2.6-v5-darwin-amd64"),
      new DevPlatform("macOS arm64", "postgres-darwin-arm_64.txz", "redis-server-6.2.6-v5-darwin-arm64"));

  /** The platform for {@code os.name} and {@code os.arch}, or a message saying what to do instead. */
  public static DevPlatform of(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    String arch = osArch.toLowerCase(Locale.ROOT);
    String system = os.startsWith("mac") || os.startsWith("darwin") ? "macOS" : os.startsWith("linux") ? "Linux" : null;
    String cpu = switch (arch) {
      case "amd64", "x86_64", "x86-64" -> "x86-64";
      case "aarch64", "arm64" -> "arm64";
      default -> null;
    };
    String wanted = system + " " + cpu;
    return SUPPORTED.stream().filter(p -> p.name().equals(wanted)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no embedded Postgres and Redis for " + osName + "/" + osArch
            + " (they ship for " + String.join(", ", SUPPORTED.stream().map(DevPlatform::name).toList())
            + "): run a Postgres and a Redis yourself and use `run` with LGW_PG_URI and LGW_REDIS_URI"));
  }

  public static DevPlatform current() {
    return of(System.getProperty("os.name"), System.getProperty("os.arch"));
  }

  /** Fails with a clear message when this jar lacks this platform's binaries (instead of the libraries' own). */
  public void requireBinaries() {
    ClassLoader loader = DevPlatform.class.getClassLoader();
    for (String resource : List.of(postgresArchive, redisExecutable)) {
      if (loader.getResource(resource) == null) {
        throw new IllegalStateException("this build has no embedded " + resource + " for " + name
            + ": build the dev jar with `./mvnw -q -DskipTests package` and run target/license-gateway.jar");
      }
    }
  }
}
