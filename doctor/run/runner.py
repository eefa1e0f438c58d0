"""Run the selected checks over one fact store, each isolated from the others."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar, cast

from doctor.facts import Fact, Facts, FactUnavailable
from doctor.facts.record import replace
from doctor.knowledge.fix_rules import unsafe_line
from doctor.run.check import Check
from doctor.run.model import CheckRun, Finding, Severity
from doctor.run.plugins import LoadedCheck, PluginError, namespace

T = TypeVar("T")


def select(checks: Sequence[LoadedCheck], only: Iterable[str] = (), skip: Iterable[str] = ()) -> list[LoadedCheck]:
    """--only / --skip: by check id or by category."""
    only_set, skip_set = set(only), set(skip)
    chosen = []
    for lc in checks:
        keys = {lc.check.id, lc.check.category}
        if only_set and not keys & only_set:
            continue
        if keys & skip_set:
            continue
        chosen.append(lc)
    return chosen


def unknown_selectors(checks: Sequence[LoadedCheck], selectors: Iterable[str]) -> list[str]:
    known = {c.check.id for c in checks} | {c.check.category for c in checks}
    return [s for s in selectors if s not in known]


# Tests set this (tests/conftest.py): a check that reads a fact it did not declare
# (requires= or optional=) then crashes, instead of working by luck of what others prefetched.
DECLARED_FACTS_ONLY = "CDOCTOR_DECLARED_FACTS_ONLY"


class UndeclaredFact(Exception):
    """A check read a fact it did not declare."""


class _DeclaredFacts:
    """The store as one check sees it when only declared facts may be read."""

    def __init__(self, facts: Facts, check: Check) -> None:
        self._facts = facts
        self._check = check
        self._allowed = check.declared

    def get(self, fact: Fact[T]) -> T:
        if fact not in self._allowed:
            raise UndeclaredFact(
                f"check {self._check.id} reads fact {fact.name!r} but declares it in neither requires= nor optional="
            )
        return self._facts.get(fact)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._facts, name)


def _owned(f: object, lc: LoadedCheck) -> Finding:
    """The finding as the runner records it: made by this check, with a plugin's cause
    namespaced, and no fix line that breaks the hard rules (doctor/knowledge/fix_rules.py)."""
    if not isinstance(f, Finding):
        raise TypeError(f"check {lc.check.id} yielded {type(f).__name__}, not a Finding")
    changes: dict[str, Any] = {}
    if f.check != lc.check.id:
        changes["check"] = lc.check.id
    if f.cause is not None and not lc.builtin:
        cause = namespace(lc.plugin) + "/" + namespace(f.cause.rsplit("/", 1)[-1])
        if cause != f.cause:
            changes["cause"] = cause
    judged = [(line, unsafe_line(line)) for line in f.fix]
    if any(why for _, why in judged):
        changes["fix"] = tuple(line for line, why in judged if not why)
        changes["evidence"] = (
            *f.evidence,
            *(f"cdoctor withheld a fix from check {lc.check.id}: {why}" for _, why in judged if why),
        )
    return replace(f, **changes) if changes else f


def _run_one(lc: LoadedCheck, facts: Facts, strict: bool) -> tuple[Finding, ...]:
    c = lc.check
    view = cast(Facts, _DeclaredFacts(facts, c)) if strict else facts
    try:
        return tuple(_owned(f, lc) for f in c.run(view))
    except FactUnavailable as e:
        return (
            Finding(
                id="fact-unavailable",
                check=c.id,
                severity=Severity.ERROR,
                title=f"{c.title}: could not be checked ({e.name}: {e.reason})",
                detail="The evidence this check needs could not be gathered, so it neither passes nor fails.",
                evidence=(f"{e.name}: {e.reason}",),
            ),
        )
    except Exception as e:  # a broken check (plugin) is reported, the run goes on
        return (
            Finding(
                id="check-crashed",
                check=c.id,
                severity=Severity.ERROR,
                title=f"check {c.id} ({lc.origin}) crashed: {type(e).__name__}: {e}",
                evidence=(f"plugin {lc.plugin} from {lc.origin}",),
            ),
        )


def run_checks(
    checks: Sequence[LoadedCheck],
    facts: Facts,
    extra_prefetch: Iterable[Fact[Any]] = (),
    *,
    declared_only: bool = False,
) -> list[CheckRun]:
    """Run each check in turn; `declared_only`: a check may read only the facts it declared."""
    wanted: list[Fact[Any]] = []
    for lc in checks:
        wanted.extend(lc.check.requires)
        wanted.extend(f for f in lc.check.optional if f.early)
    wanted.extend(extra_prefetch)
    facts.prefetch(dict.fromkeys(wanted))  # start every gatherer now: they run in parallel
    runs = []
    for lc in checks:
        c = lc.check
        started = time.monotonic()
        findings = _run_one(lc, facts, declared_only)
        runs.append(CheckRun(c.id, c.title, c.category, lc.origin, time.monotonic() - started, findings))
    return runs


def plugin_error_runs(errors: Sequence[PluginError]) -> list[CheckRun]:
    return [
        CheckRun(
            f"plugin:{e.name}",
            f"plugin {e.name}",
            "plugins",
            e.origin,
            0.0,
            (
                Finding(
                    id="plugin-error",
                    check=f"plugin:{e.name}",
                    severity=Severity.ERROR,
                    title=f"plugin {e.name!r} ({e.value}, from {e.origin}) {e.reason}",
                    evidence=(f"entry point {e.name} = {e.value} in group cdoctor.checks",),
                ),
            ),
        )
        for e in errors
    ]
