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
    names = {lc.plugin for lc in loaded}
    assert {"resolution", "connection", "stack", "sdk", "requirements"} <= names
    assert any(lc.check.id == "requirements" for lc in loaded)  # was missing from BUILTIN


def test_builtins_are_the_entry_points_pyproject_registers() -> None:
    import tomllib

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
    assert project["entry-points"][plugins.GROUP] == plugins.BUILTIN


def test_builtins_are_found_without_reading_package_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only entry_points.txt files are read; no scan of every distribution's metadata."""

    def refuse(*a: object, **k: object) -> None:
        raise AssertionError("scanned every distribution")

    monkeypatch.setattr(metadata, "entry_points", refuse)
    monkeypatch.setattr(metadata, "distributions", refuse)
    loaded, errors = plugins.load()
    assert errors == [] and {lc.plugin for lc in loaded} >= set(plugins.BUILTIN)
    assert all(lc.builtin for lc in loaded if lc.plugin in plugins.BUILTIN)


def test_a_third_party_entry_point_is_found(plugin_dir: Path) -> None:
    write(plugin_dir, "zoo_good", GOOD)
    info = plugin_dir / "zoo_checks-2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: zoo-checks\nVersion: 2.0\n")
    (info / "entry_points.txt").write_text("[cdoctor.checks]\nzoo = zoo_good:CHECKS\n")
    found = [e for e in plugins.discover() if e.name == "zoo"]
    assert [e.value for e in found] == ["zoo_good:CHECKS"]
    loaded, _errors = plugins.load()
    [mine] = [lc for lc in loaded if lc.check.id == "zoo-good"]
    assert mine.origin == "zoo-checks 2.0" and not mine.builtin
    assert [lc.plugin for lc in loaded][-1] == "zoo"  # after the built-ins


@pytest.mark.parametrize("bad", ["Zoo", "zoo_check", "zoo--check", "-zoo", "zoo check", ""])
def test_check_ids_must_be_kebab_case(plugin_dir: Path, bad: str) -> None:
    write(plugin_dir, "zoo_badid", f"""
        from doctor.api import check

        @check(id={bad!r}, title="bad id", category="zoo")
        def c(facts):
            yield from ()

        CHECKS = (c,)
    """)
    loaded, errors = plugins.load([ep("zoo", "zoo_badid:CHECKS")])
    assert loaded == [] and "kebab-case" in errors[0].reason


def test_requires_holds_fact_keys_only(plugin_dir: Path) -> None:
    write(plugin_dir, "zoo_badreq", """
        from doctor.api import check

        @check(id="bad-requires", title="bad requires", category="zoo", requires=("resolution",))
        def c(facts):
            yield from ()

        CHECKS = (c,)
    """)
    loaded, errors = plugins.load([ep("zoo", "zoo_badreq:CHECKS")])
    assert loaded == [] and "not a fact key" in errors[0].reason


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


def test_the_runner_sets_the_check_id_and_namespaces_plugin_causes() -> None:
    @check(id="liar", title="claims another id", category="zoo")
    def liar(facts: Facts):  # type: ignore[no-untyped-def]
        yield Finding(id="x", check="endpoint-connection", severity=Severity.ERROR, title="x", cause="vpn_down")

    [run] = runner.run_checks([plugins.LoadedCheck(liar, "Acme_Corp", "acme 1.0")], Facts.from_values({}))
    [f] = run.findings
    assert f.check == "liar"  # never another check's id
    assert f.cause == "acme-corp/vpn-down"  # namespaced, kebab-case on both sides


@pytest.mark.parametrize(
    "line",
    [
        "sudo chmod 666 /var/run/docker.sock",
        "sudo chmod a+rw /run/docker.sock    # quick fix",
        "sudo usermod -aG sudo $USER",
        "sudo usermod -a -G docker,wheel bob",
        "sudo gpasswd -a bob root",
        "newgrp adm",
    ],
)
def test_no_check_prints_a_fix_that_breaks_the_hard_rules(line: str) -> None:
    @check(id="bad-advice", title="advises badly", category="zoo")
    def bad(facts: Facts):  # type: ignore[no-untyped-def]
        yield Finding(
            id="x", check="bad-advice", severity=Severity.ERROR, title="x",
            fix=("sudo systemctl start docker", line),
        )  # fmt: skip

    for builtin in (False, True):
        [run] = runner.run_checks([plugins.LoadedCheck(bad, "acme", "acme 1.0", builtin=builtin)], Facts.from_values({}))
        [f] = run.findings
        assert f.fix == ("sudo systemctl start docker",), f.fix
        assert any("withheld a fix" in e for e in f.evidence), f.evidence


def test_safe_advice_passes_the_runner_unchanged() -> None:
    lines = ("sudo usermod -aG docker \"$USER\"", "newgrp docker", "sudo chmod 660 /var/run/docker.sock")

    @check(id="good-advice", title="advises well", category="zoo")
    def good(facts: Facts):  # type: ignore[no-untyped-def]
        yield Finding(id="x", check="good-advice", severity=Severity.ERROR, title="x", fix=lines)

    [run] = runner.run_checks([_loaded(good)], Facts.from_values({}))
    assert run.findings[0].fix == lines and run.findings[0].evidence == ()


def test_builtin_causes_are_not_namespaced() -> None:
    @check(id="inside", title="built-in", category="zoo")
    def inside(facts: Facts):  # type: ignore[no-untyped-def]
        yield Finding(id="x", check="inside", severity=Severity.ERROR, title="x", cause="engine-not-running")

    [run] = runner.run_checks([plugins.LoadedCheck(inside, "stack", "cdoctor", builtin=True)], Facts.from_values({}))
    assert run.findings[0].cause == "engine-not-running"


def test_plugin_causes_rank_after_builtin_ones() -> None:
    from doctor.run.verdict import primary, verdict

    plugin = Finding(id="p", check="p", severity=Severity.ERROR, title="plugin", cause="acme/vpn-down")
    last_builtin = Finding(id="d", check="d", severity=Severity.ERROR, title="d", cause="diagnosis-incomplete")
    other = Finding(id="q", check="q", severity=Severity.ERROR, title="second plugin", cause="zeta/other")
    assert primary([plugin, last_builtin]) is last_builtin
    assert primary([plugin, other]) is plugin and primary([other, plugin]) is other  # the order they ran
    assert verdict([plugin], endpoint_answers=True, ok_summary="ok").primary_cause == "acme/vpn-down"


def test_the_schema_allows_plugin_causes_and_only_namespaced_ones() -> None:
    import json

    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).resolve().parent.parent / "doctor/schema/diagnosis-1.json").read_text())
    cause_schema = schema["properties"]["diagnosis"]["properties"]["primary_cause"]
    jsonschema.validate("acme/vpn-down", cause_schema)
    for bad in ("vpn-down", "Acme/vpn", "acme/", "a/b/c"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, cause_schema)


OTHER: Fact[int] = Fact("zoo.other", lambda facts: 2)


def test_reading_an_undeclared_fact_fails_when_declared_only() -> None:
    @check(id="sneaky", title="reads more than it says", category="zoo", requires=(FACT,))
    def sneaky(facts: Facts):  # type: ignore[no-untyped-def]
        facts.get(FACT)
        facts.get(OTHER)
        yield Finding(id="ok", check="sneaky", severity=Severity.OK, title="ok")

    facts = Facts.from_values({FACT: 1, OTHER: 2})
    [run] = runner.run_checks([_loaded(sneaky)], facts, declared_only=True)
    assert run.findings[0].id == "check-crashed" and "zoo.other" in run.findings[0].title
    [run] = runner.run_checks([_loaded(sneaky)], facts)  # outside tests: the check works
    assert run.findings[0].id == "ok"


def test_optional_facts_are_declared_but_not_prefetched() -> None:
    gathered: list[str] = []
    lazy: Fact[int] = Fact("zoo.lazy", lambda facts: gathered.append("lazy") or 3)

    @check(id="careful", title="reads lazy only sometimes", category="zoo", requires=(FACT,), optional=(lazy,))
    def careful(facts: Facts):  # type: ignore[no-untyped-def]
        if facts.get(FACT) > 1:
            facts.get(lazy)
        yield Finding(id="ok", check="careful", severity=Severity.OK, title="ok")

    facts = Facts(None, timeout=1.0)  # a live store: FACT's gatherer answers 1
    [run] = runner.run_checks([_loaded(careful)], facts, declared_only=True)
    assert run.findings[0].id == "ok"
    assert gathered == []  # declared, never read, never gathered
    assert [name for name, _, _ in facts.gathered()] == ["zoo.number"]


def test_tests_run_with_declared_facts_only() -> None:
    """Every subprocess and in-process run of the suite enforces declarations (tests/conftest.py)."""
    import os

    assert os.environ.get(runner.DECLARED_FACTS_ONLY) == "1"
