"""Run the selected checks over one fact store, each isolated from the others."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from doctor.facts import Fact, Facts, FactUnavailable
from doctor.run.model import CheckRun, Finding, Severity
from doctor.run.plugins import LoadedCheck, PluginError


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


def run_checks(checks: Sequence[LoadedCheck], facts: Facts, extra_prefetch: Iterable[Fact[Any]] = ()) -> list[CheckRun]:
    wanted: list[Fact[Any]] = []
    for lc in checks:
        wanted.extend(lc.check.requires)
    wanted.extend(extra_prefetch)
    facts.prefetch(dict.fromkeys(wanted))  # start every gatherer now: they run in parallel
    runs = []
    for lc in checks:
        c = lc.check
        started = time.monotonic()
        try:
            findings = tuple(c.run(facts))
        except FactUnavailable as e:
            findings = (
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
            findings = (
                Finding(
                    id="check-crashed",
                    check=c.id,
                    severity=Severity.ERROR,
                    title=f"check {c.id} ({lc.origin}) crashed: {type(e).__name__}: {e}",
                    evidence=(f"plugin {lc.plugin} from {lc.origin}",),
                ),
            )
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
