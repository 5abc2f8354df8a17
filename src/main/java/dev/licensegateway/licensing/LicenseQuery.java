package dev.licensegateway.licensing;

import java.util.List;
import java.util.UUID;

/**
 * What a dialect asks of the core. {@code machineId}, {@code ip}, {@code productId} and
 * {@code environment} are null where the dialect has none; {@code productId} and
 * {@code environment} narrow the key lookup to the credential's product or environment.
 */
public record LicenseQuery(
    String licenseKey,
    String machineId,
    String ip,
    List<String> entitlements,
    MachineInfo machine,
    UUID productId,
    String environment) {

  public record MachineInfo(String name, String platform, String hostname) {
    public static final MachineInfo NONE = new MachineInfo(null, null, null);
  }

  public static LicenseQuery of(String licenseKey, String machineId, String ip) {
    return new LicenseQuery(licenseKey, machineId, ip, List.of(), MachineInfo.NONE, null, null);
  }

  public LicenseQuery withEntitlements(List<String> wanted) {
    return new LicenseQuery(licenseKey, machineId, ip, wanted, machine, productId, environment);
  }

  public LicenseQuery withMachine(MachineInfo info) {
    return new LicenseQuery(licenseKey, machineId, ip, entitlements, info, productId, environment);
  }
}
