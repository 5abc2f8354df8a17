"""Offline grace: the last verified validation bridges an outage, counted from the server's signed issued_at."""

import json
import os
import time

import pytest

import licensegateway as lg
from conftest import first_gateway_only, jwks_of, machine_id
from tamper_proxy import UNAVAILABLE, dead_url

GRACE = 3600.0


def _validated(gateway, secret, manage, proxy, clock, **kw):
    lic = manage.license()
    machine = machine_id("grace")
    client = lg.LicenseClient(proxy.url, secret, trusted_keys=jwks_of(gateway["base_url"]), grace_period=GRACE,
                              clock=clock, max_attempts=2, backoff_base=0.05, **kw)
    client.activate(lic["key"], machine)
    online = client.validate(lic["key"], machine, entitlements=["pro"])
    assert online.valid and not online.from_cache
    return client, lic, machine, online


@first_gateway_only
def test_unreachable_within_the_grace_answers_the_cached_validation(gateway, secret, manage, proxy, clock):
    client, lic, machine, online = _validated(gateway, secret, manage, proxy, clock)
    with client:
        proxy.down = True
        clock.set(online.issued_at.timestamp() + GRACE - 60)
        cached = client.validate(lic["key"], machine)
        assert cached.from_cache and cached.valid
        assert cached.data == online.data and cached.issued_at == online.issued_at
        # Entitlements it did not grant are not vouched for offline.
        with pytest.raises(lg.GatewayUnreachableError) as e:
            client.validate(lic["key"], machine, entitlements=["enterprise"])
        assert e.value.offline_reason == "entitlements_not_cached"
        # Another machine of the same license has no cached validation.
        with pytest.raises(lg.GatewayUnreachableError) as e:
            client.validate(lic["key"], machine_id("other"))
        assert e.value.offline_reason == "no_cached_validation"
        # Other operations are never answered from the cache.
        with pytest.raises(lg.GatewayUnreachableError):
            client.heartbeat(lic["key"], machine)


@first_gateway_only
def test_an_outage_behind_the_gateway_is_bridged_too(gateway, secret, manage, proxy, clock):
    client, lic, machine, online = _validated(gateway, secret, manage, proxy, clock)
    with client:
        proxy.plan(UNAVAILABLE, UNAVAILABLE, UNAVAILABLE)
        cached = client.validate(lic["key"], machine)
    assert cached.from_cache and cached.issued_at == online.issued_at
    assert len(proxy.native_requests) == 2 + 2  # activate, validate, then two attempts


@first_gateway_only
def test_unreachable_after_the_grace_raises(gateway, secret, manage, proxy, clock):
    # The local clock runs 200 s ahead (the gateway accepts up to 300 s): the grace still ends
    # GRACE after the signed issued_at, not GRACE after the answer arrived by the local clock.
    clock.set(time.time() + 200)
    client, lic, machine, online = _validated(gateway, secret, manage, proxy, clock)
    with client:
        proxy.down = True
        clock.set(online.issued_at.timestamp() + GRACE + 60)
        with pytest.raises(lg.GatewayUnreachableError) as e:
            client.validate(lic["key"], machine)
    assert e.value.offline_reason == "grace_expired" and e.value.retryable


@first_gateway_only
def test_a_clock_rolled_back_before_the_last_issued_at_ends_the_grace(gateway, secret, manage, proxy, clock):
    client, lic, machine, online = _validated(gateway, secret, manage, proxy, clock)
    with client:
        proxy.down = True
        clock.set(online.issued_at.timestamp() - 3600)
        with pytest.raises(lg.GatewayUnreachableError) as e:
            client.validate(lic["key"], machine)
    assert e.value.offline_reason == "clock_rolled_back"


@first_gateway_only
def test_a_server_refusal_is_never_answered_from_the_cache(gateway, secret, manage, proxy, clock):
    client, lic, machine, online = _validated(gateway, secret, manage, proxy, clock)
    with client:
        manage.set_status(lic["id"], "suspended")
        with pytest.raises(lg.LicenseInactiveError) as e:
            client.validate(lic["key"], machine)
        assert e.value.code == 1704
        # The refusal also ends what the cache held: an outage now finds nothing to bridge it.
        proxy.down = True
        with pytest.raises(lg.GatewayUnreachableError) as e:
            client.validate(lic["key"], machine)
    assert e.value.offline_reason == "no_cached_validation"


@first_gateway_only
def test_the_cache_file_survives_a_restart_and_its_signature_is_checked_again(gateway, secret, manage, proxy,
                                                                              clock, tmp_path):
    path = tmp_path / "vendor" / "license-cache.json"
    client, lic, machine, online = _validated(gateway, secret, manage, proxy, clock, cache_file=str(path))
    client.close()
    assert path.is_file() and oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in path.parent.iterdir()] == ["license-cache.json"]  # no temporary file left
    jwks = jwks_of(gateway["base_url"])
    # A new process: the gateway unreachable, the clock 10 minutes before the grace ends.
    clock.set(online.issued_at.timestamp() + GRACE - 600)
    with lg.LicenseClient(dead_url(), secret, trusted_keys=jwks, grace_period=GRACE, clock=clock,
                          cache_file=str(path), max_attempts=1) as restarted:
        cached = restarted.validate(lic["key"], machine)
        assert cached.from_cache and cached.issued_at == online.issued_at and cached.data == online.data
    # The grace is the signed issued_at's: moving it in the file breaks the signature, not the rule.
    saved = json.loads(path.read_text())
    saved["entries"][0]["data"]["issued_at"] = "2999-01-01T00:00:00Z"
    path.write_text(json.dumps(saved))
    clock.set(online.issued_at.timestamp() + GRACE + 600)
    with lg.LicenseClient(dead_url(), secret, trusted_keys=jwks, grace_period=GRACE, clock=clock,
                          cache_file=str(path), max_attempts=1) as restarted:
        with pytest.raises(lg.GatewayUnreachableError) as e:
            restarted.validate(lic["key"], machine)
    assert e.value.offline_reason == "no_cached_validation"
    assert os.path.exists(path)


@first_gateway_only
def test_grace_zero_turns_offline_answers_off(gateway, secret, manage, proxy, clock):
    client, lic, machine, online = _validated(gateway, secret, manage, proxy, clock)
    client.close()
    with lg.LicenseClient(proxy.url, secret, trusted_keys=jwks_of(gateway["base_url"]), grace_period=0,
                          max_attempts=1) as strict:
        strict.validate(lic["key"], machine)
        proxy.down = True
        with pytest.raises(lg.GatewayUnreachableError) as e:
            strict.validate(lic["key"], machine)
    assert e.value.offline_reason == "grace_disabled"
