"""Credential helpers named in config.json but missing from PATH (the leftover `desktop`)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest

from checks.credentials import remove_fix
from doctor.gather.credentials import find_helpers
from tests.conftest import cdoctor
from tests.fakeengine import FakeRegistry


def test_find_helpers_looks_up_path_and_never_runs(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-pass"
    helper.write_text("#!/bin/sh\ntouch " + str(tmp_path / "ran") + "\n")
    helper.chmod(0o755)
    text = '{\n  "auths": {},\n  "credsStore": "desktop",\n  "credHelpers": {"gcr.io": "gcloud", "ghcr.io": "pass"}\n}'
    got = {h.name: h for h in find_helpers("/cfg/config.json", text, str(bin_dir))}
    assert got["desktop"].path is None and got["desktop"].line == 3 and got["desktop"].key == "credsStore"
    assert got["pass"].path == str(helper) and got["pass"].registries == ("ghcr.io",)
    assert got["gcloud"].path is None and got["gcloud"].registries == ("gcr.io",)
    assert not (tmp_path / "ran").exists()


def test_the_fix_removes_only_that_key(tmp_path: Path) -> None:
    cfg = tmp_path / "config.json"
    cfg.write_text('{"auths": {"r.example": {}}, "credsStore": "desktop", "credHelpers": {"a": "gone", "c": "gone", "b": "kept"}}')
    for h in find_helpers(str(cfg), cfg.read_text(), ""):
        if h.name == "kept":
            continue
        argv = shlex.split(remove_fix(h))
        subprocess.run(argv, check=True)
    assert json.loads(cfg.read_text()) == {"auths": {"r.example": {}}, "credHelpers": {"b": "kept"}}


@pytest.mark.engine
def test_leftover_desktop_helper_breaks_login_and_cdoctor_says_so(real_dockerd: object, home: Path) -> None:
    host = real_dockerd.host  # type: ignore[attr-defined]
    cfg_dir = home / ".docker"
    cfg_dir.mkdir()
    (cfg_dir / "config.json").write_text('{\n\t"auths": {},\n\t"credsStore": "desktop",\n\t"currentContext": "default"\n}\n')
    env = {**os.environ, "DOCKER_HOST": host, "HOME": str(home)}
    # What the user sees: docker ps works, docker login fails on the missing helper.
    ps = subprocess.run(["docker", "ps"], capture_output=True, text=True, env=env, timeout=30)
    assert ps.returncode == 0, ps.stderr
    with FakeRegistry() as reg:
        login = ["docker", "login", "-u", "u", "--password-stdin", reg.address]
        out = subprocess.run(login, input="pw\n", capture_output=True, text=True, env=env, timeout=30)
        assert 'exec: "docker-credential-desktop": executable file not found in $PATH' in out.stderr
    proc = cdoctor("--format", "json", env={"DOCKER_HOST": host})
    doc = json.loads(proc.stdout)
    assert doc["diagnosis"]["status"] == "degraded" and doc["diagnosis"]["primary_cause"] == "credential-helper-missing"
    [f] = [f for f in doc["findings"] if f["id"] == "credential-helper-missing"]
    assert "line 3" in f["evidence"][0] and "docker-credential-desktop" in f["title"]
    # The fix, pasted as printed, makes both the pull error and the finding go away.
    subprocess.run(shlex.split(f["fix"][0].split("    #")[0]), check=True)
    assert json.loads((cfg_dir / "config.json").read_text()) == {"auths": {}, "currentContext": "default"}
    with FakeRegistry() as reg:
        login = ["docker", "login", "-u", "u", "--password-stdin", reg.address]
        out = subprocess.run(login, input="pw\n", capture_output=True, text=True, env=env, timeout=30)
        assert out.returncode == 0 and "docker-credential-desktop" not in out.stderr, out.stderr
    doc = json.loads(cdoctor("--format", "json", env={"DOCKER_HOST": host}).stdout)
    assert doc["diagnosis"]["primary_cause"] is None
