package dev.licensegateway.dialect.nativeapi;

import dev.licensegateway.licensing.Outcome;
import java.util.EnumMap;
import java.util.Map;

/** docs/native-protocol.md: the native error codes. Public contract: add new ones, never re-purpose. */
public enum NativeError {
  BAD_SIGNATURE(1700, "LICENSE_API_BAD_SIGNATURE", 401, false),
  STALE_TIMESTAMP(1701, "LICENSE_API_STALE_TIMESTAMP", 401, true),
  MALFORMED(1702, "LICENSE_API_MALFORMED", 400, false),
  NOT_FOUND(1703, "LICENSE_API_NOT_FOUND", 404, false),
  INACTIVE(1704, "LICENSE_API_INACTIVE", 403, false),
  LIMIT_REACHED(1705, "LICENSE_API_LIMIT_REACHED", 409, false),
  RATE_LIMITED(1706, "LICENSE_API_RATE_LIMITED", 429, true),
  SECRET_NOT_SET(1707, "LICENSE_API_SECRET_NOT_SET", 500, false),
  REVOKED(1708, "LICENSE_API_REVOKED", 403, false),
  MACHINE_NOT_ACTIVATED(1709, "LICENSE_API_MACHINE_NOT_ACTIVATED", 404, false),
  EXPIRED(1710, "LICENSE_API_EXPIRED", 403, false),
  HEARTBEAT_REQUIRED(1711, "LICENSE_API_HEARTBEAT_REQUIRED", 403, false),
  ENTITLEMENTS_MISSING(1712, "LICENSE_API_ENTITLEMENTS_MISSING", 403, false),
  BLOCKED(1713, "LICENSE_API_BLOCKED", 403, false),
  PRODUCT_UNAVAILABLE(1714, "LICENSE_API_PRODUCT_UNAVAILABLE", 403, false),
  ACCOUNT_SUSPENDED(1715, "LICENSE_API_ACCOUNT_SUSPENDED", 403, false),
  QUOTA_EXHAUSTED(1716, "LICENSE_API_QUOTA_EXHAUSTED", 429, true),
  UNAVAILABLE(1717, "LICENSE_API_UNAVAILABLE", 503, true),
  PAYLOAD_TOO_LARGE(1718, "LICENSE_API_PAYLOAD_TOO_LARGE", 413, false),
  UNSUPPORTED_MEDIA_TYPE(1719, "LICENSE_API_UNSUPPORTED_MEDIA_TYPE", 415, false),
  /** This gateway's addition for defects (docs/native-protocol.md): a 500 that is neither 1707 nor a client's mistake. */
  INTERNAL_ERROR(1720, "LICENSE_API_INTERNAL_ERROR", 500, true);

  public final int code;
  public final String wireName;
  public final int httpStatus;
  public final boolean retryable;

  NativeError(int code, String wireName, int httpStatus, boolean retryable) {
    this.code = code;
    this.wireName = wireName;
    this.httpStatus = httpStatus;
    this.retryable = retryable;
  }

  /** The native column of docs/dialects.md: one row per core outcome, with its message. */
  record Mapping(NativeError error, String message) {}

  private static final Map<Outcome, Mapping> BY_OUTCOME = new EnumMap<>(Outcome.class);

  static {
    map(Outcome.NOT_FOUND, NOT_FOUND, "license key not found");
    map(Outcome.PRODUCT_NOT_FOUND, NOT_FOUND, "license key not found");
    map(Outcome.ACCOUNT_SUSPENDED, ACCOUNT_SUSPENDED, "the vendor's account is suspended");
    map(Outcome.ACCOUNT_BILLING_SUSPENDED, ACCOUNT_SUSPENDED, "the vendor's account is suspended for billing");
    map(Outcome.NO_CREDITS, ACCOUNT_SUSPENDED, "the vendor's account is out of credits");
    map(Outcome.PRODUCT_ARCHIVED, PRODUCT_UNAVAILABLE, "the product is archived");
    map(Outcome.PRODUCT_DISABLED, PRODUCT_UNAVAILABLE, "the product is disabled");
    map(Outcome.REVOKED, REVOKED, "the license is revoked");
    map(Outcome.SUSPENDED, INACTIVE, "the license is not active");
    map(Outcome.EXPIRED, EXPIRED, "the license has expired");
    map(Outcome.HWID_BLOCKED, BLOCKED, "this machine is blocked");
    map(Outcome.HWID_NOT_ALLOWED, BLOCKED, "this machine is not on the product's allow-list");
    map(Outcome.IP_BLOCKED, BLOCKED, "this IP address is blocked");
    map(Outcome.IP_NOT_ALLOWED, BLOCKED, "this IP address is not on the allow-list");
    map(Outcome.IP_LIMIT_REACHED, BLOCKED, "the license has reached its IP address limit");
    map(Outcome.MACHINE_NOT_ACTIVATED, MACHINE_NOT_ACTIVATED, "this machine is not activated on the license");
    map(Outcome.HEARTBEAT_OVERDUE, HEARTBEAT_REQUIRED, "the machine missed its heartbeat interval");
    map(Outcome.ENTITLEMENTS_MISSING, ENTITLEMENTS_MISSING, "a requested entitlement is not granted");
    map(Outcome.LIMIT_REACHED, LIMIT_REACHED, "the license has reached its machine limit");
    map(Outcome.QUOTA_EXHAUSTED, QUOTA_EXHAUSTED, "the product's daily validation quota is used up");
  }

  private static void map(Outcome outcome, NativeError error, String message) {
    BY_OUTCOME.put(outcome, new Mapping(error, message));
  }

  static Mapping of(Outcome outcome) {
    Mapping mapping = BY_OUTCOME.get(outcome);
    if (mapping == null) {
      throw new IllegalArgumentException("no native error for " + outcome);
    }
    return mapping;
  }
}
