"""Triage of pasted `docker version` / `docker info` / `docker context ls` (`cdoctor explain --offline`).

The pastes are real, from public issues; each file's first line cites its
source (tests/data/explain/pastes, tests/data/pastes). A support engineer must
see, from the paste alone: the product and versions, the context, the
endpoint, the engine's warnings, and the cause when the paste establishes
one, then what to ask for next.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from doctor.render import human, markdown, triage
from doctor.run.pipeline import explain_offline, explain_reading
from tests.conftest import DATA, cdoctor

PASTES = DATA / "explain" / "pastes"
MORE = DATA / "pastes"


def triage_doc(path: Path) -> dict[str, object]:
    reading, paste = explain_reading(path.read_text())
    return explain_offline(reading, paste, timeout=3.0)


def rows(path: Path) -> dict[str, str]:
    return dict(triage.rows(triage_doc(path)))


def test_every_paste_cites_its_source() -> None:
    """The seed pastes carry their source on the first line; the corpus helpers' pastes are
    verbatim and cite theirs in a manifest (tests/data/explain/pastes/*.json)."""
    seed = [PASTES / r["file"] for r in json.loads((PASTES / "seed.json").read_text())]
    files = seed + sorted(MORE.glob("*.txt"))
    assert len(files) >= 14
    for f in files:
        assert f.read_text().startswith("# source: https://github.com/"), f.name
    listed = {r["file"] for m in PASTES.glob("*.json") for r in json.loads(m.read_text())}
    assert {f.relative_to(PASTES).as_posix() for f in PASTES.rglob("*.txt")} <= listed


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # docker version: product, server and client versions, the context
        (
            "docker-version-23.txt",
            {
                "pasted": "docker version",
                "product": "docker-engine (docker-ce)",
                "server": "23.0.0 (API 1.42, min 1.12)",
                "context": "default",
                "runtime": "containerd 1.6.16 runc 1.1.4",
            },
        ),
        ("docker-version-29.txt", {"server": "29.0.0 (API 1.52, min 1.44)", "runtime": "containerd v2.1.5"}),
        # Colima copies docker-ce's Platform.Name; the context name and the darwin client say Colima
        ("docker-version-colima.txt", {"context": "colima", "product": "colima"}),
        # docker info: product (Docker Desktop on WSL2), kernel, setup
        (
            "docker-info-desktop-20.10.txt",
            {
                "product": "docker-desktop (windows)",
                "server": "20.10.5",
                "engine host": "WSL2",
                "setup": "cgroup version 1",
            },
        ),
        ("docker-info-json-desktop.txt", {"product": "docker-desktop", "engine host": "linuxkit"}),
        # docker context ls, text and JSON: the current context and its endpoint
        ("context-ls-20.10.txt", {"context": "default", "endpoint": "npipe:////./pipe/docker_engine"}),
        ("context-ls-19.03-dev.txt", {"context": "swarm (of default,swarm)"}),
        (
            "context-ls-json-array-desktop.txt",
            {"context": "desktop-linux", "endpoint": "unix:///Users/janosmiko/.docker/run/docker.sock"},
        ),
        ("context-ls-json-lines.txt", {"context": "desktop-linux"}),
        # a server section that failed: the cause the paste alone establishes
        (
            "docker-version-server-failed-windows.txt",
            {"cause": "named-pipe-missing", "context": "desktop-linux", "server": "not shown", "client": "28.5.1"},
        ),
        (
            "docker-version-server-failed-linux.txt",
            {"symptom": "daemon-not-running", "endpoint": "unix:///var/run/docker.sock"},
        ),
    ],
)
def test_what_the_paste_shows(name: str, expected: dict[str, str]) -> None:
    got = rows(PASTES / name)
    for label, text in expected.items():
        assert label in got, (label, got)
        assert text in got[label].replace("`", ""), (label, got[label])


def test_engine_warnings_of_an_old_docker_info() -> None:
    """`docker info` of 17.12 (no Client:/Server: headings) with six kernel warnings."""
    doc = triage_doc(MORE / "docker-info-warnings-raspbian.txt")
    got = dict(triage.rows(doc))
    assert got["server"] == "17.12.0-ce"
    assert "armv7l" in got["engine host"] and "Raspbian" in got["engine host"]
    assert got["engine warnings"].startswith("6: No memory limit support")
    warnings = [f for f in doc["findings"] if f["id"] == "engine-warnings"]  # type: ignore[union-attr]
    assert len(warnings) == 6


def test_what_to_ask_for_next() -> None:
    assert any("docker context ls" in a for a in triage.missing(triage_doc(PASTES / "docker-version-23.txt")))
    assert any("cdoctor report" in a for a in triage.missing(triage_doc(PASTES / "context-ls-20.10.txt")))


def test_renders_in_human_and_markdown() -> None:
    doc = triage_doc(PASTES / "docker-version-server-failed-windows.txt")
    out = io.StringIO()
    human.render(doc, out)
    text = out.getvalue()
    assert "symptom unknown" not in text and "named-pipe-missing" in text and "desktop-linux" in text
    assert max(len(line) for line in text.splitlines()) <= 100
    md = io.StringIO()
    markdown.render(doc, md, title="cdoctor explain")
    assert "### What the paste shows" in md.getvalue() and "| context" in md.getvalue()


def test_through_the_command() -> None:
    path = PASTES / "docker-info-desktop-20.10.txt"
    r = cdoctor("explain", "--offline", "--file", str(path))
    assert r.returncode == 0 and "docker-desktop" in r.stdout and "20.10.5" in r.stdout
    r = cdoctor(
        "explain",
        "--offline",
        "--format",
        "json",
        input=(PASTES / "docker-version-server-failed-windows.txt").read_text(),
    )
    assert r.returncode == 1
    assert json.loads(r.stdout)["diagnosis"]["primary_cause"] == "named-pipe-missing"
    r = cdoctor(
        "explain", "--offline", "--format", "markdown", "--file", str(MORE / "docker-info-warnings-raspbian.txt")
    )
    assert r.returncode == 0 and "| engine warnings" in r.stdout


def _all_pastes() -> list[Path]:
    return sorted(
        PASTES / r["file"] for m in sorted(PASTES.glob("*.json")) for r in json.loads(m.read_text()) if (PASTES / r["file"]).is_file()
    )


@pytest.mark.parametrize("path", _all_pastes(), ids=lambda p: p.name)
def test_the_paste_product_and_the_hint_agree(path: Path) -> None:
    """`engine.product` (the paste's API fields) and `explain.product_hint` are one answer (issue 13)."""
    text = path.read_text(errors="surrogateescape")
    if text.startswith("# source:"):
        text = text.split("\n", 1)[1]
    reading, paste = explain_reading(text)
    doc = explain_offline(reading, paste, timeout=3.0)
    engine, hint = doc["engine"], doc["explain"]["product_hint"]
    if engine and engine["product"] not in (None, "unknown") and hint:
        assert engine["product"] == hint, (engine, hint)
    if hint:
        assert doc["explain"]["product_signals"], "a product is never named without its signals"
