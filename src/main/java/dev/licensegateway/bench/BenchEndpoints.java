package dev.licensegateway.bench;

import dev.licensegateway.gate.RequestSignature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The endpoints {@code bench http} can load, each as a {@link LoadGenerator.Target} whose
 * every request is valid: a fresh nonce and HMAC for the native API, the license key rotating
 * over the seeded licenses with its own machine, the credential each dialect asks for. An
 * answer is a success only when it says so: HTTP 2xx, and for the dialects that answer
 * refusals with 200 (/auth, /v1, /api/v1/validate), a body that reads as success.
 */
final class BenchEndpoints {

  static final List<String> ALL = List.of("native-validate", "native-activate", "native-heartbeat",
      "license-validate", "auth-validate", "v1-validate", "keyport-validate");

  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final byte[] AUTH_SUCCESS = "\"status\":\"success\"".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VALID_TRUE = "\"valid\":true".getBytes(StandardCharsets.UTF_8);

  private BenchEndpoints() {}

  static LoadGenerator.Target of(String name, BenchSeed.Fixture f, String secret) {
    int n = f.licenses().size();
    return switch (name) {
      case "native-validate" -> signed(name, "/api/v1/license/validate", f, secret);
      case "native-activate" -> signed(name, "/api/v1/license/activate", f, secret);
      case "native-heartbeat" -> signed(name, "/api/v1/license/heartbeat", f, secret);
      case "license-validate" -> plain(name, "/license/validate", null, i -> json(
          "license_key", f.licenses().get(i), "machine_id", f.machines().get(i)), n, null);
      case "auth-validate" -> plain(name, "/auth/validate", null, i -> json(
          "app_id", f.appId(), "app_secret", f.appSecret(), "license_key", f.licenses().get(i),
          "hwid", f.machines().get(i), "nonce", nonce()), n, AUTH_SUCCESS);
      case "v1-validate" -> plain(name, "/v1/licenses/validate", "Bearer " + f.apiKey(), i -> json(
          "key", f.licenses().get(i), "fingerprint", f.machines().get(i)), n, VALID_TRUE);
      case "keyport-validate" -> plain(name, "/api/v1/validate", "Bearer " + f.productKey(), i -> json(
          "license_key", f.licenses().get(i)), n, VALID_TRUE);
      default -> throw new IllegalArgumentException("unknown endpoint '" + name + "'; known: " + String.join(",", ALL));
    };
  }

  /** The anchor's request: a POST of the native validate's size, answered without a look. */
  static LoadGenerator.Target anchor(BenchSeed.Fixture f) {
    return plain("bare Vert.x anchor", "/anchor", null, i -> json(
        "license_key", f.licenses().get(i), "machine_id", f.machines().get(i)), f.licenses().size(), null);
  }

  /** Native (docs/native-protocol.md): timestamp, fresh nonce and HMAC-SHA256 of the canonical string. */
  private static LoadGenerator.Target signed(String name, String path, BenchSeed.Fixture f, String secret) {
    RequestSignature signer = new RequestSignature(secret);
    byte[][] bodies = new byte[f.licenses().size()][];
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = json("license_key", f.licenses().get(i), "machine_id", f.machines().get(i));
    }
    return new LoadGenerator.Target() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public LoadGenerator.Request request(long seq) {
        byte[] body = bodies[(int) (seq % bodies.length)];
        long now = System.currentTimeMillis() / 1000;
        String nonce = nonce();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
            .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
            .putHeader(RequestSignature.TIMESTAMP_HEADER, Long.toString(now))
            .putHeader(RequestSignature.NONCE_HEADER, nonce)
            .putHeader(RequestSignature.SIGNATURE_HEADER, signer.sign(now, nonce, "POST", path, body));
        return new LoadGenerator.Request(options, Buffer.buffer(body));
      }

      @Override
      public String judge(int status, Buffer body) {
        return status / 100 == 2 ? null : "HTTP " + status;
      }
    };
  }

  private static LoadGenerator.Target plain(String name, String path, String authorization,
      Function<Integer, byte[]> body, int licenses, byte[] successMarker) {
    return new LoadGenerator.Target() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public LoadGenerator.Request request(long seq) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
            .putHeader(HttpHeaders.CONTENT_TYPE, JSON);
        if (authorization != null) {
          options.putHeader(HttpHeaders.AUTHORIZATION, authorization);
        }
        return new LoadGenerator.Request(options, Buffer.buffer(body.apply((int) (seq % licenses))));
      }

      @Override
      public String judge(int status, Buffer answer) {
        if (status / 100 != 2) {
          return "HTTP " + status;
        }
        if (successMarker != null && !contains(answer.getBytes(), successMarker)) {
          return "HTTP " + status + " refusal";
        }
        return null;
      }
    };
  }

  /** 16 random bytes in hex: 32 chars of [0-9a-f], within the native nonce's 16–64. */
  private static String nonce() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** A flat JSON object of string values (none of which needs escaping here). */
  private static byte[] json(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    StringBuilder sb = new StringBuilder("{");
    m.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":\"").append(v)
        .append('"'));
    return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
