"""Hostile engine answers (issue 11, Why 4, 5, 6, 9, 10): what an engine says is data, in every format.

An engine on a unix socket (tests/evil.py) answers /_ping like Docker and puts
escape sequences, workflow commands, HTML, lone surrogates and deep nesting in
/version, /info and its headers.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from doctor.gather import dockerapi as api
from doctor.knowledge.resolve import TLSSettings
from tests.conftest import cdoctor
from tests.evil import INFO, EvilEngine

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
COMMAND_LINE = re.compile(r"^[ \t]*(::[A-Za-z]|##\[)", re.MULTILINE)


def version(v: str, name: str = "Docker Engine - Community") -> bytes:
    return json.dumps(
        {"Version": v, "ApiVersion": "1.43", "MinAPIVersion": "1.12", "Os": "linux", "Arch": "amd64",
         "KernelVersion": "6.1.0", "Platform": {"Name": name}}
    ).encode()


def test_workflow_commands_from_an_engine_are_not_commands(tmp_path: Path) -> None:
    """Why 4: a Version with newlines and `::error` / `::add-mask::` / `::stop-commands::`."""
    evil = "24.0.0\n::error::injected\n::add-mask::x\n  ::stop-commands::tok\n##[set-output name=a]b"
    summary = tmp_path / "summary.md"
    with EvilEngine(version=version(evil, name=evil)) as e:
        for fmt in ("human", "json", "junit"):
            for verbose in ((), ("-v",)):
                r = cdoctor(
                    "check", "--format", fmt, "--timeout", "2", *verbose,
                    env={"DOCKER_HOST": e.host, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
                )
                assert r.returncode in (0, 1, 2), r.stderr
                for name, text in (("stdout", r.stdout), ("stderr", r.stderr)):
                    lines = COMMAND_LINE.findall(text)
                    ours = re.findall(r"^::(?:error|warning) title=cdoctor%3A", text, re.MULTILINE)
                    assert len(lines) == len(ours), f"{fmt} {name}: a workflow command from the engine:\n{text}"
    assert "::error::injected" not in summary.read_text().replace("\\", "")


def test_terminal_escapes_from_an_engine_never_reach_the_terminal() -> None:
    """Why 5: window title, clear screen, OSC 8, cursor moves, C1 — in answers and in the Server header."""
    title = "\x1b]0;pwned\x07\x1b[2J\x1b[H\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\x9b31m\u202e"
    with EvilEngine(version=version("24.0.0" + title, name=title), server=b"Docker/24\x1b]0;srv\x07\x1b[2J") as e:
        for args in (("check", "-v"), ("diagnose", "-v"), ("diagnose", "--format", "json"), ("check", "--format", "json")):
            r = cdoctor(*args, "--timeout", "2", env={"DOCKER_HOST": e.host})
            assert r.returncode in (0, 1, 2), r.stderr
            assert CONTROL.search(r.stdout.replace("\n", "").replace("\t", "")) is None, f"{args}: {r.stdout!r}"
            assert "\u202e" not in r.stdout
            if "json" in args:
                json.loads(r.stdout)


def test_xml_stays_well_formed_with_any_engine_string() -> None:
    """Why 5: a U+FFFE (or a C0 control, a lone surrogate) in an engine string, in JUnit XML."""
    with EvilEngine(version=b'{"Version":"24\\ufffe\\u0000\\ud800","ApiVersion":"1.43","Os":"linux"}') as e:
        r = cdoctor("check", "--format", "junit", "--timeout", "2", "--require-server", "99.0", env={"DOCKER_HOST": e.host})
        assert r.returncode == 1, r.stderr
        ET.fromstring(r.stdout.encode("utf-8"))


def test_lone_surrogates_from_an_engine_are_not_an_internal_error() -> None:
    """Why 9: "\\ud800" in an engine string was exit 3 (UnicodeEncodeError) in every format."""
    with EvilEngine(version=b'{"Version":"24.0.0\\ud800","ApiVersion":"1.43","Os":"linux","Platform":{"Name":"D\\udfff"}}') as e:
        for args in (("check",), ("check", "--format", "json"), ("diagnose",), ("diagnose", "--format", "json"), ("report",)):
            r = cdoctor(*args, "--timeout", "2", env={"DOCKER_HOST": e.host})
            assert r.returncode in (0, 1, 2), f"{args}: {r.stderr}"
            assert "internal error" not in r.stderr
            if "json" in args:
                json.loads(r.stdout.encode("utf-8"))


def test_deep_nesting_in_version_keeps_a_valid_info() -> None:
    """Why 9: 100,000 nested arrays in /version were a RecursionError that also threw away /info."""
    deep = b'{"Version":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with EvilEngine(version=deep, info=INFO) as e:
        ping = api.ping(e.host, e.host, TLSSettings(), 2.0)
        answers = api.engine_answers(ping, TLSSettings(), 2.0)
        assert answers.version is None and "nested deeper" in answers.errors["/version"]
        assert answers.info is not None and answers.info["Name"] == "evil"
        r = cdoctor("diagnose", "--format", "json", "--timeout", "2", env={"DOCKER_HOST": e.host})
        assert r.returncode in (0, 1, 2) and "internal error" not in r.stderr, r.stderr


@pytest.mark.parametrize("depth", [65, 1000])
def test_json_deeper_than_the_limit_is_an_error_of_that_request(depth: int) -> None:
    deep = b'{"Version":' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"
    with EvilEngine(version=deep) as e:
        ping = api.ping(e.host, e.host, TLSSettings(), 2.0)
        answers = api.engine_answers(ping, TLSSettings(), 2.0)
        assert answers.version is None and answers.info is not None


def test_ping_without_version_and_info_fails_check() -> None:
    """Why 10: /_ping answers, /version and /info never do: `check` was ✓ and exit 0."""
    with EvilEngine(version=None, info=None) as e:
        # A probe deadline long enough that /version and /info get a fair share of it after /_ping
        # (a starved request is inconclusive, not a wedged engine: checks/stack.py).
        r = cdoctor("check", "--timeout", "3", env={"DOCKER_HOST": e.host})
        assert r.returncode == 1, r.stdout + r.stderr
        assert not r.stdout.startswith("✓")
        assert "engine-unresponsive" in r.stdout


def test_a_version_that_does_not_answer_with_a_valid_info_is_a_warning() -> None:
    with EvilEngine(version=None, info=INFO) as e:
        r = cdoctor("check", "--timeout", "1", "--format", "json", env={"DOCKER_HOST": e.host})
        doc = json.loads(r.stdout)
        partial = next(f for f in doc["findings"] if f["id"] == "engine-partial")
        assert partial["severity"] == "warning"


HOSTILE_NAME = "ctx``</details><img src=x onerror=alert(1)><a href=https://evil.example>x</a>\x1b]0;t\x07"


def test_a_hostile_context_name_and_engine_version_stay_text_in_markdown(home: Path, tmp_path: Path) -> None:
    """Why 6: a double backtick closed the code span; `<img onerror>`, `</details>`, `<a href>` became HTML."""
    from markdown_it import MarkdownIt

    from tests.engines import write_context

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    with EvilEngine(version=version("24.0.0``</details><img src=x onerror=alert(1)>")) as e:
        write_context(home / ".docker", HOSTILE_NAME, e.host)
        (home / ".docker" / "config.json").write_text(json.dumps({"currentContext": HOSTILE_NAME}))
        summary = tmp_path / "summary.md"
        report = cdoctor("report", "--timeout", "2")
        check = cdoctor(
            "check", "-v", "--timeout", "2", "--require-server", "99",
            env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
        )
        assert report.returncode in (0, 1, 2) and check.returncode == 1, report.stderr + check.stderr
        for name, text in (("report", report.stdout), ("summary", summary.read_text())):
            assert "ctx" in text
            tags = set()
            for tok in md.parse(text):
                chunks = [tok.content] if tok.type == "html_block" else []
                chunks += [c.content for c in tok.children or [] if c.type == "html_inline"]
                for chunk in chunks:
                    tags |= {t.lower() for t in re.findall(r"</?\s*([A-Za-z][A-Za-z0-9-]*)", chunk)}
            assert tags <= {"details", "summary", "sub"}, f"{name}: HTML from outside: {tags}"
            assert "\x1b" not in text


def test_a_hostile_context_name_never_reaches_the_terminal_raw(home: Path) -> None:
    from tests.engines import write_context

    write_context(home / ".docker", HOSTILE_NAME, "unix:///nonexistent/evil.sock")
    (home / ".docker" / "config.json").write_text(json.dumps({"currentContext": HOSTILE_NAME}))
    for args in (("diagnose", "-v"), ("stack",), ("check", "-v")):
        r = cdoctor(*args, "--timeout", "1")
        assert r.returncode in (0, 1, 2), r.stderr
        assert CONTROL.search(r.stdout.replace("\n", "")) is None, f"{args}: {r.stdout!r}"


def test_a_starved_request_is_inconclusive_not_wedged() -> None:
    from checks.stack import _starved

    assert _starved("no-answer: no complete answer within 0.1s", 3.0)
    assert not _starved("no-answer: no complete answer within 1.2s", 3.0)
    assert not _starved("HTTP 500: boom", 3.0)
    assert _starved("no-answer: no complete answer within 0.2s", 1.0) and not _starved("within 0.3s", 1.0)
