package dev.licensegateway.sdk;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The system clock moved by an offset a test sets: forward past a grace, or back before the last answer. */
final class MutableClock extends Clock {

  private volatile Duration offset = Duration.ZERO;

  void set(Instant now) {
    offset = Duration.between(Instant.now(), now);
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
