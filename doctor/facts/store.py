"""Facts: typed, lazy, gathered once, in parallel, each within a deadline.

A `Fact[T]` is a key that names a gatherer: a function, or its dotted path
(`"doctor.gather.local:_gather_env"`) imported the first time the fact is
gathered, so that importing the keys (doctor.facts.keys) imports no I/O code. `Facts.get(KEY)` starts the
gatherer on first use (on a daemon thread, so a wedged probe can never keep
the process alive), waits at most until the fact's deadline, and memoises
the value *or* the failure: a fact that could not be gathered is remembered
as `FactUnavailable` with its reason, and every later `get` re-raises it at
once. Gatherers may `get` other facts; dependencies are plain calls.

The deadline is also handed to the gatherer (`Facts.budget(fact)`) so that
it can pass it down into the socket, HTTP or subprocess call; the wait here
is only the safety net.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from doctor.facts.record import record

T = TypeVar("T")


@record(eq=False)
class Fact(Generic[T]):
    """A typed key for one fact. Identity-hashed, like pytest's StashKey."""

    name: str
    # The gatherer, or "package.module:function" to import on first use.
    gatherer: Callable[[Facts], T] | str
    # Probes that talk to the network or run programs get the run's probe
    # timeout; local reads get a small fraction of it.
    network: bool = False
    # Started with the required facts whenever a check declares it, even as optional: for a
    # fact that a check reads only once others are known (so it would start late and be
    # waited for alone), and that costs little when it is not read after all.
    early: bool = False

    def __repr__(self) -> str:
        return f"Fact({self.name})"

    def gather(self, facts: Facts) -> T:
        """Run the gatherer (importing it first when the key names it by path)."""
        fn = self.gatherer
        if isinstance(fn, str):
            fn = _resolve(fn)
        return fn(facts)


_RESOLVED: dict[str, Callable[[Facts], Any]] = {}


def _resolve(path: str) -> Callable[[Facts], Any]:
    fn = _RESOLVED.get(path)
    if fn is None:
        module, _, attr = path.partition(":")
        fn = _RESOLVED[path] = getattr(importlib.import_module(module), attr)
    return fn


class FactUnavailable(Exception):
    """The fact could not be gathered: the reason is part of the diagnosis."""

    def __init__(self, name: str, reason: str, *, timed_out: bool = False) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason
        self.timed_out = timed_out


class _Slot:
    __slots__ = ("done", "error", "seconds", "started", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: object = None
        self.error: FactUnavailable | None = None
        self.started = time.monotonic()
        self.seconds: float | None = None


class Facts:
    """The fact store of one run.

    `context` is whatever the gatherers need to know about the invocation
    (doctor.run.context.RunContext); it is opaque here so the store stays generic.
    """

    def __init__(
        self, context: Any, *, timeout: float = 3.0, run_deadline: float | None = None, started: float | None = None
    ) -> None:
        self.context = context
        self.timeout = timeout
        # When the run began (monotonic): every network probe, whenever it starts, ends
        # `timeout` seconds after this, so that twenty wedged endpoints (or a probe that
        # waits for another) cost one deadline in all, not one each.
        self.started = started if started is not None else time.monotonic()
        self.probe_deadline = self.started + timeout
        # Absolute monotonic time after which nothing is waited for any more.
        self.run_deadline = run_deadline if run_deadline is not None else self.started + 4 * timeout + 1
        self._lock = threading.Lock()
        self._slots: dict[Fact[Any], _Slot] = {}
        # A store made by from_values never gathers: a fact it was not given is unavailable.
        self._frozen = False

    @classmethod
    def from_values(cls, values: Mapping[Fact[Any], object], context: Any = None) -> Facts:
        """A store with every value given up front: for tests and for replays.

        A `FactUnavailable` value simulates a fact that could not be gathered;
        a fact not given at all is unavailable too (never gathered from the system).
        """
        facts = cls(context)
        for fact, value in values.items():
            slot = _Slot()
            if isinstance(value, FactUnavailable):
                slot.error = value
            else:
                slot.value = value
            slot.seconds = 0.0
            slot.done.set()
            facts._slots[fact] = slot
        facts._frozen = True
        return facts

    def budget(self, fact: Fact[Any]) -> float:
        """Seconds the gatherer of `fact` may spend in one blocking call."""
        now = time.monotonic()
        remaining = max(0.05, self.run_deadline - now)
        limit = max(0.05, self.probe_deadline - now) if fact.network else max(0.5, self.timeout / 2)
        return min(limit, remaining)

    def _start(self, fact: Fact[Any]) -> _Slot:
        with self._lock:
            slot = self._slots.get(fact)
            if slot is not None:
                return slot
            slot = self._slots[fact] = _Slot()
            if self._frozen:
                slot.error = FactUnavailable(fact.name, "not recorded")
                slot.seconds = 0.0
                slot.done.set()
                return slot

        def work() -> None:
            try:
                value = fact.gather(self)
            except FactUnavailable as e:
                error: FactUnavailable | None = e
            except Exception as e:
                # A gatherer bug becomes data (an error finding that names it), not a crash.
                error = FactUnavailable(fact.name, f"internal error: {type(e).__name__}: {e}")
            else:
                error = None
            with self._lock:
                if slot.done.is_set():  # the waiter already gave up: keep its timeout
                    return
                slot.value = value if error is None else None
                slot.error = error
                slot.seconds = time.monotonic() - slot.started
                slot.done.set()

        threading.Thread(target=work, name=f"fact:{fact.name}", daemon=True).start()
        return slot

    def prefetch(self, facts: Iterable[Fact[Any]]) -> None:
        """Start every gatherer now, so that they run in parallel."""
        for fact in facts:
            self._start(fact)

    def get(self, fact: Fact[T]) -> T:
        slot = self._start(fact)
        # The gatherer's own calls are bounded by budget(); this wait adds a
        # little slack for the work around them, and never passes the run deadline.
        wait = min(self.budget(fact) + 0.25, max(0.0, self.run_deadline - time.monotonic()))
        if not slot.done.wait(wait):
            with self._lock:
                if not slot.done.is_set():
                    slot.error = FactUnavailable(fact.name, f"no answer within {wait:.1f}s", timed_out=True)
                    slot.seconds = time.monotonic() - slot.started
                    slot.done.set()
        if slot.error is not None:
            raise slot.error
        return slot.value  # type: ignore[return-value]

    def gathered(self) -> list[tuple[str, float | None, str | None]]:
        """(name, seconds, failure reason) of every fact touched in this run."""
        with self._lock:
            items = list(self._slots.items())
        return [(f.name, s.seconds, None if s.error is None else s.error.reason) for f, s in items if s.done.is_set()]
