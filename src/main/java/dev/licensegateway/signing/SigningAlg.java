package dev.licensegateway.signing;

import java.util.Arrays;

/** The response-signature algorithms of docs/native-protocol.md, by their wire names. */
public enum SigningAlg {
  RSA_SHA256("RSA-SHA256", "RS256", "SHA256withRSA", "RSA", "rsa"),
  ED25519("Ed25519", "EdDSA", "Ed25519", "Ed25519", "ed25519");

  private final String wireName;
  private final String joseName;
  private final String jcaSignature;
  private final String jcaKey;
  private final String kidTag;

  SigningAlg(String wireName, String joseName, String jcaSignature, String jcaKey, String kidTag) {
    this.wireName = wireName;
    this.joseName = joseName;
    this.jcaSignature = jcaSignature;
    this.jcaKey = jcaKey;
    this.kidTag = kidTag;
  }

  /** The name in the response envelope's {@code alg} and in configuration (docs/native-protocol.md). */
  public String wireName() {
    return wireName;
  }

  /** The name in a JWK's {@code alg} (RFC 7518 3.1, RFC 8037 3.1), which JOSE libraries know. */
  public String joseName() {
    return joseName;
  }

  public String jcaSignature() {
    return jcaSignature;
  }

  public String jcaKey() {
    return jcaKey;
  }

  public String kidTag() {
    return kidTag;
  }

  public static SigningAlg fromWireName(String name) {
    return Arrays.stream(values())
        .filter(a -> a.wireName.equalsIgnoreCase(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "unknown signing algorithm '" + name + "': use RSA-SHA256 or Ed25519"));
  }

  public static SigningAlg fromKidTag(String tag) {
    return Arrays.stream(values()).filter(a -> a.kidTag.equals(tag)).findFirst().orElse(null);
  }
}
