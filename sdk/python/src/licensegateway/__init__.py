"""License Gateway client SDK.

    from licensegateway import LicenseClient
    client = LicenseClient(base_url, api_secret, trusted_keys=jwks)
    r = client.validate(license_key, machine_id)   # r.valid, r.status, r.data, r.from_cache
"""

from ._canonical import canonical_json
from .client import LicenseClient, LicenseResult
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors
from .heartbeat import Heartbeat, failure_reason

__version__ = "0.1.0"

__all__ = ["LicenseClient", "LicenseResult", "Heartbeat", "failure_reason", "canonical_json"] + list(_errors)
