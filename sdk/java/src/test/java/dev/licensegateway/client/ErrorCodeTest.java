package dev.licensegateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {

  private static LicenseException of(int status, int code, boolean retryable, long retryAfter) {
    ErrorCode known = ErrorCode.of(code);
    return ErrorCode.toException(status, code, known == null ? "NEW" : known.wireName(), "m", retryable, retryAfter,
        List.of());
  }

  @Test
  void eachCodeHasItsExceptionAndOnlyTransientOnesAreRetried() {
    assertInstanceOf(RequestRejectedException.class, of(401, 1700, false, -1));
    assertInstanceOf(RequestRejectedException.class, of(401, 1701, true, -1));
    assertInstanceOf(LicenseNotFoundException.class, of(404, 1703, false, -1));
    assertInstanceOf(LicenseInactiveException.class, of(403, 1704, false, -1));
    assertInstanceOf(MachineLimitReachedException.class, of(409, 1705, false, -1));
    assertInstanceOf(LicenseRevokedException.class, of(403, 1708, false, -1));
    assertInstanceOf(MachineNotActivatedException.class, of(404, 1709, false, -1));
    assertInstanceOf(LicenseExpiredException.class, of(403, 1710, false, -1));
    assertInstanceOf(HeartbeatRequiredException.class, of(403, 1711, false, -1));
    assertInstanceOf(EntitlementsMissingException.class, of(403, 1712, false, -1));
    assertInstanceOf(AccessBlockedException.class, of(403, 1713, false, -1));
    assertInstanceOf(ProductUnavailableException.class, of(403, 1714, false, -1));
    assertInstanceOf(AccountSuspendedException.class, of(403, 1715, false, -1));
    assertInstanceOf(GatewayUnavailableException.class, of(503, 1717, true, 1));
    assertInstanceOf(GatewayUnavailableException.class, of(500, 1720, true, -1));

    RateLimitException limited = assertInstanceOf(RateLimitException.class, of(429, 1706, true, 7));
    assertEquals(7, limited.retryAfterSeconds());
    assertEquals(1706, limited.code());
    assertEquals("LICENSE_API_RATE_LIMITED", limited.name());
    assertTrue(limited.retryable());
    assertInstanceOf(RateLimitException.class, of(429, 1716, true, 3600));

    for (ErrorCode code : ErrorCode.values()) {
      boolean transientCode = code == ErrorCode.RATE_LIMITED || code == ErrorCode.QUOTA_EXHAUSTED
          || code == ErrorCode.UNAVAILABLE || code == ErrorCode.INTERNAL_ERROR;
      assertEquals(transientCode, code.retriedByClient(), code.name());
    }
  }

  @Test
  void anUnknownCodeIsJudgedByItsStatus() {
    assertInstanceOf(RateLimitException.class, of(429, 1799, true, 5));
    assertInstanceOf(GatewayUnavailableException.class, of(503, 1799, true, -1));
    LicenseException plain = of(403, 1799, false, -1);
    assertEquals(LicenseException.class, plain.getClass());
    assertFalse(plain.retryable());
    assertEquals(null, plain.errorCode());
  }
}
