"""One argument grammar: the fast path (doctor/commands/grammar.py) and typer (doctor/cli.py) agree.

The fast path parses the common invocation without typer; these tests prove that
it declares exactly the options typer declares (names, kind, default) and that
both read the same argv the same way, so the two can never drift apart.
"""

from __future__ import annotations

from typing import Any

import pytest
import typer.main

from doctor.cli import app
from doctor.commands import grammar

NOT_IN_GRAMMAR = {"version", "help", "install_completion", "show_completion"}


def _kind(param: Any) -> str:
    if getattr(param, "is_flag", False):
        return "flag"
    return "list" if getattr(param, "multiple", False) else "value"


def _declared(command: Any) -> set[tuple[str, frozenset[str], str, object]]:
    return {
        (p.name, frozenset(p.opts), _kind(p), None if _kind(p) == "list" else p.default)
        for p in command.params
        if p.name not in NOT_IN_GRAMMAR
    }


def _grammar(options: tuple[grammar.Option, ...]) -> set[tuple[str, frozenset[str], str, object]]:
    return {(o.dest, frozenset(o.names), o.kind, None if o.kind == "list" else o.default) for o in options}


def test_the_fast_path_declares_every_option_typer_declares() -> None:
    root = typer.main.get_command(app)
    assert _declared(root) == _grammar(grammar.GLOBAL)
    diagnose = root.commands["diagnose"]  # type: ignore[attr-defined]
    assert _declared(diagnose) == _grammar(grammar.DIAGNOSE)
    assert set(root.commands) == set(grammar.COMMANDS)  # type: ignore[attr-defined]


def _typer_parse(args: list[str]) -> dict[str, Any]:
    """What typer (click) reads from argv: the global options, then diagnose's."""
    root = typer.main.get_command(app)
    ctx = root.make_context("cdoctor", list(args), resilient_parsing=False)
    values = dict(ctx.params)
    protected = getattr(ctx, "protected_args", None) or getattr(ctx, "_protected_args", [])
    rest = [*protected, *ctx.args]
    assert rest and rest[0] == "diagnose", rest
    sub = root.get_command(ctx, "diagnose")  # type: ignore[attr-defined]
    values.update(sub.make_context("diagnose", rest[1:], parent=ctx).params)
    values.pop("version", None)
    return {k: (list(v) if isinstance(v, list | tuple) else ([] if v is None and k in LISTS else v)) for k, v in values.items()}


LISTS = {o.dest for o in (*grammar.GLOBAL, *grammar.DIAGNOSE) if o.kind == "list"}

SAME = [
    [],
    ["-H", "unix:///var/run/docker.sock"],
    ["--host=tcp://h:2376", "--tlsverify", "-f", "json"],
    ["-c", "colima", "diagnose", "-v", "--explain"],
    ["--context=work", "--config", "/tmp/cfg", "--tls"],
    ["-H", "unix:///a", "-H", "unix:///b", "--only", "connection", "--skip", "sdk", "--skip", "stack"],
    ["diagnose", "--timeout", "0.5", "--strict", "--allow-activation", "--color", "never"],
    ["-t", "120", "--color=always", "--format=human"],
]


@pytest.mark.parametrize("argv", SAME, ids=lambda a: " ".join(a) or "(none)")
def test_fast_path_and_typer_read_argv_alike(argv: list[str]) -> None:
    args = grammar.default_to_diagnose(argv)
    if "diagnose" not in args:
        args = [*args, "diagnose"]
    fast = grammar.parse_fast(args)
    assert fast is not None, args
    assert fast == _typer_parse(args)


@pytest.mark.parametrize(
    "argv",
    [
        ["--format", "markdown"],  # typer runs it (the fast path renders human and json only)
        ["-t", "nan"],
        ["-t", "0"],
        ["--color", "purple"],
        ["--bogus"],
        ["-H"],
        ["-c", "a", "-H", "unix:///b"],
        ["-c", "a", "-c", "b"],
        ["--verbose=yes"],
        ["stack"],
        ["diagnose", "--help"],
    ],
    ids=lambda a: " ".join(a),
)
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert grammar.parse_fast(grammar.default_to_diagnose(argv)) is None


def test_version_says_the_same_both_ways(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from doctor import output
    from doctor.main import main

    monkeypatch.setattr(output, "_PINNED", output._PINNED)  # main() pins this test's stdout: undo it after

    assert main(["--version"]) == 0
    fast = capsys.readouterr().out
    assert CliRunner().invoke(app, ["--version"]).stdout == fast


def test_default_to_diagnose() -> None:
    assert grammar.default_to_diagnose(["-H", "unix:///x", "-f", "json"]) == ["-H", "unix:///x", "diagnose", "-f", "json"]
    assert grammar.default_to_diagnose(["--context=colima", "-v"]) == ["--context=colima", "diagnose", "-v"]
    assert grammar.default_to_diagnose(["--tls", "check", "--wait", "5s"]) == ["--tls", "check", "--wait", "5s"]
    assert grammar.default_to_diagnose(["--help"]) == ["--help"]
    assert grammar.default_to_diagnose([]) == []


def test_the_common_invocation_imports_no_typer(tmp_path: Any) -> None:
    """A whole run of `cdoctor -H … -f json` (the fast path) loads neither typer nor the other
    heavy modules the healthy path does not use."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "import io, sys; from doctor.main import main; out = sys.stdout; sys.stdout = io.StringIO(); "
        f"rc = main(['-H', 'unix://{tmp_path}/none.sock', '-f', 'json']); sys.stdout = out; "
        "heavy = ('typer', 'click', 'tabulate', 'docker', 'jsonschema', 'markdown_it', 'importlib.metadata'); "
        "print(sorted(m for m in sys.modules if m in heavy or m.split('.')[0] in heavy or m == 'doctor.reader'))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
                       env=env)
    assert r.stdout.strip() == "[]", r.stdout
