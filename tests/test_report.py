"""`cdoctor report`: a paste-ready Markdown (or JSON) report that renders well in a GitHub issue.

The Markdown is rendered with markdown-it-py (CommonMark + GFM tables, raw
HTML allowed, as GitHub does) and the HTML is checked: the tables are
tables, every `<details>` block is closed and has a summary, no placeholder
became an HTML tag that GitHub's sanitiser would drop.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from markdown_it import MarkdownIt

from tests.conftest import ROOT, assert_could_not_run, cdoctor

SCHEMA = json.loads((ROOT / "doctor" / "schema" / "diagnosis-1.json").read_text())
GFM = MarkdownIt("commonmark", {"html": True}).enable("table")


class Structure(HTMLParser):
    """Counts the tags that matter and checks that details/summary nest properly."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, int] = {}
        self.stack: list[str] = []
        self.unknown: list[str] = []
        self.rows_per_table: list[int] = []
        self.cells_per_row: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.counts[tag] = self.counts.get(tag, 0) + 1
        known = {
            "h2",
            "h3",
            "p",
            "strong",
            "em",
            "code",
            "pre",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "details",
            "summary",
            "ul",
            "li",
            "hr",
            "sub",
            "blockquote",
            "br",
            "a",
        }
        if tag not in known:
            self.unknown.append(tag)
        if tag in ("details", "table"):
            self.stack.append(tag)
        if tag == "table":
            self.rows_per_table.append(0)
        if tag == "tr":
            self.rows_per_table[-1] += 1
            self.cells_per_row.append(0)
        if tag in ("td", "th"):
            self.cells_per_row[-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("details", "table"):
            assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
            self.stack.pop()


def render(markdown: str) -> Structure:
    html = GFM.render(markdown)
    s = Structure()
    s.feed(html)
    s.close()
    assert not s.stack, f"unclosed: {s.stack}"
    return s


def check_markdown(md: str) -> Structure:
    first = md.splitlines()
    assert first[0] == "## cdoctor report"
    assert re.match(r"^(✅|⚠️|❌) \*\*(ok|degraded|broken)\*\* — ", first[2]), first[2]  # the one-line summary
    s = render(md)
    assert s.unknown == [], f"HTML tags GitHub would strip: {s.unknown}"
    assert s.counts.get("table", 0) >= 3 and s.counts.get("details", 0) >= 3
    assert s.counts["details"] == s.counts["summary"]
    assert all(rows >= 2 for rows in s.rows_per_table)  # a header and at least one row: a real table
    # Every <details> body is separated from its summary by a blank line, or GitHub shows raw Markdown.
    assert md.count("</summary>\n\n") == md.count("<summary>")
    return s


def test_broken_report_renders_as_github_would(tmp_path: Path) -> None:
    host = f"unix://{tmp_path}/nothing.sock"
    r = cdoctor("-H", host, "report", "--timeout", "1")
    assert r.returncode == 1, r.stderr
    md = r.stdout
    check_markdown(md)
    for heading in ("### The chain", "### Why", "### Findings"):
        assert heading in md
    assert "Checks: " in md and "What cdoctor collected" in md
    assert "| cdoctor" in md and "| Python" in md and "| OS" in md and "| docker CLI" in md and "| engine" in md
    assert "not reached" in md  # the engine line says why there is no engine version
    assert "Secrets are always removed" in md and "Not anonymized" in md


def test_json_report_and_output_file(tmp_path: Path) -> None:
    host = f"unix://{tmp_path}/nothing.sock"
    out = tmp_path / "report.json"
    r = cdoctor("-H", host, "report", "--format", "json", "--output", str(out), "--timeout", "1")
    assert r.returncode == 1 and r.stdout == "" and str(out) in r.stderr
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    versions = doc["report"]["versions"]
    assert set(versions) >= {"cdoctor", "python", "os", "cli", "engine"}
    assert versions["engine"] is None  # nothing answered
    collected = doc["collected"]
    assert collected["facts"] and "not_collected" in collected and collected["root"] is not None
    assert all({"id", "outcome", "seconds"} <= set(c) for c in doc["checks"])
    # --output writes nothing else: the directory holds the report only
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["report.json"]


def test_bad_output_path_exits_3(tmp_path: Path) -> None:
    r = cdoctor("report", "--output", str(tmp_path / "no" / "such" / "dir" / "r.md"), "--timeout", "1")
    assert_could_not_run(r, "cannot write")
    assert_could_not_run(cdoctor("report", "--format", "html"), "html")


@pytest.mark.engine
def test_healthy_report_has_every_version(real_dockerd: object) -> None:
    host = real_dockerd.host  # type: ignore[attr-defined]
    r = cdoctor("-H", host, "report")
    assert r.returncode == 0, r.stderr
    s = check_markdown(r.stdout)
    assert s.counts.get("pre", 0) >= 1  # the chain
    doc = json.loads(cdoctor("-H", host, "report", "--format", "json").stdout)
    v = doc["report"]["versions"]
    assert v["engine"] and v["engine_api"] and v["engine_product"] == "docker-engine"
    assert v["cli"]  # the docker CLI's own version line
    assert doc["engine"]["server_version"] in r.stdout
