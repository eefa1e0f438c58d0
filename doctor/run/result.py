"""The finished report of one run: everything a renderer needs, nothing it must compute.

`build_result` reads facts that were already gathered (or gathers the few
the chain needs, within their deadlines) and assembles plain sections, one
small function each; the chain is made by doctor/knowledge/chain.py from the
same facts. The JSON renderer writes them as they are; the others format them.
"""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from doctor import __version__
from doctor.facts import Fact, Facts, FactUnavailable
from doctor.facts.record import field, record
from doctor.facts.types import PastedEndpoint
from doctor.knowledge import identify
from doctor.knowledge.chain import ChainFacts, build_chain, endpoint_socket, home_short, norm_unix, text_or_none
from doctor.knowledge.endpoint_source import source_words
from doctor.knowledge.hosts import redact_url
from doctor.run.context import RunContext
from doctor.run.model import CheckRun, Diagnosis, Finding
from doctor.run.sections import ExplainSection
from doctor.run.verdict import verdict

if TYPE_CHECKING:
    from doctor.facts.types import DockerBinary, Environment, Processes, SocketInfo
    from doctor.knowledge.identify import Identification
    from doctor.knowledge.outcomes import EngineAnswers, ProbeResult
    from doctor.knowledge.resolve import Resolution

SCHEMA = "cdoctor/diagnosis@1"


@record
class RunResult:
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
    explain: ExplainSection | None = None
    seconds: float = 0.0
    # `explain --offline`: nothing ran on this machine, so the run's own sections are absent.
    offline: bool = False


T = TypeVar("T")


def _try(facts: Facts, fact: Fact[T]) -> T | None:
    try:
        return facts.get(fact)
    except FactUnavailable:
        return None


@record
class _Seen:
    """The facts the report's sections are made of (None where a fact is unavailable)."""

    ctx: RunContext
    env: Environment | None
    res: Resolution | None
    probe: ProbeResult | None
    answers: EngineAnswers | None
    binary: DockerBinary | None
    ident: Identification | None
    processes: Processes | None
    sockets: Sequence[SocketInfo] | None

    @property
    def home(self) -> str:
        return self.env.user.home if self.env else ""

    @property
    def answered(self) -> bool:
        return self.probe is not None and self.probe.answered


def _seen(facts: Facts) -> _Seen:
    from doctor.facts import keys

    ctx = facts.context
    assert isinstance(ctx, RunContext)
    probe_wrap = _try(facts, keys.ENDPOINT_PROBE)
    probe = probe_wrap.result if probe_wrap else None
    return _Seen(
        ctx=ctx,
        env=_try(facts, keys.ENVIRONMENT),
        res=_try(facts, keys.RESOLUTION),
        probe=probe,
        answers=_try(facts, keys.ENGINE) if probe is not None and probe.answered else None,
        binary=_try(facts, keys.DOCKER_BINARY),
        # In the order the report always read them: `collected` lists facts as first touched.
        ident=_try(facts, keys.IDENTIFICATION) if probe is not None and probe.answered else None,
        processes=_try(facts, keys.PROCESSES) if ctx.inventory else None,
        sockets=_try(facts, keys.SOCKETS) if ctx.inventory else None,
    )


def build_result(
    facts: Facts, runs: Sequence[CheckRun], started: float, explain: ExplainSection | None = None
) -> RunResult:
    """Assemble the sections: each is made from facts by its own function (the chain by knowledge/chain.py)."""
    from doctor.facts import keys

    seen = _seen(facts)
    engine = _engine_section(seen)
    local = _try(facts, keys.LOCAL_ENGINE) if seen.ctx.inventory and engine else None
    chain = build_chain(
        ChainFacts(
            binary=seen.binary,
            resolution=seen.res,
            probe=seen.probe,
            engine=engine,
            answers=seen.answers,
            processes=seen.processes,
            sockets=seen.sockets,
            hint=_expected_product(seen),
            home=seen.home,
            local=local,
        )
    )
    findings = [f for r in runs for f in r.findings]
    return RunResult(
        tool={"name": "cdoctor", "version": __version__, "timeout": seen.ctx.timeout},
        endpoint=_endpoint_section(seen),
        engine=engine,
        chain=chain,
        findings=findings,
        diagnosis=verdict(findings, endpoint_answers=seen.answered, ok_summary=_ok_summary(seen, engine)),
        checks=list(runs),
        environment=_environment_section(seen.env),
        inventory=_inventory_section(seen),
        collected=_collected_section(facts, seen),
        explain=_explain_section(facts, explain),
        seconds=time.monotonic() - started,
    )


def _tls_section(res: Any, home: str) -> dict[str, Any] | None:
    if not res:
        return None
    return {
        "enabled": res.tls.enabled,
        "verify": res.tls.verify,
        "source": res.tls.source,
        "cert_dir": home_short(res.tls.cert_dir, home) if res.tls.cert_dir else None,
    }


def _probe_section(probe: Any) -> dict[str, Any] | None:
    if not probe:
        return None
    return {
        "outcome": probe.outcome,
        "errno": probe.errno_name,
        "detail": probe.detail,
        "seconds": round(probe.seconds, 3),
    }


def _endpoint_section(seen: _Seen) -> dict[str, Any]:
    res, probe = seen.res, seen.probe
    return {
        "host": redact_url(res.host) if res and res.host else None,
        "source": res.source if res else None,
        "context": res.context if res else None,
        "config_dir": home_short(res.config_dir, seen.home) if res else None,
        "dial": redact_url(res.dial) if res and res.dial else None,
        "tls": _tls_section(res, seen.home),
        "overridden": [
            {"input": o.input, "value": redact_url(o.value), "reason": o.reason}
            for o in (res.overridden if res else ())
        ],
        "cli_rules": res.cli.label if res else None,
        "error": res.error.message if res and res.error else None,
        "reachable": probe.answered if probe else False,
        "probe": _probe_section(probe),
    }


def _engine_section(seen: _Seen) -> dict[str, Any] | None:
    probe = seen.probe
    if probe is None or not probe.answered:
        return None
    answers, ident = seen.answers, seen.ident
    version: Mapping[str, Any] = (answers.version if answers else None) or {}
    info: Mapping[str, Any] = (answers.info if answers else None) or {}
    platform_field = version.get("Platform")
    running = info.get("ContainersRunning")
    return {
        "product": ident.product if ident else "unknown",
        "variant": ident.variant if ident else None,
        "confidence": ident.confidence if ident else "guess",
        "evidence": list(ident.evidence) if ident else [],
        "server_version": text_or_none(version.get("Version")) or text_or_none(info.get("ServerVersion")),
        "api_version": text_or_none(version.get("ApiVersion")) or probe.api_version,
        "min_api_version": text_or_none(version.get("MinAPIVersion")),
        "os": text_or_none(info.get("OperatingSystem")) or text_or_none(version.get("Os")),
        "kernel": text_or_none(info.get("KernelVersion")) or text_or_none(version.get("KernelVersion")),
        "rootless": identify.is_rootless(answers.info if answers else None),
        "name": text_or_none(info.get("Name")),
        "platform": text_or_none(platform_field.get("Name")) if isinstance(platform_field, Mapping) else None,
        "containers_running": running if isinstance(running, int) else None,
        "warnings": [w for w in (info.get("Warnings") or []) if isinstance(w, str)][:50],
        "errors": dict(answers.errors) if answers else {},
    }


def _expected_product(seen: _Seen) -> Any:
    """The product whose socket an unanswered endpoint is (None when it answers)."""
    probe, env = seen.probe, seen.env
    if probe is None or probe.answered or env is None:
        return None
    sock = endpoint_socket(seen.sockets, norm_unix(probe.dial) if probe.dial.startswith("unix://") else None)
    target = sock.link_chain[-1] if sock is not None and sock.link_chain else None
    return identify.product_of_endpoint(probe.dial, target, home=seen.home, uid=env.user.uid, platform=env.platform)


def _ok_summary(seen: _Seen, engine: Mapping[str, Any] | None) -> str:
    res = seen.res
    if not (engine and res):
        return "docker is healthy"
    ver = engine.get("server_version") or "?"
    return (
        f"docker reaches {engine['product']} {ver} at {redact_url(res.host or '')} "
        f"(context {res.context!r}, chosen by {source_words(res.source, 'short')})"
    )


def _collected_section(facts: Facts, seen: _Seen) -> dict[str, Any]:
    gathered = facts.gathered()
    processes = seen.processes
    return {
        "facts": [{"name": n, "seconds": None if s is None else round(s, 3), "error": e} for n, s, e in gathered],
        "not_collected": [{"name": n, "reason": e} for n, _s, e in gathered if e],
        "processes": (
            {"scanned": processes.scanned, "denied": processes.denied, "vanished": processes.vanished}
            if processes
            else None
        ),
        "root": seen.env.user.uid == 0 if seen.env else None,
    }


def _process_dict(p: Any) -> dict[str, Any]:
    return {
        "pid": p.pid,
        "name": p.name,
        "serves": list(p.serves),
        "containerd": p.containerd_address,
        "namespace": p.namespace,
        "listening": list(p.listening),
        "user": p.username,
    }


def _inventory_section(seen: _Seen) -> dict[str, Any]:
    section: dict[str, Any] = {}
    if seen.sockets is not None:
        section["sockets"] = [_socket_dict(s, seen.home) for s in seen.sockets]
    if seen.processes is not None:
        section["processes"] = [_process_dict(p) for p in seen.processes.items[:200]]
    return section


def _environment_section(env: Any) -> dict[str, Any]:
    if env is None:
        return {}
    return {
        "platform": env.platform,
        "kernel": env.kernel,
        "wsl": env.wsl,
        "user": env.user.name,
        "uid": env.user.uid,
        "groups": sorted(env.user.group_names.get(g, str(g)) for g in env.user.process_gids),
        "variables": dict(env.values),  # redacted by renderers (doctor.redact)
        "python": sys.version.split()[0],
        "os": env.os_name,
    }


def _explain_section(facts: Facts, explain: ExplainSection | None) -> ExplainSection | None:
    from doctor.facts import keys
    from doctor.facts.record import replace

    if explain is None:
        return None
    seen = _try(facts, keys.PASTED_ENDPOINT)
    if seen is None:
        return explain
    pasted = {
        "endpoint": redact_url(seen.endpoint),
        "ours": seen.ours,
        "contacted": seen.contacted,
        "local": seen.local,
        "summary": pasted_summary(seen),
    }
    return replace(explain, pasted_endpoint=pasted)


def _socket_dict(s: Any, home: str) -> dict[str, Any]:
    return {
        "path": home_short(s.path, home),
        "kind": s.kind,
        "type": s.file_type,
        "reasons": list(s.reasons),
        "symlink": [home_short(h, home) for h in s.link_chain],
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


def pasted_summary(p: PastedEndpoint) -> str:
    """One sentence for the explain section of the document."""
    if p.ours:
        return f"The endpoint in the text, {p.endpoint}, is one of this machine's: {p.ours}."
    where = f" The path {p.local}." if p.local else ""
    return (
        f"The endpoint in the text, {p.endpoint}, is not one of this machine's endpoints: cdoctor did not "
        f"contact it.{where} To diagnose it from here, name it: cdoctor -H {shlex.quote(p.endpoint)} explain"
    )
