package dev.licensegateway.signing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * RFC 8785 canonical JSON for the values the gateway signs: objects with keys sorted at
 * every level, arrays, strings, integers, booleans and null, written compactly.
 *
 * <p>docs/native-protocol.md makes every number in signed data an integer, so non-integral numbers are
 * refused instead of being given the ECMAScript double formatting RFC 8785 would need.
 */
public final class CanonicalJson {

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  /** 2^53 − 1, the largest integer every IEEE double (so every RFC 8785 number) holds exactly. */
  static final long MAX_SAFE_INTEGER = 9_007_199_254_740_991L;

  private CanonicalJson() {}

  public static byte[] toBytes(Object value) {
    return toString(value).getBytes(StandardCharsets.UTF_8);
  }

  public static String toString(Object value) {
    StringBuilder out = new StringBuilder(512);
    write(out, value);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      writeString(out, s);
    } else if (value instanceof Boolean b) {
      out.append(b.booleanValue());
    } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      out.append(value);
    } else if (value instanceof Long l) {
      out.append(exactInteger(l, value));
    } else if (value instanceof BigInteger b) {
      out.append(exactInteger(b.bitLength() < 64 ? b.longValue() : Long.MAX_VALUE, value));
    } else if (value instanceof Number n) {
      double d = n.doubleValue();
      if (d != Math.rint(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("signed data holds only integers, got " + value);
      }
      out.append(exactInteger((long) d, value));
    } else if (value instanceof JsonObject o) {
      writeObject(out, o.getMap());
    } else if (value instanceof Map<?, ?> m) {
      writeObject(out, m);
    } else if (value instanceof JsonArray a) {
      writeArray(out, a.getList());
    } else if (value instanceof Collection<?> c) {
      writeArray(out, c);
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }
  }

  /**
   * RFC 8785 writes numbers as IEEE doubles: an integer beyond ±(2^53 − 1) would be written
   * rounded (Long.MAX_VALUE as 9223372036854776000), so a verifier's canonical form and ours
   * could differ. Signed data holds only integers within that range; any other is refused.
   */
  private static long exactInteger(long value, Object original) {
    if (value > MAX_SAFE_INTEGER || value < -MAX_SAFE_INTEGER) {
      throw new IllegalArgumentException("signed data holds only integers within ±(2^53 - 1), got " + original);
    }
    return value;
  }

  private static void writeObject(StringBuilder out, Map<?, ?> map) {
    List<String> keys = new ArrayList<>(map.size());
    for (Object k : map.keySet()) {
      keys.add((String) k);
    }
    // RFC 8785 3.2.3 sorts by UTF-16 code units, which is String.compareTo: a map already
    // in that order (a TreeMap of natural order) needs no sort.
    if (!(map instanceof SortedMap<?, ?> sorted && sorted.comparator() == null)) {
      keys.sort(null);
    }
    out.append('{');
    boolean first = true;
    for (String key : keys) {
      if (!first) {
        out.append(',');
      }
      first = false;
      writeString(out, key);
      out.append(':');
      write(out, map.get(key));
    }
    out.append('}');
  }

  private static void writeArray(StringBuilder out, Collection<?> items) {
    out.append('[');
    boolean first = true;
    for (Object item : items) {
      if (!first) {
        out.append(',');
      }
      first = false;
      write(out, item);
    }
    out.append(']');
  }

  /** RFC 8785 3.2.2.2: only '"', '\\' and C0 controls are escaped; all else is literal UTF-8. */
  static void writeString(StringBuilder out, String s) {
    out.append('"');
    int plain = 0;
    while (plain < s.length() && s.charAt(plain) >= 0x20 && s.charAt(plain) != '"' && s.charAt(plain) != '\\') {
      plain++;
    }
    // Most strings need no escape at all: one copy of the whole.
    out.append(s, 0, plain);
    for (int i = plain; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
