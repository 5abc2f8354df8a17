package dev.licensegateway.licensing;

/** SPEC 1's heartbeat arithmetic, in one place for Java and the SQL that counts slots. */
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
}
