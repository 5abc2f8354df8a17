"""The heartbeat helper: on the license's schedule, failures reported with a reason."""

import threading
import time

import licensegateway as lg
from conftest import first_gateway_only, jwks_of, machine_id


class Recorder:
    def __init__(self):
        self.successes = []
        self.failures = []
        self.changed = threading.Condition()

    def ok(self, result):
        with self.changed:
            self.successes.append(result)
            self.changed.notify_all()

    def failed(self, reason, error):
        with self.changed:
            self.failures.append((reason, error))
            self.changed.notify_all()

    def wait_for(self, predicate, timeout=60.0):
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate():
                left = deadline - time.monotonic()
                assert left > 0, "timed out: %d successes, failures %r" % (len(self.successes), self.failures)
                self.changed.wait(left)


@first_gateway_only
def test_heartbeats_follow_the_schedule_and_report_a_revocation(gateway, secret, manage):
    lic = manage.license(heartbeat_interval_s=2)
    machine = machine_id("heartbeat")
    seen = Recorder()
    with lg.LicenseClient(gateway["base_url"], secret, trusted_keys=jwks_of(gateway["base_url"])) as client:
        activated = client.activate(lic["key"], machine)
        assert activated.heartbeat_due_at is not None
        helper = client.start_heartbeat(lic["key"], machine, seen.failed, on_success=seen.ok, min_delay=0.2)
        try:
            seen.wait_for(lambda: len(seen.successes) >= 2)
            first, second = seen.successes[:2]
            # Due one interval (2 s) after the heartbeat; both times are whole seconds, taken apart.
            assert abs((first.heartbeat_due_at - first.issued_at).total_seconds() - 2) <= 1
            assert second.heartbeat_due_at >= first.heartbeat_due_at
            manage.set_status(lic["id"], "revoked")
            seen.wait_for(lambda: seen.failures)
            reason, error = seen.failures[0]
            assert reason == "revoked" and isinstance(error, lg.LicenseRevokedError)
            helper.stop(10)
            assert not helper.running and helper.stopped_reason == "revoked"
            assert len(seen.failures) == 1
        finally:
            helper.stop(10)


@first_gateway_only
def test_an_unreachable_gateway_is_reported_and_heartbeats_go_on(gateway, secret, manage, proxy):
    lic = manage.license(heartbeat_interval_s=2)
    machine = machine_id("heartbeat-down")
    seen = Recorder()
    with lg.LicenseClient(proxy.url, secret, trusted_keys=jwks_of(gateway["base_url"]), max_attempts=1) as client:
        client.activate(lic["key"], machine)
        helper = client.start_heartbeat(lic["key"], machine, seen.failed, on_success=seen.ok,
                                        min_delay=0.2, retry_delay=0.3)
        try:
            seen.wait_for(lambda: len(seen.successes) >= 1)
            proxy.down = True
            seen.wait_for(lambda: len(seen.failures) >= 2)
            assert all(reason == "heartbeat_failed" for reason, _ in seen.failures)
            assert isinstance(seen.failures[0][1], lg.GatewayUnreachableError)
            assert helper.running
            before = len(seen.successes)
            proxy.down = False
            seen.wait_for(lambda: len(seen.successes) > before)
            assert helper.running
        finally:
            helper.stop(10)
        assert not helper.running and helper.stopped_reason == "stopped"


def test_failure_reasons_name_each_refusal():
    cases = {
        lg.LicenseRevokedError("x", code=1708): "revoked",
        lg.LicenseExpiredError("x", code=1710): "expired",
        lg.LicenseInactiveError("x", code=1704): "suspended",
        lg.HeartbeatRequiredError("x", code=1711): "overdue",
        lg.MachineNotActivatedError("x", code=1709): "not_activated",
        lg.GatewayUnreachableError("x"): "heartbeat_failed",
        lg.RateLimitError("x", code=1706, retry_after=3): "heartbeat_failed",
        lg.SignatureMismatchError("x"): "untrusted_answer",
    }
    for error, reason in cases.items():
        assert lg.failure_reason(error) == reason
