package dev.licensegateway.dev;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/**
 * A real Postgres and a real Redis started from jars, on free ports: dev mode serves on
 * them, and the tests run against them, so neither needs anything installed.
 */
public final class EmbeddedServers implements AutoCloseable {

  private final EmbeddedPostgres postgres;
  private final RedisServer redis;
  private final int redisPort;

  private EmbeddedServers(EmbeddedPostgres postgres, RedisServer redis, int redisPort) {
    this.postgres = postgres;
    this.redis = redis;
    this.redisPort = redisPort;
  }

  /** The platform these binaries are for, e.g. "macOS arm64"; fails clearly where none ship. */
  public static String platform() {
    return DevPlatform.current().name();
  }

  /** Postgres stops by itself when the JVM exits (its own shutdown hook): for tests and benchmarks. */
  public static EmbeddedServers start() throws IOException {
    return start(true);
  }

  /**
   * {@code stopsItself} false: the caller closes the servers, after whatever still uses them.
   * Dev mode's Ctrl-C stops the gateway first; with Postgres' own hook racing it, the gateway
   * would see its connections killed under it and print errors on the way out.
   */
  public static EmbeddedServers start(boolean stopsItself) throws IOException {
    DevPlatform.current().requireBinaries();
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setRegisterShutdownHook(stopsItself)
        .setPort(freePort())
        .setServerConfig("max_connections", "300")
        .setServerConfig("fsync", "off")
        .start();
    int redisPort = freePort();
    RedisServer redis = RedisServer.newRedisServer()
        .port(redisPort)
        .bind("127.0.0.1")
        .setting("save \"\"")
        .setting("appendonly no")
        .build();
    try {
      redis.start();
    } catch (IOException | RuntimeException e) {
      postgres.close();
      throw e;
    }
    return new EmbeddedServers(postgres, redis, redisPort);
  }

  public String postgresUri() {
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  public String redisUri() {
    return "redis://127.0.0.1:" + redisPort;
  }

  public int postgresPort() {
    return postgres.getPort();
  }

  public int redisPort() {
    return redisPort;
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      redis.stop();
    } catch (IOException e) {
      // the process is gone either way
    }
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
