package dev.licensegateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.licensegateway.infra.Formats;
import dev.licensegateway.infra.WireName;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Validates a JSON request body field by field and collects every problem, so that a
 * client learns all that is wrong with its request at once (docs/native-protocol.md, 1702 details).
 */
public final class FieldErrors {

  private final JsonNode body;
  private final List<FieldError> errors = new ArrayList<>();

  public record FieldError(String field, String message) {}

  private FieldErrors(JsonNode body) {
    this.body = body;
  }

  /** Starts validating; a body that is not a JSON object is reported against {@code body}. */
  public static FieldErrors of(JsonNode body) {
    FieldErrors v = new FieldErrors(body);
    if (body == null || !body.isObject()) {
      v.add("body", "must be a JSON object");
    }
    return v;
  }

  public boolean ok() {
    return errors.isEmpty();
  }

  public List<FieldError> errors() {
    return List.copyOf(errors);
  }

  public void add(String field, String message) {
    errors.add(new FieldError(field, message));
  }

  /** Fails the request with every error found, or does nothing when there is none. */
  public void orFail() {
    if (!errors.isEmpty()) {
      throw Problem.invalidFields(errors);
    }
  }

  /** The errors as {@code [{"field", "message"}, …]}, the details of most error forms. */
  public static JsonArray toJson(List<FieldError> errors) {
    JsonArray details = new JsonArray();
    errors.forEach(e -> details.add(new JsonObject().put("field", e.field()).put("message", e.message())));
    return details;
  }

  /** The errors as {@code {"field": ["message", …]}}, the form of the /license dialect. */
  public static JsonObject toFieldMap(List<FieldError> errors) {
    JsonObject map = new JsonObject();
    errors.forEach(e -> {
      JsonArray messages = map.getJsonArray(e.field());
      if (messages == null) {
        messages = new JsonArray();
        map.put(e.field(), messages);
      }
      messages.add(e.message());
    });
    return map;
  }

  /** A required string of 1..maxLength characters with no control characters. */
  public String requiredString(String field, int maxLength) {
    JsonNode node = field(field);
    if (node == null || node.isNull()) {
      add(field, "is required");
      return null;
    }
    return checkString(field, node, maxLength);
  }

  /** An optional string; null when absent or null. */
  public String optionalString(String field, int maxLength) {
    JsonNode node = field(field);
    return node == null || node.isNull() ? null : checkString(field, node, maxLength);
  }

  /** docs/domain.md: a machine id is the SHA-256 of the device identifier, as 64 hex characters. */
  public String requiredMachineId(String field) {
    String value = requiredString(field, 64);
    if (value == null) {
      return null;
    }
    String lower = value.toLowerCase(Locale.ROOT);
    if (!Formats.isHex64(lower)) {
      add(field, "must be 64 hexadecimal characters (the SHA-256 of the device identifier)");
      return null;
    }
    return lower;
  }

  /** docs/domain.md: a required license key in {@code XXXXX-XXXXX-XXXXX-XXXXX-XXXXX} form. */
  public String requiredLicenseKey(String field) {
    String value = requiredString(field, 255);
    if (value != null && !Formats.isLicenseKey(value)) {
      add(field, "must be of the form " + Formats.LICENSE_KEY_FORM);
      return null;
    }
    return value;
  }

  /** An optional list of up to maxItems strings; an empty list when absent. */
  public List<String> optionalStringList(String field, int maxItems, int maxLength) {
    JsonNode node = field(field);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      add(field, "must be an array of strings");
      return List.of();
    }
    if (node.size() > maxItems) {
      add(field, "must hold at most " + maxItems + " items");
      return List.of();
    }
    List<String> values = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      String value = checkString(field + "[" + i + "]", node.get(i), maxLength);
      if (value != null) {
        values.add(value);
      }
    }
    return values;
  }

  /** Whether the body names the field at all (a present null means "clear it" on PATCH). */
  public boolean has(String name) {
    return body != null && body.isObject() && body.has(name);
  }

  public boolean isNull(String name) {
    return has(name) && body.get(name).isNull();
  }

  public Boolean optionalBoolean(String field) {
    JsonNode node = field(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isBoolean()) {
      add(field, "must be true or false");
      return null;
    }
    return node.booleanValue();
  }

  /** An optional integer in [min, max]; null when absent or null. */
  public Integer optionalInt(String field, int min, int max) {
    JsonNode node = field(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      add(field, "must be an integer");
      return null;
    }
    int value = node.intValue();
    if (value < min || value > max) {
      add(field, "must be between " + min + " and " + max);
      return null;
    }
    return value;
  }

  public Integer requiredInt(String field, int min, int max) {
    JsonNode node = field(field);
    if (node == null || node.isNull()) {
      add(field, "is required");
      return null;
    }
    return optionalInt(field, min, max);
  }

  /** An optional string that must be one of {@code allowed}. */
  public String optionalEnum(String field, java.util.Set<String> allowed) {
    String value = optionalString(field, 64);
    if (value != null && !allowed.contains(value)) {
      add(field, "must be one of " + String.join(", ", new java.util.TreeSet<>(allowed)));
      return null;
    }
    return value;
  }

  /** An optional name of the contract's vocabulary; null when absent or not one of {@code type}'s. */
  public <E extends Enum<E> & WireName> E optionalEnum(String field, Class<E> type) {
    String value = optionalEnum(field, WireName.names(type));
    return value == null ? null : WireName.parse(type, value);
  }

  /** The instants a timestamp field accepts: years 1970 to 9999, UTC (Postgres stores them as they are). */
  public static final java.time.Instant EARLIEST = java.time.Instant.parse("1970-01-01T00:00:00Z");
  public static final java.time.Instant LATEST = java.time.Instant.parse("9999-12-31T23:59:59Z");

  /**
   * An optional RFC 3339 timestamp within {@link #EARLIEST} and {@link #LATEST}. Java reads years
   * far past these (and before year 1), which Postgres would store as {@code infinity} or in
   * another era; RFC 3339 itself has four-digit years.
   */
  public java.time.Instant optionalTimestamp(String field) {
    String value = optionalString(field, 64);
    if (value == null) {
      return null;
    }
    java.time.Instant instant;
    try {
      instant = java.time.OffsetDateTime.parse(value).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      add(field, "must be an RFC 3339 timestamp such as 2027-01-31T00:00:00Z");
      return null;
    }
    if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
      add(field, "must be between " + EARLIEST + " and " + LATEST);
      return null;
    }
    return instant;
  }

  /** A required id: ids are opaque strings; one that cannot be ours is reported here. */
  public java.util.UUID requiredId(String field) {
    String value = requiredString(field, 64);
    if (value == null) {
      return null;
    }
    java.util.UUID id = Ids.parse(value);
    if (id == null) {
      add(field, "is not a valid id");
    }
    return id;
  }

  private JsonNode field(String name) {
    return body != null && body.isObject() ? body.get(name) : null;
  }

  private String checkString(String field, JsonNode node, int maxLength) {
    if (!node.isTextual()) {
      add(field, "must be a string");
      return null;
    }
    String value = node.textValue();
    if (value.isEmpty()) {
      add(field, "must not be empty");
      return null;
    }
    if (value.length() > maxLength) {
      add(field, "must be at most " + maxLength + " characters");
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      // NUL cannot be stored in Postgres text, and no field of ours has a use for controls.
      if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) && !validSurrogatePair(value, i)) {
        add(field, "must not contain control characters or broken UTF-16");
        return null;
      }
      if (Character.isHighSurrogate(c)) {
        i++;
      }
    }
    return value;
  }

  private static boolean validSurrogatePair(String s, int i) {
    return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
  }
}
