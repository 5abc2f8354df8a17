package dev.licensegateway.licensing;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A license as one request sees it: the license, its policy, product and account, the
 * asking machine, and every rule that applies to the asking device and IP, read in one query.
 */
public record LicenseContext(
    UUID licenseId,
    String key,
    LicenseStatus status,
    Instant expiresAt,
    String environment,
    int maxMachines,
    List<String> entitlements,
    Integer heartbeatIntervalS,
    Integer maxIps,
    IpMode ipMode,
    UUID productId,
    ProductStatus productStatus,
    Integer dailyValidationLimit,
    UUID accountId,
    AccountStatus accountStatus,
    /** Whether the account pays in credits (false: unlimited); the balance itself is spent in SQL. */
    boolean creditBalance,
    Instant machineLastHeartbeat,
    long machinesUsed,
    boolean hwidBlocked,
    boolean hwidAllowListed,
    boolean hwidAllowed,
    boolean ipBlockedByProduct,
    boolean ipAllowListed,
    boolean ipAllowedByProduct,
    Boolean licenseIpBlocked,
    long ipsRegistered) {

  /** docs/domain.md: a license is expired when {@code expires_at} < now, whatever its status. */
  public boolean expired(Instant now) {
    return expiresAt != null && expiresAt.isBefore(now);
  }

  /** docs/native-protocol.md status: the license state a client can poll. */
  public String displayStatus(Instant now) {
    if (status != LicenseStatus.ACTIVE) {
      return status.wire();
    }
    return expired(now) ? "expired" : status.wire();
  }

  public MachineState machineState(Instant now) {
    if (machineLastHeartbeat == null) {
      return MachineState.ABSENT;
    }
    if (heartbeatIntervalS == null) {
      return MachineState.ACTIVE;
    }
    if (Heartbeats.released(heartbeatIntervalS, machineLastHeartbeat, now)) {
      return MachineState.RELEASED;
    }
    if (Heartbeats.overdue(heartbeatIntervalS, machineLastHeartbeat, now)) {
      return MachineState.OVERDUE;
    }
    return MachineState.ACTIVE;
  }

  public Instant heartbeatDueAt(Instant lastHeartbeat) {
    return heartbeatIntervalS == null || lastHeartbeat == null
        ? null
        : lastHeartbeat.plusSeconds(heartbeatIntervalS);
  }

  /**
   * Whether a request from {@code ip} must register it on the license (docs/dialects.md IP
   * registration): the policy counts IPs, the mode is open, and this IP is not yet known.
   */
  public boolean mustRegister(String ip) {
    return ip != null && maxIps != null && ipMode == IpMode.OPEN && licenseIpBlocked == null;
  }

  public enum MachineState {
    ABSENT,
    ACTIVE,
    OVERDUE,
    /** Overdue by more than twice the interval: it no longer holds its slot (docs/domain.md). */
    RELEASED
  }
}
