"""Exit codes and the primary cause come from pure functions: every code, every rule."""

from __future__ import annotations

from doctor.run.exitcodes import ExitCode, exit_code
from doctor.run.model import Finding, Severity, Status
from doctor.run.verdict import CAUSE_ORDER, primary, verdict


def f(id: str, severity: Severity = Severity.ERROR, cause: str | None = None) -> Finding:
    return Finding(id=id, check="t", severity=severity, title=id, cause=cause)


def test_every_exit_code() -> None:
    ok = verdict([f("fine", Severity.OK)], endpoint_answers=True, ok_summary="fine")
    assert exit_code(ok, []) is ExitCode.OK
    warn = [f("w", Severity.WARNING)]
    assert exit_code(verdict(warn, endpoint_answers=True, ok_summary="x"), warn) is ExitCode.OK
    assert exit_code(verdict(warn, endpoint_answers=True, ok_summary="x"), warn, strict=True) is ExitCode.WARNINGS
    bad = [f("engine-not-running", cause="engine-not-running")]
    assert exit_code(verdict(bad, endpoint_answers=False, ok_summary="x"), bad) is ExitCode.FAILURE
    assert exit_code(verdict(bad, endpoint_answers=False, ok_summary="x"), bad, wait_timed_out=True) is ExitCode.WAIT_TIMEOUT
    assert ExitCode.INTERNAL == 3


def test_primary_cause_is_the_earliest_along_the_path() -> None:
    findings = [f("a", cause="engine-not-running"), f("b", cause="endpoint-mismatch"), f("c", cause="invalid-config")]
    assert primary(findings).cause == "invalid-config"  # type: ignore[union-attr]
    # Causes of causes.md keep their documented order.
    assert CAUSE_ORDER.index("invalid-config") < CAUSE_ORDER.index("endpoint-mismatch") \
        < CAUSE_ORDER.index("permission-denied") < CAUSE_ORDER.index("api-version-mismatch") \
        < CAUSE_ORDER.index("engine-not-installed")


def test_status_and_primary_cause_pair_up() -> None:
    d = verdict([f("x", Severity.WARNING)], endpoint_answers=True, ok_summary="all good")
    assert d.status is Status.OK and d.primary_cause is None and d.summary == "all good"
    d = verdict([f("p", cause="permission-denied")], endpoint_answers=False, ok_summary="")
    assert d.status is Status.BROKEN and d.primary_cause == "permission-denied"
    # The engine answers but refuses the API version the client forces: degraded, not broken.
    d = verdict([f("v", cause="api-version-mismatch")], endpoint_answers=True, ok_summary="")
    assert d.status is Status.DEGRADED
    # A check that could not run makes the verdict incomplete, never OK.
    d = verdict([f("fact-unavailable")], endpoint_answers=True, ok_summary="")
    assert d.status is Status.DEGRADED and d.primary_cause == "diagnosis-incomplete"


def test_warnings_never_become_the_primary_cause() -> None:
    assert primary([f("w", Severity.WARNING, cause="invalid-config")]) is None
