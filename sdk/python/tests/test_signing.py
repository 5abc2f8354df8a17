"""Request signing and answer verification, without a gateway."""

import base64
import re

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from licensegateway import SignatureMismatchError, canonical_json
from licensegateway._keys import parse_jwks, read_envelope, verify_envelope
from licensegateway._signing import canonical_string, new_nonce, sign, signed_headers


def test_worked_vector_of_the_native_protocol():
    assert canonical_string(1700000000, "abcdefghijklmnop", "POST", "/api/v1/license/validate", b"{}") == (
        "v1\n1700000000\nabcdefghijklmnop\nPOST\n/api/v1/license/validate\n"
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
    assert sign(b"s3cret", 1700000000, "abcdefghijklmnop", "POST", "/api/v1/license/validate", b"{}") == \
        "1360b5adffe0c07ff75c4e71583da8db087f25e79cd60044c3debab1b7345d07"


def test_headers_carry_timestamp_nonce_and_signature():
    h = signed_headers(b"s3cret", 1700000000, "abcdefghijklmnop", "POST", "/api/v1/license/validate", b"{}")
    assert h["X-License-Timestamp"] == "1700000000"
    assert h["X-License-Nonce"] == "abcdefghijklmnop"
    assert h["X-License-Signature"] == "1360b5adffe0c07ff75c4e71583da8db087f25e79cd60044c3debab1b7345d07"
    assert h["Content-Type"] == "application/json"


def test_nonces_are_fresh_and_well_formed():
    nonces = [new_nonce() for _ in range(1000)]
    assert len(set(nonces)) == 1000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{16,64}", n) for n in nonces)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _keys():
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    numbers = rsa_key.public_key().public_numbers()
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    jwks = {"keys": [
        {"kid": "r1", "kty": "RSA", "alg": "RS256", "use": "sig",
         "n": _b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")), "e": _b64url(b"\x01\x00\x01")},
        {"kid": "e1", "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
         "x": _b64url(ed_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))},
    ]}
    return rsa_key, ed_key, parse_jwks(jwks)


def _envelope(data, alg, kid, signature: bytes):
    return {"data": data, "signature": base64.b64encode(signature).decode(), "alg": alg, "kid": kid}


def test_both_algorithms_verify_and_refuse_a_changed_byte_or_a_confused_key():
    rsa_key, ed_key, keys = _keys()
    data = {"license_key": "K", "status": "active", "issued_at": "2026-01-01T00:00:00Z", "machines_used": 1}
    message = canonical_json(data)
    rsa_env = _envelope(data, "RSA-SHA256", "r1", rsa_key.sign(message, padding.PKCS1v15(), hashes.SHA256()))
    ed_env = _envelope(data, "Ed25519", "e1", ed_key.sign(message))
    verify_envelope(rsa_env, keys["r1"])
    verify_envelope(ed_env, keys["e1"])
    changed = dict(data, machines_used=2)
    for env, key in ((rsa_env, keys["r1"]), (ed_env, keys["e1"])):
        with pytest.raises(SignatureMismatchError):
            verify_envelope(dict(env, data=changed), key)
    # An Ed25519 envelope checked against the RSA key, and the converse, never verify.
    with pytest.raises(SignatureMismatchError):
        verify_envelope(dict(ed_env, kid="r1"), keys["r1"])
    with pytest.raises(SignatureMismatchError):
        verify_envelope(dict(rsa_env, alg="Ed25519"), keys["r1"])
    with pytest.raises(SignatureMismatchError):
        verify_envelope(dict(ed_env, signature="not base64!"), keys["e1"])
    with pytest.raises(SignatureMismatchError):
        verify_envelope(ed_env, None)


def test_a_body_that_is_not_a_signed_envelope_is_refused():
    for body in (b"not json", b"[]", b'{"data": {}}', b'{"data": [], "signature": "", "alg": "", "kid": ""}',
                 b'{"data": {}, "data": {}, "signature": "", "alg": "", "kid": ""}'):
        with pytest.raises(SignatureMismatchError):
            read_envelope(body)
