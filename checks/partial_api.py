"""An endpoint that answers /_ping but refuses other calls: a socket proxy or a partial API.

Tecnativa/docker-socket-proxy (HAProxy) allows /_ping, /version and /events by
default and answers everything else with its 403 page ("Request forbidden by
administrative rules"); the CLI prints that HTML as `Error response from
daemon: <html><body><h1>403 Forbidden</h1>…`. Partial implementations answer
404. The endpoint "works" for a ping and fails for `docker ps`.
"""

from __future__ import annotations

from collections.abc import Iterator

from doctor.api import (
    ENDPOINT_PROBE,
    PARTIAL_API,
    CallResult,
    Facts,
    Finding,
    Severity,
    check,
)
from doctor.knowledge.hosts import redact_url

CHECK_ID = "partial-api"
HAPROXY_MARK = "Request forbidden by administrative rules"

WHAT_FAILS = {
    "version": "docker version, SDKs that negotiate the API (docker-py)",
    "info": "docker info, docker compose, testcontainers (it reads /info first)",
    "containers": "docker ps, docker run, docker compose up/ps, testcontainers",
    "images": "docker images, docker pull, docker build, docker compose up",
    "networks": "docker network, docker compose up (it creates the project network)",
    "volumes": "docker volume, docker compose up with volumes",
}
REFUSALS = (401, 403, 404, 405, 501)


def kind_of(refused: list[CallResult]) -> str:
    if any(c.status == 403 and HAPROXY_MARK in c.body_head for c in refused):
        return "a docker-socket-proxy (HAProxy's 403 'Request forbidden by administrative rules')"
    if any(c.status == 403 for c in refused):
        return "a proxy or an authorization plugin that answers 403"
    if any(c.status == 401 for c in refused):
        return "a proxy that wants authentication (401)"
    return "a partial Docker-API implementation (it lacks these calls: 404/501)"


@check(id=CHECK_ID, title="The endpoint answers the calls docker commands make, not only /_ping",
       category="connection", requires=(PARTIAL_API, ENDPOINT_PROBE))  # fmt: skip
def partial_api(facts: Facts) -> Iterator[Finding]:
    """GET /version, /info, /containers/json, /images/json, /networks, /volumes (filtered to
    nothing): a socket proxy or partial API refuses some; name it, what it refuses and which
    commands fail. Fix: allow the sections on the proxy (CONTAINERS=1 …) or use the engine's
    own socket."""
    calls = facts.get(PARTIAL_API)
    if not calls:
        return
    probe = facts.get(ENDPOINT_PROBE).result
    host = redact_url(probe.host) if probe else "the endpoint"
    refused = [c for c in calls if c.status in REFUSALS]
    evidence = tuple(
        f"{(c.request or c.section).split('?')[0]}: " + (f"HTTP {c.status}" if c.status else f"no answer ({c.error})")
        + (f" {c.body_head.strip()[:90]!r}" if c.status and not c.ok else "")
        for c in calls
    )
    if not refused:
        yield Finding(id="partial-api-none", check=CHECK_ID, severity=Severity.OK,
                      title="the endpoint answers /version, /info, /containers, /images, /networks and /volumes",
                      evidence=evidence)  # fmt: skip
        return
    what = kind_of(refused)
    sections = [c.section for c in refused]
    fails = sorted({WHAT_FAILS[s] for s in sections if s in WHAT_FAILS})
    blocks_ps = "containers" in sections
    fix: list[str] = []
    if "docker-socket-proxy" in what or any(c.status == 403 for c in refused):
        fix.append("# set " + " ".join(f"{s.upper()}=1" for s in sections)
                   + " in the socket proxy's environment (docker-socket-proxy's variables), then recreate it")  # fmt: skip
        fix.append("# and POST=1 for commands that change anything (run, pull, build, compose up)")
    fix.append("# or point DOCKER_HOST at the engine's own socket, where it is mounted, instead of the proxy")
    yield Finding(
        id="partial-api",
        check=CHECK_ID,
        severity=Severity.ERROR if blocks_ps else Severity.WARNING,
        cause="partial-api" if blocks_ps else None,
        title=f"{host} is {what}: it answers /_ping but refuses " + ", ".join(f"/{s}" for s in sections),
        detail="These will fail: " + "; ".join(fails) + ".",
        evidence=evidence,
        fix=tuple(fix),
        data={"kind": what, "refused": {c.section: c.status for c in refused}},
    )


CHECKS = (partial_api,)
