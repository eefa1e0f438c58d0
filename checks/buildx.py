"""The current buildx builder must be reachable, or builds fail or hang while `docker ps` works.

`docker buildx use NAME` pins a builder in `~/.docker/buildx/current`; when its
endpoint dies (OrbStack or Colima removed, a remote buildkitd gone, a context
deleted), `docker build` and `docker compose build` fail with `ERROR: failed to
initialize builder …` / `Cannot load builder …`, or hang (docker/buildx#2783,
abiosoft/colima#1309, alphaonedev/ai-memory-mcp#924).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks._text import quote, tilde
from doctor.api import (
    BUILDX,
    ENVIRONMENT,
    Facts,
    Finding,
    Severity,
    check,
)
from doctor.knowledge.hosts import redact_url

CHECK_ID = "buildx-builder"
CAUSE = "buildx-builder-unreachable"


@check(id=CHECK_ID, title="The current buildx builder answers", category="build", requires=(BUILDX, ENVIRONMENT))
def buildx_builder(facts: Facts) -> Iterator[Finding]:
    """Reads buildx's `current` and `instances/` files (never runs buildx), probes each node's
    endpoint within the deadline. Dead or hanging: builds fail or hang. Fix: `docker buildx use
    default`, or remove the builder."""
    bx = facts.get(BUILDX)
    home = facts.get(ENVIRONMENT).user.home
    if bx.current_name is None or not bx.applies:
        yield Finding(id="buildx-default", check=CHECK_ID, severity=Severity.OK,
                      title="builds use the default builder (the engine docker ps uses)")  # fmt: skip
        return
    name = bx.current_name
    where = f"{tilde(bx.current_file or '', home)}: " + (
        f"builder {name!r} for every context (Global)" if bx.current_global else f"builder {name!r} for {bx.cli_key}"
    )
    fix = ("docker buildx use default    # builds go to the engine docker ps uses",
           f"docker buildx rm {quote(name)}    # if you no longer need that builder")  # fmt: skip
    if bx.missing_instance:
        yield Finding(id=CAUSE, check=CHECK_ID, severity=Severity.ERROR, cause=CAUSE,
                      title=f"The current buildx builder {name!r} does not exist any more: docker build fails",
                      evidence=(where, f"{tilde(bx.dir, home)}/instances/{name.lower()}: missing"), fix=fix)  # fmt: skip
        return
    evidence = [where + (f", driver {bx.driver}" if bx.driver else "")]
    dead = []
    for n in bx.nodes:
        if n.host is None:
            evidence.append(f"node {n.name}: endpoint {n.endpoint!r} is a context that does not exist")
            dead.append(n)
            continue
        p = n.probe
        state = "not probed" if p is None else "answers" if p.answered else f"{p.outcome}" + (f" ({p.detail})" if p.detail else "")
        evidence.append(f"node {n.name}: {redact_url(n.host)}" + (f" (context {n.endpoint})" if n.endpoint != n.host else "") + f": {state}")
        if p is not None and not p.answered:
            dead.append(n)
    if bx.nodes and len(dead) == len(bx.nodes):
        hangs = any(n.probe is not None and n.probe.outcome in ("no-answer", "connect-timeout") for n in dead)
        yield Finding(
            id=CAUSE,
            check=CHECK_ID,
            severity=Severity.ERROR,
            cause=CAUSE,
            title=f"The current buildx builder {name!r} is {'hanging' if hangs else 'unreachable'}: docker build and "
            f"docker compose build {'hang' if hangs else 'fail'}, while docker ps works",
            evidence=tuple(evidence),
            fix=fix,
            data={"builder": name, "driver": bx.driver, "global": bx.current_global},
        )
        return
    yield Finding(id="buildx-builder-ok", check=CHECK_ID,
                  severity=Severity.WARNING if dead else Severity.OK,
                  title=f"the current buildx builder {name!r} answers" + (" (some nodes do not)" if dead else ""),
                  evidence=tuple(evidence))  # fmt: skip


CHECKS = (buildx_builder,)
