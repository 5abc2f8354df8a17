package dev.licensegateway.infra;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Every conversion between instants and the UTC calendar the contract speaks in. */
public final class UtcClock {

  private static final long DAY_SECONDS = 86_400;

  private UtcClock() {}

  /** The UTC day an instant falls on (daily quotas count per UTC day, SPEC 3). */
  public static LocalDate day(Instant instant) {
    return LocalDate.ofEpochDay(Math.floorDiv(instant.getEpochSecond(), DAY_SECONDS));
  }

  /** SPEC 3: Retry-After of a used daily quota, the whole seconds to the next midnight UTC (at least 1). */
  public static long secondsToMidnight(Instant now) {
    long midnight = day(now).plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    return Math.max(1, midnight - now.getEpochSecond());
  }

  /** RFC 3339 UTC, whole seconds: {@code 2026-11-24T10:00:00Z}; null stays null. */
  public static String rfc3339(Instant instant) {
    return instant == null ? null : DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** The value a timestamptz parameter takes; null stays null. */
  public static OffsetDateTime offset(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  public static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
