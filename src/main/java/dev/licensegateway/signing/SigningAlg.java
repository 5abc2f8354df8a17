package dev.licensegateway.signing;

import java.util.Arrays;

/** The response-signature algorithms of SPEC 2.3, by their wire names. */
public enum SigningAlg {
  RSA_SHA256("RSA-SHA256", "SHA256withRSA", "RSA", "rsa"),
  ED25519("Ed25519", "Ed25519", "Ed25519", "ed25519");

  private final String wireName;
  private final String jcaSignature;
  private final String jcaKey;
  private final String kidTag;

  SigningAlg(String wireName, String jcaSignature, String jcaKey, String kidTag) {
    this.wireName = wireName;
    this.jcaSignature = jcaSignature;
    this.jcaKey = jcaKey;
    this.kidTag = kidTag;
  }

  public String wireName() {
    return wireName;
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
