"""The command line through a real subprocess, and in-process with typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from doctor import __version__
from doctor.cli import app, main
from tests.conftest import ROOT, assert_could_not_run, cdoctor

SCHEMA = json.loads((ROOT / "doctor" / "schema" / "diagnosis-1.json").read_text())


def validate(doc: dict[str, object]) -> None:
    jsonschema.validate(doc, SCHEMA)


def test_version_and_help() -> None:
    r = cdoctor("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"cdoctor {__version__}"
    for command in ([], ["diagnose"], ["explain"], ["checks"], ["stack"]):
        r = cdoctor(*command, "--help")
        assert r.returncode == 0, r.stderr
        assert "Usage" in r.stdout
    assert "Exit codes" in cdoctor("--help").stdout


def test_python_dash_m_works_too() -> None:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "doctor", "--version"], capture_output=True, text=True, cwd=ROOT,
                       check=False)
    assert r.returncode == 0 and __version__ in r.stdout


def test_bad_arguments_exit_3() -> None:
    assert_could_not_run(cdoctor("--no-such-option"), "--no-such-option")
    assert_could_not_run(cdoctor("diagnose", "--format", "yaml"), "yaml")
    assert_could_not_run(cdoctor("-H", "unix:///x.sock", "-c", "other"), "conflicting options")


def test_no_engine_anywhere(home: Path, tmp_path: Path) -> None:
    """An endpoint where nothing exists: a failure, in human form and valid JSON."""
    host = f"unix://{tmp_path}/nothing.sock"
    r = cdoctor("-H", host, "diagnose", "--format", "json", "--timeout", "1")
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    validate(doc)
    assert doc["endpoint"]["host"] == host and doc["endpoint"]["source"] == "flag"
    assert doc["diagnosis"]["status"] == "broken"
    assert doc["engine"] is None
    human = cdoctor("-H", host)
    assert human.returncode == 1
    assert host in human.stdout and "\x1b[" not in human.stdout  # no colour in a pipe
    # Prose wraps at 80 columns; a line may be longer only where it cannot break: an
    # unbreakable path, or a command line to paste (`$ …`, `# …`).
    assert all(
        len(line) <= 100 or host in line or line.lstrip().startswith(("$ ", "# "))
        for line in human.stdout.splitlines()
    ), human.stdout


def test_checks_listing_names_origin() -> None:
    r = cdoctor("checks", "--format", "json")
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    ids = {c["id"] for c in doc["checks"]}
    assert {"endpoint-resolution", "endpoint-connection", "docker-host", "config-file"} <= ids
    assert all(c["origin"] for c in doc["checks"])
    assert doc["errors"] == []


def test_only_and_skip(tmp_path: Path) -> None:
    host = f"unix://{tmp_path}/nothing.sock"
    r = cdoctor("-H", host, "diagnose", "-f", "json", "--only", "resolution")
    doc = json.loads(r.stdout)
    assert {c["category"] for c in doc["checks"]} == {"resolution"}
    r = cdoctor("-H", host, "diagnose", "-f", "json", "--skip", "connection", "--skip", "sdk")
    doc = json.loads(r.stdout)
    assert "connection" not in {c["category"] for c in doc["checks"]}
    assert_could_not_run(cdoctor("diagnose", "--only", "no-such-check"), "no-such-check")


def test_in_process_runner(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["-H", f"unix://{tmp_path}/x.sock", "diagnose", "-f", "json"])
    assert result.exit_code == 1
    validate(json.loads(result.stdout))


def test_main_returns_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert main(["--bogus"]) == 3
    err = capsys.readouterr().err
    assert "--bogus" in err and "internal error" not in err
    assert main(["-H", f"unix://{tmp_path}/x.sock", "diagnose", "-f", "json"]) == 1
    validate(json.loads(capsys.readouterr().out))


def test_healthy_dockerd(real_dockerd) -> None:  # type: ignore[no-untyped-def]
    r = cdoctor("-H", real_dockerd.host, "diagnose", "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    validate(doc)
    assert doc["diagnosis"]["status"] == "ok" and doc["diagnosis"]["primary_cause"] is None
    assert doc["engine"]["product"] == "docker-engine"
    version = real_dockerd.docker("version", "--format", "{{.Server.Version}}").stdout.strip()
    assert doc["engine"]["server_version"] == version
    layers = {layer["layer"]: layer for layer in doc["chain"]}
    assert layers["api-server"]["pid"] == real_dockerd.pid
    assert layers["runtime"]["name"] == "runc" and layers["runtime"]["shims"] >= 1
    assert layers["containers"]["running"] >= 1
    human = cdoctor("-H", real_dockerd.host)
    assert human.returncode == 0 and "✓" in human.stdout and "runc" in human.stdout


def test_bare_cdoctor_takes_diagnose_options(tmp_path: Path) -> None:
    from doctor.commands.grammar import default_to_diagnose

    assert default_to_diagnose(["-H", "unix:///x", "-f", "json"]) == ["-H", "unix:///x", "diagnose", "-f", "json"]
    assert default_to_diagnose(["--context=colima", "-v"]) == ["--context=colima", "diagnose", "-v"]
    assert default_to_diagnose(["--tls", "check", "--wait", "5s"]) == ["--tls", "check", "--wait", "5s"]
    assert default_to_diagnose(["--help"]) == ["--help"]
    assert default_to_diagnose([]) == []
    r = cdoctor("-H", f"unix://{tmp_path}/x.sock", "--format", "json", "--timeout", "1")
    assert r.returncode == 1 and json.loads(r.stdout)["tool"]["timeout"] == 1.0


def test_console_script() -> None:
    """The installed `cdoctor` entry point runs (pip install puts it on PATH)."""
    import shutil
    import subprocess
    import sys

    # The entry point of the environment running the tests (a venv's bin/), else PATH's.
    beside = Path(sys.executable).parent / "cdoctor"
    exe = str(beside) if beside.exists() else shutil.which("cdoctor")
    if exe is None:
        pytest.skip("cdoctor is not installed (pip install -e .)")
    r = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("cdoctor ")
