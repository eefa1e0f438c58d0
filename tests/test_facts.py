"""The fact store: lazy, gathered once, failures cached, bounded by deadlines."""

from __future__ import annotations

import threading
import time

import pytest

from doctor.facts import Fact, Facts, FactUnavailable


def test_gathered_once_and_lazily() -> None:
    calls: list[int] = []
    fact = Fact("counter", lambda facts: calls.append(1) or len(calls))
    facts = Facts(None)
    assert calls == []  # nothing runs until asked
    assert facts.get(fact) == 1
    assert facts.get(fact) == 1
    assert calls == [1]


def test_dependencies_are_plain_calls() -> None:
    base = Fact("base", lambda facts: 20)
    derived = Fact("derived", lambda facts: facts.get(base) + 1)
    assert Facts(None).get(derived) == 21


def test_failure_is_cached_with_its_reason() -> None:
    calls: list[int] = []

    def boom(facts: Facts) -> int:
        calls.append(1)
        raise FactUnavailable("boom", "the socket is gone")

    fact = Fact("boom", boom)
    facts = Facts(None)
    for _ in range(3):
        with pytest.raises(FactUnavailable, match="the socket is gone"):
            facts.get(fact)
    assert calls == [1]


def test_unexpected_exception_becomes_unavailable() -> None:
    fact = Fact("bug", lambda facts: 1 / 0)
    with pytest.raises(FactUnavailable, match="ZeroDivisionError"):
        Facts(None).get(fact)


def test_a_hung_gatherer_times_out_and_does_not_block_exit() -> None:
    release = threading.Event()
    fact = Fact("hung", lambda facts: release.wait(30), network=True)
    facts = Facts(None, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(FactUnavailable) as info:
        facts.get(fact)
    assert info.value.timed_out
    assert time.monotonic() - started < 1.0
    # The timeout is remembered: a second get does not wait again.
    started = time.monotonic()
    with pytest.raises(FactUnavailable):
        facts.get(fact)
    assert time.monotonic() - started < 0.05
    release.set()


def test_prefetch_runs_gatherers_in_parallel() -> None:
    facts = Facts(None, timeout=2.0)
    slow = [Fact(f"slow{i}", lambda facts: time.sleep(0.3) or True, network=True) for i in range(8)]
    started = time.monotonic()
    facts.prefetch(slow)
    assert all(facts.get(f) for f in slow)
    assert time.monotonic() - started < 1.5  # not 8 × 0.3 s


def test_run_deadline_caps_every_wait() -> None:
    fact = Fact("slow", lambda facts: time.sleep(5), network=True)
    facts = Facts(None, timeout=10.0, run_deadline=time.monotonic() + 0.3)
    started = time.monotonic()
    with pytest.raises(FactUnavailable):
        facts.get(fact)
    assert time.monotonic() - started < 1.0


def test_from_values_never_gathers() -> None:
    known = Fact("known", lambda facts: pytest.fail("must not run"))
    unknown = Fact("unknown", lambda facts: pytest.fail("must not run"))
    facts = Facts.from_values({known: 3})
    assert facts.get(known) == 3
    with pytest.raises(FactUnavailable, match="not recorded"):
        facts.get(unknown)
