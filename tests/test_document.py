"""One builder makes every command's JSON document (doctor/run/document.py).

diagnose, explain (live and --offline), check and report hand their own parts to
`build_document` as typed sections; no other module writes a section of the document.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import jsonschema

from doctor.run.document import build_document
from doctor.run.model import Diagnosis, Finding, Severity, Status
from doctor.run.pipeline import explain_reading, explain_section, offline_result
from doctor.run.result import RunResult
from doctor.run.sections import CheckSection, Redaction, ReportSection, Sections, WaitSection

ROOT = Path(__file__).resolve().parent.parent
BUILDER = "doctor/run/document.py"
TOP = ("schema", "tool", "endpoint", "engine", "chain", "findings", "diagnosis")
# The sections commands add: only the builder writes them ("check" is also a finding's field).
COMMAND_SECTIONS = frozenset({"explain", "wait", "report", "redaction", "versions", "product_hint"})
SCHEMA = json.loads((ROOT / "doctor" / "schema" / "diagnosis-1.json").read_text())


def _writers(root: Path) -> list[str]:
    """Places outside the builder that make a document (a dict with its top keys) or add a section to one."""
    found = []
    for path in sorted(root.glob("doctor/**/*.py")):
        rel = path.relative_to(root).as_posix()
        if rel == BUILDER:
            continue
        for node in ast.walk(ast.parse(path.read_text(), rel)):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if "schema" in keys or len(keys & set(TOP)) >= 4:
                    found.append(f"{rel}:{node.lineno}: builds a document")
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    if (
                        isinstance(t, ast.Subscript)
                        and isinstance(t.slice, ast.Constant)
                        and t.slice.value in COMMAND_SECTIONS
                    ):
                        found.append(f"{rel}:{node.lineno}: writes [{t.slice.value!r}]")
    return found


def test_only_the_builder_writes_the_document() -> None:
    assert _writers(ROOT) == []


def _unredacted_builds(root: Path) -> list[str]:
    """Calls of build_document in doctor/commands without a Redaction: a document shown unscrubbed."""
    found = []
    for path in sorted((root / "doctor" / "commands").glob("*.py")):
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(), rel)):
            call = isinstance(node, ast.Call) and getattr(node.func, "id", None) == "build_document"
            if call and len(node.args) < 3 and not any(k.arg == "redaction" for k in node.keywords):
                found.append(f"{rel}:{node.lineno}")
    return found


def test_every_command_redacts_through_the_builder() -> None:
    """Each command (diagnose, explain, check, report, fix) builds its document once, redacted.

    Modules by file name: `cdoctor check`'s is preflight.py."""
    builds = []
    for path in sorted((ROOT / "doctor" / "commands").glob("*.py")):
        if "build_document(" in path.read_text():
            builds.append(path.stem)
    assert set(builds) >= {"diagnose", "explain", "preflight", "report", "fix"}, builds
    assert _unredacted_builds(ROOT) == []


def test_the_redaction_test_can_fail(tmp_path: Path) -> None:
    (tmp_path / "doctor" / "commands").mkdir(parents=True)
    (tmp_path / "doctor" / "commands" / "y.py").write_text("doc = build_document(report, Sections())\n")
    assert _unredacted_builds(tmp_path) == ["doctor/commands/y.py:1"]


def test_the_writers_test_can_fail(tmp_path: Path) -> None:
    (tmp_path / "doctor" / "commands").mkdir(parents=True)
    (tmp_path / "doctor" / "commands" / "x.py").write_text(
        'def run(doc):\n    doc["report"] = {}\n    return {"schema": 1, "tool": {}}\n'
    )
    assert [w.split(": ")[1] for w in _writers(tmp_path)] == ["writes ['report']", "builds a document"]


def _report(**kw: object) -> RunResult:
    base: dict[str, object] = {
        "tool": {"name": "cdoctor", "version": "0", "timeout": 3.0},
        "endpoint": {"host": None, "source": None, "context": None, "config_dir": None},
        "engine": None,
        "chain": [],
        "findings": [
            Finding("engine-not-running", "endpoint-connection", Severity.ERROR, "t", cause="engine-not-running")
        ],
        "diagnosis": Diagnosis(Status.BROKEN, "engine-not-running", "t"),
        "checks": [],
    }
    base.update(kw)
    return RunResult(**base)  # type: ignore[arg-type]


RUN = ["checks", "environment", "inventory", "collected", "seconds"]


def test_the_key_order_of_every_command() -> None:
    reading, paste = explain_reading("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.")
    offline = build_document(offline_result(reading, paste, timeout=3.0))
    assert list(offline) == [*TOP, "explain"]
    live = build_document(_report(explain=explain_section(reading, paste, local_product_hint=None)))
    assert list(live) == [*TOP, *RUN, "explain"]
    wait = WaitSection(1.0, False, 1.234, 3, "unix:///x", "socket-missing")
    check = build_document(_report(), Sections(wait=wait, check=CheckSection(1, False, ("api>=1.44",))))
    assert list(check) == [*TOP, *RUN, "wait", "check"]
    assert check["wait"]["seconds"] == 1.23 and check["check"]["requirements"] == ["api>=1.44"]
    report = build_document(_report(), Sections(report=ReportSection(anonymize=False)), Redaction())
    assert list(report) == [*TOP, *RUN, "report"]
    assert list(report["report"]) == ["versions", "redaction"]
    assert list(build_document(_report())) == [*TOP, *RUN]


def test_every_section_the_builder_writes_is_in_the_schema() -> None:
    reading, paste = explain_reading("Got permission denied while trying to connect to the Docker daemon socket")
    sections = Sections(
        wait=WaitSection(1.0, True, 0.5, 1, "unix:///x", "ok"),
        check=CheckSection(0, True, ()),
        report=ReportSection(anonymize=False),
    )
    docs = [
        build_document(offline_result(reading, paste, timeout=3.0)),
        build_document(_report(explain=explain_section(reading, paste, local_product_hint="docker-engine")), sections, Redaction()),
    ]
    for doc in docs:
        jsonschema.validate(doc, SCHEMA)


def test_redaction_is_the_builders_last_step() -> None:
    secret = "s3cr3t-token-value"
    rep = _report(findings=[Finding("x", "c", Severity.WARNING, f"token {secret}")])
    doc = build_document(rep, redaction=Redaction(secrets=(secret,)))
    assert secret not in json.dumps(doc)
    assert secret in json.dumps(build_document(rep))
