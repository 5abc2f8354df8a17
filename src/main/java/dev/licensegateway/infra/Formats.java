package dev.licensegateway.infra;

import java.util.regex.Pattern;

/** The identifier formats of the contract, each checked in this one place. */
public final class Formats {

  /** SPEC 1: {@code XXXXX-XXXXX-XXXXX-XXXXX-XXXXX} over A–Z and 0–9. */
  private static final Pattern LICENSE_KEY = Pattern.compile("[A-Z0-9]{5}(-[A-Z0-9]{5}){4}");
  /** A SHA-256 in lowercase hex: machine ids and HWID rules. */
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  public static final String LICENSE_KEY_FORM = "XXXXX-XXXXX-XXXXX-XXXXX-XXXXX (A-Z, 0-9)";

  private Formats() {}

  public static boolean isLicenseKey(String text) {
    return text != null && LICENSE_KEY.matcher(text).matches();
  }

  /** Lowercase only: callers fold case first where the contract allows either. */
  public static boolean isHex64(String text) {
    return text != null && HEX64.matcher(text).matches();
  }
}
