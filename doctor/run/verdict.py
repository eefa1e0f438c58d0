"""From findings to one verdict: status and the primary cause (pure).

When several findings fail, the primary cause is the earliest along the way
`docker ps` travels, because fixing it changes everything after it:
configuration, then the choice of endpoint, then the connection, then the
engine (docs/causes.md). `CAUSE_ORDER` is that order.

A plugin's causes (`plugin-name/cause`, namespaced by the runner) rank after
every built-in cause, and among themselves in the order their checks ran
(built-ins first, then plugins by entry-point name): a plugin can add a
reason, never hide the built-in one that comes first along the way.
"""

from __future__ import annotations

from collections.abc import Iterable

from doctor.run.model import Diagnosis, Finding, Severity, Status

CAUSE_ORDER = (
    # configuration: decides which endpoint is used at all
    "invalid-config",
    "invalid-docker-host",
    "context-not-found",
    "rootless-env",
    # the choice of endpoint
    "endpoint-mismatch",
    # the connection
    "wsl-integration-disabled",
    "permission-denied",
    "tls-error",
    "ssh-error",
    "tcp-unreachable",
    "named-pipe-missing",
    "not-docker-api",
    "socket-is-directory",
    "engine-unresponsive",
    "partial-api",
    # the engine
    "api-version-mismatch",
    # the layers under the API server: `docker ps` works, `docker run` fails
    "containerd-unreachable",
    "runtime-missing",
    # nothing answers: which engine is down, and why
    "podman-api-socket-off",
    "engine-not-running",
    "containerd-only",
    "engine-not-installed",
    # the engine answers `docker ps`, but other commands of this user fail
    "credential-helper-missing",
    "buildx-builder-unreachable",
    # requirements a pipeline states (cdoctor check --require-*)
    "requirement-unmet",
    # cdoctor could not gather the evidence of a check: the verdict is incomplete
    "diagnosis-incomplete",
)
_RANK = {c: i for i, c in enumerate(CAUSE_ORDER)}

# Causes that mean `docker` cannot talk to an engine at all.
_BROKEN = frozenset(CAUSE_ORDER[: CAUSE_ORDER.index("credential-helper-missing")]) - {
    "api-version-mismatch",
    "containerd-unreachable",
    "runtime-missing",
}


def primary(findings: Iterable[Finding]) -> Finding | None:
    failing = [f for f in findings if f.cause is not None and f.severity is Severity.ERROR]
    if not failing:
        return None
    # min() keeps the first of equal ranks: plugin causes (not in CAUSE_ORDER) in the order they ran.
    return min(failing, key=lambda f: _RANK.get(f.cause or "", len(CAUSE_ORDER)))


def verdict(findings: Iterable[Finding], *, endpoint_answers: bool, ok_summary: str) -> Diagnosis:
    """The verdict. `endpoint_answers`: the resolved endpoint answered /_ping."""
    items = list(findings)
    top = primary(items)
    if top is None:
        errors = [f for f in items if f.severity is Severity.ERROR]
        if errors:
            first = errors[0]
            return Diagnosis(
                Status.DEGRADED, "diagnosis-incomplete", f"cdoctor could not finish every check: {first.title}", first
            )
        return Diagnosis(Status.OK, None, ok_summary)
    broken = (top.cause in _BROKEN) or not endpoint_answers
    return Diagnosis(Status.BROKEN if broken else Status.DEGRADED, top.cause, top.title, top)
