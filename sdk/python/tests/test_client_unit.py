"""The client against a scripted transport and a key of the test's own: what a gateway cannot be made to do."""

import base64
import hashlib
import hmac
import json

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

import licensegateway as lg

KEY = ed25519.Ed25519PrivateKey.generate()
JWKS = {"keys": [{"kid": "k1", "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                  "x": base64.urlsafe_b64encode(KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
                  .rstrip(b"=").decode()}]}
MACHINE = "a" * 64


def _answer(data):
    signature = base64.b64encode(KEY.sign(lg.canonical_json(data))).decode()
    return httpx.Response(200, json={"data": data, "signature": signature, "alg": "Ed25519", "kid": "k1"})


def _client(handler, base="http://gateway.test"):
    return lg.LicenseClient(base, "s3cret", trusted_keys=JWKS, max_attempts=1,
                            http_client=httpx.Client(transport=httpx.MockTransport(handler)))


def _data(request, **override):
    body = json.loads(request.content)
    data = {"license_key": body["license_key"], "status": "active", "valid": True, "expires_at": None,
            "max_machines": 1, "machines_used": 1, "entitlements": [], "issued_at": "2026-01-01T00:00:00Z",
            "nonce": request.headers["X-License-Nonce"]}
    if "machine_id" in body:
        data["machine_id"] = body["machine_id"]
    data.update(override)
    return data


def test_requests_are_signed_over_the_exact_bytes_and_path_sent():
    seen = []

    def handler(request):
        seen.append(request)
        return _answer(_data(request))

    with _client(handler, base="http://gateway.test/licensing/") as client:
        client.validate("KEY-1", MACHINE, entitlements=["pro"])
    request = seen[0]
    assert request.method == "POST" and request.url.path == "/licensing/api/v1/license/validate"
    canonical = "\n".join(["v1", request.headers["X-License-Timestamp"], request.headers["X-License-Nonce"], "POST",
                           "/licensing/api/v1/license/validate", hashlib.sha256(request.content).hexdigest()])
    expected = hmac.new(b"s3cret", canonical.encode(), hashlib.sha256).hexdigest()
    assert request.headers["X-License-Signature"] == expected
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"license_key": "KEY-1", "machine_id": MACHINE, "entitlements": ["pro"]}


@pytest.mark.parametrize("field,value", [("license_key", "KEY-2"), ("machine_id", "b" * 64)])
def test_a_signed_answer_about_another_license_or_machine_is_refused(field, value):
    with _client(lambda request: _answer(_data(request, **{field: value}))) as client:
        with pytest.raises(lg.NonceMismatchError) as e:
            client.validate("KEY-1", MACHINE)
    assert e.value.field == field


def test_status_names_no_machine_and_reports_validity_from_status():
    def handler(request):
        data = _data(request, status="suspended")
        del data["valid"]  # status answers carry no "valid"
        return _answer(data)

    with _client(handler) as client:
        r = client.status("KEY-1")
    assert r.machine_id is None and r.status == "suspended" and r.valid is False
