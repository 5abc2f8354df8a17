package dev.licensegateway.licensing;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Function;

/**
 * What the core needs of the license store: the port it owns and Postgres implements.
 * Every failure to reach the store is an {@code Unavailable}.
 */
public interface LicenseRepository {

  /** The license the query names, as that request sees it; null when there is none. */
  Future<LicenseContext> context(LicenseQuery query, Instant now);

  /**
   * Runs {@code work} in one transaction holding the license's row lock. A result other
   * than VALID rolls it back, so a refused request leaves nothing written.
   */
  Future<LicenseResult> inLicenseLock(LicenseQuery query, Instant now, Function<LockedLicense, Future<LicenseResult>> work);

  /** Registers an IP on a license unless it already holds {@code maxIps}; true when registered. */
  Future<Boolean> registerIp(UUID licenseId, String ip, int maxIps);

  /** Refreshes an active machine outside any lock; false when it is no longer bound. */
  Future<Boolean> touchMachine(UUID licenseId, LicenseQuery query, Instant now);

  Future<Boolean> recordHeartbeat(UUID licenseId, String machineId, Instant now);

  Future<Boolean> deleteMachine(UUID licenseId, String machineId);

  /** The work a locked activation may do, on the locking transaction. */
  interface LockedLicense {
    /** The license read after the lock was taken; null when it does not exist. */
    LicenseContext context();

    Future<Boolean> registerIp(String ip);

    Future<Void> touchMachine(LicenseQuery query, Instant now);

    /** Frees the slots of machines silent past their release time, then binds this one. */
    Future<Void> insertMachine(LicenseQuery query, Instant now);
  }
}
