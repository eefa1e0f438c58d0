"""The resolved endpoint: does it answer, and what does the engine say about itself."""

from __future__ import annotations

import os
from dataclasses import dataclass

from doctor import outcomes
from doctor.context import RunContext
from doctor.facts import Fact, Facts, FactUnavailable
from doctor.gather import api, pasted
from doctor.gather.inventory import PROCESSES, _holders, listeners
from doctor.gather.local import RESOLUTION


@dataclass(frozen=True, slots=True)
class EndpointProbe:
    """The /_ping of the endpoint the CLI resolved (None when resolution failed)."""

    result: outcomes.ProbeResult | None
    activation_pending: bool = False  # systemd holds the socket; connecting would start the daemon


def _ctx(facts: Facts) -> RunContext:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    return ctx


def activation_pending(path: str, facts: Facts) -> bool:
    """True when only systemd (pid 1) holds the listening socket: a connect would start the engine."""
    listening = listeners(facts)
    final = os.path.realpath(path)
    inode = listening.get(final, listening.get(path))
    if inode is None:
        return False
    if not _holders({inode}, [(1, "systemd")]):
        return False
    try:
        procs = facts.get(PROCESSES).items
    except FactUnavailable:
        return False
    engines = [(p.pid, p.name) for p in procs if p.name.startswith(("dockerd", "podman"))]
    return not _holders({inode}, engines)


def _target(facts: Facts) -> tuple[str, str, object] | None:
    ctx = _ctx(facts)
    res = facts.get(RESOLUTION)
    if ctx.focus_endpoint and res.host != ctx.focus_endpoint and pasted.is_own(facts, ctx.focus_endpoint):
        # The endpoint an error text names is probed only when it is one of this machine's own
        # (a context, DOCKER_HOST, -H): an endpoint only in the text is never contacted.
        from doctor.resolve import TLSSettings

        return ctx.focus_endpoint, ctx.focus_endpoint, TLSSettings()
    if res.error is not None or res.host is None:
        return None
    return res.host, res.dial or res.host, res.tls


def _gather_probe(facts: Facts) -> EndpointProbe:
    ctx = _ctx(facts)
    target = _target(facts)
    if target is None:
        return EndpointProbe(None)
    host, dial, tls = target
    if dial.startswith("unix://") and not ctx.allow_activation and activation_pending(dial[7:], facts):
        return EndpointProbe(
            outcomes.ProbeResult(host, dial, "not-probed", "systemd socket activation: connecting would start the daemon"),
            activation_pending=True,
        )
    from doctor.resolve import TLSSettings

    assert isinstance(tls, TLSSettings)
    return EndpointProbe(api.ping(host, dial, tls, facts.budget(ENDPOINT_PROBE)))


ENDPOINT_PROBE: Fact[EndpointProbe] = Fact("endpoint_probe", _gather_probe, network=True)


def _gather_engine(facts: Facts) -> outcomes.EngineAnswers | None:
    probe = facts.get(ENDPOINT_PROBE).result
    if probe is None or not probe.answered:
        return None
    res = facts.get(RESOLUTION)
    forced = _ctx(facts).env.get("DOCKER_API_VERSION") or None
    return api.engine_answers(probe, res.tls, facts.budget(ENGINE), forced)


ENGINE: Fact[outcomes.EngineAnswers | None] = Fact("engine", _gather_engine, network=True)
