package dev.licensegateway.cli;

import dev.licensegateway.gate.RequestSignature;
import java.net.URI;
import java.net.http.HttpClient;
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

  public static int run(String baseUrl, String secret, String path, String body) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    long timestamp = System.currentTimeMillis() / 1000;
    byte[] nonceBytes = new byte[16];
    new SecureRandom().nextBytes(nonceBytes);
    String nonce = HexFormat.of().formatHex(nonceBytes);
    String signature = new RequestSignature(secret).sign(timestamp, nonce, "POST", path, bytes);
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .header(RequestSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
        .header(RequestSignature.NONCE_HEADER, nonce)
        .header(RequestSignature.SIGNATURE_HEADER, signature)
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
        .build();
    HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    System.out.println("HTTP " + response.statusCode());
    System.out.println(response.body());
    return response.statusCode() < 400 ? 0 : 1;
  }
}
