"""Native request signing: HMAC-SHA256 over the canonical string of the gateway's protocol."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Dict

TIMESTAMP_HEADER = "X-License-Timestamp"
NONCE_HEADER = "X-License-Nonce"
SIGNATURE_HEADER = "X-License-Signature"


def new_nonce() -> str:
    """32 characters of [A-Za-z0-9_-] from the OS CSPRNG: fresh for every attempt."""
    return secrets.token_urlsafe(24)


def canonical_string(timestamp: int, nonce: str, method: str, path_and_query: str, body: bytes) -> str:
    """``v1``, timestamp, nonce, method, path as sent, hex SHA-256 of the body, joined by LF."""
    return "\n".join(("v1", str(int(timestamp)), nonce, method.upper(), path_and_query,
                      hashlib.sha256(body).hexdigest()))


def sign(secret: bytes, timestamp: int, nonce: str, method: str, path_and_query: str, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256(secret, canonical string)."""
    message = canonical_string(timestamp, nonce, method, path_and_query, body).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signed_headers(secret: bytes, timestamp: int, nonce: str, method: str, path_and_query: str,
                   body: bytes) -> Dict[str, str]:
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(int(timestamp)),
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: sign(secret, timestamp, nonce, method, path_and_query, body),
    }
