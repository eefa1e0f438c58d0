"""What other Docker clients would reach: "the CLI works, my tool does not".

The docker CLI follows contexts; the Go SDK, docker-py before 7.2 and
testcontainers read DOCKER_HOST or fixed socket paths. Their resolution
orders are in docs/resolution.md (research R9–R10).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from checks._text import quote, tilde
from doctor.check import check
from doctor.dockerconfig import ContextStore
from doctor.facts import Facts, FactUnavailable
from doctor.gather.engine import ENDPOINT_PROBE
from doctor.gather.inventory import SOCKETS
from doctor.gather.local import CONFIG, CONTEXT_STORE, ENVIRONMENT, RESOLUTION
from doctor.model import Finding, Severity

CATEGORY = "sdk"
DEFAULT = "unix:///var/run/docker.sock"


@dataclass(frozen=True, slots=True)
class Consumer:
    name: str
    endpoint: str | None
    why: str


def _context_host(store: ContextStore, name: str | None) -> str | None:
    if not name or name == "default":
        return None
    meta = store.by_name(name)
    return meta.host if meta is not None else None


def consumers(
    env: Mapping[str, str],
    store: ContextStore,
    current_context: str | None,
    home: str,
    uid: int,
    exists: Mapping[str, bool],
) -> list[Consumer]:
    """The endpoint each well-known client would use here (pure)."""
    docker_host = env.get("DOCKER_HOST") or None
    xdg = env.get("XDG_RUNTIME_DIR") or f"/run/user/{uid}"
    out = []
    # docker-py ≤ 7.1 and the Go SDK's client.FromEnv: DOCKER_HOST or the default socket, no contexts.
    out.append(
        Consumer(
            "Go SDK (client.FromEnv), docker-py < 7.2",
            docker_host or DEFAULT,
            "DOCKER_HOST" if docker_host else "the default socket (they ignore contexts)",
        )
    )
    # docker-py 7.2 from_env(): DOCKER_HOST, else DOCKER_CONTEXT / currentContext; a missing context falls back silently.
    ctx_name = env.get("DOCKER_CONTEXT") or current_context
    ctx_host = _context_host(store, ctx_name)
    out.append(
        Consumer(
            "docker-py ≥ 7.2",
            docker_host or ctx_host or DEFAULT,
            "DOCKER_HOST" if docker_host else f"context {ctx_name!r}" if ctx_host else "the default socket",
        )
    )
    # testcontainers-go: DOCKER_HOST, /var/run/docker.sock if it exists, then rootless paths.
    tc_go = docker_host
    why = "DOCKER_HOST"
    if not tc_go:
        for path, label in (
            ("/var/run/docker.sock", "/var/run/docker.sock exists"),
            (f"{xdg}/docker.sock", "XDG_RUNTIME_DIR/docker.sock"),
            (f"{home}/.docker/run/docker.sock", "~/.docker/run/docker.sock"),
            (f"{home}/.docker/desktop/docker.sock", "~/.docker/desktop/docker.sock"),
            (f"/run/user/{uid}/docker.sock", f"/run/user/{uid}/docker.sock"),
        ):
            if exists.get(path):
                tc_go, why = "unix://" + path, label
                break
    out.append(
        Consumer(
            "testcontainers-go", tc_go, why if tc_go else "no candidate socket exists: 'rootless Docker not found'"
        )
    )
    # testcontainers-python 4.15+: DOCKER_HOST, then currentContext (not DOCKER_CONTEXT, not 'default').
    cur_host = _context_host(store, current_context)
    out.append(
        Consumer(
            "testcontainers-python",
            docker_host or cur_host or DEFAULT,
            "DOCKER_HOST"
            if docker_host
            else f"currentContext {current_context!r}"
            if cur_host
            else "docker-py's default",
        )
    )
    # testcontainers-java: DOCKER_HOST, then /var/run/docker.sock, then rootless and Desktop paths.
    tc_java = docker_host
    if not tc_java:
        for path in (
            "/var/run/docker.sock",
            f"{xdg}/docker.sock",
            f"{home}/.docker/run/docker.sock",
            f"/run/user/{uid}/docker.sock",
            f"{home}/.docker/desktop/docker.sock",
        ):
            if exists.get(path):
                tc_java = "unix://" + path
                break
    out.append(
        Consumer("testcontainers-java", tc_java or DEFAULT, "DOCKER_HOST" if docker_host else "its socket strategies")
    )
    return out


def _answers(facts: Facts, url: str | None) -> bool | None:
    if not url:
        return False
    if not url.startswith("unix://"):
        return None
    path = url[len("unix://") :]
    try:
        for s in facts.get(SOCKETS):
            if s.path == path:
                return bool(s.probe and s.probe.answered)
    except FactUnavailable:
        return None
    return False


@check(
    id="sdk-endpoint",
    title="SDKs and test tools reach the same engine as the CLI",
    category=CATEGORY,
    requires=(RESOLUTION, ENDPOINT_PROBE, SOCKETS, CONTEXT_STORE, CONFIG, ENVIRONMENT),
)
def sdk_endpoint(facts: Facts) -> Iterator[Finding]:
    """The docker CLI follows contexts; most SDKs and testcontainers read only
    DOCKER_HOST or fixed paths. When the CLI works through a context, they may
    reach a different engine, or nothing (Docker Desktop, Colima, OrbStack)."""
    res = facts.get(RESOLUTION)
    probe = facts.get(ENDPOINT_PROBE).result
    env = facts.get(ENVIRONMENT)
    store = facts.get(CONTEXT_STORE)
    cfg = facts.get(CONFIG)
    if probe is None or not probe.answered or res.host is None:
        return
    try:
        socks = facts.get(SOCKETS)
    except FactUnavailable:
        socks = ()
    exists = {s.path: s.file_type == "socket" for s in socks}
    home = env.user.home
    found = []
    for c in consumers(env.values, store, cfg.current_context, home, env.user.uid, exists):
        if c.endpoint == res.host:
            continue
        live = _answers(facts, c.endpoint)
        if live is True:
            found.append((c, "reaches another engine"))
        elif live is False:
            found.append((c, "reaches nothing"))
    if not found:
        yield Finding(
            id="sdk-endpoint-same",
            check="sdk-endpoint",
            severity=Severity.OK,
            title="SDKs and testcontainers reach the same engine as the docker CLI",
        )
        return
    dead = [c for c, v in found if v == "reaches nothing"]
    yield Finding(
        id="sdk-endpoint-differs",
        check="sdk-endpoint",
        severity=Severity.WARNING,
        title=(
            f"The docker CLI works through context {res.context!r}, but {dead[0].name} would not"
            if dead
            else "Some SDKs would reach a different engine than the docker CLI"
        ),
        detail=f"The CLI uses {res.host}; tools that ignore docker contexts use other endpoints.",
        evidence=tuple(f"{c.name}: {tilde(c.endpoint or '(none)', home)} ({c.why}) — {v}" for c, v in found),
        fix=(f"export DOCKER_HOST={quote(res.host)}    # makes every tool use the CLI's endpoint",),
        data={"consumers": [{"name": c.name, "endpoint": c.endpoint, "state": v} for c, v in found]},
    )


CHECKS = (sdk_endpoint,)
