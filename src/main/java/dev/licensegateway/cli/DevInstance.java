package dev.licensegateway.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The running dev instance, as `dev` announces it in a small JSON file: `admin` and `call`
 * use it when {@code LGW_PG_URI} (or {@code LICENSE_API_SECRET}) is not set, so the README's
 * commands work in a second terminal without configuration. The file lives in the user's
 * temporary directory ({@code LGW_DEV_INSTANCE_FILE} moves it), is readable by its owner
 * only, and is removed when dev mode exits; one left by a dead process is ignored.
 */
public record DevInstance(long pid, String postgresUri, String redisUri, String baseUrl, String nativeSecret) {

  public static final String FILE_VARIABLE = "LGW_DEV_INSTANCE_FILE";

  public static Path file(Map<String, String> env) {
    String configured = env.get(FILE_VARIABLE);
    return configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of(System.getProperty("java.io.tmpdir"), "license-gateway-dev.json");
  }

  public JsonObject toJson() {
    return new JsonObject().put("pid", pid).put("postgres_uri", postgresUri).put("redis_uri", redisUri)
        .put("base_url", baseUrl).put("native_secret", nativeSecret);
  }

  /** Writes the file atomically, owner-only where the file system has POSIX permissions. */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "license-gateway-dev", ".tmp");
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    }
    Files.writeString(tmp, toJson().encodePrettily() + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Removes the file if it still announces this process (a later dev instance may have replaced it). */
  public static void removeIfOurs(Path file, long pid) {
    try {
      Optional<DevInstance> there = read(file);
      if (there.isPresent() && there.get().pid() == pid) {
        Files.deleteIfExists(file);
      }
    } catch (IOException | RuntimeException e) {
      // best effort on the way out
    }
  }

  /** The instance the file announces, if the file exists, parses, and its process is alive. */
  public static Optional<DevInstance> find(Map<String, String> env) {
    try {
      return read(file(env)).filter(i -> ProcessHandle.of(i.pid()).map(ProcessHandle::isAlive).orElse(false));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<DevInstance> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonObject json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    return Optional.of(new DevInstance(json.getLong("pid"), json.getString("postgres_uri"),
        json.getString("redis_uri"), json.getString("base_url"), json.getString("native_secret")));
  }
}
