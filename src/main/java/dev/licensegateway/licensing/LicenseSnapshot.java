package dev.licensegateway.licensing;

import dev.licensegateway.infra.IpAddresses;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A license as stored, with all that any request about it reads: its policy, product and
 * account, its machines, its product's rules and its IPs. It holds no request's details, so
 * one snapshot serves every request (and can be kept between them); {@link #contextFor}
 * turns it into what one request sees.
 *
 * @param machines     machine id to its last heartbeat, every bound machine
 * @param creditBalance whether the account has a credit balance (false: unlimited)
 * @param allowedHwids null when the product has no HWID allow-list
 * @param allowedIps   null when the product has no IP allow-list
 * @param licenseIps   canonical IP to whether it is blocked: the license's registered and blocked IPs
 */
public record LicenseSnapshot(
    UUID licenseId,
    String key,
    LicenseStatus status,
    Instant expiresAt,
    String environment,
    int maxMachines,
    List<String> entitlements,
    UUID policyId,
    Integer heartbeatIntervalS,
    Integer maxIps,
    IpMode ipMode,
    UUID productId,
    ProductStatus productStatus,
    Integer dailyValidationLimit,
    UUID accountId,
    AccountStatus accountStatus,
    boolean creditBalance,
    Map<String, Instant> machines,
    Set<String> blockedHwids,
    Set<String> allowedHwids,
    List<IpAddresses.Cidr> blockedIps,
    List<IpAddresses.Cidr> allowedIps,
    Map<String, Boolean> licenseIps) {

  /**
   * The license as {@code query} sees it at {@code now}; null when the query may not see it
   * (docs/dialects.md: a license of another product, environment or account is "not found").
   */
  public LicenseContext contextFor(LicenseQuery query, Instant now) {
    if (query.productId() != null && !query.productId().equals(productId)
        || query.environment() != null && !query.environment().equals(environment)
        || query.accountId() != null && !query.accountId().equals(accountId)) {
      return null;
    }
    String machineId = query.machineId();
    // The query's IP is canonical already (ClientIp); its bytes are needed only against ranges.
    String ipText = query.ip();
    byte[] ip = ipText == null || blockedIps.isEmpty() && allowedIps == null ? null : IpAddresses.bytes(ipText);
    long registered = 0;
    for (boolean blocked : licenseIps.values()) {
      if (!blocked) {
        registered++;
      }
    }
    return new LicenseContext(licenseId, key, status, expiresAt, environment, maxMachines, entitlements,
        heartbeatIntervalS, maxIps, ipMode, productId, productStatus, dailyValidationLimit, accountId, accountStatus,
        creditBalance,
        machineId == null ? null : machines.get(machineId),
        machinesHoldingSlots(now),
        machineId != null && blockedHwids.contains(machineId),
        allowedHwids != null,
        machineId != null && allowedHwids != null && allowedHwids.contains(machineId),
        matches(blockedIps, ip),
        allowedIps != null,
        allowedIps != null && matches(allowedIps, ip),
        ipText == null ? null : licenseIps.get(ipText),
        registered);
  }

  /** docs/domain.md: bound machines, less those silent past the policy's slot release time. */
  public long machinesHoldingSlots(Instant now) {
    if (heartbeatIntervalS == null) {
      return machines.size();
    }
    long holding = 0;
    for (Instant last : machines.values()) {
      if (!Heartbeats.released(heartbeatIntervalS, last, now)) {
        holding++;
      }
    }
    return holding;
  }

  private static boolean matches(List<IpAddresses.Cidr> ranges, byte[] ip) {
    if (ip == null) {
      return false;
    }
    for (IpAddresses.Cidr range : ranges) {
      if (range.contains(ip)) {
        return true;
      }
    }
    return false;
  }
}
