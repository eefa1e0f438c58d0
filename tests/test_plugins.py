"""Plugins: found through the entry-point group, loaded fault-tolerantly, reported when broken."""

from __future__ import annotations

import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from doctor.facts import Fact, Facts, FactUnavailable
from doctor.run import plugins, runner
from doctor.run.check import Check, check
from doctor.run.model import Finding, Severity


def ep(name: str, value: str) -> metadata.EntryPoint:
    return metadata.EntryPoint(name=name, value=value, group=plugins.GROUP)


@pytest.fixture
def plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory on sys.path holding plugin modules written by each test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in list(sys.modules):
        if name.startswith("zoo_"):
            del sys.modules[name]


def write(d: Path, name: str, body: str) -> None:
    (d / f"{name}.py").write_text(textwrap.dedent(body))


GOOD = """
    from doctor.run.check import check
    from doctor.run.model import Finding, Severity

    @check(id="zoo-good", title="a good plugin", category="zoo")
    def good(facts):
        yield Finding(id="zoo-ok", check="zoo-good", severity=Severity.OK, title="fine")

    CHECKS = (good,)
"""


def test_builtin_checks_come_through_the_entry_point_group() -> None:
    loaded, errors = plugins.load()
    assert errors == []
    categories = {lc.plugin for lc in loaded}
    assert {"resolution", "connection", "stack", "sdk"} <= categories


def test_a_good_plugin_loads(plugin_dir: Path) -> None:
    write(plugin_dir, "zoo_good", GOOD)
    loaded, errors = plugins.load([ep("zoo", "zoo_good:CHECKS")])
    assert errors == [] and [lc.check.id for lc in loaded] == ["zoo-good"]


@pytest.mark.parametrize(("body", "reason"), [
    ("raise RuntimeError('plugin is broken')", "cannot be imported: RuntimeError"),
    ("import no_such_module_anywhere", "cannot be imported: ModuleNotFoundError"),
    ("CHECKS = 42", "does not name a Check"),
    ("CHECKS = ()", "does not name a Check"),
    ("CHECKS = ('not a check',)", "does not name a Check"),
])
def test_a_broken_plugin_is_reported_and_the_run_goes_on(plugin_dir: Path, body: str, reason: str) -> None:
    write(plugin_dir, "zoo_bad", body)
    write(plugin_dir, "zoo_good", GOOD)
    loaded, errors = plugins.load([ep("bad", "zoo_bad:CHECKS"), ep("zoo", "zoo_good:CHECKS")])
    assert [lc.check.id for lc in loaded] == ["zoo-good"]
    assert len(errors) == 1 and errors[0].name == "bad" and reason in errors[0].reason
    runs = runner.plugin_error_runs(errors)
    assert runs[0].findings[0].id == "plugin-error" and "bad" in runs[0].findings[0].title
    assert runs[0].findings[0].severity is Severity.ERROR


def test_duplicate_ids_are_refused(plugin_dir: Path) -> None:
    write(plugin_dir, "zoo_good", GOOD)
    loaded, errors = plugins.load([ep("a", "zoo_good:CHECKS"), ep("b", "zoo_good:good")])
    assert len(loaded) == 1 and "already provided" in errors[0].reason


FACT: Fact[int] = Fact("zoo.number", lambda facts: 1)


def _loaded(c: Check) -> plugins.LoadedCheck:
    return plugins.LoadedCheck(c, "zoo", "test")


def test_unavailable_fact_is_an_error_never_a_pass() -> None:
    @check(id="needs-fact", title="needs a fact", category="zoo", requires=(FACT,))
    def needs(facts: Facts):  # type: ignore[no-untyped-def]
        facts.get(FACT)
        yield Finding(id="pass", check="needs-fact", severity=Severity.OK, title="passed")

    facts = Facts.from_values({FACT: FactUnavailable("zoo.number", "the probe timed out", timed_out=True)})
    [run] = runner.run_checks([_loaded(needs)], facts)
    [finding] = run.findings
    assert finding.severity is Severity.ERROR and finding.id == "fact-unavailable"
    assert "timed out" in finding.title


def test_a_crashing_check_is_isolated() -> None:
    @check(id="crashes", title="crashes", category="zoo")
    def crashes(facts: Facts):  # type: ignore[no-untyped-def]
        raise KeyError("oops")
        yield  # pragma: no cover

    @check(id="fine", title="fine", category="zoo")
    def fine(facts: Facts):  # type: ignore[no-untyped-def]
        yield Finding(id="ok", check="fine", severity=Severity.OK, title="ok")

    runs = runner.run_checks([_loaded(crashes), _loaded(fine)], Facts.from_values({}))
    assert runs[0].findings[0].id == "check-crashed" and "KeyError" in runs[0].findings[0].title
    assert runs[1].findings[0].id == "ok"


def test_select_by_id_and_category() -> None:
    loaded, _ = plugins.load()
    only = runner.select(loaded, only=["connection"])
    assert only and {lc.check.category for lc in only} == {"connection"}
    skipped = runner.select(loaded, skip=["connection", "docker-host"])
    assert all(lc.check.category != "connection" and lc.check.id != "docker-host" for lc in skipped)
    assert runner.unknown_selectors(loaded, ["nope", "sdk"]) == ["nope"]
