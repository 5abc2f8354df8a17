package dev.licensegateway.infra;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Connection URIs as they may be shown: in a log line or an error message, a Postgres or Redis
 * URI keeps its scheme, user, hosts and database, and loses every password (the userinfo's and
 * a {@code password=} parameter's). Every place that prints a URI goes through here.
 */
public final class Uris {

  private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&](?:password|pass|pwd)=)[^&#]*");

  private Uris() {}

  /** The URI, or comma-separated list of URIs (a Redis Cluster), with every password replaced by {@code ***}. */
  public static String redact(String uris) {
    if (uris == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(uris.length());
    String[] parts = uris.split(",", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(redactOne(parts[i]));
    }
    return out.toString();
  }

  private static String redactOne(String uri) {
    int scheme = uri.indexOf("://");
    String masked = uri;
    if (scheme >= 0) {
      int start = scheme + 3;
      // The userinfo ends at the last '@': a password with an unescaped '@' or '/' is still
      // masked whole (better a host hidden than a password shown).
      int at = uri.lastIndexOf('@');
      if (at > start) {
        String userinfo = uri.substring(start, at);
        int colon = userinfo.indexOf(':');
        String kept;
        if (colon >= 0) {
          kept = userinfo.substring(0, colon) + ":***";
        } else {
          // redis://secret@host: Redis clients read a lone userinfo as the password.
          kept = uri.substring(0, scheme).toLowerCase(Locale.ROOT).startsWith("redis") ? "***" : userinfo;
        }
        masked = uri.substring(0, start) + kept + uri.substring(at);
      }
    }
    return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1***");
  }
}
