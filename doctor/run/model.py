"""The value types every layer shares: findings, fixes, the diagnosis.

They are frozen so that a check cannot change what another check sees, and
plain data so that renderers need nothing but these to do their work.
"""

from __future__ import annotations

import enum

from doctor.facts.record import field, record


class Severity(enum.StrEnum):
    """How much a finding matters. The order is the order of the members."""

    OK = "ok"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {s: i for i, s in enumerate(Severity)}


class Status(enum.StrEnum):
    """The verdict of a whole run (output contract: `diagnosis.status`)."""

    OK = "ok"
    DEGRADED = "degraded"
    BROKEN = "broken"


@record
class Finding:
    """One observation of one check.

    `id` is the finding's own id: a cause id from causes.md for failures,
    or an informational id (`endpoint-resolved`, `multiple-engines`, …).
    `cause` is set only on findings that explain why `docker` fails.
    """

    id: str
    check: str
    severity: Severity
    title: str
    detail: str = ""
    cause: str | None = None
    evidence: tuple[str, ...] = ()
    fix: tuple[str, ...] = ()
    # Extra structured data for renderers and JSON consumers (stable keys per id).
    data: dict[str, object] = field(default_factory=dict, compare=False)


@record
class CheckRun:
    """What one check did: its findings and how long it took."""

    check: str
    title: str
    category: str
    origin: str
    seconds: float
    findings: tuple[Finding, ...]

    @property
    def outcome(self) -> Severity:
        worst = Severity.OK
        for f in self.findings:
            if f.severity.rank > worst.rank:
                worst = f.severity
        return worst


@record
class Diagnosis:
    status: Status
    primary_cause: str | None
    summary: str
    primary_finding: Finding | None = None
