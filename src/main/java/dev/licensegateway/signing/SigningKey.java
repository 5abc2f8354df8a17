package dev.licensegateway.signing;

import java.security.PrivateKey;
import java.security.PublicKey;

/** One key of the ring. {@code privateKey} is null for a retired key, which is only published. */
public record SigningKey(String kid, SigningAlg alg, PublicKey publicKey, PrivateKey privateKey) {

  public boolean canSign() {
    return privateKey != null;
  }

  /** Kids start with their creation time, so the newest key sorts last. */
  String createdStamp() {
    String[] parts = kid.split("-");
    return parts.length >= 3 ? parts[1] : "";
  }
}
