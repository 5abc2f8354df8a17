package dev.licensegateway.licensing;

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

  public Instant heartbeatDueAt() {
    return context == null ? null : context.heartbeatDueAt(lastHeartbeat);
  }
}
