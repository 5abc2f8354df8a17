package dev.licensegateway.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A verified answer of the gateway: its signed {@code data} (signature checked, {@code nonce},
 * {@code license_key} and {@code machine_id} checked against the request), or, when
 * {@link #fromCache()} is true, the last verified validation kept for offline grace.
 * Immutable and safe to share.
 */
public final class LicenseResult {

  /** The native operations, each with its path. */
  public enum Operation {
    ACTIVATE("activate"), VALIDATE("validate"), DEACTIVATE("deactivate"), HEARTBEAT("heartbeat"), STATUS("status");

    private final String path;

    Operation(String name) {
      this.path = "/api/v1/license/" + name;
    }

    public String path() {
      return path;
    }
  }

  private final Operation operation;
  private final JsonNode node;
  private final Map<String, Object> data;
  private final String signedData;
  private final String signature;
  private final String alg;
  private final String kid;
  private final Instant issuedAt;
  private final boolean fromCache;

  LicenseResult(Operation operation, JsonNode node, String signature, String alg, String kid, boolean fromCache) {
    this.operation = operation;
    this.node = node;
    this.signedData = new String(CanonicalJson.toBytes(node), StandardCharsets.UTF_8);
    this.data = deepUnmodifiable(Json.MAPPER.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() {}));
    this.signature = signature;
    this.alg = alg;
    this.kid = kid;
    this.fromCache = fromCache;
    Instant issued = instant("issued_at");
    if (issued == null) {
      throw new SignatureMismatchException("the signed data has no valid issued_at");
    }
    this.issuedAt = issued;
  }

  LicenseResult asCached() {
    return new LicenseResult(operation, node, signature, alg, kid, true);
  }

  JsonNode node() {
    return node;
  }

  public Operation operation() {
    return operation;
  }

  /**
   * Whether the license may be used: {@code data.valid} for a validation; for status, whether
   * {@code status} is {@code active}; for the other operations, true (refusals raise instead).
   */
  public boolean valid() {
    return switch (operation) {
      case VALIDATE -> Boolean.TRUE.equals(data.get("valid"));
      case STATUS -> "active".equals(status());
      default -> true;
    };
  }

  /** {@code active}, {@code inactive}, {@code suspended}, {@code revoked} or {@code expired}. */
  public String status() {
    return string("status");
  }

  /** The whole signed {@code data}, as Java values (maps, lists, strings, numbers, booleans, null). */
  public Map<String, Object> data() {
    return data;
  }

  /** True when the gateway was unreachable and this is the last verified validation, within the offline grace. */
  public boolean fromCache() {
    return fromCache;
  }

  public String licenseKey() {
    return string("license_key");
  }

  /** Null on status, which names no machine. */
  public String machineId() {
    return string("machine_id");
  }

  /** The server's time of the answer: the anchor of the offline grace. */
  public Instant issuedAt() {
    return issuedAt;
  }

  /** Null when the license does not expire. */
  public Instant expiresAt() {
    return instant("expires_at");
  }

  /** When the next heartbeat is due, or null when the policy asks for none. */
  public Instant heartbeatDueAt() {
    return instant("heartbeat_due_at");
  }

  public long maxMachines() {
    return number("max_machines");
  }

  public long machinesUsed() {
    return number("machines_used");
  }

  public List<String> entitlements() {
    JsonNode list = node.get("entitlements");
    List<String> out = new ArrayList<>();
    if (list != null && list.isArray()) {
      list.forEach(e -> out.add(e.asText()));
    }
    return Collections.unmodifiableList(out);
  }

  /** The request's nonce the gateway echoed. */
  public String nonce() {
    return string("nonce");
  }

  /** The canonical JSON that was signed, for a vendor who keeps or forwards the proof. */
  public String signedData() {
    return signedData;
  }

  /** Base64 signature over {@link #signedData()}. */
  public String signature() {
    return signature;
  }

  /** {@code RSA-SHA256} or {@code Ed25519}. */
  public String alg() {
    return alg;
  }

  public String kid() {
    return kid;
  }

  private String string(String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  private long number(String field) {
    JsonNode value = node.get(field);
    return value != null && value.isIntegralNumber() ? value.longValue() : 0;
  }

  private Instant instant(String field) {
    String text = string(field);
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (RuntimeException e) {
      return null;
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T deepUnmodifiable(T value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put((String) k, deepUnmodifiable(v)));
      return (T) Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(deepUnmodifiable(v)));
      return (T) Collections.unmodifiableList(copy);
    }
    return value;
  }

  @Override
  public String toString() {
    return "LicenseResult[" + operation + (fromCache ? ", from cache" : "") + "] " + signedData;
  }
}
