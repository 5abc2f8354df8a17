package dev.licensegateway.dialect;

import dev.licensegateway.infra.UtcClock;
import dev.licensegateway.licensing.LicenseResult;
import java.time.Instant;
import java.util.TreeMap;
import java.util.Map;

/** The signed {@code data} of docs/native-protocol.md, built from a core result. */
public final class LicenseData {

  private LicenseData() {}

  /**
   * @param machineId null on status, which names no machine
   * @param valid     null where the operation is not a validation
   */
  public static Map<String, Object> of(LicenseResult result, String machineId, Boolean valid, String nonce) {
    var ctx = result.context();
    // Sorted as it is built: the canonical form needs no sort (RFC 8785 3.2.3).
    Map<String, Object> data = new TreeMap<>();
    data.put("license_key", ctx.key());
    if (machineId != null) {
      data.put("machine_id", machineId);
    }
    data.put("status", ctx.displayStatus(result.now()));
    if (valid != null) {
      data.put("valid", valid);
    }
    data.put("expires_at", UtcClock.rfc3339(ctx.expiresAt()));
    data.put("max_machines", ctx.maxMachines());
    data.put("machines_used", result.machinesUsed());
    data.put("entitlements", ctx.entitlements());
    Instant due = result.heartbeatDueAt();
    if (due != null) {
      data.put("heartbeat_due_at", UtcClock.rfc3339(due));
    }
    data.put("issued_at", UtcClock.rfc3339(result.now()));
    if (nonce != null) {
      data.put("nonce", nonce);
    }
    return data;
  }
}
