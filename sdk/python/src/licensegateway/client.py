"""LicenseClient: signed native requests, verified answers, bounded retries, offline grace."""

from __future__ import annotations

import copy
import json
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Tuple, Union
from urllib.parse import urlsplit

import httpx

from . import _signing
from ._grace import GraceStore
from ._keys import JwksInput, parse_jwks, read_envelope, verify_envelope
from .errors import (
    GatewayError,
    GatewayUnreachableError,
    InternalServerError,
    LicenseError,
    MalformedRequestError,
    NonceMismatchError,
    RateLimitError,
    ServiceUnavailableError,
    SignatureMismatchError,
    error_for_code,
)

__all__ = ["LicenseClient", "LicenseResult"]

log = logging.getLogger("licensegateway")

_OPERATIONS = ("activate", "validate", "deactivate", "heartbeat", "status")
# Refusals about the license as a whole: every cached validation of it is forgotten.
_LICENSE_REFUSALS = frozenset({1703, 1704, 1708, 1710, 1714, 1715})
# Refusals about one machine of it: that machine's cached validation is forgotten.
_MACHINE_REFUSALS = frozenset({1709, 1711, 1713})


def _parse_time(value: Any) -> Optional[datetime]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("not an RFC 3339 time: %r" % (value,))
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError("RFC 3339 time without an offset: %r" % value)
    return parsed.astimezone(timezone.utc)


@dataclass(frozen=True)
class LicenseResult:
    """A verified answer (or, with from_cache True, the last verified validation, served offline)."""

    valid: bool
    status: str
    data: Dict[str, Any] = field(repr=False)
    from_cache: bool
    operation: str
    license_key: str
    machine_id: Optional[str]
    issued_at: datetime
    expires_at: Optional[datetime]
    heartbeat_due_at: Optional[datetime]
    entitlements: Tuple[str, ...]
    nonce: str
    kid: str
    alg: str

    @classmethod
    def _of(cls, operation: str, envelope: Mapping[str, Any], from_cache: bool) -> "LicenseResult":
        data = copy.deepcopy(envelope["data"])
        try:
            issued_at = _parse_time(data.get("issued_at"))
            if issued_at is None:
                raise ValueError("no issued_at")
            expires_at = _parse_time(data.get("expires_at"))
            due = _parse_time(data.get("heartbeat_due_at"))
        except ValueError as e:
            raise LicenseError("the signed answer is not readable: %s" % e, name="INVALID_ANSWER") from None
        status = data.get("status")
        valid = data["valid"] is True if "valid" in data else status == "active"
        entitlements = data.get("entitlements")
        return cls(
            valid=valid and operation != "deactivate",
            status=status if isinstance(status, str) else "",
            data=data,
            from_cache=from_cache,
            operation=operation,
            license_key=data.get("license_key"),
            machine_id=data.get("machine_id"),
            issued_at=issued_at,
            expires_at=expires_at,
            heartbeat_due_at=due,
            entitlements=tuple(e for e in entitlements if isinstance(e, str)) if isinstance(entitlements, list) else (),
            nonce=data.get("nonce", ""),
            kid=envelope["kid"],
            alg=envelope["alg"],
        )


def _is_outage(error: LicenseError) -> bool:
    """No decision came from the gateway: it could not be reached, or could not reach its own stores."""
    if isinstance(error, (GatewayUnreachableError, ServiceUnavailableError, InternalServerError)):
        return True
    return isinstance(error, GatewayError) and error.code is None and error.http_status in (502, 503, 504)


class LicenseClient:
    """A client of the gateway's native API, safe to share between threads.

    base_url: the gateway, e.g. ``https://licenses.example.com``.
    api_secret: the native signing secret (the gateway's LICENSE_API_SECRET).
    trusted_keys: a JWKS (dict or JSON text) to pin. With it, only these keys verify answers
        and the JWKS is never fetched; without it, ``/api/v1/keys`` is fetched once and again
        when an answer names an unknown kid.
    timeout: seconds for one HTTP attempt. deadline: seconds for a whole call, retries included.
    max_attempts: attempts per call (1 = no retry).
    grace_period: seconds a verified validation may be served offline, from its signed issued_at
        (0 turns offline grace off). clock_tolerance: how far the local clock may run behind the
        server's before the rollback check ends the grace.
    cache_file: also keep the last verified validations in this file (atomically replaced), so
        grace survives a restart. clock: the wall clock, epoch seconds (injectable for tests).
    """

    def __init__(self, base_url: str, api_secret: Union[str, bytes], trusted_keys: Optional[JwksInput] = None, *,
                 timeout: float = 10.0, deadline: float = 30.0, max_attempts: int = 4,
                 backoff_base: float = 0.25, backoff_max: float = 8.0,
                 grace_period: float = 3 * 24 * 3600.0, clock_tolerance: float = 300.0,
                 cache_file: Optional[str] = None, clock: Optional[Callable[[], float]] = None,
                 http_client: Optional[httpx.Client] = None, user_agent: str = "licensegateway-python/0.1.0"):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("base_url must be an http(s) URL, got %r" % base_url)
        if parts.query or parts.fragment:
            raise ValueError("base_url must not carry a query or fragment")
        if not api_secret:
            raise ValueError("api_secret is required")
        if timeout <= 0 or deadline <= 0 or max_attempts < 1:
            raise ValueError("timeout and deadline must be positive, max_attempts at least 1")
        self._origin = "%s://%s" % (parts.scheme, parts.netloc)
        self._prefix = parts.path.rstrip("/")
        self.__secret = api_secret.encode("utf-8") if isinstance(api_secret, str) else bytes(api_secret)
        self._timeout = float(timeout)
        self._deadline = float(deadline)
        self._max_attempts = int(max_attempts)
        self._backoff_base = float(backoff_base)
        self._backoff_max = float(backoff_max)
        self._grace_period = float(grace_period)
        self._clock_tolerance = float(clock_tolerance)
        self._clock = clock or time.time
        self._random = random.Random()
        self._closed = threading.Event()
        self._pinned = trusted_keys is not None
        self._keys_lock = threading.Lock()
        self._keys: Dict[str, Any] = parse_jwks(trusted_keys) if trusted_keys is not None else {}
        self._keys_fetched = False
        if self._pinned and not self._keys:
            raise ValueError("trusted_keys holds no RSA or Ed25519 key")
        self._grace = GraceStore(cache_file)
        self._own_http = http_client is None
        self._http = http_client or httpx.Client(timeout=self._timeout, follow_redirects=False)
        self._user_agent = user_agent

    def __repr__(self) -> str:
        return "LicenseClient(base_url=%r, pinned=%r)" % (self._origin + self._prefix, self._pinned)

    def __enter__(self) -> "LicenseClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stops waiting retries and closes the HTTP connections this client opened."""
        self._closed.set()
        if self._own_http:
            self._http.close()

    # ----------------------------------------------------------------- operations

    def activate(self, license_key: str, machine_id: str, *, name: Optional[str] = None,
                 platform: Optional[str] = None, hostname: Optional[str] = None) -> LicenseResult:
        body = {"license_key": license_key, "machine_id": machine_id}
        for key, value in (("name", name), ("platform", platform), ("hostname", hostname)):
            if value is not None:
                body[key] = value
        return self._call("activate", body, license_key, machine_id)

    def validate(self, license_key: str, machine_id: str,
                 entitlements: Optional[Iterable[str]] = None) -> LicenseResult:
        """Validates online; when the gateway cannot be reached, the last verified validation within the grace."""
        body: Dict[str, Any] = {"license_key": license_key, "machine_id": machine_id}
        wanted = list(entitlements) if entitlements is not None else None
        if wanted is not None:
            body["entitlements"] = wanted
        try:
            return self._call("validate", body, license_key, machine_id)
        except LicenseError as error:
            if not _is_outage(error):
                raise
            cached = self._offline(license_key, machine_id, wanted, error)
            if cached is None:
                raise
            return cached

    def deactivate(self, license_key: str, machine_id: str) -> LicenseResult:
        return self._call("deactivate", {"license_key": license_key, "machine_id": machine_id},
                          license_key, machine_id)

    def heartbeat(self, license_key: str, machine_id: str) -> LicenseResult:
        return self._call("heartbeat", {"license_key": license_key, "machine_id": machine_id},
                          license_key, machine_id)

    def status(self, license_key: str) -> LicenseResult:
        return self._call("status", {"license_key": license_key}, license_key, None)

    def start_heartbeat(self, license_key: str, machine_id: str, on_failure: Callable[[str, LicenseError], Any],
                        **options: Any) -> "Heartbeat":
        """Starts a daemon thread that heartbeats on the license's schedule; see Heartbeat."""
        from .heartbeat import Heartbeat

        return Heartbeat(self, license_key, machine_id, on_failure, **options).start()

    # ----------------------------------------------------------------- one call

    def _call(self, operation: str, payload: Dict[str, Any], license_key: str,
              machine_id: Optional[str]) -> LicenseResult:
        if operation not in _OPERATIONS:
            raise ValueError(operation)
        if not isinstance(license_key, str) or not license_key:
            raise ValueError("license_key must be a non-empty string")
        if machine_id is not None and not isinstance(machine_id, str):
            raise ValueError("machine_id must be a string")
        path = self._prefix + "/api/v1/license/" + operation
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        give_up_at = time.monotonic() + self._deadline
        attempt = 0
        while True:
            attempt += 1
            if self._closed.is_set():
                raise GatewayUnreachableError("the client is closed")
            try:
                return self._attempt(operation, path, body, license_key, machine_id, give_up_at)
            except LicenseError as error:
                if isinstance(error, GatewayError):
                    self._forget_refused(error, license_key, machine_id)
                delay = self._retry_delay(error, attempt)
                if delay is None or attempt >= self._max_attempts or time.monotonic() + delay >= give_up_at:
                    raise
                log.debug("licensegateway: %s attempt %d failed (%s), retrying in %.2f s",
                          operation, attempt, error.name, delay)
                if self._closed.wait(delay):
                    raise

    def _attempt(self, operation: str, path: str, body: bytes, license_key: str, machine_id: Optional[str],
                 give_up_at: float) -> LicenseResult:
        remaining = give_up_at - time.monotonic()
        if remaining <= 0:
            raise GatewayUnreachableError("the call's deadline passed")
        nonce = _signing.new_nonce()
        headers = _signing.signed_headers(self.__secret, int(self._clock()), nonce, "POST", path, body)
        headers["User-Agent"] = self._user_agent
        headers["Accept"] = "application/json"
        try:
            response = self._http.post(self._origin + path, content=body, headers=headers,
                                       timeout=min(self._timeout, remaining))
        except httpx.TransportError as e:
            raise GatewayUnreachableError("cannot reach the gateway (%s)" % type(e).__name__) from None
        if response.status_code != 200:
            raise self._error_of(response)
        envelope = read_envelope(response.content)
        self._verify(envelope)
        data = envelope["data"]
        if data.get("nonce") != nonce:
            raise NonceMismatchError("the answer does not echo this request's nonce (replayed?)", field="nonce")
        if data.get("license_key") != license_key:
            raise NonceMismatchError("the answer is about another license key", field="license_key")
        if machine_id is not None and data.get("machine_id") != machine_id:
            raise NonceMismatchError("the answer is about another machine", field="machine_id")
        result = LicenseResult._of(operation, envelope, from_cache=False)
        self._grace.saw(result.issued_at.timestamp())
        if operation == "validate" and result.valid:
            self._grace.put(license_key, machine_id, envelope, result.issued_at.timestamp())
        elif operation == "deactivate":
            self._grace.drop(license_key, machine_id)
        elif operation == "status" and result.status != "active":
            self._grace.drop(license_key, None)
        return result

    def _error_of(self, response: httpx.Response) -> LicenseError:
        status = response.status_code
        retry_after = _retry_after(response.headers.get("Retry-After"))
        try:
            problem = json.loads(response.content)["error"]
            code = problem["code"]
            if not isinstance(code, int) or isinstance(code, bool):
                raise TypeError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return GatewayError("the gateway answered HTTP %d without a native error" % status,
                                name="HTTP_%d" % status, retryable=status in (429, 502, 503, 504),
                                http_status=status)
        cls = error_for_code(code)
        kwargs: Dict[str, Any] = dict(code=code, name=str(problem.get("name") or cls.default_name),
                                      retryable=problem.get("retryable") if isinstance(problem.get("retryable"), bool)
                                      else None, http_status=status)
        message = str(problem.get("message") or "")
        if issubclass(cls, RateLimitError):
            return cls(message, retry_after=retry_after, **kwargs)
        if issubclass(cls, MalformedRequestError):
            return cls(message, details=problem.get("details"), **kwargs)
        error = cls(message, **kwargs)
        error.retry_after = retry_after
        return error

    def _retry_delay(self, error: LicenseError, attempt: int) -> Optional[float]:
        """Seconds to wait before the next attempt, or None when this error must not be retried."""
        backoff = min(self._backoff_max, self._backoff_base * (2 ** (attempt - 1)))
        backoff *= 0.5 + self._random.random() / 2  # jitter: half to all of the exponential step
        if isinstance(error, RateLimitError):
            if error.retry_after is None:
                return backoff
            return max(error.retry_after, backoff) if error.retry_after >= 0 else None
        if _is_outage(error):
            hinted = getattr(error, "retry_after", None)
            return max(hinted, backoff) if hinted is not None else backoff
        if isinstance(error, GatewayError) and error.code is None and error.http_status == 429:
            return backoff
        return None

    def _forget_refused(self, error: GatewayError, license_key: str, machine_id: Optional[str]) -> None:
        if error.code in _LICENSE_REFUSALS:
            self._grace.drop(license_key, None)
        elif error.code in _MACHINE_REFUSALS and machine_id is not None:
            self._grace.drop(license_key, machine_id)

    # ----------------------------------------------------------------- keys

    def _verify(self, envelope: Mapping[str, Any]) -> None:
        kid = envelope["kid"]
        with self._keys_lock:
            key = self._keys.get(kid)
            if key is None and not self._pinned:
                # Unknown kid: the JWKS is fetched again, once for this answer.
                self._keys = self._fetch_jwks()
                self._keys_fetched = True
                key = self._keys.get(kid)
        verify_envelope(envelope, key)

    def _fetch_jwks(self) -> Dict[str, Any]:
        try:
            response = self._http.get(self._origin + self._prefix + "/api/v1/keys",
                                      headers={"User-Agent": self._user_agent, "Accept": "application/json"},
                                      timeout=self._timeout)
        except httpx.TransportError as e:
            raise GatewayUnreachableError("cannot fetch the gateway's keys (%s)" % type(e).__name__) from None
        if response.status_code != 200:
            raise GatewayUnreachableError("fetching the gateway's keys answered HTTP %d" % response.status_code)
        try:
            return parse_jwks(response.content)
        except ValueError as e:
            raise SignatureMismatchError("the gateway's JWKS does not parse: %s" % e) from None

    def _verify_cached(self, envelope: Any) -> Optional[float]:
        """The signed issued_at of a stored envelope that still verifies with a key held now (no fetch)."""
        try:
            if not isinstance(envelope, dict):
                return None
            with self._keys_lock:
                key = self._keys.get(envelope.get("kid"))
            verify_envelope(envelope, key)
            return LicenseResult._of("validate", envelope, from_cache=True).issued_at.timestamp()
        except (LicenseError, KeyError, TypeError):
            return None

    # ----------------------------------------------------------------- offline grace

    def _offline(self, license_key: str, machine_id: str, wanted: Optional[list],
                 error: LicenseError) -> Optional[LicenseResult]:
        if self._grace_period <= 0:
            error.offline_reason = "grace_disabled"
            return None
        entry, latest_seen = self._grace.get(license_key, machine_id, self._verify_cached)
        if entry is None:
            error.offline_reason = "no_cached_validation"
            return None
        now = self._clock()
        if now < latest_seen - self._clock_tolerance:
            error.offline_reason = "clock_rolled_back"
            return None
        if now - entry["issued_at"] > self._grace_period:
            error.offline_reason = "grace_expired"
            return None
        result = LicenseResult._of("validate", entry["envelope"], from_cache=True)
        if wanted and not set(wanted) <= set(result.entitlements):
            error.offline_reason = "entitlements_not_cached"
            return None
        log.info("licensegateway: gateway unreachable (%s), serving the validation issued at %s",
                 error.name, result.issued_at.isoformat())
        return result


def _retry_after(value: Optional[str]) -> Optional[float]:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
