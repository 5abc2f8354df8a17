"""The last verified validation per (license, machine), in memory and optionally in a file."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from typing import Any, Callable, Dict, Optional, Tuple

log = logging.getLogger("licensegateway")

_FORMAT = 1


class GraceStore:
    """Thread-safe store of signed envelopes. File entries are only trusted once they verify again."""

    def __init__(self, path: Optional[str]):
        self._path = os.fspath(path) if path is not None else None
        self._lock = threading.Lock()
        self._entries: Dict[Tuple[str, str], Dict[str, Any]] = {}
        self._max_issued_at = 0.0
        self._file_loaded = self._path is None

    def _ensure_loaded(self) -> None:
        """Reads the file once. Its envelopes stay unverified until one is needed (see get)."""
        if self._file_loaded:
            return
        self._file_loaded = True
        try:
            with open(self._path, "rb") as f:
                saved = json.loads(f.read())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as e:
            log.warning("licensegateway: ignoring unreadable grace file: %s", e)
            return
        if not isinstance(saved, dict) or saved.get("format") != _FORMAT:
            return
        seen = saved.get("max_issued_at")
        if isinstance(seen, (int, float)) and not isinstance(seen, bool):
            self._max_issued_at = max(self._max_issued_at, float(seen))
        entries = saved.get("entries")
        for envelope in entries if isinstance(entries, list) else []:
            data = envelope.get("data") if isinstance(envelope, dict) else None
            if isinstance(data, dict):
                key = (data.get("license_key"), data.get("machine_id"))
                self._entries.setdefault(key, {"envelope": envelope, "issued_at": None})

    def saw(self, issued_at: float) -> None:
        """Records the signed issued_at of any verified answer (the clock-rollback check reads it)."""
        with self._lock:
            self._ensure_loaded()
            if issued_at > self._max_issued_at:
                self._max_issued_at = issued_at

    def put(self, license_key: str, machine_id: str, envelope: Dict[str, Any], issued_at: float) -> None:
        with self._lock:
            self._ensure_loaded()
            self._entries[(license_key, machine_id)] = {"envelope": envelope, "issued_at": issued_at}
            self._max_issued_at = max(self._max_issued_at, issued_at)
            self._save()

    def drop(self, license_key: str, machine_id: Optional[str]) -> None:
        """Forgets what the server refused: a refusal must never be answered from the cache later."""
        with self._lock:
            self._ensure_loaded()
            if machine_id is None:
                doomed = [k for k in self._entries if k[0] == license_key]
            else:
                doomed = [k for k in self._entries if k == (license_key, machine_id)]
            if doomed:
                for k in doomed:
                    del self._entries[k]
                self._save()

    def get(self, license_key: str, machine_id: str,
            verify: Callable[[Dict[str, Any]], Optional[float]]) -> Tuple[Optional[Dict[str, Any]], float]:
        """(verified entry or None, the latest issued_at seen). verify returns the signed issued_at or None."""
        with self._lock:
            self._ensure_loaded()
            key = (license_key, machine_id)
            entry = self._entries.get(key)
            if entry is not None and entry["issued_at"] is None:
                issued_at = verify(entry["envelope"])
                if issued_at is None:
                    # Not usable now (forged, or signed by a key this client does not hold yet).
                    return None, self._max_issued_at
                entry["issued_at"] = issued_at
                self._max_issued_at = max(self._max_issued_at, issued_at)
            return entry, self._max_issued_at

    def _save(self) -> None:
        if self._path is None:
            return
        payload = json.dumps({
            "format": _FORMAT,
            "max_issued_at": self._max_issued_at,
            "entries": [e["envelope"] for e in self._entries.values()],
        }, separators=(",", ":")).encode("utf-8")
        directory = os.path.dirname(os.path.abspath(self._path))
        try:
            os.makedirs(directory, exist_ok=True)
            # mkstemp creates the file with mode 0600: only this user reads the cached answers.
            fd, tmp = tempfile.mkstemp(prefix=".lgw-grace-", dir=directory)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(payload)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self._path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError as e:
            log.warning("licensegateway: cannot write the grace file: %s", e)
