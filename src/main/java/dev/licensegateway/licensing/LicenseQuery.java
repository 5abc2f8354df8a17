package dev.licensegateway.licensing;

import java.util.List;
import java.util.UUID;

/**
 * What a dialect asks of the core. {@code machineId}, {@code ip}, {@code productId},
 * {@code environment} and {@code accountId} are null where the dialect has none; the last
 * three narrow the key lookup to what the credential may see (docs/dialects.md: a license of
 * another product, environment or account is "not found").
 */
public record LicenseQuery(
    String licenseKey,
    String machineId,
    String ip,
    List<String> entitlements,
    MachineInfo machine,
    UUID productId,
    String environment,
    UUID accountId) {

  public record MachineInfo(String name, String platform, String hostname) {
    public static final MachineInfo NONE = new MachineInfo(null, null, null);
  }

  public static LicenseQuery of(String licenseKey, String machineId, String ip) {
    return new LicenseQuery(licenseKey, machineId, ip, List.of(), MachineInfo.NONE, null, null, null);
  }

  public LicenseQuery withEntitlements(List<String> wanted) {
    return new LicenseQuery(licenseKey, machineId, ip, wanted, machine, productId, environment, accountId);
  }

  public LicenseQuery withMachine(MachineInfo info) {
    return new LicenseQuery(licenseKey, machineId, ip, entitlements, info, productId, environment, accountId);
  }

  /** Only licenses of this product. */
  public LicenseQuery inProduct(UUID product) {
    return new LicenseQuery(licenseKey, machineId, ip, entitlements, machine, product, environment, accountId);
  }

  /** Only licenses of this account and environment. */
  public LicenseQuery inAccount(UUID account, String env) {
    return new LicenseQuery(licenseKey, machineId, ip, entitlements, machine, productId, env, account);
  }
}
