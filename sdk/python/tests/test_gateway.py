"""The SDK against a real gateway: every operation verified, refusals typed, nothing retried that must not be."""

import threading

import pytest

import licensegateway as lg
from conftest import jwks_of, machine_id


def test_every_operation_answers_a_verified_result(gateway, secret, manage):
    lic = manage.license(max_machines=2)
    key, machine = lic["key"], machine_id("ops")
    jwks = jwks_of(gateway["base_url"])
    with lg.LicenseClient(gateway["base_url"], secret, trusted_keys=jwks) as client:
        activated = client.activate(key, machine, name="laptop", platform="linux")
        validated = client.validate(key, machine, entitlements=["pro"])
        beat = client.heartbeat(key, machine)
        status = client.status(key)
        gone = client.deactivate(key, machine)
    for r in (activated, validated, beat, status, gone):
        assert r.from_cache is False
        assert r.license_key == key
        assert r.status == "active"
        assert r.kid in {k["kid"] for k in jwks["keys"]}
        if "alg" in gateway:
            assert r.alg == gateway["alg"]
        assert r.data["nonce"] == r.nonce and len(r.nonce) >= 16
    assert validated.valid is True and validated.data["valid"] is True
    assert validated.machine_id == machine and validated.entitlements == ("pro",)
    assert activated.valid and activated.data["machines_used"] == 1 and activated.data["max_machines"] == 2
    assert status.machine_id is None and status.valid
    assert gone.valid is False
    assert len({r.nonce for r in (activated, validated, beat, status, gone)}) == 5
    # The same validation after deactivation is a typed refusal.
    with lg.LicenseClient(gateway["base_url"], secret, trusted_keys=jwks) as client:
        with pytest.raises(lg.MachineNotActivatedError):
            client.validate(key, machine)


def test_without_pinned_keys_the_jwks_is_fetched_once(gateway, secret, manage, proxy):
    lic = manage.license()
    machine = machine_id("unpinned")
    with lg.LicenseClient(proxy.url, secret) as client:
        client.activate(lic["key"], machine)
        assert client.validate(lic["key"], machine).valid
        client.heartbeat(lic["key"], machine)
    assert proxy.jwks_fetches == 1


def test_refusals_are_typed_by_native_code_and_never_retried(gateway, secret, manage, proxy):
    lic = manage.license(max_machines=1)
    key = lic["key"]
    with lg.LicenseClient(proxy.url, secret, trusted_keys=jwks_of(gateway["base_url"])) as client:
        with pytest.raises(lg.LicenseNotFoundError) as nf:
            client.validate("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE", machine_id())
        assert (nf.value.code, nf.value.name, nf.value.retryable) == (1703, "LICENSE_API_NOT_FOUND", False)
        assert nf.value.http_status == 404 and isinstance(nf.value, lg.GatewayError)
        with pytest.raises(lg.MachineNotActivatedError) as na:
            client.validate(key, machine_id())
        assert na.value.code == 1709
        first = machine_id("first")
        client.activate(key, first)
        with pytest.raises(lg.ActivationLimitError) as cap:
            client.activate(key, machine_id("second"))
        assert cap.value.code == 1705 and cap.value.http_status == 409
        with pytest.raises(lg.EntitlementsMissingError) as ent:
            client.validate(key, first, entitlements=["enterprise"])
        assert ent.value.code == 1712
        manage.set_status(lic["id"], "revoked")
        with pytest.raises(lg.LicenseRevokedError) as rv:
            client.validate(key, first)
        assert rv.value.code == 1708 and not rv.value.retryable
    # One request per call: a permanent refusal is never sent again.
    assert len(proxy.native_requests) == 6


def test_a_wrong_secret_is_refused_and_never_shown(gateway, proxy):
    wrong = "not-the-secret-4f1d2c9a8b7e"
    client = lg.LicenseClient(proxy.url, wrong, trusted_keys=jwks_of(gateway["base_url"]))
    with client:
        with pytest.raises(lg.BadSignatureError) as e:
            client.validate("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE", machine_id())
    assert e.value.code == 1700 and e.value.http_status == 401
    for text in (str(e.value), repr(e.value), repr(client), e.value.message):
        assert wrong not in text
    assert len(proxy.native_requests) == 1


def test_one_client_is_safe_to_share_between_threads(gateway, secret, manage):
    lic = manage.license()
    machines = [machine_id("t%d" % i) for i in range(3)]
    results, failures = [], []
    with lg.LicenseClient(gateway["base_url"], secret, trusted_keys=jwks_of(gateway["base_url"])) as client:
        for m in machines:
            client.activate(lic["key"], m)

        def work(m):
            try:
                for _ in range(5):
                    results.append(client.validate(lic["key"], m))
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append(e)

        threads = [threading.Thread(target=work, args=(machines[i % 3],)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not failures, failures
    assert len(results) == 30 and all(r.valid and not r.from_cache for r in results)
    assert len({r.nonce for r in results}) == 30
