package dev.licensegateway.signing;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * docs/native-protocol.md: {@code {"data": …, "signature": …, "alg": …, "kid": …}}, where the signature is
 * over the canonical bytes of {@code data}, which are embedded unchanged.
 */
public final class SignedEnvelope {

  private static final byte[] OPEN = "{\"data\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SIGNATURE = ",\"signature\":\"".getBytes(StandardCharsets.US_ASCII);

  private SignedEnvelope() {}

  /** The envelope's bytes, written once: the canonical bytes that were signed, then the signature. */
  public static Buffer of(Object data, KeyRing.ResponseSigner signer) {
    byte[] canonical = CanonicalJson.toBytes(data);
    String signature = signer.sign(canonical);
    String tail = "\",\"alg\":\"" + signer.alg().wireName() + "\",\"kid\":\"" + signer.kid() + "\"}";
    return Buffer.buffer(OPEN.length + canonical.length + SIGNATURE.length + signature.length() + tail.length())
        .appendBytes(OPEN)
        .appendBytes(canonical)
        .appendBytes(SIGNATURE)
        .appendString(signature, "US-ASCII")
        .appendString(tail, "UTF-8");
  }
}
