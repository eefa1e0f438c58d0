"""Files and streams (issue 11, Why 7 and 9; Why 10 for usage errors).

`--output`, `$GITHUB_STEP_SUMMARY` and `explain --file` naming a FIFO, a
device or a symbolic link; a run that fails must leave an existing file as it
was; a broken or closed stdout ends the run quietly; a worker thread that
swaps sys.stdout cannot swallow the result; usage errors are one line, exit 3
(docs/output-contract.md: 3 is "cdoctor could not run: bad arguments").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from doctor import output
from tests.conftest import ROOT, cdoctor

FAST = ("--timeout", "1")
NOWHERE = {"DOCKER_HOST": "unix:///nonexistent/cdoctor.sock"}


def fifo(tmp_path: Path) -> Path:
    p = tmp_path / "fifo"
    os.mkfifo(p)
    return p


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--output"),
        ("check", "--format", "json", "--output"),
        ("check", "--output"),
    ],
)
def test_output_to_a_fifo_is_refused_without_blocking(tmp_path: Path, args: tuple[str, ...]) -> None:
    target = fifo(tmp_path)
    started = time.monotonic()
    r = cdoctor(*args, str(target), *FAST, env=NOWHERE, timeout=30)
    assert time.monotonic() - started < 15
    assert r.returncode == 3 and "it is a FIFO" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_output_to_a_device_is_refused(tmp_path: Path) -> None:
    r = cdoctor("report", "--output", "/dev/null", *FAST, env=NOWHERE)
    assert r.returncode == 3 and "it is a device" in r.stderr, r.stderr


def test_output_never_writes_through_a_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    link = tmp_path / "report.md"
    link.symlink_to(victim)
    r = cdoctor("report", "--output", str(link), *FAST, env=NOWHERE)
    assert r.returncode == 3 and "symbolic link" in r.stderr, r.stderr
    assert victim.read_text() == "precious\n" and link.is_symlink()


def test_a_failed_run_leaves_an_existing_output_untouched(tmp_path: Path) -> None:
    """Why 7: a run that fails (here: a usage error found after parsing) must not truncate --output."""
    out = tmp_path / "report.json"
    out.write_text("previous report\n")
    r = cdoctor("report", "--format", "json", "--output", str(out), "--timeout", "nan", env=NOWHERE)
    assert r.returncode == 3
    r = cdoctor("check", "--format", "json", "--output", str(out), "--only", "bogus", *FAST, env=NOWHERE)
    assert r.returncode == 3
    assert out.read_text() == "previous report\n"


def test_write_atomic_replaces_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o640)
    output.write_atomic(str(target), "new")
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o640

    def boom(*_a: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(output.SinkError):
        output.write_atomic(str(target), "never")
    assert target.read_text() == "new"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporary file left behind


def test_step_summary_fifo_and_symlink_are_refused(tmp_path: Path) -> None:
    """Why 7: $GITHUB_STEP_SUMMARY naming a FIFO hung forever; a link is not followed."""
    pipe = fifo(tmp_path)
    started = time.monotonic()
    r = cdoctor("check", *FAST, env={**NOWHERE, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(pipe)}, timeout=30)
    assert time.monotonic() - started < 15
    assert r.returncode == 1 and "cannot append to" in r.stderr and "FIFO" in r.stderr, r.stderr
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    link = tmp_path / "summary.md"
    link.symlink_to(victim)
    r = cdoctor("check", *FAST, env={**NOWHERE, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(link)})
    assert r.returncode == 1 and "symbolic link" in r.stderr, r.stderr
    assert victim.read_text() == "precious\n"
    real = tmp_path / "real.md"
    real.write_text("# earlier step\n")
    r = cdoctor("check", *FAST, env={**NOWHERE, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(real)})
    assert real.read_text().startswith("# earlier step\n") and "cdoctor check" in real.read_text()


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_explain_file_is_refused_unless_regular(tmp_path: Path, kind: str) -> None:
    path = {"fifo": lambda: str(fifo(tmp_path)), "device": lambda: "/dev/zero", "directory": lambda: str(tmp_path)}[kind]()
    started = time.monotonic()
    r = cdoctor("explain", "--offline", "--file", path, timeout=30)
    assert time.monotonic() - started < 10
    assert r.returncode == 3 and "cannot read" in r.stderr, r.stderr


def _shell(cmd: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    full = {**os.environ, **NOWHERE, **(env or {}), "PYTHONPATH": str(ROOT)}
    return subprocess.run(["sh", "-c", cmd], capture_output=True, env=full, timeout=60, check=False, cwd=str(ROOT))


PY = f"{sys.executable} -m doctor"


@pytest.mark.parametrize("args", ["diagnose --timeout 1", "report --timeout 1", "check -v --timeout 1", "explain --offline 'permission denied'"])
def test_a_broken_pipe_ends_quietly(args: str) -> None:
    """Why 9: `| head -c 1` printed "Exception ignored … BrokenPipeError"."""
    r = _shell(f"{PY} {args} | head -c 1 >/dev/null; echo rc=$?")
    assert b"Exception ignored" not in r.stderr and b"BrokenPipe" not in r.stderr and b"Traceback" not in r.stderr, r.stderr
    assert b"internal error" not in r.stderr


@pytest.mark.parametrize("args", ["diagnose --timeout 1", "check --timeout 1", "report --timeout 1 --format json"])
def test_a_closed_stdout_is_not_an_internal_error(args: str) -> None:
    """Why 9: `>&-` was an internal error; the exit code still says what was found."""
    r = _shell(f"{PY} {args} >&-; echo rc=$? >&2")
    assert b"internal error" not in r.stderr and b"Traceback" not in r.stderr, r.stderr
    assert b"rc=1" in r.stderr  # nothing answers at NOWHERE: a failure, reported by the exit code


def test_a_worker_that_swaps_stdout_does_not_swallow_the_result(home: Path) -> None:
    """Why 9: a context meta.json with 70,000 keys under --timeout 1 printed nothing (exit 0).

    docker-py parses it in a worker thread that redirects sys.stdout; when the run's
    deadline passed first, the result went into that redirection."""
    import hashlib

    name = "big"
    d = home / ".docker" / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    d.mkdir(parents=True)
    meta = {"Name": name, "Metadata": {f"k{i}": i for i in range(70_000)}, "Endpoints": {"docker": {"Host": "unix:///nowhere.sock"}}}
    (d / "meta.json").write_text(json.dumps(meta))
    (home / ".docker" / "config.json").write_text(json.dumps({"currentContext": name}))
    for fmt in ("human", "json"):
        r = cdoctor("diagnose", "--format", fmt, "--timeout", "1", env={"HOME": str(home)})
        assert r.stdout.strip(), f"nothing printed (exit {r.returncode}): {r.stderr}"
        assert r.returncode in (1, 2), r.stderr
        if fmt == "json":
            json.loads(r.stdout)


def test_pinned_stdout_survives_a_redirect(capsys: pytest.CaptureFixture[str]) -> None:
    import contextlib
    import io

    output.pin_streams()
    with contextlib.redirect_stdout(io.StringIO()):
        output.stdout().write("seen\n")
    assert "seen" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--only", "bogus"), "unknown check or category"),
        (("check", "--only", "bogus"), "unknown check or category"),
        (("diagnose", "--color", "bogus"), "--color"),
        (("check", "--color", "bogus"), "--color"),
        (("diagnose", "--timeout", "nan"), "--timeout"),
        (("check", "--timeout", "inf"), "--timeout"),
        (("diagnose", "--timeout", "-1"), "--timeout"),
        (("report", "--timeout", "1e9"), "--timeout"),
        (("explain", "--timeout", "nan", "x"), "--timeout"),
    ],
)
def test_usage_errors_are_one_clear_line(args: tuple[str, ...], words: str) -> None:
    """Why 10: exit 3 (bad arguments, docs/output-contract.md), never "internal error"."""
    r = cdoctor(*args, env=NOWHERE)
    assert r.returncode == 3, (r.returncode, r.stderr)
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    first = r.stderr.splitlines()[0]
    assert first.startswith("cdoctor: ") and words in first, r.stderr
    assert r.stdout == ""


def test_error_messages_quote_user_input_safely(tmp_path: Path) -> None:
    evil = tmp_path / "x\x1b]0;pwned\x07.txt"
    r = cdoctor("explain", "--offline", "--file", str(evil))
    assert r.returncode == 3 and "\x1b" not in r.stderr and "\x07" not in r.stderr, r.stderr
