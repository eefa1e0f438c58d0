"""The finished report of one run: everything a renderer needs, nothing it must compute.

`build_report` reads facts that were already gathered (or gathers the few
the chain needs, within their deadlines) and assembles plain sections. The
JSON renderer writes them as they are; the others format them.
"""

from __future__ import annotations

import platform
import shlex
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from doctor import __version__
from doctor.facts import Fact, Facts, FactUnavailable
from doctor.facts.types import PastedEndpoint
from doctor.knowledge import identify
from doctor.knowledge.endpoint_source import source_words
from doctor.knowledge.hosts import redact_url
from doctor.run.context import RunContext
from doctor.run.diagnose import diagnose
from doctor.run.model import CheckRun, Diagnosis, Finding

SCHEMA = "cdoctor/diagnosis@1"


@dataclass(frozen=True, slots=True)
class Report:
    tool: dict[str, Any]
    endpoint: dict[str, Any]
    engine: dict[str, Any] | None
    chain: list[dict[str, Any]]
    findings: list[Finding]
    diagnosis: Diagnosis
    checks: list[CheckRun]
    environment: dict[str, Any] = field(default_factory=dict)
    inventory: dict[str, Any] = field(default_factory=dict)
    collected: dict[str, Any] = field(default_factory=dict)  # what was gathered and what was not
    explain: dict[str, Any] | None = None
    seconds: float = 0.0


def _try(facts: Facts, fact: Fact[Any]) -> Any:
    try:
        return facts.get(fact)
    except FactUnavailable:
        return None


def _home_short(path: str, home: str) -> str:
    if home and home != "/" and path.startswith(home.rstrip("/") + "/"):
        return "~" + path[len(home.rstrip("/")) :]
    return path


def _str(v: object) -> str | None:
    return v if isinstance(v, str) and v else None


def _component(version: Mapping[str, Any] | None, *names: str) -> Mapping[str, Any] | None:
    comps = version.get("Components") if isinstance(version, Mapping) else None
    if not isinstance(comps, list):
        return None
    for c in comps:
        if isinstance(c, Mapping) and isinstance(c.get("Name"), str):
            n = c["Name"]
            if any(n == x or n.startswith(x) for x in names):
                return c
    return None


def build_report(
    facts: Facts, runs: Sequence[CheckRun], started: float, explain: dict[str, Any] | None = None
) -> Report:
    from doctor.facts import keys

    ctx = facts.context
    assert isinstance(ctx, RunContext)
    env = _try(facts, keys.ENVIRONMENT)
    home = env.user.home if env else ""
    res = _try(facts, keys.RESOLUTION)
    probe_wrap = _try(facts, keys.ENDPOINT_PROBE)
    probe = probe_wrap.result if probe_wrap else None
    answers = _try(facts, keys.ENGINE) if probe is not None and probe.answered else None
    binary = _try(facts, keys.DOCKER_BINARY)

    endpoint = {
        "host": redact_url(res.host) if res and res.host else None,
        "source": res.source if res else None,
        "context": res.context if res else None,
        "config_dir": _home_short(res.config_dir, home) if res else None,
        "dial": redact_url(res.dial) if res and res.dial else None,
        "tls": (
            {
                "enabled": res.tls.enabled,
                "verify": res.tls.verify,
                "source": res.tls.source,
                "cert_dir": _home_short(res.tls.cert_dir, home) if res.tls.cert_dir else None,
            }
            if res
            else None
        ),
        "overridden": [
            {"input": o.input, "value": redact_url(o.value), "reason": o.reason}
            for o in (res.overridden if res else ())
        ],
        "cli_rules": res.cli.label if res else None,
        "error": res.error.message if res and res.error else None,
        "reachable": probe.answered if probe else False,
        "probe": (
            {
                "outcome": probe.outcome,
                "errno": probe.errno_name,
                "detail": probe.detail,
                "seconds": round(probe.seconds, 3),
            }
            if probe
            else None
        ),
    }
    engine = None
    ident = None
    if probe is not None and probe.answered:
        version = answers.version if answers else None
        info = answers.info if answers else None
        ident = _try(facts, keys.IDENTIFICATION)
        engine = {
            "product": ident.product if ident else "unknown",
            "variant": ident.variant if ident else None,
            "confidence": ident.confidence if ident else "guess",
            "evidence": list(ident.evidence) if ident else [],
            "server_version": _str((version or {}).get("Version")) or _str((info or {}).get("ServerVersion")),
            "api_version": _str((version or {}).get("ApiVersion")) or probe.api_version,
            "min_api_version": _str((version or {}).get("MinAPIVersion")),
            "os": _str((info or {}).get("OperatingSystem")) or _str((version or {}).get("Os")),
            "kernel": _str((info or {}).get("KernelVersion")) or _str((version or {}).get("KernelVersion")),
            "rootless": identify.is_rootless(info),
            "name": _str((info or {}).get("Name")),
            "platform": _str(((version or {}).get("Platform") or {}).get("Name"))
            if isinstance((version or {}).get("Platform"), Mapping)
            else None,
            "containers_running": (info or {}).get("ContainersRunning")
            if isinstance((info or {}).get("ContainersRunning"), int)
            else None,
            "warnings": [w for w in ((info or {}).get("Warnings") or []) if isinstance(w, str)][:50],
            "errors": dict(answers.errors) if answers else {},
        }
    hint = None
    if probe is not None and not probe.answered and env is not None:
        hint = identify.product_from_path(probe.dial, home=home, uid=env.user.uid, platform=env.platform)

    processes = _try(facts, keys.PROCESSES) if ctx.inventory else None
    sockets = _try(facts, keys.SOCKETS) if ctx.inventory else None
    if hint is None and probe is not None and not probe.answered and env is not None:
        # A link left behind names its product by its target (/var/run/docker.sock → ~/.rd/docker.sock).
        sock = _endpoint_socket(sockets, _norm_unix(probe.dial) if probe.dial.startswith("unix://") else None)
        if sock is not None and sock.link_chain:
            hint = identify.product_from_path(
                sock.link_chain[-1], home=home, uid=env.user.uid, platform=env.platform
            )
    local = _try(facts, keys.LOCAL_ENGINE) if ctx.inventory and engine else None
    chain = build_chain(binary, res, probe, engine, answers, processes, sockets, hint, home, local=local)

    findings = [f for r in runs for f in r.findings]
    ok_summary = "docker is healthy"
    if engine and res:
        product = engine["product"]
        ver = engine.get("server_version") or "?"
        ok_summary = (
            f"docker reaches {product} {ver} at {redact_url(res.host or '')} "
            f"(context {res.context!r}, chosen by {source_words(res.source, 'short')})"
        )
    diagnosis = diagnose(findings, endpoint_answers=bool(probe and probe.answered), ok_summary=ok_summary)

    gathered = facts.gathered()
    collected = {
        "facts": [{"name": n, "seconds": None if s is None else round(s, 3), "error": e} for n, s, e in gathered],
        "not_collected": [{"name": n, "reason": e} for n, _s, e in gathered if e],
        "processes": (
            {"scanned": processes.scanned, "denied": processes.denied, "vanished": processes.vanished}
            if processes
            else None
        ),
        "root": env.user.uid == 0 if env else None,
    }
    inventory_section: dict[str, Any] = {}
    if sockets is not None:
        inventory_section["sockets"] = [_socket_dict(s, home) for s in sockets]
    if processes is not None:
        inventory_section["processes"] = [
            {
                "pid": p.pid,
                "name": p.name,
                "serves": list(p.serves),
                "containerd": p.containerd_address,
                "namespace": p.namespace,
                "listening": list(p.listening),
                "user": p.username,
            }
            for p in processes.items[:200]
        ]
    environment = {}
    if env is not None:
        environment = {
            "platform": env.platform,
            "kernel": env.kernel,
            "wsl": env.wsl,
            "user": env.user.name,
            "uid": env.user.uid,
            "groups": sorted(env.user.group_names.get(g, str(g)) for g in env.user.process_gids),
            "variables": dict(env.values),  # redacted by renderers (doctor.redact)
            "python": platform.python_version(),
            "os": platform.platform(terse=True),
        }
    tool = {"name": "cdoctor", "version": __version__, "timeout": ctx.timeout}
    if explain is not None:
        seen = _try(facts, keys.PASTED_ENDPOINT)
        if seen is not None:
            explain = {
                **explain,
                "pasted_endpoint": {
                    "endpoint": redact_url(seen.endpoint),
                    "ours": seen.ours,
                    "contacted": seen.contacted,
                    "local": seen.local,
                    "summary": pasted_summary(seen),
                },
            }
    return Report(
        tool=tool,
        endpoint=endpoint,
        engine=engine,
        chain=chain,
        findings=findings,
        diagnosis=diagnosis,
        checks=list(runs),
        environment=environment,
        inventory=inventory_section,
        collected=collected,
        explain=explain,
        seconds=time.monotonic() - started,
    )


def _socket_dict(s: Any, home: str) -> dict[str, Any]:
    return {
        "path": _home_short(s.path, home),
        "kind": s.kind,
        "type": s.file_type,
        "reasons": list(s.reasons),
        "symlink": [_home_short(h, home) for h in s.link_chain],
        "dangling": s.dangling,
        "loop": s.loop,
        "owner": s.owner,
        "group": s.group,
        "mode": None if s.mode is None else f"{s.mode:04o}",
        "blocked_dir": s.blocked_dir,
        "may_connect": s.may_connect,
        "access": s.access or None,
        "listeners": [{"pid": p, "name": n} for p, n in s.listeners],
        "activation": s.systemd_activation,
        "probe": None
        if s.probe is None
        else {
            "outcome": s.probe.outcome,
            "errno": s.probe.errno_name,
            "seconds": round(s.probe.seconds, 3),
            "detail": s.probe.detail,
            "api_version": s.probe.api_version,
            "server": s.probe.server,
        },
    }


_CLI_LABELS = {
    "podman-docker": "podman-docker's wrapper: runs podman, no Docker socket",
    "wsl-stub": "Docker Desktop's WSL stub: the integration is off",
    "script": "a script, not the Docker CLI",
}


def _norm_unix(address: str | None) -> str | None:
    return address.removeprefix("unix://") if address else None


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


def _procs(processes: Any) -> list[Any]:
    return list(processes.items) if processes is not None else []


def _endpoint_socket(sockets: Any, path: str | None) -> Any:
    if not sockets or not path:
        return None
    for s in sockets:
        if s.path == path:
            return s
    return None


def _server_pid(host: str, sock: Any, procs: list[Any]) -> tuple[int, str] | None:
    """The process that answers on the endpoint: who holds the socket, else who says it serves it."""
    servers = ("dockerd", "podman", "limactl", "com.docker", "rootlesskit", "k3s", "docker-proxy")
    if sock is not None:
        named = [(p, n) for p, n in sock.listeners if p != 1]
        preferred = [(p, n) for p, n in named if n.lower().startswith(servers)]
        if preferred or named:
            return (preferred or named)[0]
    path = _norm_unix(host)
    for p in procs:
        if host in p.serves or (path and (path in p.listening or path in map(_norm_unix, p.serves))):
            return p.pid, p.name
    return None


def _containerd_for(server: Any, procs: list[Any]) -> Any:
    """The containerd a dockerd uses: --containerd, else its own child, else the system one."""
    cds = [p for p in procs if p.name == "containerd"]
    address = _norm_unix(server.containerd_address) if server is not None else None
    if address:
        for p in cds:
            if address in map(_norm_unix, (*p.serves, *p.listening)):
                return p
        return None
    if server is not None:
        for p in cds:
            if p.ppid == server.pid:  # dockerd without --containerd starts its own
                return p
    for p in cds:
        if "/run/containerd/containerd.sock" in map(_norm_unix, p.serves):
            return p
    return None


def build_chain(
    binary: Any,
    res: Any,
    probe: Any,
    engine: dict[str, Any] | None,
    answers: Any,
    processes: Any,
    sockets: Any,
    hint: Any,
    home: str,
    *,
    local: Any = None,
) -> list[dict[str, Any]]:
    """The path `docker ps` travels, as far as it was seen; unseen layers say why.

    Pure: reads what the facts hold (the engine's /version components, the
    process inventory, the socket inventory) and never gathers anything.
    """
    chain: list[dict[str, Any]] = []
    procs = _procs(processes)
    if binary is None:
        chain.append({"layer": "cli", "seen": False, "why": "the docker binary could not be inspected"})
    elif binary.path is None:
        chain.append({"layer": "cli", "seen": False, "why": "no docker on PATH"})
    else:
        chain.append(
            {
                "layer": "cli",
                "seen": True,
                "path": binary.path,
                "realpath": binary.realpath,
                "kind": binary.kind,
                "shim": binary.kind not in ("docker-cli", "unknown"),
                "version": binary.version_text,
                "label": ("Docker CLI " + ".".join(map(str, binary.version)))
                if binary.version and binary.kind == "docker-cli"
                else _CLI_LABELS.get(binary.kind, binary.kind),
            }
        )
    if res is None or res.host is None:
        chain.append(
            {
                "layer": "endpoint",
                "seen": False,
                "why": res.error.message if res is not None and res.error else "not resolved",
            }
        )
        return chain
    host = probe.host if probe is not None else res.host
    dial = probe.dial if probe is not None else (res.dial or res.host)
    path = _norm_unix(dial) if dial.startswith("unix://") else None
    sock = _endpoint_socket(sockets, path)
    endpoint: dict[str, Any] = {
        "layer": "endpoint",
        "seen": True,
        "host": redact_url(host),
        "source": res.source,
        "provenance": source_words(res.source, "link"),
        "context": res.context,
        "reachable": bool(probe and probe.answered),
        "outcome": probe.outcome if probe else None,
        "errno": probe.errno_name if probe else None,
    }
    if sock is not None and sock.link_chain:
        endpoint["target"] = _home_short(sock.link_chain[-1], home)
        endpoint["dangling"] = sock.dangling
        endpoint["loop"] = sock.loop
    chain.append(endpoint)
    server = _server_pid(dial, sock, procs)
    server_proc = next((p for p in procs if server and p.pid == server[0]), None)
    if engine is None:
        layer: dict[str, Any] = {
            "layer": "api-server",
            "seen": False,
            "why": (
                f"the endpoint does not answer ({probe.outcome})"
                if probe and probe.outcome != "not-probed"
                else (probe.detail if probe else "not probed")
            ),
        }
        if hint is not None:
            layer["expected_product"] = hint.product
        chain.append(layer)
        # containerd may run without any Docker API (k3s, a Kubernetes node, containerd alone).
        # One that a running dockerd uses (its --containerd, or its own child) is another
        # engine's, not on this path: it is not shown here.
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
        if cds:
            first = _containerd_for(None, procs) or cds[0]
            chain.append(
                {
                    "layer": "containerd",
                    "seen": True,
                    "version": None,
                    "address": next(iter((*first.serves, *first.listening)), None),
                    "pid": first.pid,
                    "standalone": True,
                    "instances": [
                        {"pid": p.pid, "address": next(iter((*p.serves, *p.listening)), None)} for p in cds[:20]
                    ],
                    "note": "runs without a Docker API in front of it",
                }
            )
        return chain
    version = answers.version if answers else None
    errors = dict(answers.errors) if answers is not None and answers.errors else {}
    # A layer missing because /version or /info did not answer says that, not "not reported".
    no_version = f"/version did not answer ({errors['/version']})" if "/version" in errors else None
    no_info = f"/info did not answer ({errors['/info']})" if "/info" in errors else None
    podman = engine["product"] == "podman"
    chain.append(
        {
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
            "docker_compatible": podman,
        }
    )
    if podman:
        # Podman has no containerd and no shim: conmon watches each container.
        conmon = _component(version, "Conmon")
        monitors = [p for p in procs if p.name == "conmon"]
        chain.append(
            {
                "layer": "conmon",
                "seen": conmon is not None or bool(monitors),
                "version": component_version((conmon or {}).get("Version")),
                "processes": len(monitors),
                "why": (no_version or "Podman does not report conmon") if conmon is None and not monitors else None,
            }
        )
        runtime = _component(version, "OCI Runtime")
        if runtime is not None:
            name = str(runtime.get("Name") or "")
            label = name.rsplit("(", maxsplit=1)[-1].rstrip(")") if "(" in name else name
            chain.append(
                {
                    "layer": "runtime",
                    "seen": True,
                    "name": label,
                    "version": component_version(runtime.get("Version")),
                    "shims": 0,
                    "namespaces": [],
                }
            )
        else:
            chain.append(
                {"layer": "runtime", "seen": False, "why": no_version or "Podman does not report its OCI runtime"}
            )
    else:
        containerd = _component(version, "containerd")
        cd_proc = _containerd_for(server_proc, procs)
        cd_address = _norm_unix(server_proc.containerd_address) if server_proc is not None else None
        if cd_proc is not None and not cd_address:
            cd_address = next(iter((*cd_proc.serves, *cd_proc.listening)), None)
        if containerd or cd_proc:
            chain.append(
                {
                    "layer": "containerd",
                    "seen": True,
                    "version": _str((containerd or {}).get("Version")),
                    "address": cd_address,
                    "pid": cd_proc.pid if cd_proc else None,
                }
            )
        elif cd_address and server_proc is not None:
            # dockerd dials a containerd that is not there: `docker ps` works, `docker run` fails.
            chain.append(
                {
                    "layer": "containerd",
                    "seen": False,
                    "broken": True,
                    "address": cd_address,
                    "why": f"{server_proc.name} dials {cd_address}: no containerd there (docker run fails)",
                }
            )
        else:
            chain.append(
                {"layer": "containerd", "seen": False, "why": no_version or "the engine does not report containerd"}
            )
        shims = [p for p in procs if p.name.startswith("containerd-shim")]
        if cd_address:
            shims = [p for p in shims if _norm_unix(p.containerd_address) == _norm_unix(cd_address)]
        elif procs:
            shims = [p for p in shims if p.namespace == "moby"]
        namespaces = sorted({p.namespace for p in shims if p.namespace})
        runtime = _component(version, "runc", "crun", "OCI Runtime")
        if runtime:
            name = str(runtime.get("Name") or "")
            label = name.rsplit("(", maxsplit=1)[-1].rstrip(")") if "(" in name else name
            chain.append(
                {
                    "layer": "runtime",
                    "seen": True,
                    "name": label,
                    "version": component_version(runtime.get("Version")),
                    "shims": len(shims),
                    "namespaces": namespaces,
                }
            )
        else:
            chain.append(
                {
                    "layer": "runtime",
                    "seen": False,
                    "why": no_version or "the engine does not report its runtime",
                    "shims": len(shims),
                }
            )
        default = next((r for r in getattr(local, "runtimes", ()) if r.default), None)
        if default is not None and not default.executable:
            # dockerd's default runtime's binary is missing: `docker run` fails at this layer.
            chain[-1].update(
                {
                    "seen": False,
                    "broken": True,
                    "name": default.name,
                    "why": f"default runtime {default.name}: {default.path} is not an executable file (docker run fails)",
                }
            )
    info = answers.info if answers else None
    total = info.get("Containers") if isinstance(info, Mapping) else None
    chain.append(
        {
            "layer": "containers",
            "seen": engine.get("containers_running") is not None,
            "running": engine.get("containers_running"),
            "total": total if isinstance(total, int) else None,
            "why": None if engine.get("containers_running") is not None else (no_info or "/info did not say"),
        }
    )
    return chain


def pasted_summary(p: PastedEndpoint) -> str:
    """One sentence for the explain section of the document."""
    if p.ours:
        return f"The endpoint in the text, {p.endpoint}, is one of this machine's: {p.ours}."
    where = f" The path {p.local}." if p.local else ""
    return (
        f"The endpoint in the text, {p.endpoint}, is not one of this machine's endpoints: cdoctor did not "
        f"contact it.{where} To diagnose it from here, name it: cdoctor -H {shlex.quote(p.endpoint)} explain"
    )
