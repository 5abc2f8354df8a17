"""A background thread that heartbeats a machine on the license's schedule."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional

from .errors import (
    AccountSuspendedError,
    BlockedError,
    HeartbeatRequiredError,
    LicenseError,
    LicenseExpiredError,
    LicenseInactiveError,
    LicenseNotFoundError,
    LicenseRevokedError,
    MachineNotActivatedError,
    NonceMismatchError,
    ProductUnavailableError,
    SignatureMismatchError,
)

if TYPE_CHECKING:
    from .client import LicenseClient, LicenseResult

__all__ = ["Heartbeat", "failure_reason"]

log = logging.getLogger("licensegateway")

# Refusals after which heartbeating again cannot help: the helper reports them and stops.
_FINAL = (
    (LicenseRevokedError, "revoked"),
    (LicenseExpiredError, "expired"),
    (LicenseInactiveError, "suspended"),
    (LicenseNotFoundError, "not_found"),
    (MachineNotActivatedError, "not_activated"),
    (HeartbeatRequiredError, "overdue"),
    (AccountSuspendedError, "account_suspended"),
    (ProductUnavailableError, "product_unavailable"),
    (BlockedError, "blocked"),
)


def failure_reason(error: LicenseError) -> str:
    """The reason a heartbeat failure is reported with."""
    for cls, reason in _FINAL:
        if isinstance(error, cls):
            return reason
    if isinstance(error, (SignatureMismatchError, NonceMismatchError)):
        return "untrusted_answer"
    return "heartbeat_failed"


def is_final(reason: str) -> bool:
    return reason in {r for _, r in _FINAL}


class Heartbeat:
    """Heartbeats ``(license_key, machine_id)`` until stopped or refused for good.

    After each heartbeat the next one is due at the signed ``heartbeat_due_at``; the helper sends
    it when ``ratio`` of the interval (due_at minus issued_at, both the server's) has passed, so a
    failed attempt leaves time for more. A policy without heartbeats is polled every
    ``idle_interval`` seconds. Each failure calls ``on_failure(reason, error)``: ``revoked``,
    ``expired``, ``suspended``, ``not_found``, ``not_activated``, ``overdue``,
    ``account_suspended``, ``product_unavailable`` and ``blocked`` stop the helper;
    ``heartbeat_failed`` (unreachable, rate-limited, ...) and ``untrusted_answer`` (forged or
    replayed answer) are retried after ``retry_delay`` seconds.
    """

    def __init__(self, client: "LicenseClient", license_key: str, machine_id: str,
                 on_failure: Callable[[str, LicenseError], Any], *,
                 on_success: Optional[Callable[["LicenseResult"], Any]] = None,
                 ratio: float = 0.5, min_delay: float = 1.0, retry_delay: float = 15.0,
                 idle_interval: float = 900.0):
        if not 0 < ratio <= 1:
            raise ValueError("ratio must be in (0, 1]")
        self._client = client
        self._license_key = license_key
        self._machine_id = machine_id
        self._on_failure = on_failure
        self._on_success = on_success
        self._ratio = ratio
        self._min_delay = min_delay
        self._retry_delay = retry_delay
        self._idle_interval = idle_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="licensegateway-heartbeat", daemon=True)
        self.last_result: Optional["LicenseResult"] = None
        self.stopped_reason: Optional[str] = None

    def start(self) -> "Heartbeat":
        self._thread.start()
        return self

    def stop(self, timeout: Optional[float] = None) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                result = self._client.heartbeat(self._license_key, self._machine_id)
            except LicenseError as error:
                reason = failure_reason(error)
                self._report(reason, error)
                if is_final(reason):
                    self.stopped_reason = reason
                    return
                delay = self._retry_delay
            except Exception as error:  # a defect must not kill the schedule silently
                log.exception("licensegateway: heartbeat failed unexpectedly")
                self._report("heartbeat_failed", LicenseError(str(error), name="UNEXPECTED"))
                delay = self._retry_delay
            else:
                self.last_result = result
                if self._on_success is not None:
                    try:
                        self._on_success(result)
                    except Exception:
                        log.exception("licensegateway: heartbeat on_success callback raised")
                delay = self._next_delay(result)
            self._stop.wait(max(self._min_delay, delay))
        self.stopped_reason = self.stopped_reason or "stopped"

    def _next_delay(self, result: "LicenseResult") -> float:
        if result.heartbeat_due_at is None:
            return self._idle_interval
        interval = (result.heartbeat_due_at - result.issued_at).total_seconds()
        return interval * self._ratio

    def _report(self, reason: str, error: LicenseError) -> None:
        try:
            self._on_failure(reason, error)
        except Exception:
            log.exception("licensegateway: heartbeat on_failure callback raised")
