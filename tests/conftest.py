"""Shared fixtures. Every test runs with a clean Docker environment of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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


# Fixtures that start real engines: a test that uses one is an `engine` test.
ENGINE_FIXTURES = frozenset({"real_dockerd", "real_podman", "real_containerd"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if ENGINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.engine)


def pytest_runtest_setup(item: pytest.Item) -> None:
    from tests import engines

    engines.CURRENT_TEST_MARKED = item.get_closest_marker("engine") is not None


@pytest.fixture(autouse=True)
def clean_docker_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No Docker variable leaks in from the machine; HOME is a fresh directory."""
    for var in DOCKER_VARS:
        monkeypatch.delenv(var, raising=False)
    # A check that reads a fact it did not declare (requires=/optional=) crashes in tests.
    monkeypatch.setenv("CDOCTOR_DECLARED_FACTS_ONLY", "1")
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
    prefix: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """Run cdoctor as a real subprocess: `python -m doctor` from this tree.

    Always this tree's code, whatever `cdoctor` on PATH points at (an editable
    install of another clone, say); test_console_script covers the entry point.
    """
    argv = [*prefix, sys.executable, "-m", "doctor", *args]
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


def assert_could_not_run(r: subprocess.CompletedProcess[str], *names: str) -> None:
    """Exit 3 because of the arguments or the environment, said in one line that names
    what was wrong — not an internal error (which also exits 3, with other words)."""
    assert r.returncode == 3, (r.returncode, r.stdout, r.stderr)
    first = r.stderr.splitlines()[0] if r.stderr else ""
    assert first.startswith("cdoctor: "), r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    for name in names:
        assert name in r.stderr, (name, r.stderr)


# A read-only bind mount of $1 over itself in a private mount namespace, then the command.
_READ_ONLY = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'


@contextmanager
def read_only(directory: Path) -> Iterator[list[str]]:
    """Make `directory` read-only for a command; yields the argv prefix that runs it so.

    Root ignores mode bits, so as root it is a read-only bind mount in a private mount
    namespace; as another user, the write bits come off (and back on afterwards). Either
    way a write is tried first under the same prefix and must fail: a test that claims a
    read-only HOME cannot pass on a writable one.
    """
    import stat

    changed: list[Path] = []
    if os.geteuid() == 0:
        need("unshare", "mount")
        prefix = ["unshare", "--mount", "--propagation", "private", "sh", "-c", _READ_ONLY, "sh", str(directory)]
    else:
        prefix = []
        for p in [*sorted(directory.rglob("*"), reverse=True), directory]:
            if not p.is_symlink():
                p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
                changed.append(p)
    try:
        probe = subprocess.run(
            [*prefix, "sh", "-c", 'echo x > "$0/.write-probe"', str(directory)], capture_output=True, check=False
        )
        assert probe.returncode != 0 and not (directory / ".write-probe").exists(), "the directory is still writable"
        yield prefix
    finally:
        for p in changed:
            p.chmod(p.stat().st_mode | stat.S_IWUSR)


@pytest.fixture(scope="session")
def system_user() -> Iterator[Callable[[str], tuple[int, int]]]:
    """`system_user(name)` -> (uid, gid) of a system account made for the session; every
    account this made is deleted again at the end (userdel), so runs leave /etc/passwd
    as they found it."""
    import pwd

    need_root()
    need("useradd", "userdel")
    made: list[str] = []

    def make(name: str) -> tuple[int, int]:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                check=True,
                capture_output=True,
            )
            made.append(name)
            entry = pwd.getpwnam(name)
        return entry.pw_uid, entry.pw_gid

    yield make
    for name in made:
        subprocess.run(["userdel", name], check=False, capture_output=True)


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
