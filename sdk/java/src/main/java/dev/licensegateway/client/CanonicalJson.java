package dev.licensegateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785 canonical JSON of a parsed value, as the gateway signs it: object keys sorted by
 * UTF-16 code units at every level, no whitespace, strings with only {@code "}, {@code \}
 * and control characters escaped. The gateway's signed data holds integers only, so any
 * other number is refused rather than formatted.
 */
final class CanonicalJson {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private CanonicalJson() {}

  static byte[] toBytes(JsonNode value) {
    StringBuilder out = new StringBuilder(512);
    write(out, value);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void write(StringBuilder out, JsonNode value) {
    switch (value.getNodeType()) {
      case NULL, MISSING -> out.append("null");
      case BOOLEAN -> out.append(value.booleanValue());
      case STRING -> writeString(out, value.textValue());
      case NUMBER -> {
        if (!value.isIntegralNumber()) {
          throw new IllegalArgumentException("signed data holds only integers, got " + value);
        }
        out.append(value.bigIntegerValue());
      }
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < value.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(out, value.get(i));
        }
        out.append(']');
      }
      case OBJECT -> {
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(value.size());
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          fields.add(it.next());
        }
        // String.compareTo orders by UTF-16 code units, which is RFC 8785's order.
        fields.sort(Map.Entry.comparingByKey());
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> field : fields) {
          if (!first) {
            out.append(',');
          }
          first = false;
          writeString(out, field.getKey());
          out.append(':');
          write(out, field.getValue());
        }
        out.append('}');
      }
      default -> throw new IllegalArgumentException("not a JSON value: " + value.getNodeType());
    }
  }

  private static void writeString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
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
