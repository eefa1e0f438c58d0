"""The finished report of one run: everything a renderer needs, nothing it must compute.

`build_report` reads facts that were already gathered (or gathers the few
the chain needs, within their deadlines) and assembles plain sections. The
JSON renderer writes them as they are; the others format them.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from doctor import __version__, identify
from doctor.context import RunContext
from doctor.diagnose import diagnose
from doctor.facts import Fact, Facts, FactUnavailable
from doctor.hosts import redact_url
from doctor.model import CheckRun, Diagnosis, Finding

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
    from doctor.gather import engine as engine_facts
    from doctor.gather import inventory, local

    ctx = facts.context
    assert isinstance(ctx, RunContext)
    env = _try(facts, local.ENVIRONMENT)
    home = env.user.home if env else ""
    res = _try(facts, local.RESOLUTION)
    probe_wrap = _try(facts, engine_facts.ENDPOINT_PROBE)
    probe = probe_wrap.result if probe_wrap else None
    answers = _try(facts, engine_facts.ENGINE) if probe is not None and probe.answered else None
    binary = _try(facts, local.DOCKER_BINARY)

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
        ident = identify.identify_from_api(
            ping_headers=probe.headers, version=version, info=info, endpoint=probe.dial, env=ctx.env
        )
        engine = {
            "product": ident.product,
            "variant": ident.variant,
            "confidence": ident.confidence,
            "evidence": list(ident.evidence),
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

    processes = _try(facts, inventory.PROCESSES) if ctx.inventory else None
    sockets = _try(facts, inventory.SOCKETS) if ctx.inventory else None
    chain = build_chain(binary, res, probe, engine, answers, processes, sockets, hint, home)

    findings = [f for r in runs for f in r.findings]
    ok_summary = "docker is healthy"
    if engine and res:
        product = engine["product"]
        ver = engine.get("server_version") or "?"
        ok_summary = (
            f"docker reaches {product} {ver} at {redact_url(res.host or '')} "
            f"(context {res.context!r}, chosen by {_source_words(res.source)})"
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


def _source_words(source: str) -> str:
    return {
        "flag": "-H",
        "env:DOCKER_HOST": "DOCKER_HOST",
        "flag:--context": "--context",
        "env:DOCKER_CONTEXT": "DOCKER_CONTEXT",
        "config": "currentContext in config.json",
        "default": "the default",
    }.get(source, source)


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
        "listeners": [{"pid": p, "name": n} for p, n in s.listeners],
        "activation": s.systemd_activation,
        "probe": None
        if s.probe is None
        else {
            "outcome": s.probe.outcome,
            "detail": s.probe.detail,
            "api_version": s.probe.api_version,
            "server": s.probe.server,
        },
    }


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
) -> list[dict[str, Any]]:
    """The path `docker ps` travels, as far as it was seen; unseen layers say why."""
    chain: list[dict[str, Any]] = []
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
                "version": binary.version_text,
                "label": ("Docker CLI " + ".".join(map(str, binary.version)))
                if binary.version and binary.kind == "docker-cli"
                else binary.kind,
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
    chain.append(
        {
            "layer": "endpoint",
            "seen": True,
            "host": redact_url(res.host),
            "source": res.source,
            "context": res.context,
            "reachable": bool(probe and probe.answered),
            "outcome": probe.outcome if probe else None,
        }
    )
    listeners: list[tuple[int, str]] = []
    if sockets and res.host.startswith("unix://"):
        path = res.host[len("unix://") :]
        for s in sockets:
            if s.path == path:
                listeners = list(s.listeners)
    if engine is None:
        layer: dict[str, Any] = {
            "layer": "api-server",
            "seen": False,
            "why": f"the endpoint does not answer ({probe.outcome})" if probe else "not probed",
        }
        if hint is not None:
            layer["expected_product"] = hint.product
        chain.append(layer)
        return chain
    version = answers.version if answers else None
    server_pid = [p for p, n in listeners if n.startswith(("dockerd", "podman"))] or (
        [p.pid for p in processes.items if p.name.startswith("dockerd") and res.host in p.serves] if processes else []
    )
    chain.append(
        {
            "layer": "api-server",
            "seen": True,
            "product": engine["product"],
            "variant": engine.get("variant"),
            "version": engine.get("server_version"),
            "api_version": engine.get("api_version"),
            "platform": engine.get("platform"),
            "pid": server_pid[0] if server_pid else None,
            "docker_compatible": engine["product"] == "podman",
        }
    )
    containerd = _component(version, "containerd")
    podman = engine["product"] == "podman"
    cd_proc = None
    if processes:
        dockerd = next((p for p in processes.items if p.pid in server_pid), None)
        address = dockerd.containerd_address if dockerd else None
        for p in processes.items:
            if p.name == "containerd" and (
                address is None or any(address.removeprefix("unix://") == s.removeprefix("unix://") for s in p.serves)
            ):
                cd_proc = p
                break
    if podman:
        chain.append(
            {
                "layer": "containerd",
                "seen": False,
                "why": "Podman does not use containerd (conmon runs each container)",
                "conmon": _str((_component(version, "Conmon") or {}).get("Version")),
            }
        )
    elif containerd or cd_proc:
        chain.append(
            {
                "layer": "containerd",
                "seen": True,
                "version": _str((containerd or {}).get("Version")),
                "address": (cd_proc.serves[0] if cd_proc and cd_proc.serves else None),
                "pid": cd_proc.pid if cd_proc else None,
            }
        )
    else:
        chain.append({"layer": "containerd", "seen": False, "why": "the engine does not report containerd"})
    runtime = _component(version, "runc", "OCI Runtime", "crun")
    shims = [p for p in (processes.items if processes else ()) if p.name.startswith("containerd-shim")]
    namespaces = sorted({p.namespace for p in shims if p.namespace})
    if runtime:
        name = runtime.get("Name")
        label = name.split("(")[-1].rstrip(")") if isinstance(name, str) and "(" in name else name
        chain.append(
            {
                "layer": "runtime",
                "seen": True,
                "name": label,
                "version": _str(runtime.get("Version")),
                "shims": len(shims),
                "namespaces": namespaces,
            }
        )
    else:
        chain.append(
            {"layer": "runtime", "seen": False, "why": "the engine does not report its runtime", "shims": len(shims)}
        )
    chain.append(
        {
            "layer": "containers",
            "seen": engine.get("containers_running") is not None,
            "running": engine.get("containers_running"),
        }
    )
    return chain
