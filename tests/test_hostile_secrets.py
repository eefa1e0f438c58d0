"""Secrets (issue 11, Why 3): every shape of secret the issue found surviving, in every output.

A context endpoint `tcp://admin:PASSWORD@host:1` put PASSWORD into the fix line
`nc -vz admin:PASSWORD@…` in every format; `check --wait` printed
`ssh://alice:PASSWORD@build-host`; a password with `@`, a proxy password over
512 characters, a token as the only userinfo, `*_KEY` and `DB_PASS` values, a
pasted `password:` line and `https://glpat-…@host` survived.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import pytest

from tests.conftest import cdoctor
from tests.engines import write_context

PASSWORD = "CtxPassw0rdPlanted"
AT_LEFT, AT_RIGHT = "AtPassLeft77", "AtPassRight88"
LONG = "L" * 600 + "ongProxyPasswordEnd"
TOKEN = "ghp_" + "T0kenOnlyUserinfo" + "x" * 20
KEY_VALUE = "SigningKeyValuePlanted"
DB_PASS = "DbPassValuePlanted"
GLPAT = "glpat-" + "GitLabTokenPlanted00"

PARTS = (PASSWORD, AT_LEFT, AT_RIGHT, LONG[-40:], TOKEN, KEY_VALUE, DB_PASS, GLPAT)

ENV = {
    "HTTP_PROXY": f"http://proxy:{LONG}@10.1.2.3:3128",
    "HTTPS_PROXY": f"http://{TOKEN}@proxy.example:3128",
    "NO_PROXY": f"http://u:{AT_LEFT}@{AT_RIGHT}@proxy",
    "SIGNING_KEY": KEY_VALUE,
    "DB_PASS": DB_PASS,
}

COMMANDS = (
    ("diagnose",),
    ("diagnose", "-v", "--format", "json"),
    ("report",),
    ("report", "--anonymize"),
    ("report", "--format", "json"),
    ("report", "--format", "json", "--anonymize"),
    ("check", "-v"),
    ("check", "--format", "json"),
    ("check", "--format", "junit", "--require-server", "24.0"),
)


def assert_clean(text: str, where: str) -> None:
    for part in PARTS:
        assert part not in text, f"{part[:24]}… leaked in {where}"


@pytest.mark.parametrize("args", COMMANDS)
def test_a_context_password_is_in_no_output(home: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    cfg = home / ".docker"
    write_context(cfg, "pw", f"tcp://admin:{PASSWORD}@127.0.0.1:1")
    (cfg / "config.json").write_text(json.dumps({"currentContext": "pw"}))
    summary = tmp_path / "summary.md"
    env = {**ENV, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    r = cdoctor(*args, "--timeout", "1", env=env)
    assert r.returncode in (0, 1, 2), r.stderr
    assert_clean(r.stdout, f"{args} stdout")
    assert_clean(r.stderr, f"{args} stderr")
    if summary.exists():
        assert_clean(summary.read_text(), f"{args} step summary")
    if args[0] == "diagnose" and "json" in args:
        fixes = [x for f in json.loads(r.stdout)["findings"] for x in f["fix"]]
        assert not any("admin:" in x for x in fixes), fixes  # built from the parsed host, not redacted after


def test_check_wait_names_no_password(tmp_path: Path) -> None:
    """`check --wait` printed ssh://alice:PASSWORD@build-host in its verdict."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    ssh = bindir / "ssh"
    ssh.write_text("#!/bin/sh\necho 'ssh: connect to host build-host port 22: Connection refused' >&2\nexit 255\n")
    ssh.chmod(0o755)
    env = {"DOCKER_HOST": f"ssh://alice:{PASSWORD}@build-host", "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    for fmt in ("human", "json", "junit"):
        r = cdoctor("check", "--wait", "1s", "--format", fmt, "--timeout", "0.5", env=env)
        assert r.returncode in (1, 4), r.stderr
        assert_clean(r.stdout + r.stderr, f"check --wait --format {fmt}")


def test_pasted_secrets_are_removed_from_explain() -> None:
    text = (
        "password: hunter2-" + PASSWORD + "\n"
        f"error during connect: Get \"https://oauth2:{GLPAT}@gitlab.example/v2/\": x509\n"
        f"DB_PASS={DB_PASS} SIGNING_KEY={KEY_VALUE}\n"
        f"Cannot connect to the Docker daemon at tcp://admin:{AT_LEFT}@{AT_RIGHT}@10.9.9.9:2375.\n"
    )
    for args in (("--offline",), ("--offline", "--format", "json"), ("--offline", "--format", "markdown"), ("--timeout", "1")):
        r = cdoctor("explain", *args, input=text, env={"DOCKER_HOST": "unix:///nonexistent/cdoctor.sock"})
        assert r.returncode in (0, 1), r.stderr
        assert_clean(r.stdout + r.stderr, f"explain {args}")


def test_fix_lines_are_built_from_the_parsed_host() -> None:
    from doctor.knowledge import fixes

    assert fixes.nc_line(f"tcp://admin:{PASSWORD}@127.0.0.1:1").startswith("nc -vz 127.0.0.1 1")
    lines = fixes.offline_fixes("ssh-error", {}, f"ssh://alice:{PASSWORD}@build-host")
    assert not any(PASSWORD in x for x in lines) and any("alice@build-host" in x for x in lines), lines
    for line in fixes.offline_fixes("ssh-error", {}, "ssh://-oProxyCommand=touch%20x"):
        if line.startswith("ssh "):
            argv = shlex.split(line.split("    #")[0])
            assert "--" in argv and argv.index("--") < argv.index("-oProxyCommand=touch%20x"), line


def test_anonymize_replaces_ipv6(home: Path) -> None:
    env = {"DOCKER_HOST": "tcp://[2001:db8::7]:2375", "NO_PROXY": "fe80::1%eth0,2001:db8:0:0:0:0:0:9"}
    r = cdoctor("report", "--anonymize", "--format", "json", "--timeout", "1", env=env)
    assert r.returncode in (0, 1), r.stderr
    for ip in ("2001:db8::7", "fe80::1", "2001:db8:0:0:0:0:0:9"):
        assert ip not in r.stdout, ip
    assert "IP addresses" in json.loads(r.stdout)["report"]["redaction"]["anonymized"]
