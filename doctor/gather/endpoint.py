"""The resolved endpoint: does it answer, and what does the engine say about itself."""

from __future__ import annotations

import os
import time

from doctor.facts import Facts, FactUnavailable
from doctor.facts.keys import ENDPOINT_PROBE, ENGINE, PROCESSES, RESOLUTION
from doctor.facts.types import EndpointProbe
from doctor.gather import dockerapi, pasted
from doctor.gather.procfs import holders_of, listeners, socket_holders, systemd_activation
from doctor.knowledge import identify, outcomes
from doctor.run.context import RunContext


def _ctx(facts: Facts) -> RunContext:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    return ctx


def activation_pending(path: str, facts: Facts) -> bool:
    """True when only systemd (pid 1) holds the listening socket: a connect would start the engine.

    The same rule as the socket inventory's (procfs.systemd_activation); a socket pid 1 does
    not hold is answered at once, without waiting for the process scan."""
    listening = listeners(facts)
    final = os.path.realpath(path)
    inode = listening.get(final, listening.get(path))
    if inode is None or not socket_holders({inode}, [(1, "systemd")]):
        return False
    try:
        procs = [(p.pid, p.name) for p in facts.get(PROCESSES).items]
    except FactUnavailable:
        procs = []
    held = holders_of({inode}, procs, time.monotonic() + 0.5)
    return systemd_activation(held.get(inode, ()))


def _target(facts: Facts) -> tuple[str, str, object] | None:
    ctx = _ctx(facts)
    res = facts.get(RESOLUTION)
    if ctx.focus_endpoint and res.host != ctx.focus_endpoint and pasted.is_own(facts, ctx.focus_endpoint):
        # The endpoint an error text names is probed only when it is one of this machine's own
        # (a context, DOCKER_HOST, -H): an endpoint only in the text is never contacted.
        from doctor.knowledge.resolve import TLSSettings

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
    from doctor.knowledge.resolve import TLSSettings

    assert isinstance(tls, TLSSettings)
    return EndpointProbe(dockerapi.ping(host, dial, tls, facts.budget(ENDPOINT_PROBE)))




def _gather_engine(facts: Facts) -> outcomes.EngineAnswers | None:
    probe = facts.get(ENDPOINT_PROBE).result
    if probe is None or not probe.answered:
        return None
    res = facts.get(RESOLUTION)
    forced = _ctx(facts).env.get("DOCKER_API_VERSION") or None
    return dockerapi.engine_answers(probe, res.tls, facts.budget(ENGINE), forced)


def _gather_identification(facts: Facts) -> identify.Identification | None:
    """The product behind the answering endpoint, from its own answers (and hints in the environment)."""
    probe = facts.get(ENDPOINT_PROBE).result
    if probe is None or not probe.answered:
        return None
    answers = facts.get(ENGINE)
    return identify.identify_from_api(
        ping_headers=probe.headers,
        version=answers.version if answers else None,
        info=answers.info if answers else None,
        endpoint=probe.dial,
        env=_ctx(facts).env,
    )
