"""API floors: the real old docker CLI (Debian's 20.10, API 1.41) against a server that
enforces Engine 29's floor of 1.44 (tests/fakeengine.py, reconstructed from moby's
version middleware), and the real engine of this machine as the negative control."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from checks import api_floor as af
from doctor.api import DockerCLI
from tests.conftest import cdoctor
from tests.fakeengine import FakeEngine

OLD = "/usr/bin/docker"  # Debian's docker.io 20.10
NEW = "/usr/local/bin/docker"  # 28.2.2


def _need_old_cli() -> None:
    try:
        out = subprocess.run([OLD, "--version"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        pytest.skip(f"needs {OLD}")
    if "20.10" not in out:
        pytest.skip(f"{OLD} is not Debian's 20.10 CLI: {out.strip()}")


def _doc(proc: subprocess.CompletedProcess[str]) -> dict[str, object]:
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _findings(doc: dict[str, object], fid: str) -> list[dict[str, object]]:
    return [f for f in doc["findings"] if f["id"] == fid]  # type: ignore[union-attr,index]


@pytest.fixture
def floor_engine(engine_dir: Path) -> object:
    with FakeEngine(str(engine_dir / "e29.sock"), min_api="1.44") as e:
        yield e


def test_old_cli_first_on_path_is_refused_and_status_is_not_ok(floor_engine: FakeEngine) -> None:
    _need_old_cli()
    # The user's own docker really fails against the floor …
    real = subprocess.run([OLD, "-H", floor_engine.host, "ps"], capture_output=True, text=True, timeout=20)
    assert real.returncode != 0
    assert "client version 1.41 is too old. Minimum supported API version is 1.44" in real.stderr
    # … so cdoctor must not say ok, and must name that CLI and the fix.
    env = {"DOCKER_HOST": floor_engine.host, "PATH": "/usr/bin:/bin:/usr/local/bin"}
    proc = cdoctor("--format", "json", env=env)
    doc = _doc(proc)
    assert doc["diagnosis"]["status"] != "ok", doc["diagnosis"]  # type: ignore[index]
    assert doc["diagnosis"]["primary_cause"] == "api-version-mismatch", [(f["id"], f["title"]) for f in doc["findings"] if f["severity"] == "error"]  # type: ignore[index]
    [f] = _findings(doc, "api-floor-refused")
    assert f["severity"] == "error" and OLD in f["title"] and "1.44" in f["title"]
    fixes = "\n".join(f["fix"])  # type: ignore[arg-type]
    assert f"alias docker={NEW}" in fixes and "DOCKER_API_VERSION=1.44" in fixes
    assert proc.returncode == 1


def test_new_cli_first_on_path_leaves_a_warning_for_the_old_one(floor_engine: FakeEngine) -> None:
    _need_old_cli()
    real = subprocess.run([NEW, "-H", floor_engine.host, "ps"], capture_output=True, text=True, timeout=20)
    assert real.returncode == 0, real.stderr
    proc = cdoctor("--format", "json", env={"DOCKER_HOST": floor_engine.host, "PATH": "/usr/local/bin:/usr/bin:/bin"})
    doc = _doc(proc)
    [f] = _findings(doc, "api-floor-refused")
    assert f["severity"] == "warning" and f["cause"] is None and OLD in f["title"]
    assert doc["diagnosis"]["primary_cause"] is None  # type: ignore[index]


@pytest.mark.engine
def test_real_engine_accepts_every_cli_here(real_dockerd: object) -> None:
    _need_old_cli()
    proc = cdoctor("--format", "json", env={"DOCKER_HOST": real_dockerd.host,  # type: ignore[attr-defined]
                                            "PATH": "/usr/bin:/bin:/usr/local/bin"})  # fmt: skip
    doc = _doc(proc)
    assert _findings(doc, "api-floor-ok") and not _findings(doc, "api-floor-refused")


def _cli(v: tuple[int, int, int], first: bool = True) -> DockerCLI:
    return DockerCLI(f"/x/{v[0]}/docker", f"/x/{v[0]}/docker", first, v)


def test_versions_pure() -> None:
    assert af.cli_api((20, 10, 24)) == "1.41" and af.cli_api((28, 2, 2)) == "1.50" and af.cli_api((30, 1, 0)) == "1.53"
    assert af.verdict(_cli((20, 10, 24)), "1.44", "1.52")[0] is True
    assert af.verdict(_cli((20, 10, 24)), "1.40", "1.53")[0] is False  # 29.3+ lowered the floor to 1.40
    assert af.verdict(_cli((25, 0, 0)), "1.44", "1.52")[0] is False
    # A 29.0–29.2 CLI refuses Podman's compat API 1.41 itself (podman#27890); 29.3+ does not.
    assert af.verdict(_cli((29, 1, 0)), "1.24", "1.41")[0] is True
    assert af.verdict(_cli((29, 4, 0)), "1.24", "1.41")[0] is False
    assert af.verdict(DockerCLI("/s", "/s", True, None, error="a script"), "1.44", "1.52")[0] is None


def test_daemon_json_fix_merges_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "daemon.json"
    path.write_text('{"log-driver": "journald", "min-api-version": "1.44"}')
    cmd = af.daemon_json_fix("1.41", rootless=False)
    code = cmd.split("python3 -c ", 1)[1].split(' "/etc/docker/daemon.json"')[0]
    import shlex
    import sys

    subprocess.run([sys.executable, "-c", shlex.split(code)[0], str(path)], check=True)
    assert json.loads(path.read_text()) == {"log-driver": "journald", "min-api-version": "1.41"}
    path.write_text("{not json")
    assert subprocess.run([sys.executable, "-c", shlex.split(code)[0], str(path)], capture_output=True).returncode != 0
    assert path.read_text() == "{not json"
