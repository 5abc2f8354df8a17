package dev.licensegateway.licensing;

import dev.licensegateway.infra.UtcClock;
import java.time.Instant;

/**
 * The core's answer: an outcome and, where the license was found, what a dialect needs to
 * describe it. {@code context} is null for {@link Outcome#NOT_FOUND}.
 */
public record LicenseResult(
    Outcome outcome,
    LicenseContext context,
    Instant now,
    long machinesUsed,
    Instant lastHeartbeat) {

  public static LicenseResult of(Outcome outcome, LicenseContext context, Instant now) {
    return new LicenseResult(outcome, context, now,
        context == null ? 0 : context.machinesUsed(),
        context == null ? null : context.machineLastHeartbeat());
  }

  public static LicenseResult valid(LicenseContext context, Instant now, long machinesUsed, Instant lastHeartbeat) {
    return new LicenseResult(Outcome.VALID, context, now, machinesUsed, lastHeartbeat);
  }

  /** docs/rate-limits.md: a used daily quota may be asked again at the next midnight UTC; 0 for every other outcome. */
  public long retryAfterSeconds() {
    return outcome == Outcome.QUOTA_EXHAUSTED ? UtcClock.secondsToMidnight(now) : 0;
  }

  public Instant heartbeatDueAt() {
    return context == null ? null : context.heartbeatDueAt(lastHeartbeat);
  }
}
