"""The chain: the path `docker ps` travels, as far as the facts saw it; unseen layers say why.

Pure: `build_chain` reads what the facts of a run hold (the docker binary, the resolution,
the endpoint probe, the engine's /version components, the process and socket inventories,
the local engine's runtimes) and gathers nothing. doctor/run/result.py reads those facts
from the store into `ChainFacts` and puts the result in the document's `chain`.
Each layer is one small function; the JSON of a link is docs/output-contract.md's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from doctor.facts.record import record
from doctor.knowledge.endpoint_source import source_words
from doctor.knowledge.hosts import redact_url

if TYPE_CHECKING:
    from doctor.facts.types import DockerBinary, LocalEngine, Processes, ProcessInfo, SocketInfo
    from doctor.knowledge.identify import Identification
    from doctor.knowledge.outcomes import EngineAnswers, ProbeResult
    from doctor.knowledge.resolve import Resolution

Link = dict[str, Any]

_CLI_LABELS = {
    "podman-docker": "podman-docker's wrapper: runs podman, no Docker socket",
    "wsl-stub": "Docker Desktop's WSL stub: the integration is off",
    "script": "a script, not the Docker CLI",
}
_SERVERS = ("dockerd", "podman", "limactl", "com.docker", "rootlesskit", "k3s", "docker-proxy")
_SYSTEM_CONTAINERD = "/run/containerd/containerd.sock"


@record
class ChainFacts:
    """What the chain is built from: facts of the run (None where a fact is unavailable).

    `engine` is the document's engine section (None when the endpoint does not answer),
    `hint` the product an unanswered endpoint's path belongs to, `home` the user's home
    (paths under it are shown as ~/…), `local` the local engine's runtimes.
    """

    binary: DockerBinary | None
    resolution: Resolution | None
    probe: ProbeResult | None
    engine: Mapping[str, Any] | None
    answers: EngineAnswers | None
    processes: Processes | None
    sockets: Sequence[SocketInfo] | None
    hint: Identification | None
    home: str
    local: LocalEngine | None = None


@record
class _Path:
    """Where the endpoint leads on this machine: its socket and the process serving it."""

    dial: str
    sock: SocketInfo | None
    procs: list[ProcessInfo]
    server: tuple[int, str] | None
    server_proc: ProcessInfo | None


def home_short(path: str, home: str) -> str:
    if home and home != "/" and path.startswith(home.rstrip("/") + "/"):
        return "~" + path[len(home.rstrip("/")) :]
    return path


def norm_unix(address: str | None) -> str | None:
    return address.removeprefix("unix://") if address else None


def text_or_none(v: object) -> str | None:
    return v if isinstance(v, str) and v else None


def component(version: Mapping[str, Any] | None, *names: str) -> Mapping[str, Any] | None:
    """The /version component whose name is one of `names` (or starts with one)."""
    comps = version.get("Components") if isinstance(version, Mapping) else None
    if not isinstance(comps, list):
        return None
    for c in comps:
        if isinstance(c, Mapping) and isinstance(c.get("Name"), str):
            n = c["Name"]
            if any(n == x or n.startswith(x) for x in names):
                return c
    return None


def component_version(text: object) -> str | None:
    """The version number alone from a /version component: "runc version 1.1.5+ds1\ncommit: …"
    (Podman's OCI runtime), "conmon version 2.1.6, commit: unknown" → "1.1.5+ds1", "2.1.6"."""
    if not isinstance(text, str) or not text.strip():
        return None
    first = text.strip().splitlines()[0].strip()
    words = first.replace(",", " ").split()
    if "version" in words and words.index("version") + 1 < len(words):
        return words[words.index("version") + 1]
    return first[:60]


def endpoint_socket(sockets: Sequence[SocketInfo] | None, path: str | None) -> SocketInfo | None:
    """The inventory's entry for the socket at `path`, if it has one."""
    if not sockets or not path:
        return None
    return next((s for s in sockets if s.path == path), None)


def _server_pid(host: str, sock: SocketInfo | None, procs: list[ProcessInfo]) -> tuple[int, str] | None:
    """The process that answers on the endpoint: who holds the socket, else who says it serves it."""
    if sock is not None:
        named = [(p, n) for p, n in sock.listeners if p != 1]
        preferred = [(p, n) for p, n in named if n.lower().startswith(_SERVERS)]
        if preferred or named:
            return (preferred or named)[0]
    path = norm_unix(host)
    for p in procs:
        if host in p.serves or (path and (path in p.listening or path in map(norm_unix, p.serves))):
            return p.pid, p.name
    return None


def _serves(p: ProcessInfo, address: str | None) -> bool:
    return address in map(norm_unix, (*p.serves, *p.listening))


def _containerd_for(server: ProcessInfo | None, procs: list[ProcessInfo]) -> ProcessInfo | None:
    """The containerd a dockerd uses: --containerd, else its own child, else the system one."""
    cds = [p for p in procs if p.name == "containerd"]
    address = norm_unix(server.containerd_address) if server is not None else None
    if address:
        return next((p for p in cds if _serves(p, address)), None)
    if server is not None:
        child = next((p for p in cds if p.ppid == server.pid), None)  # dockerd without --containerd starts its own
        if child is not None:
            return child
    return next((p for p in cds if _SYSTEM_CONTAINERD in map(norm_unix, p.serves)), None)


def _first_address(p: ProcessInfo) -> str | None:
    return next(iter((*p.serves, *p.listening)), None)


def _cli_link(binary: DockerBinary | None) -> Link:
    if binary is None:
        return {"layer": "cli", "seen": False, "why": "the docker binary could not be inspected"}
    if binary.path is None:
        return {"layer": "cli", "seen": False, "why": "no docker on PATH"}
    label = (
        ("Docker CLI " + ".".join(map(str, binary.version)))
        if binary.version and binary.kind == "docker-cli"
        else _CLI_LABELS.get(binary.kind, binary.kind)
    )
    return {
        "layer": "cli",
        "seen": True,
        "path": binary.path,
        "realpath": binary.realpath,
        "kind": binary.kind,
        "shim": binary.kind not in ("docker-cli", "unknown"),
        "version": binary.version_text,
        "label": label,
    }


def _endpoint_link(seen: ChainFacts, res: Resolution, host: str, where: _Path) -> Link:
    probe = seen.probe
    link: Link = {
        "layer": "endpoint",
        "seen": True,
        "host": redact_url(probe.host if probe is not None else host),
        "source": res.source,
        "provenance": source_words(res.source, "link"),
        "context": res.context,
        "reachable": bool(probe and probe.answered),
        "outcome": probe.outcome if probe else None,
        "errno": probe.errno_name if probe else None,
    }
    sock = where.sock
    if sock is not None and sock.link_chain:
        link["target"] = home_short(sock.link_chain[-1], seen.home)
        link["dangling"] = sock.dangling
        link["loop"] = sock.loop
    return link


def _unanswered_links(seen: ChainFacts, procs: list[ProcessInfo]) -> list[Link]:
    probe = seen.probe
    why = (
        f"the endpoint does not answer ({probe.outcome})"
        if probe and probe.outcome != "not-probed"
        else (probe.detail if probe else "not probed")
    )
    layer: Link = {"layer": "api-server", "seen": False, "why": why}
    if seen.hint is not None:
        layer["expected_product"] = seen.hint.product
    standalone = _standalone_containerd(procs)
    return [layer, standalone] if standalone is not None else [layer]


def _standalone_containerd(procs: list[ProcessInfo]) -> Link | None:
    """containerd may run without any Docker API (k3s, a Kubernetes node, containerd alone).

    One that a running dockerd uses (its --containerd, or its own child) is another
    engine's, not on this path: it is not shown here."""
    dockerds = [p for p in procs if p.name.startswith("dockerd")]
    used = {(p.containerd_address or "").removeprefix("unix://") for p in dockerds} - {""}
    dockerd_pids = {p.pid for p in dockerds}
    cds = [
        p
        for p in procs
        if p.name == "containerd"
        and p.ppid not in dockerd_pids
        and not any(a.removeprefix("unix://") in used for a in (*p.serves, *p.listening))
    ]
    if not cds:
        return None
    first = _containerd_for(None, procs) or cds[0]
    return {
        "layer": "containerd",
        "seen": True,
        "version": None,
        "address": _first_address(first),
        "pid": first.pid,
        "standalone": True,
        "instances": [{"pid": p.pid, "address": _first_address(p)} for p in cds[:20]],
        "note": "runs without a Docker API in front of it",
    }


def _api_server_link(engine: Mapping[str, Any], where: _Path) -> Link:
    server = where.server
    return {
        "layer": "api-server",
        "seen": True,
        "product": engine["product"],
        "variant": engine.get("variant"),
        "version": engine.get("server_version"),
        "api_version": engine.get("api_version"),
        "min_api_version": engine.get("min_api_version"),
        "platform": engine.get("platform"),
        "pid": server[0] if server else None,
        "process": server[1] if server else None,
        "docker_compatible": engine["product"] == "podman",
    }


def _missing(answers: EngineAnswers | None, section: str) -> str | None:
    """A layer missing because /version or /info did not answer says that, not "not reported"."""
    errors = dict(answers.errors) if answers is not None and answers.errors else {}
    return f"{section} did not answer ({errors[section]})" if section in errors else None


def _runtime_label(runtime: Mapping[str, Any]) -> str:
    name = str(runtime.get("Name") or "")
    return name.rsplit("(", maxsplit=1)[-1].rstrip(")") if "(" in name else name


def _podman_links(version: Mapping[str, Any] | None, procs: list[ProcessInfo], no_version: str | None) -> list[Link]:
    """Podman has no containerd and no shim: conmon watches each container."""
    conmon = component(version, "Conmon")
    monitors = [p for p in procs if p.name == "conmon"]
    links: list[Link] = [
        {
            "layer": "conmon",
            "seen": conmon is not None or bool(monitors),
            "version": component_version((conmon or {}).get("Version")),
            "processes": len(monitors),
            "why": (no_version or "Podman does not report conmon") if conmon is None and not monitors else None,
        }
    ]
    runtime = component(version, "OCI Runtime")
    if runtime is None:
        links.append({"layer": "runtime", "seen": False, "why": no_version or "Podman does not report its OCI runtime"})
        return links
    links.append(
        {
            "layer": "runtime",
            "seen": True,
            "name": _runtime_label(runtime),
            "version": component_version(runtime.get("Version")),
            "shims": 0,
            "namespaces": [],
        }
    )
    return links


def _containerd_link(version: Mapping[str, Any] | None, where: _Path, no_version: str | None) -> tuple[Link, str | None]:
    """The containerd the engine uses, and its address (the shims' filter)."""
    containerd = component(version, "containerd")
    server_proc = where.server_proc
    cd_proc = _containerd_for(server_proc, where.procs)
    cd_address = norm_unix(server_proc.containerd_address) if server_proc is not None else None
    if cd_proc is not None and not cd_address:
        cd_address = _first_address(cd_proc)
    if containerd or cd_proc:
        seen: Link = {
            "layer": "containerd",
            "seen": True,
            "version": text_or_none((containerd or {}).get("Version")),
            "address": cd_address,
            "pid": cd_proc.pid if cd_proc else None,
        }
        return seen, cd_address
    if cd_address and server_proc is not None:
        # dockerd dials a containerd that is not there: `docker ps` works, `docker run` fails.
        why = f"{server_proc.name} dials {cd_address}: no containerd there (docker run fails)"
        return {"layer": "containerd", "seen": False, "broken": True, "address": cd_address, "why": why}, cd_address
    why = no_version or "the engine does not report containerd"
    return {"layer": "containerd", "seen": False, "why": why}, cd_address


def _shims(procs: list[ProcessInfo], cd_address: str | None) -> list[ProcessInfo]:
    shims = [p for p in procs if p.name.startswith("containerd-shim")]
    if cd_address:
        return [p for p in shims if norm_unix(p.containerd_address) == norm_unix(cd_address)]
    if procs:
        return [p for p in shims if p.namespace == "moby"]
    return shims


def _runtime_link(
    version: Mapping[str, Any] | None, shims: list[ProcessInfo], no_version: str | None, local: LocalEngine | None
) -> Link:
    runtime = component(version, "runc", "crun", "OCI Runtime")
    if runtime:
        link: Link = {
            "layer": "runtime",
            "seen": True,
            "name": _runtime_label(runtime),
            "version": component_version(runtime.get("Version")),
            "shims": len(shims),
            "namespaces": sorted({p.namespace for p in shims if p.namespace}),
        }
    else:
        why = no_version or "the engine does not report its runtime"
        link = {"layer": "runtime", "seen": False, "why": why, "shims": len(shims)}
    default = next((r for r in getattr(local, "runtimes", ()) if r.default), None)
    if default is not None and not default.executable:
        # dockerd's default runtime's binary is missing: `docker run` fails at this layer.
        why = f"default runtime {default.name}: {default.path} is not an executable file (docker run fails)"
        link.update({"seen": False, "broken": True, "name": default.name, "why": why})
    return link


def _docker_links(seen: ChainFacts, where: _Path, no_version: str | None) -> list[Link]:
    version = seen.answers.version if seen.answers else None
    containerd, cd_address = _containerd_link(version, where, no_version)
    runtime = _runtime_link(version, _shims(where.procs, cd_address), no_version, seen.local)
    return [containerd, runtime]


def _containers_link(engine: Mapping[str, Any], answers: EngineAnswers | None) -> Link:
    info = answers.info if answers else None
    total = info.get("Containers") if isinstance(info, Mapping) else None
    running = engine.get("containers_running")
    return {
        "layer": "containers",
        "seen": running is not None,
        "running": running,
        "total": total if isinstance(total, int) else None,
        "why": None if running is not None else (_missing(answers, "/info") or "/info did not say"),
    }


def _path(seen: ChainFacts, res: Resolution, host: str) -> _Path:
    probe = seen.probe
    procs = list(seen.processes.items) if seen.processes is not None else []
    dial = probe.dial if probe is not None else (res.dial or host)
    sock = endpoint_socket(seen.sockets, norm_unix(dial) if dial.startswith("unix://") else None)
    server = _server_pid(dial, sock, procs)
    server_proc = next((p for p in procs if server and p.pid == server[0]), None)
    return _Path(dial, sock, procs, server, server_proc)


def build_chain(seen: ChainFacts) -> list[Link]:
    """The path `docker ps` travels, as far as it was seen; unseen layers say why."""
    chain = [_cli_link(seen.binary)]
    res = seen.resolution
    if res is None or res.host is None:
        why = res.error.message if res is not None and res.error else "not resolved"
        return [*chain, {"layer": "endpoint", "seen": False, "why": why}]
    where = _path(seen, res, res.host)
    chain.append(_endpoint_link(seen, res, res.host, where))
    engine = seen.engine
    if engine is None:
        return [*chain, *_unanswered_links(seen, where.procs)]
    chain.append(_api_server_link(engine, where))
    no_version = _missing(seen.answers, "/version")
    version = seen.answers.version if seen.answers else None
    if engine["product"] == "podman":
        chain.extend(_podman_links(version, where.procs, no_version))
    else:
        chain.extend(_docker_links(seen, where, no_version))
    chain.append(_containers_link(engine, seen.answers))
    return chain
