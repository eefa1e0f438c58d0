"""Exit codes, decided by one pure function (docs/output-contract.md)."""

from __future__ import annotations

import enum

from doctor.run.model import Diagnosis, Finding, Severity, Status


class ExitCode(enum.IntEnum):
    OK = 0  # healthy
    FAILURE = 1  # a failure: there is a primary cause
    WARNINGS = 2  # warnings only, and only with --strict
    INTERNAL = 3  # cdoctor itself could not run: bad arguments, an internal error
    WAIT_TIMEOUT = 4  # a --wait deadline passed before the endpoint answered


EXIT_CODES_HELP = (
    "Exit codes: 0 healthy; 1 a failure (a primary cause); 2 warnings only, with --strict; "
    "3 cdoctor could not run (bad arguments, internal error); 4 a --wait deadline passed."
)


def exit_code(
    diagnosis: Diagnosis, findings: list[Finding], *, strict: bool = False, wait_timed_out: bool = False
) -> ExitCode:
    if wait_timed_out:
        return ExitCode.WAIT_TIMEOUT
    if diagnosis.status is not Status.OK:
        return ExitCode.FAILURE
    if strict and any(f.severity is Severity.WARNING for f in findings):
        return ExitCode.WARNINGS
    return ExitCode.OK
