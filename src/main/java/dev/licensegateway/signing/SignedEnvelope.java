package dev.licensegateway.signing;

import java.nio.charset.StandardCharsets;

/**
 * SPEC 2.3: {@code {"data": …, "signature": …, "alg": …, "kid": …}}, where the signature is
 * over the canonical bytes of {@code data}, which are embedded unchanged.
 */
public final class SignedEnvelope {

  private SignedEnvelope() {}

  public static String of(Object data, KeyRing.ResponseSigner signer) {
    String canonical = CanonicalJson.toString(data);
    String signature = signer.sign(canonical.getBytes(StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder(canonical.length() + 512);
    out.append("{\"data\":").append(canonical)
        .append(",\"signature\":\"").append(signature)
        .append("\",\"alg\":\"").append(signer.alg().wireName())
        .append("\",\"kid\":\"").append(signer.kid()).append("\"}");
    return out.toString();
  }
}
