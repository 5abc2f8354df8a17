package dev.licensegateway.gate;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Lua script from {@code src/main/resources/lua}, called by EVALSHA with a fall-back to
 * EVAL when a Redis (a restarted one, or another cluster node) answers NOSCRIPT. The SHA is
 * computed locally, so no SCRIPT LOAD has to succeed before the first call.
 */
public final class RedisScript {

  private final String source;
  private final String sha;

  private RedisScript(String source) {
    this.source = source;
    try {
      this.sha = HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static RedisScript load(String resource) {
    try (InputStream in = RedisScript.class.getResourceAsStream("/lua/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("missing script lua/" + resource);
      }
      return new RedisScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SCRIPT LOAD, so that the first EVALSHA finds it; a node that lacks it later gets EVAL. */
  public Future<Void> preload(RedisLanes redis, long timeoutMs) {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(source))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .mapEmpty();
  }

  public Future<Response> call(RedisLanes redis, List<String> keys, List<Object> args, long timeoutMs) {
    return redis.send(request(Command.EVALSHA, sha, keys, args))
        .recover(e -> String.valueOf(e.getMessage()).startsWith("NOSCRIPT")
            ? redis.send(request(Command.EVAL, source, keys, args))
            : Future.failedFuture(e))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private static Request request(Command command, String script, List<String> keys, List<Object> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    for (String key : keys) {
      request.arg(key);
    }
    for (Object arg : args) {
      request.arg(String.valueOf(arg));
    }
    return request;
  }
}
