"""Every error the SDK raises derives from LicenseError.

Errors answered by the gateway carry its native code (1700-1720), name, message and
retryable flag; errors found by the SDK itself (a forged or replayed answer, a gateway
that cannot be reached) carry ``code`` None and a name of their own.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

__all__ = [
    "LicenseError",
    "SignatureMismatchError",
    "NonceMismatchError",
    "GatewayUnreachableError",
    "GatewayError",
    "BadSignatureError",
    "StaleTimestampError",
    "MalformedRequestError",
    "LicenseNotFoundError",
    "LicenseInactiveError",
    "ActivationLimitError",
    "RateLimitError",
    "SecretNotSetError",
    "LicenseRevokedError",
    "MachineNotActivatedError",
    "LicenseExpiredError",
    "HeartbeatRequiredError",
    "EntitlementsMissingError",
    "BlockedError",
    "ProductUnavailableError",
    "AccountSuspendedError",
    "QuotaExhaustedError",
    "ServiceUnavailableError",
    "PayloadTooLargeError",
    "UnsupportedMediaTypeError",
    "InternalServerError",
    "error_for_code",
]


class LicenseError(Exception):
    """Base of every SDK error.

    code: the gateway's native code (int) or None for an error found by the SDK.
    name: the native name (``LICENSE_API_REVOKED``) or the SDK's (``SIGNATURE_MISMATCH``).
    message: a human-readable sentence; never holds the API secret.
    retryable: whether the same request may succeed later.
    """

    default_name = "LICENSE_ERROR"
    default_retryable = False

    def __init__(self, message: str, *, code: Optional[int] = None, name: Optional[str] = None,
                 retryable: Optional[bool] = None, http_status: Optional[int] = None):
        super().__init__(message)
        self.code = code
        self.name = name or self.default_name
        self.message = message
        self.retryable = self.default_retryable if retryable is None else bool(retryable)
        self.http_status = http_status

    def __str__(self) -> str:
        prefix = "%s %s" % (self.code, self.name) if self.code is not None else self.name
        return "%s: %s" % (prefix, self.message)

    def __repr__(self) -> str:
        return "%s(code=%r, name=%r, message=%r, retryable=%r)" % (
            type(self).__name__, self.code, self.name, self.message, self.retryable)


class SignatureMismatchError(LicenseError):
    """A success answer whose signature does not verify (tampered, unknown or untrusted key)."""

    default_name = "SIGNATURE_MISMATCH"


class NonceMismatchError(LicenseError):
    """A verified answer that was made for another request: its nonce, license key or machine id differ.

    ``field`` names what did not echo the request.
    """

    default_name = "NONCE_MISMATCH"

    def __init__(self, message: str, *, field: str = "nonce"):
        super().__init__(message)
        self.field = field


class GatewayUnreachableError(LicenseError):
    """No answer from the gateway (network error, timeout, 5xx) after every attempt the deadline allowed."""

    default_name = "GATEWAY_UNREACHABLE"
    default_retryable = True


class GatewayError(LicenseError):
    """An error answer of the gateway, typed by its native code."""

    native_code: Optional[int] = None
    default_retryable = False


class BadSignatureError(GatewayError):
    native_code, default_name = 1700, "LICENSE_API_BAD_SIGNATURE"


class StaleTimestampError(GatewayError):
    """The local clock is more than 300 s from the gateway's: sync it, then retry."""

    native_code, default_name, default_retryable = 1701, "LICENSE_API_STALE_TIMESTAMP", True


class MalformedRequestError(GatewayError):
    native_code, default_name = 1702, "LICENSE_API_MALFORMED"

    def __init__(self, message: str, *, details=None, **kw):
        super().__init__(message, **kw)
        self.details = list(details or [])


class LicenseNotFoundError(GatewayError):
    native_code, default_name = 1703, "LICENSE_API_NOT_FOUND"


class LicenseInactiveError(GatewayError):
    native_code, default_name = 1704, "LICENSE_API_INACTIVE"


class ActivationLimitError(GatewayError):
    native_code, default_name = 1705, "LICENSE_API_LIMIT_REACHED"


class RateLimitError(GatewayError):
    """A bucket is empty (1706) or the daily quota is used (1716); ``retry_after`` is in seconds."""

    native_code, default_name, default_retryable = 1706, "LICENSE_API_RATE_LIMITED", True

    def __init__(self, message: str, *, retry_after: Optional[float] = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class SecretNotSetError(GatewayError):
    native_code, default_name = 1707, "LICENSE_API_SECRET_NOT_SET"


class LicenseRevokedError(GatewayError):
    native_code, default_name = 1708, "LICENSE_API_REVOKED"


class MachineNotActivatedError(GatewayError):
    native_code, default_name = 1709, "LICENSE_API_MACHINE_NOT_ACTIVATED"


class LicenseExpiredError(GatewayError):
    native_code, default_name = 1710, "LICENSE_API_EXPIRED"


class HeartbeatRequiredError(GatewayError):
    native_code, default_name = 1711, "LICENSE_API_HEARTBEAT_REQUIRED"


class EntitlementsMissingError(GatewayError):
    native_code, default_name = 1712, "LICENSE_API_ENTITLEMENTS_MISSING"


class BlockedError(GatewayError):
    native_code, default_name = 1713, "LICENSE_API_BLOCKED"


class ProductUnavailableError(GatewayError):
    native_code, default_name = 1714, "LICENSE_API_PRODUCT_UNAVAILABLE"


class AccountSuspendedError(GatewayError):
    native_code, default_name = 1715, "LICENSE_API_ACCOUNT_SUSPENDED"


class QuotaExhaustedError(RateLimitError):
    native_code, default_name, default_retryable = 1716, "LICENSE_API_QUOTA_EXHAUSTED", True


class ServiceUnavailableError(GatewayError):
    native_code, default_name, default_retryable = 1717, "LICENSE_API_UNAVAILABLE", True


class PayloadTooLargeError(GatewayError):
    native_code, default_name = 1718, "LICENSE_API_PAYLOAD_TOO_LARGE"


class UnsupportedMediaTypeError(GatewayError):
    native_code, default_name = 1719, "LICENSE_API_UNSUPPORTED_MEDIA_TYPE"


class InternalServerError(GatewayError):
    native_code, default_name, default_retryable = 1720, "LICENSE_API_INTERNAL_ERROR", True


_BY_CODE: Dict[int, Type[GatewayError]] = {
    cls.native_code: cls
    for cls in (BadSignatureError, StaleTimestampError, MalformedRequestError, LicenseNotFoundError,
                LicenseInactiveError, ActivationLimitError, RateLimitError, SecretNotSetError,
                LicenseRevokedError, MachineNotActivatedError, LicenseExpiredError, HeartbeatRequiredError,
                EntitlementsMissingError, BlockedError, ProductUnavailableError, AccountSuspendedError,
                QuotaExhaustedError, ServiceUnavailableError, PayloadTooLargeError, UnsupportedMediaTypeError,
                InternalServerError)
}


def error_for_code(code: Optional[int]) -> Type[GatewayError]:
    """The class of a native code; GatewayError for a code this SDK does not know yet."""
    return _BY_CODE.get(code, GatewayError) if isinstance(code, int) else GatewayError


# Why an outage was not bridged by a cached validation (set on the raised error by validate):
# grace_disabled, no_cached_validation, clock_rolled_back, grace_expired, entitlements_not_cached.
LicenseError.offline_reason = None
LicenseError.retry_after = None
