package dev.licensegateway.client;

import java.time.Instant;

/**
 * Why a heartbeat failed.
 *
 * @param reason  what happened, in a word
 * @param cause   the error of the failed call
 * @param stopped true when the gateway refused the license and the heartbeats ended
 * @param dueAt   when the last successful heartbeat said the next was due (null before the first)
 */
public record HeartbeatFailure(Reason reason, LicenseException cause, boolean stopped, Instant dueAt) {

  /** The reasons, with the lowercase names vendors log and match on. */
  public enum Reason {
    /** The call failed (unreachable, 5xx, rate-limited, or an answer that did not verify); heartbeats go on. */
    HEARTBEAT_FAILED("heartbeat_failed"),
    /** 1708: the license is revoked. */
    REVOKED("revoked"),
    /** 1710: the license expired. */
    EXPIRED("expired"),
    /** 1704: the license is suspended or inactive. */
    INACTIVE("inactive"),
    /** 1703: the license key is unknown (deleted). */
    NOT_FOUND("not_found"),
    /** 1709: the machine is not activated (deactivated elsewhere, or its slot was released). */
    MACHINE_NOT_ACTIVATED("machine_not_activated"),
    /** 1711: the machine missed its interval; the helper activates it again and goes on. */
    HEARTBEAT_OVERDUE("heartbeat_overdue"),
    /** Any other refusal: blocked, product unavailable, account suspended… */
    REFUSED("refused");

    private final String wireName;

    Reason(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    @Override
    public String toString() {
      return wireName;
    }

    static Reason of(LicenseException e) {
      ErrorCode code = e.errorCode();
      if (!(e instanceof LicenseRefusedException) || code == null) {
        return e instanceof LicenseRefusedException ? REFUSED : HEARTBEAT_FAILED;
      }
      return switch (code) {
        case REVOKED -> REVOKED;
        case EXPIRED -> EXPIRED;
        case INACTIVE -> INACTIVE;
        case NOT_FOUND -> NOT_FOUND;
        case MACHINE_NOT_ACTIVATED -> MACHINE_NOT_ACTIVATED;
        case HEARTBEAT_REQUIRED -> HEARTBEAT_OVERDUE;
        default -> REFUSED;
      };
    }
  }
}
