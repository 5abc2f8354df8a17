"""Where the gateway under test is, and helpers to make what a test needs through the management API.

Two ways to give a gateway:
- ``LGW_SDK_TEST_CONFIG``: a JSON file ``{"api_secret", "manage_api_key", "gateways": [{"name",
  "base_url", "alg"}]}`` (the Maven build writes one, with an RSA and an Ed25519 gateway);
- ``LGW_SDK_TEST_BASE_URL``, ``LGW_SDK_TEST_SECRET`` and ``LGW_SDK_TEST_MANAGE_KEY``: a running
  gateway, e.g. dev mode's URL, "native secret" and "API key".
Without either, the tests that need a gateway are skipped, unless ``LGW_SDK_TEST_REQUIRED=1``
(set by the Maven build), which makes a missing gateway an error.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import uuid
import hashlib
from typing import Any, Dict, List, Optional

import httpx
import pytest

sys.path.insert(0, os.path.dirname(__file__))

from tamper_proxy import TamperProxy  # noqa: E402


def _load_config() -> Optional[Dict[str, Any]]:
    path = os.environ.get("LGW_SDK_TEST_CONFIG")
    if path:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    base = os.environ.get("LGW_SDK_TEST_BASE_URL")
    if base:
        secret = os.environ.get("LGW_SDK_TEST_SECRET") or os.environ.get("LICENSE_API_SECRET")
        key = os.environ.get("LGW_SDK_TEST_MANAGE_KEY")
        if not secret or not key:
            raise RuntimeError("LGW_SDK_TEST_BASE_URL needs LGW_SDK_TEST_SECRET and LGW_SDK_TEST_MANAGE_KEY too")
        return {"api_secret": secret, "manage_api_key": key, "gateways": [{"name": "dev", "base_url": base}]}
    return None


CONFIG = _load_config()
REQUIRED = os.environ.get("LGW_SDK_TEST_REQUIRED") == "1"
GATEWAYS: List[Dict[str, Any]] = CONFIG["gateways"] if CONFIG else []


def pytest_configure(config):
    if REQUIRED and not GATEWAYS:
        raise pytest.UsageError("LGW_SDK_TEST_REQUIRED=1 but no gateway is configured "
                                "(LGW_SDK_TEST_CONFIG or LGW_SDK_TEST_BASE_URL)")


def _need_gateway():
    if not GATEWAYS:
        pytest.skip("no gateway configured: set LGW_SDK_TEST_CONFIG or LGW_SDK_TEST_BASE_URL (see README)")


@pytest.fixture(params=GATEWAYS or [None], ids=[g["name"] for g in GATEWAYS] or ["no-gateway"])
def gateway(request) -> Dict[str, Any]:
    """Each configured gateway in turn (RSA and Ed25519 in the Maven build)."""
    if request.param is None:
        _need_gateway()
    return request.param


# For a test whose subject does not depend on the signing algorithm: the first gateway only.
first_gateway_only = pytest.mark.parametrize("gateway", GATEWAYS[:1] or [None],
                                             ids=[g["name"] for g in GATEWAYS[:1]] or ["no-gateway"],
                                             indirect=True)


@pytest.fixture
def two_gateways() -> List[Dict[str, Any]]:
    _need_gateway()
    if len(GATEWAYS) < 2:
        if REQUIRED:
            pytest.fail("this test needs two gateways signing with different keys")
        pytest.skip("needs two gateways signing with different keys")
    return GATEWAYS[:2]


@pytest.fixture
def secret() -> str:
    _need_gateway()
    return CONFIG["api_secret"]


def jwks_of(base_url: str) -> Dict[str, Any]:
    response = httpx.get(base_url.rstrip("/") + "/api/v1/keys", timeout=30, trust_env=False)
    assert response.status_code == 200, response.text
    return response.json()


def machine_id(label: str = "") -> str:
    return hashlib.sha256(("device-%s-%s" % (label, uuid.uuid4())).encode()).hexdigest()


class Manage:
    """The vendor's side: products, policies and licenses through the management API."""

    def __init__(self, base_url: str, api_key: str):
        self._http = httpx.Client(base_url=base_url.rstrip("/") + "/api/v1/manage", timeout=30, trust_env=False,
                                  headers={"Authorization": "Bearer " + api_key})

    def _call(self, method: str, path: str, body: Optional[dict] = None, expect: int = 200) -> dict:
        for _ in range(20):
            response = self._http.request(method, path, json=body)
            if response.status_code != 429:
                break
            time.sleep(float(response.headers.get("Retry-After", "1")))
        assert response.status_code == expect, "%s %s -> %d %s" % (method, path, response.status_code, response.text)
        return response.json() if response.content else {}

    def license(self, **policy: Any) -> Dict[str, Any]:
        """A new product, policy (max_machines 3 unless given) and license; returns the license."""
        product = self._call("POST", "/products", {"name": "sdk-test-" + uuid.uuid4().hex[:8]}, 201)
        body = {"product_id": product["id"], "name": "sdk-test", "max_machines": 3, "entitlements": ["pro"]}
        body.update(policy)
        created = self._call("POST", "/policies", body, 201)
        return self._call("POST", "/licenses", {"policy_id": created["id"]}, 201)

    def set_status(self, license_id: str, status: str) -> None:
        self._call("PATCH", "/licenses/" + license_id, {"status": status})

    def close(self) -> None:
        self._http.close()


@pytest.fixture
def manage(gateway) -> Manage:
    m = Manage(gateway["base_url"], CONFIG["manage_api_key"])
    yield m
    m.close()


@pytest.fixture
def proxy(gateway) -> TamperProxy:
    p = TamperProxy(gateway["base_url"])
    yield p
    p.close()


class ShiftableClock:
    """A wall clock a test can move: time.time() plus an offset."""

    def __init__(self):
        self.offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return time.time() + self.offset

    def set(self, epoch_seconds: float) -> None:
        with self._lock:
            self.offset = epoch_seconds - time.time()


@pytest.fixture
def clock() -> ShiftableClock:
    return ShiftableClock()
