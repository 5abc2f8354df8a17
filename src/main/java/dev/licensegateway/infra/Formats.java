package dev.licensegateway.infra;

import java.util.regex.Pattern;

/** The identifier formats of the contract, each checked in this one place. */
public final class Formats {

  /** docs/domain.md: {@code XXXXX-XXXXX-XXXXX-XXXXX-XXXXX} over A–Z and 0–9. */
  private static final Pattern LICENSE_KEY = Pattern.compile("[A-Z0-9]{5}(-[A-Z0-9]{5}){4}");
  public static final String LICENSE_KEY_FORM = "XXXXX-XXXXX-XXXXX-XXXXX-XXXXX (A-Z, 0-9)";

  private Formats() {}

  public static boolean isLicenseKey(String text) {
    return text != null && LICENSE_KEY.matcher(text).matches();
  }

  /** Lowercase only: callers fold case first where the contract allows either. */
  public static boolean isHex64(String text) {
    if (text == null || text.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }
}
