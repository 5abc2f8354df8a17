"""The error types: one per native code, every one a LicenseError."""

import pytest

import licensegateway as lg
from licensegateway.errors import error_for_code

TABLE = {
    1700: (lg.BadSignatureError, False), 1701: (lg.StaleTimestampError, True),
    1702: (lg.MalformedRequestError, False), 1703: (lg.LicenseNotFoundError, False),
    1704: (lg.LicenseInactiveError, False), 1705: (lg.ActivationLimitError, False),
    1706: (lg.RateLimitError, True), 1707: (lg.SecretNotSetError, False),
    1708: (lg.LicenseRevokedError, False), 1709: (lg.MachineNotActivatedError, False),
    1710: (lg.LicenseExpiredError, False), 1711: (lg.HeartbeatRequiredError, False),
    1712: (lg.EntitlementsMissingError, False), 1713: (lg.BlockedError, False),
    1714: (lg.ProductUnavailableError, False), 1715: (lg.AccountSuspendedError, False),
    1716: (lg.QuotaExhaustedError, True), 1717: (lg.ServiceUnavailableError, True),
    1718: (lg.PayloadTooLargeError, False), 1719: (lg.UnsupportedMediaTypeError, False),
    1720: (lg.InternalServerError, True),
}


@pytest.mark.parametrize("code", sorted(TABLE))
def test_each_native_code_has_its_type(code):
    cls, retryable = TABLE[code]
    assert error_for_code(code) is cls
    error = cls("message")
    assert isinstance(error, lg.GatewayError) and isinstance(error, lg.LicenseError)
    assert error.retryable is retryable and error.name.startswith("LICENSE_API_")


def test_unknown_codes_and_client_side_errors():
    assert error_for_code(1799) is lg.GatewayError
    assert issubclass(lg.QuotaExhaustedError, lg.RateLimitError)
    for cls in (lg.SignatureMismatchError, lg.NonceMismatchError, lg.GatewayUnreachableError):
        assert issubclass(cls, lg.LicenseError) and not issubclass(cls, lg.GatewayError)
        assert cls("m").code is None
    e = lg.RateLimitError("slow down", code=1706, retry_after=7)
    assert e.retry_after == 7 and str(e) == "1706 LICENSE_API_RATE_LIMITED: slow down"
