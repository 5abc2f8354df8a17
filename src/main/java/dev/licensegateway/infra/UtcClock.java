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

  /** The UTC day an instant falls on (daily quotas count per UTC day, docs/rate-limits.md). */
  public static LocalDate day(Instant instant) {
    return LocalDate.ofEpochDay(Math.floorDiv(instant.getEpochSecond(), DAY_SECONDS));
  }

  /** docs/rate-limits.md: Retry-After of a used daily quota, the whole seconds to the next midnight UTC (at least 1). */
  public static long secondsToMidnight(Instant now) {
    long midnight = day(now).plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    return Math.max(1, midnight - now.getEpochSecond());
  }

  /** RFC 3339 UTC, whole seconds: {@code 2026-11-24T10:00:00Z}; null stays null. */
  public static String rfc3339(Instant instant) {
    if (instant == null) {
      return null;
    }
    long second = instant.getEpochSecond();
    // By hand where the format is fixed (years 1970–9999): ISO_INSTANT showed in profiles.
    return second >= 0 && second < MAX_FOUR_DIGIT_YEAR ? format(second)
        : DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** 10000-01-01T00:00:00Z: beyond it ISO_INSTANT writes a sign and more digits. */
  private static final long MAX_FOUR_DIGIT_YEAR = 253_402_300_800L;

  private static String format(long second) {
    LocalDate date = LocalDate.ofEpochDay(second / DAY_SECONDS);
    int time = (int) (second % DAY_SECONDS);
    char[] out = "0000-00-00T00:00:00Z".toCharArray();
    digits(out, 0, date.getYear(), 4);
    digits(out, 5, date.getMonthValue(), 2);
    digits(out, 8, date.getDayOfMonth(), 2);
    digits(out, 11, time / 3600, 2);
    digits(out, 14, time / 60 % 60, 2);
    digits(out, 17, time % 60, 2);
    return new String(out);
  }

  private static void digits(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /** The value a timestamptz parameter takes; null stays null. */
  public static OffsetDateTime offset(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  public static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
