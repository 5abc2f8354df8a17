"""Public keys of a JWKS, and verification of a signed envelope with the key its kid names."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Dict, Mapping, Optional, Union

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers

from ._canonical import canonical_json, loads_strict
from .errors import SignatureMismatchError

# The envelope's alg (the gateway's names) and the JWK types that may verify it.
ENVELOPE_ALGS = {"RSA-SHA256": "RSA", "Ed25519": "OKP"}

JwksInput = Union[str, bytes, Mapping[str, Any]]


def _b64url(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _jwk_key(jwk: Mapping[str, Any]):
    kty = jwk.get("kty")
    if kty == "RSA":
        n = int.from_bytes(_b64url(jwk["n"]), "big")
        e = int.from_bytes(_b64url(jwk["e"]), "big")
        return RSAPublicNumbers(e, n).public_key()
    if kty == "OKP" and jwk.get("crv") == "Ed25519":
        return Ed25519PublicKey.from_public_bytes(_b64url(jwk["x"]))
    return None


def parse_jwks(jwks: JwksInput) -> Dict[str, Any]:
    """kid -> public key for every RSA and Ed25519 key of a JWKS (JSON text or parsed). Other keys are skipped."""
    if isinstance(jwks, (str, bytes)):
        jwks = json.loads(jwks)
    if not isinstance(jwks, Mapping) or not isinstance(jwks.get("keys"), list):
        raise ValueError("a JWKS is an object with a 'keys' list")
    keys: Dict[str, Any] = {}
    for jwk in jwks["keys"]:
        if not isinstance(jwk, Mapping) or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("use") not in (None, "sig"):
            continue
        try:
            key = _jwk_key(jwk)
        except (KeyError, ValueError, TypeError, binascii.Error):
            continue
        if key is not None:
            keys[jwk["kid"]] = key
    return keys


def read_envelope(body: bytes) -> Dict[str, Any]:
    """The envelope of a 200: data (object), signature, alg, kid (strings). Anything else is not a signed answer."""
    try:
        envelope = loads_strict(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise SignatureMismatchError("the answer is not a signed envelope: %s" % e) from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("data"), dict):
        raise SignatureMismatchError("the answer is not a signed envelope: no 'data' object")
    for field in ("signature", "alg", "kid"):
        if not isinstance(envelope.get(field), str):
            raise SignatureMismatchError("the answer is not a signed envelope: no '%s'" % field)
    return envelope


def verify_envelope(envelope: Mapping[str, Any], key: Optional[Any]) -> None:
    """Raises SignatureMismatchError unless the signature over the canonical data verifies with key."""
    alg = envelope["alg"]
    kid = envelope["kid"]
    if key is None:
        raise SignatureMismatchError("no trusted key has kid %r" % kid)
    expected_type = ENVELOPE_ALGS.get(alg)
    if expected_type is None:
        raise SignatureMismatchError("unsupported signature algorithm %r" % alg)
    if (expected_type == "RSA") != isinstance(key, RSAPublicKey) or \
            (expected_type == "OKP") != isinstance(key, Ed25519PublicKey):
        raise SignatureMismatchError("key %r does not sign %s" % (kid, alg))
    try:
        signature = base64.b64decode(envelope["signature"], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureMismatchError("the signature is not Base64") from None
    try:
        message = canonical_json(envelope["data"])
    except (TypeError, ValueError, UnicodeEncodeError) as e:
        raise SignatureMismatchError("the data has no canonical form: %s" % e) from None
    try:
        if isinstance(key, RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            key.verify(signature, message)
    except InvalidSignature:
        raise SignatureMismatchError("the signature over data does not verify with key %r" % kid) from None
