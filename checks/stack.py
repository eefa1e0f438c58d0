"""Checks of the stack behind the endpoint: which engines answer, the CLI, the engine's own warnings."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from checks._text import tilde
from doctor.api import (
    CONTEXT_PROBES,
    DOCKER_BINARY,
    ENDPOINT_PROBE,
    ENGINE,
    ENVIRONMENT,
    PROCESSES,
    RESOLUTION,
    SOCKETS,
    Facts,
    FactUnavailable,
    Finding,
    Severity,
    check,
)
from doctor.facts.record import record
from doctor.knowledge import identify
from doctor.knowledge.hosts import redact_url

CATEGORY = "stack"


@record
class Engine:
    """One Docker-API engine that answers here, however many paths lead to it."""

    url: str  # the path (or tcp URL) that represents it
    label: str  # "podman 4.3.1", "Docker Engine 20.10.24" (+ the product its path belongs to)
    paths: tuple[str, ...]  # every candidate that reaches it (symlinks, several -H)
    pid: int | None


def _server_label(server: str | None) -> str:
    """`Server` of /_ping in words: "Libpod/4.3.1 (linux)" → "podman 4.3.1"."""
    if not server:
        return "a Docker-API server"
    name, _, rest = server.partition("/")
    ver = rest.split(" ", 1)[0]
    product = {"Libpod": "podman", "Docker": "Docker Engine"}.get(name, name)
    return f"{product} {ver}".strip()


def answering_engines(facts: Facts) -> list[Engine]:
    """Every Docker-API engine that answers, each counted once: paths to the same
    socket (symlinks) or to the same process (dockerd -H a -H b) are one engine."""
    env = facts.get(ENVIRONMENT)
    home = env.user.home
    try:
        sockets = facts.get(SOCKETS)
    except FactUnavailable:
        sockets = ()
    groups: dict[object, list[tuple[str, str, int | None]]] = {}
    for s in sockets:
        if s.kind != "docker" or s.probe is None or not s.probe.answered:
            continue
        target = s.link_chain[-1] if s.link_chain else s.path
        pids = [p for p, _n in s.listeners if p != 1]
        key: object = ("pid", pids[0]) if pids else ("path", target)
        label = _server_label(s.probe.server)
        ident = identify.product_from_path(target, home=home, uid=env.user.uid, platform=env.platform)
        if ident is not None and ident.product not in label:
            label += f" ({ident.product})"
        groups.setdefault(key, []).append(("unix://" + s.path, label, pids[0] if pids else None))
    engines = [
        Engine(members[0][0], members[0][1], tuple(u for u, _l, _p in members), members[0][2])
        for members in groups.values()
    ]
    try:
        for host, probe in facts.get(CONTEXT_PROBES).items():
            if probe.answered and all(host not in e.paths for e in engines):
                engines.append(Engine(host, _server_label(probe.server), (host,), None))
    except FactUnavailable:
        pass
    return sorted(engines, key=lambda e: e.url)


def _cli_engine(engines: list[Engine], facts: Facts, host: str | None) -> Engine | None:
    """The engine the docker CLI reaches: its endpoint, or the socket that endpoint links to."""
    if not host:
        return None
    path = host.removeprefix("unix://")
    targets = {host, "unix://" + path}
    with contextlib.suppress(FactUnavailable):
        for s in facts.get(SOCKETS):
            if s.path == path and s.link_chain:
                targets.add("unix://" + s.link_chain[-1])
    for e in engines:
        if targets & set(e.paths):
            return e
    return None


@check(
    id="multiple-engines",
    title="How many Docker-API engines answer here",
    category=CATEGORY,
    requires=(SOCKETS, CONTEXT_PROBES, RESOLUTION, ENVIRONMENT),
)
def multiple_engines(facts: Facts) -> Iterator[Finding]:
    """Several engines answering is legal (Docker Desktop and a native engine, Podman
    and dockerd) but a classic source of "my image is gone": each has its own images
    and containers. Lists them and says which one the docker CLI gets."""
    engines = answering_engines(facts)
    res = facts.get(RESOLUTION)
    home = facts.get(ENVIRONMENT).user.home
    if len(engines) <= 1:
        yield Finding(
            id="single-engine",
            check="multiple-engines",
            severity=Severity.OK,
            title=f"{len(engines)} Docker-API engine{'s' if len(engines) != 1 else ''} answer"
            f"{'s' if len(engines) == 1 else ''} here",
            evidence=tuple(f"{tilde(e.url, home)}: {e.label}" for e in engines),
        )
        return
    cli = _cli_engine(engines, facts, res.host)
    gets = (
        f"docker uses {tilde(cli.url, home)} ({cli.label})"
        if cli is not None
        else f"docker uses {redact_url(res.host or '(unresolved)')}, which is none of them"
    )
    yield Finding(
        id="multiple-engines",
        check="multiple-engines",
        severity=Severity.INFO,
        title=f"{len(engines)} Docker-API engines answer here; {gets}",
        detail="Each engine has its own images, containers and volumes: switching contexts or DOCKER_HOST "
        "changes what `docker ps` shows. (Which one docker-py and the Go SDK reach: see sdk-endpoint.)",
        evidence=tuple(
            f"{tilde(e.url, home)}: {e.label}"
            + (f", pid {e.pid}" if e.pid else "")
            + ("  ← the docker CLI" if e is cli else "")
            for e in engines[:20]
        ),
        data={
            "endpoints": [e.url for e in engines],
            "engines": [{"url": e.url, "label": e.label, "paths": list(e.paths), "pid": e.pid} for e in engines],
            "cli": cli.url if cli is not None else None,
        },
    )


@check(
    id="activated-sockets",
    title="Sockets held by systemd socket activation",
    category=CATEGORY,
    requires=(SOCKETS, RESOLUTION, ENVIRONMENT),
)
def activated_sockets(facts: Facts) -> Iterator[Finding]:
    """A socket that only systemd (pid 1) holds starts its engine on the first
    connection. cdoctor does not connect to one without --allow-activation; the
    endpoint the CLI uses is reported by endpoint-connection, the others here."""
    res = facts.get(RESOLUTION)
    home = facts.get(ENVIRONMENT).user.home
    own = (res.host or "").removeprefix("unix://")
    held = [s for s in facts.get(SOCKETS) if s.systemd_activation and s.path != own]
    if not held:
        return
    probed = [s for s in held if s.probe is not None and s.probe.outcome != "not-probed"]
    yield Finding(
        id="socket-activation",
        check="activated-sockets",
        severity=Severity.INFO,
        title=f"{len(held)} other socket{'s are' if len(held) != 1 else ' is'} held by systemd socket activation"
        + ("; probed (--allow-activation)" if probed else "; not connected to"),
        detail="Connecting starts the engine behind it, so cdoctor leaves "
        + ("them" if len(held) != 1 else "it")
        + " alone unless run with --allow-activation.",
        evidence=tuple(f"{tilde(s.path, home)}: held by pid 1 only" for s in held[:20]),
        data={"sockets": [s.path for s in held]},
    )


@check(id="cli-shim", title="The docker on PATH is the Docker CLI", category=CATEGORY, requires=(DOCKER_BINARY,))
def cli_shim(facts: Facts) -> Iterator[Finding]:
    """podman-docker installs a `docker` script that runs podman; Docker Desktop's
    WSL stub only prints that the integration is off. Neither talks to a Docker
    socket, so everything about endpoints means something else for them."""
    binary = facts.get(DOCKER_BINARY)
    if binary.kind == "docker-cli":
        yield Finding(
            id="docker-cli",
            check="cli-shim",
            severity=Severity.OK,
            title=f"{binary.path} is the Docker CLI ({binary.version_text or '?'})",
            evidence=binary.evidence,
        )
        return
    if binary.kind == "missing":
        yield Finding(
            id="no-docker-cli",
            check="cli-shim",
            severity=Severity.INFO,
            title="There is no docker command on PATH",
            detail="cdoctor resolves the endpoint with the rules of the newest docker CLI.",
        )
        return
    if binary.kind == "wsl-stub":
        yield Finding(
            id="wsl-integration-disabled",
            check="cli-shim",
            severity=Severity.ERROR,
            cause="wsl-integration-disabled",
            title="docker here is Docker Desktop's WSL stub: the integration for this distro is off",
            evidence=(f"{binary.realpath}", *binary.evidence),
            fix=("# Docker Desktop → Settings → Resources → WSL integration → turn on this distro",),
        )
        return
    if binary.kind == "unknown" and binary.error:
        # `docker --version` did not answer in time or could not run: that says nothing about
        # what the binary is, so it is not reported as a shim.
        yield Finding(
            id="docker-cli-unknown",
            check="cli-shim",
            severity=Severity.INFO,
            title=f"{binary.path} could not be inspected: {binary.error}",
            detail="cdoctor assumes the rules of the newest docker CLI for the endpoint.",
            evidence=binary.evidence,
        )
        return
    what = {
        "podman-docker": "podman-docker's wrapper: `docker` runs podman, with no Docker socket involved",
        "script": "a script, not the Docker CLI",
    }.get(binary.kind, f"not the Docker CLI ({binary.error or binary.kind})")
    yield Finding(
        id="cli-shim",
        check="cli-shim",
        severity=Severity.WARNING,
        title=f"{binary.path} is {what}",
        evidence=(f"{binary.path} → {binary.realpath}", *binary.evidence),
        data={"kind": binary.kind, "path": binary.path},
    )


@check(id="engine-warnings", title="The engine reports no warnings", category=CATEGORY, requires=(ENGINE,))
def engine_warnings(facts: Facts) -> Iterator[Finding]:
    """`Warnings` in GET /info: the engine's own complaints (no swap limit support,
    bridge-nf-call-iptables disabled, an API on tcp without TLS…)."""
    engine = facts.get(ENGINE)
    if engine is None:
        return
    info = engine.info or {}
    warnings = info.get("Warnings") if isinstance(info, dict) else None
    items = [w for w in warnings if isinstance(w, str)] if isinstance(warnings, list) else []
    if not items:
        yield Finding(
            id="no-engine-warnings",
            check="engine-warnings",
            severity=Severity.OK,
            title="the engine reports no warnings",
        )
        return
    yield Finding(
        id="engine-warnings",
        check="engine-warnings",
        severity=Severity.WARNING,
        title=f"The engine reports {len(items)} warning{'s' if len(items) != 1 else ''}: {items[0][:100]}",
        evidence=tuple(w[:300] for w in items[:20]),
    )


@check(
    id="engine-facts",
    title="The engine describes itself (/version, /info)",
    category=CATEGORY,
    requires=(ENGINE, ENDPOINT_PROBE),
)
def engine_facts(facts: Facts) -> Iterator[Finding]:
    """/version and /info must answer for the stack to be seen; an engine that answers
    /_ping but hangs on /info is wedged further in (often containerd)."""
    engine = facts.get(ENGINE)
    if engine is None:
        return
    if engine.errors:
        # /_ping answered and neither /version nor /info did: a wedged engine, not a usable one
        # (`docker ps` would hang or fail the same way). Over ssh they are not fetched at all.
        failed = {k: v for k, v in engine.errors.items() if not v.startswith("not fetched")}
        # …unless cdoctor's own deadline left them too little time (the probe deadline is shared with
        # /_ping and counts from the start of the run; /version and /info share what is left, in turn):
        # wedged only when at least one of them had a fair share of it, or failed otherwise.
        fair = any(not _starved(v, facts.timeout) for v in failed.values())
        wedged = {"/version", "/info"} <= set(failed) and fair
        yield Finding(
            id="engine-partial",
            check="engine-facts",
            severity=Severity.ERROR if wedged else Severity.WARNING,
            cause="engine-unresponsive" if wedged else None,
            title="The engine answers /_ping but not " + " and ".join(sorted(engine.errors)),
            detail="; ".join(f"{k}: {v}" for k, v in engine.errors.items()),
            evidence=tuple(f"{k}: {v}" for k, v in engine.errors.items()),
        )
        return
    yield Finding(
        id="engine-described", check="engine-facts", severity=Severity.OK, title="the engine answers /version and /info"
    )


def _starved(error: str, timeout: float) -> bool:
    """A timeout whose own deadline was too short to mean anything (`no complete answer within 0.1s`):
    under half a second (a quarter of the probe deadline when that is shorter). A Docker engine
    answers /version in milliseconds."""
    m = re.search(r"within ([0-9.]+)s", error)
    return m is not None and float(m.group(1)) < min(0.5, timeout / 4)


@check(
    id="containerd-namespaces",
    title="Containers of other stacks on this containerd",
    category=CATEGORY,
    requires=(PROCESSES,),
)
def containerd_namespaces(facts: Facts) -> Iterator[Finding]:
    """Shims in namespace k8s.io belong to Kubernetes (k3s, kubelet), not to dockerd's
    `moby`: `docker ps` does not show them."""
    procs = facts.get(PROCESSES)
    shims = [p for p in procs.items if p.name.startswith("containerd-shim")]
    namespaces: dict[str, int] = {}
    for p in shims:
        namespaces[p.namespace or "?"] = namespaces.get(p.namespace or "?", 0) + 1
    foreign = {ns: n for ns, n in namespaces.items() if ns not in ("moby", "?")}
    if foreign:
        yield Finding(
            id="containerd-foreign-containers",
            check="containerd-namespaces",
            severity=Severity.INFO,
            title="containerd runs containers that docker does not show: "
            + ", ".join(f"{n} in namespace {ns!r}" for ns, n in sorted(foreign.items())),
            evidence=tuple(f"containerd-shim pid {p.pid} -namespace {p.namespace}" for p in shims[:10]),
        )
    else:
        yield Finding(
            id="containerd-namespaces-ok",
            check="containerd-namespaces",
            severity=Severity.OK,
            title=f"{len(shims)} container shim{'s' if len(shims) != 1 else ''} running",
        )


CHECKS = (multiple_engines, activated_sockets, cli_shim, engine_warnings, engine_facts, containerd_namespaces)
