package dev.licensegateway.licensing;

import java.time.Instant;

/**
 * docs/domain.md's heartbeat arithmetic, in one place: Java decides with it, and the policy rows
 * carry {@link #slotReleaseSeconds} for the SQL that counts slots.
 */
public final class Heartbeats {

  /** Grace beyond the interval before a machine is overdue. */
  public static final int GRACE_SECONDS = 30;

  private Heartbeats() {}

  /** Overdue when now − last_heartbeat_at > interval + 30 s. */
  public static long overdueSeconds(int intervalS) {
    return (long) intervalS + GRACE_SECONDS;
  }

  /**
   * A machine overdue by more than twice the interval gives up its slot: silent for more
   * than the overdue threshold plus two intervals, i.e. 3 × interval + 30 s.
   */
  public static long slotReleaseSeconds(int intervalS) {
    return overdueSeconds(intervalS) + 2L * intervalS;
  }

  public static boolean overdue(int intervalS, Instant lastHeartbeat, Instant now) {
    return lastHeartbeat.plusSeconds(overdueSeconds(intervalS)).isBefore(now);
  }

  /**
   * The one definition of slot release: a machine whose last heartbeat is before this instant
   * has given its slot up. Java asks {@link #released}; SQL compares {@code last_heartbeat_at}
   * with this instant (and the management documents with {@code now() − slot_release_s}).
   */
  public static Instant releaseCutoff(int intervalS, Instant now) {
    return now.minusSeconds(slotReleaseSeconds(intervalS));
  }

  /** Silent past the release time: the slot is free. */
  public static boolean released(int intervalS, Instant lastHeartbeat, Instant now) {
    return lastHeartbeat.isBefore(releaseCutoff(intervalS, now));
  }
}
