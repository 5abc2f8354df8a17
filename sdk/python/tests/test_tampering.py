"""Answers forged, swapped, replayed, delayed or refused on the way: the SDK never passes them silently."""

import time

import pytest

import licensegateway as lg
from conftest import first_gateway_only, jwks_of, machine_id
from tamper_proxy import UNAVAILABLE, TamperProxy, native_error


def _activated(gateway, secret, manage):
    lic = manage.license()
    machine = machine_id("tamper")
    with lg.LicenseClient(gateway["base_url"], secret, trusted_keys=jwks_of(gateway["base_url"])) as c:
        c.activate(lic["key"], machine)
    return lic, machine


def _client(proxy, gateway, secret, **kw):
    kw.setdefault("trusted_keys", jwks_of(gateway["base_url"]))
    return lg.LicenseClient(proxy.url, secret, **kw)


def test_a_flipped_byte_in_data_fails_the_signature(gateway, secret, manage, proxy):
    lic, machine = _activated(gateway, secret, manage)
    with _client(proxy, gateway, secret) as client:
        proxy.plan("flip")
        with pytest.raises(lg.SignatureMismatchError):
            client.validate(lic["key"], machine)
        assert client.validate(lic["key"], machine).valid  # the same call, untouched, verifies


def test_a_swapped_signature_fails(gateway, secret, manage, proxy):
    lic, machine = _activated(gateway, secret, manage)
    with _client(proxy, gateway, secret) as client:
        client.validate(lic["key"], machine)
        proxy.plan("swap_signature")
        with pytest.raises(lg.SignatureMismatchError):
            client.validate(lic["key"], machine)


@first_gateway_only
def test_an_unsigned_answer_fails(gateway, secret, manage, proxy):
    lic, machine = _activated(gateway, secret, manage)
    with _client(proxy, gateway, secret) as client:
        proxy.plan("unsigned")
        with pytest.raises(lg.SignatureMismatchError):
            client.validate(lic["key"], machine)


def test_an_old_answer_replayed_for_another_nonce_fails(gateway, secret, manage, proxy):
    lic, machine = _activated(gateway, secret, manage)
    with _client(proxy, gateway, secret) as client:
        first = client.validate(lic["key"], machine)
        proxy.plan("replay")
        with pytest.raises(lg.NonceMismatchError) as e:
            client.validate(lic["key"], machine)
    assert e.value.field == "nonce" and e.value.name == "NONCE_MISMATCH"
    assert isinstance(e.value, lg.LicenseError) and first.nonce != proxy.nonces()[-1]


@first_gateway_only
def test_503_twice_then_success_with_a_fresh_nonce_each_time(gateway, secret, manage, proxy):
    lic, machine = _activated(gateway, secret, manage)
    with _client(proxy, gateway, secret, backoff_base=0.05) as client:
        proxy.plan(UNAVAILABLE, UNAVAILABLE)
        result = client.validate(lic["key"], machine)
    assert result.valid and not result.from_cache
    assert [r["action"] for r in proxy.native_requests] == [503, 503, "pass"]
    assert len(set(proxy.nonces())) == 3
    assert result.nonce == proxy.nonces()[-1]


@first_gateway_only
def test_network_errors_are_retried(gateway, secret, manage, proxy):
    lic, machine = _activated(gateway, secret, manage)
    with _client(proxy, gateway, secret, backoff_base=0.05) as client:
        proxy.plan("drop", "drop")
        assert client.validate(lic["key"], machine).valid
    assert [r["action"] for r in proxy.native_requests] == ["drop", "drop", "pass"]


@first_gateway_only
def test_429_waits_for_retry_after_then_succeeds(gateway, secret, manage, proxy):
    lic, machine = _activated(gateway, secret, manage)
    with _client(proxy, gateway, secret, backoff_base=0.01) as client:
        proxy.plan(native_error(1706, "LICENSE_API_RATE_LIMITED", 429, True, retry_after=2))
        started = time.monotonic()
        result = client.validate(lic["key"], machine)
        waited = time.monotonic() - started
    assert result.valid
    assert waited >= 2.0
    assert len(proxy.native_requests) == 2 and len(set(proxy.nonces())) == 2


@first_gateway_only
def test_429_beyond_the_deadline_raises_rate_limit_error_at_once(gateway, secret, manage, proxy):
    lic, machine = _activated(gateway, secret, manage)
    with _client(proxy, gateway, secret, deadline=10) as client:
        proxy.plan(native_error(1706, "LICENSE_API_RATE_LIMITED", 429, True, retry_after=120))
        started = time.monotonic()
        with pytest.raises(lg.RateLimitError) as e:
            client.validate(lic["key"], machine)
    assert time.monotonic() - started < 30  # not the 120 s a retry would have waited
    assert e.value.retry_after == 120 and e.value.code == 1706 and e.value.retryable
    assert len(proxy.native_requests) == 1
    # A rate limit is an answer from the gateway, not an outage: no cached result stands in for it.
    assert e.value.offline_reason is None


@first_gateway_only
def test_retries_are_bounded_by_attempts_and_by_the_deadline(gateway, secret, manage, proxy):
    lic, machine = _activated(gateway, secret, manage)
    with _client(proxy, gateway, secret, max_attempts=3, backoff_base=0.05, grace_period=0) as client:
        proxy.plan(*[UNAVAILABLE] * 10)
        with pytest.raises(lg.ServiceUnavailableError) as e:
            client.validate(lic["key"], machine)
    assert e.value.code == 1717 and e.value.retryable
    assert len(proxy.native_requests) == 3
    slow = native_error(1717, "LICENSE_API_UNAVAILABLE", 503, True, retry_after=1)
    with _client(proxy, gateway, secret, max_attempts=50, deadline=2.5, grace_period=0) as client:
        proxy.native_requests.clear()
        proxy.plan(*[slow] * 50)
        started = time.monotonic()
        # The last attempt gets only what is left of the deadline: on a slow machine it may time out.
        with pytest.raises((lg.ServiceUnavailableError, lg.GatewayUnreachableError)):
            client.validate(lic["key"], machine)
    # 50 attempts 1 s apart would take 50 s: the 2.5 s deadline stops them after two or three.
    assert time.monotonic() - started < 2.5 + 7
    assert 1 <= len(proxy.native_requests) <= 3


@first_gateway_only
def test_pinned_keys_refuse_an_unknown_kid_without_fetching(gateway, secret, manage, proxy):
    lic, machine = _activated(gateway, secret, manage)
    with lg.LicenseClient(gateway["base_url"], secret) as probe:
        signing_kid = probe.status(lic["key"]).kid
    jwks = jwks_of(gateway["base_url"])
    others = {"keys": [k for k in jwks["keys"] if k["kid"] != signing_kid]}
    assert others["keys"], "the gateway publishes only its signing key"
    with _client(proxy, gateway, secret, trusted_keys=others) as client:
        with pytest.raises(lg.SignatureMismatchError):
            client.validate(lic["key"], machine)
    assert proxy.jwks_fetches == 0


@first_gateway_only
def test_an_unknown_kid_is_looked_up_once_more_and_no_more(gateway, secret, manage, proxy):
    lic, machine = _activated(gateway, secret, manage)
    proxy.jwks_filter = lambda jwks: {"keys": []}
    with _client(proxy, gateway, secret, trusted_keys=None) as client:
        with pytest.raises(lg.SignatureMismatchError):
            client.validate(lic["key"], machine)
        assert proxy.jwks_fetches == 1
        with pytest.raises(lg.SignatureMismatchError):
            client.validate(lic["key"], machine)
        assert proxy.jwks_fetches == 2


def test_a_rotated_key_is_fetched_when_its_kid_first_appears(two_gateways, secret):
    """The first gateway's JWKS hides the second's key (as before a rotation); the second signs next."""
    first, second = two_gateways
    from conftest import Manage, CONFIG
    manage = Manage(first["base_url"], CONFIG["manage_api_key"])
    lic = manage.license()
    manage.close()
    machine = machine_id("rotation")
    proxy = TamperProxy(first["base_url"])
    try:
        with lg.LicenseClient(second["base_url"], secret) as probe:
            new_kid = probe.status(lic["key"]).kid
        proxy.jwks_filter = lambda jwks: {"keys": [k for k in jwks["keys"] if k["kid"] != new_kid]}
        with lg.LicenseClient(proxy.url, secret) as client:
            old = client.activate(lic["key"], machine)
            assert old.kid != new_kid and proxy.jwks_fetches == 1
            proxy.jwks_filter = None
            proxy.upstream = second["base_url"]
            rotated = client.validate(lic["key"], machine)
            assert rotated.kid == new_kid and rotated.valid
            assert proxy.jwks_fetches == 2
            client.validate(lic["key"], machine)
            assert proxy.jwks_fetches == 2
    finally:
        proxy.close()
