"""Shared fixtures. Every test runs with a clean Docker environment of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

DOCKER_VARS = (
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_CONFIG",
    "DOCKER_TLS",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
    "DOCKER_API_VERSION",
    "DOCKER_TLS_CERTDIR",
    "CI",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "GITHUB_STEP_SUMMARY",
    "NO_COLOR",
)


@pytest.fixture(autouse=True)
def clean_docker_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No Docker variable leaks in from the machine; HOME is a fresh directory."""
    for var in DOCKER_VARS:
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def home(clean_docker_env: Path) -> Path:
    return clean_docker_env


def cdoctor(
    *args: str,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 60,
    user: tuple[int, int] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run cdoctor as a real subprocess: `python -m doctor` from this tree.

    Always this tree's code, whatever `cdoctor` on PATH points at (an editable
    install of another clone, say); test_console_script covers the entry point.
    """
    argv = [sys.executable, "-m", "doctor", *args]
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = str(ROOT) + (os.pathsep + full_env["PYTHONPATH"] if full_env.get("PYTHONPATH") else "")
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=timeout,
        check=False,
        cwd=str(ROOT),
        user=user[0] if user else None,
        group=user[1] if user else None,
        extra_groups=[] if user else None,
    )


def need(*binaries: str) -> None:
    from tests.engines import have

    if not have(*binaries):
        pytest.skip(f"needs {', '.join(binaries)} (installed by .ci/run)")


def need_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to start engines")


@pytest.fixture
def engine_dir(tmp_path: Path) -> Iterator[Path]:
    # Unix socket paths must stay under 108 bytes: use a short directory.
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="cd-", dir="/tmp"))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def session_dir() -> Iterator[Path]:
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="cds-", dir="/tmp"))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def real_containerd(session_dir: Path) -> Iterator[object]:
    """containerd alone (no Docker API), shared by the session."""
    need_root()
    need("containerd")
    from tests.engines import Containerd

    with Containerd(session_dir / "c1") as ctrd:
        yield ctrd


@pytest.fixture(scope="session")
def real_dockerd(session_dir: Path) -> Iterator[object]:
    """containerd + dockerd with one real busybox container running, shared by the session.

    Tests must not stop it or change its containers; start your own for that.
    """
    need_root()
    need("containerd", "dockerd", "docker", "busybox")
    from tests.engines import Containerd, Dockerd

    with Containerd(session_dir / "d1") as ctrd, Dockerd(session_dir / "d1", ctrd) as dockerd:
        dockerd.run_container()
        yield dockerd


@pytest.fixture(scope="session")
def real_podman(session_dir: Path) -> Iterator[object]:
    """`podman system service`, shared by the session."""
    need_root()
    need("podman")
    from tests.engines import PodmanService

    with PodmanService(session_dir / "p1") as podman:
        yield podman
