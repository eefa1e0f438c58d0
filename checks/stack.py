"""Checks of the stack behind the endpoint: which engines answer, the CLI, the engine's own warnings."""

from __future__ import annotations

from collections.abc import Iterator

from checks._text import tilde
from doctor.check import check
from doctor.facts import Facts, FactUnavailable
from doctor.gather.engine import ENDPOINT_PROBE, ENGINE
from doctor.gather.inventory import CONTEXT_PROBES, PROCESSES, SOCKETS
from doctor.gather.local import DOCKER_BINARY, ENVIRONMENT, RESOLUTION
from doctor.model import Finding, Severity

CATEGORY = "stack"


def answering_endpoints(facts: Facts) -> list[tuple[str, str]]:
    """(url, label) of every Docker-API endpoint that answers, each socket counted once."""
    out: dict[str, str] = {}
    seen_targets: set[str] = set()
    try:
        sockets = facts.get(SOCKETS)
    except FactUnavailable:
        sockets = ()
    for s in sockets:
        if s.kind != "docker" or s.probe is None or not s.probe.answered:
            continue
        target = s.link_chain[-1] if s.link_chain else s.path
        if target in seen_targets:
            continue
        seen_targets.add(target)
        out["unix://" + s.path] = s.probe.server or "Docker API"
    try:
        for host, probe in facts.get(CONTEXT_PROBES).items():
            if probe.answered:
                out.setdefault(host, probe.server or "Docker API")
    except FactUnavailable:
        pass
    return sorted(out.items())


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
    live = answering_endpoints(facts)
    res = facts.get(RESOLUTION)
    home = facts.get(ENVIRONMENT).user.home
    if len(live) <= 1:
        yield Finding(
            id="single-engine",
            check="multiple-engines",
            severity=Severity.OK,
            title=f"{len(live)} Docker-API endpoint{'s' if len(live) != 1 else ''} answer{'s' if len(live) == 1 else ''} here",
            evidence=tuple(f"{tilde(u, home)}: {s}" for u, s in live),
        )
        return
    cli = res.host or "(unresolved)"
    yield Finding(
        id="multiple-engines",
        check="multiple-engines",
        severity=Severity.INFO,
        title=f"{len(live)} Docker-API engines answer here; docker uses {cli}",
        detail="Each engine has its own images, containers and volumes: switching contexts or DOCKER_HOST "
        "changes what `docker ps` shows.",
        evidence=tuple(f"{tilde(u, home)}: {s}" + ("  ← the docker CLI" if u == res.host else "") for u, s in live),
        data={"endpoints": [u for u, _ in live], "cli": res.host},
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
        yield Finding(
            id="engine-partial",
            check="engine-facts",
            severity=Severity.WARNING,
            title="The engine answers /_ping but not " + " and ".join(sorted(engine.errors)),
            detail="; ".join(f"{k}: {v}" for k, v in engine.errors.items()),
            evidence=tuple(f"{k}: {v}" for k, v in engine.errors.items()),
        )
        return
    yield Finding(
        id="engine-described", check="engine-facts", severity=Severity.OK, title="the engine answers /version and /info"
    )


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


CHECKS = (multiple_engines, cli_shim, engine_warnings, engine_facts, containerd_namespaces)
