"""`cdoctor check --wait`: poll the endpoint until the API answers, within a deadline.

A socket that exists is not "ready": dockerd creates it before it can serve,
and a dind service's port accepts TCP before the daemon behind it answers.
Ready means `GET /_ping` answered. The endpoint is resolved again on every
attempt because what it depends on may appear while waiting (the TLS client
certificates a dind service writes into a shared volume, the DNS name of a
CI service).

The loop takes its probe, clock and sleep as arguments so that its timing is
tested without waiting; `ping_endpoint` is the real probe.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Protocol

from doctor.facts import Facts, FactUnavailable
from doctor.facts.record import record
from doctor.run.context import RunContext

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)?")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
MAX_WAIT = 24 * 3600.0

# Backoff between attempts: quick at first (a daemon that is seconds away), then
# no faster than every 2 s so that a long wait does not hammer a starting daemon.
FIRST_DELAY = 0.1
FACTOR = 1.6
MAX_DELAY = 2.0


def parse_duration(text: str) -> float:
    """`60s`, `2m`, `1m30s`, `500ms`, `90` (seconds) → seconds. ValueError on anything else."""
    raw = text.strip().lower()
    if not raw:
        raise ValueError("empty duration")
    pos, total = 0, 0.0
    for m in _DURATION.finditer(raw):
        if m.start() != pos or not m[0]:
            break
        total += float(m[1]) * _UNIT[m[2]]
        pos = m.end()
    if pos != len(raw):
        raise ValueError(f"{text!r} is not a duration (e.g. 60s, 2m, 1m30s, 90)")
    if total <= 0 or total > MAX_WAIT:
        raise ValueError(f"{text!r}: a wait must be more than 0 and at most 24h")
    return total


def delays(first: float = FIRST_DELAY, factor: float = FACTOR, cap: float = MAX_DELAY) -> Callable[[], float]:
    """The next pause each time it is called: first, first·factor, … capped."""
    state = [first / factor]

    def nxt() -> float:
        state[0] = min(cap, state[0] * factor)
        return state[0]

    return nxt


@record
class Attempt:
    ready: bool
    endpoint: str | None  # the endpoint that was probed (redacted by renderers)
    outcome: str  # a probe outcome (doctor.knowledge.outcomes) or why nothing was probed


@record
class WaitResult:
    ready: bool
    attempts: int
    seconds: float
    last: Attempt | None


class Clock(Protocol):
    """What the wait reads the time from and sleeps with (tests give it a clock of their own)."""

    def __call__(self) -> float: ...

    def sleep(self, seconds: float, /) -> None: ...


class _SystemClock:
    def __call__(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float, /) -> None:
        time.sleep(seconds)


def wait_until_ready(
    probe: Callable[[float], Attempt],
    deadline: float,
    *,
    probe_timeout: float,
    clock: Clock | None = None,
    on_attempt: Callable[[int, float, Attempt], None] | None = None,
) -> WaitResult:
    """Probe until ready or until `deadline` seconds have passed; never sleeps past the deadline.

    `probe(timeout)` gets at most what is left of the deadline, so one slow
    attempt cannot carry the wait past it. `clock`: the monotonic clock when not given.
    """
    clock = clock or _SystemClock()
    started = clock()
    end = started + deadline
    pause = delays()
    attempts = 0
    last: Attempt | None = None
    while True:
        left = end - clock()
        if left <= 0:
            return WaitResult(False, attempts, clock() - started, last)
        attempts += 1
        last = probe(max(0.05, min(probe_timeout, left)))
        if on_attempt is not None:
            on_attempt(attempts, clock() - started, last)
        if last.ready:
            return WaitResult(True, attempts, clock() - started, last)
        left = end - clock()
        if left <= 0:
            return WaitResult(False, attempts, clock() - started, last)
        clock.sleep(min(pause(), left))


def ping_endpoint(ctx: RunContext, timeout: float) -> Attempt:
    """One attempt: resolve the endpoint the docker CLI would use (afresh) and /_ping it."""
    from doctor.facts.keys import ENDPOINT_PROBE, RESOLUTION
    from doctor.facts.record import replace

    run = replace(ctx, timeout=timeout, inventory=False)
    facts = Facts(run, timeout=timeout, run_deadline=time.monotonic() + timeout + 0.5)
    try:
        res = facts.get(RESOLUTION)
        probe = facts.get(ENDPOINT_PROBE).result
    except FactUnavailable as e:
        return Attempt(False, None, f"{e.name}: {e.reason}")
    if probe is None:
        why = res.error.message if res.error is not None else "the endpoint could not be resolved"
        return Attempt(False, res.host, why)
    return Attempt(probe.answered, probe.host, probe.outcome)
