package dev.licensegateway.cli;

import dev.licensegateway.gate.RequestSignature;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * {@code call PATH [BODY]}: sends one signed native request (docs/native-protocol.md) and prints the
 * answer, since curl alone cannot compute the HMAC.
 */
public final class SignedCall {

  private SignedCall() {}

  /** {@code baseFrom} says where {@code baseUrl} came from, for the message when nothing answers there. */
  public static int run(String baseUrl, String baseFrom, String secret, String path, String body) throws Exception {
    URI uri;
    try {
      uri = URI.create(baseUrl + path);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("no scheme or host");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("'" + baseUrl + "' (" + baseFrom + ") is not a URL like http://127.0.0.1:8080: "
          + "set LGW_BASE_URL");
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    long timestamp = System.currentTimeMillis() / 1000;
    byte[] nonceBytes = new byte[16];
    new SecureRandom().nextBytes(nonceBytes);
    String nonce = HexFormat.of().formatHex(nonceBytes);
    String signature = new RequestSignature(secret).sign(timestamp, nonce, "POST", path, bytes);
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .header(RequestSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
        .header(RequestSignature.NONCE_HEADER, nonce)
        .header(RequestSignature.SIGNATURE_HEADER, signature)
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
        .build();
    HttpResponse<String> response;
    try {
      response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
          .send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw new IllegalStateException("no gateway answers at " + baseUrl + " (" + baseFrom + "; "
          + (e instanceof ConnectException ? "connection refused" : "connect timed out") + "): start one "
          + "(`java -jar target/license-gateway.jar dev`), or point LGW_BASE_URL at a running gateway");
    }
    System.out.println("HTTP " + response.statusCode());
    System.out.println(response.body());
    return response.statusCode() < 400 ? 0 : 1;
  }
}
