package dev.licensegateway.http;

import java.util.UUID;
import java.util.regex.Pattern;

/** Ids are opaque strings to clients; inside they are UUIDs. */
public final class Ids {

  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private Ids() {}

  /** The UUID, or null when the text cannot be an id of ours. */
  public static UUID parse(String text) {
    return text != null && UUID_TEXT.matcher(text).matches() ? UUID.fromString(text) : null;
  }
}
