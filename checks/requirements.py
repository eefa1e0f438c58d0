"""What a pipeline requires of the engine (`cdoctor check --require-*`): one finding per requirement."""

from __future__ import annotations

from collections.abc import Iterator

from doctor.api import (
    ENDPOINT_PROBE,
    ENGINE,
    IDENTIFICATION,
    REQUIREMENTS,
    Facts,
    Finding,
    Severity,
    check,
)
from doctor.knowledge import identify
from doctor.knowledge.requirements import EngineView, evaluate, view_from_api

CATEGORY = "requirements"

_FIXES = {
    "api": "# upgrade the engine, or run the job on a runner whose engine supports this API version",
    "server": "# upgrade the engine (docker:dind: pin a newer image tag, e.g. docker:27-dind)",
    "product": "# point DOCKER_HOST (or the context) at the engine the job expects",
    "rootless": "# use the rootless engine: export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock",
    "rootful": "# use the system engine: export DOCKER_HOST=unix:///var/run/docker.sock",
    "runtime": '# add the runtime to the engine\'s daemon.json "runtimes" and restart it',
}


def _view(facts: Facts) -> EngineView | None:
    probe = facts.get(ENDPOINT_PROBE).result
    if probe is None or not probe.answered:
        return None
    answers = facts.get(ENGINE)
    version = answers.version if answers else None
    info = answers.info if answers else None
    ident = facts.get(IDENTIFICATION)
    return view_from_api(
        version,
        info,
        product=ident.product if ident else "unknown",
        rootless=identify.is_rootless(info) if info is not None else None,
        ping_api=probe.api_version,
    )


@check(
    id="requirements",
    title="The engine meets the stated requirements",
    category=CATEGORY,
    requires=(REQUIREMENTS,),
    optional=(ENDPOINT_PROBE, ENGINE, IDENTIFICATION),  # read only when there are requirements
)
def requirements(facts: Facts) -> Iterator[Finding]:
    """Each `--require-*` of `cdoctor check` is compared with the engine's own /version and
    /info; an unmet one is a failure (`requirement-unmet`) with its own id. Without
    requirements this check says nothing."""
    reqs = facts.get(REQUIREMENTS)
    if not reqs:
        return
    view = _view(facts)
    for req in reqs:
        v = evaluate(req, view)
        yield Finding(
            id=req.id,
            check="requirements",
            severity=Severity.OK if v.met else Severity.ERROR,
            cause=None if v.met else "requirement-unmet",
            title=v.title,
            detail="" if v.met else f"The pipeline requires {req.label}.",
            evidence=v.evidence,
            fix=() if v.met or req.kind not in _FIXES else (_FIXES[req.kind],),
            data={"requirement": req.label, "met": v.met},
        )


CHECKS = (requirements,)
