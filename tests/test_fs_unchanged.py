"""A whole run leaves the filesystem exactly as it was: HOME (read-only too), the config dir, /tmp."""

from __future__ import annotations

import json
import os
from contextlib import nullcontext
from pathlib import Path

import pytest

from tests.conftest import cdoctor, read_only


def snapshot(root: Path) -> dict[str, tuple[int, int, int, float]]:
    """path -> (mode, size, inode, mtime) of everything under root, symlinks not followed."""
    out: dict[str, tuple[int, int, int, float]] = {}
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            out[p] = (st.st_mode, st.st_size, st.st_ino, st.st_mtime)
    st = os.lstat(root)
    out[str(root)] = (st.st_mode, st.st_size, st.st_ino, st.st_mtime)
    return out


def tmp_names() -> set[str]:
    """Entries directly in /tmp that could be cdoctor's (other test suites share /tmp while this runs,
    so only names that say docker/cdoctor count; TMPDIR below catches every tempfile use)."""
    return {n for n in os.listdir("/tmp") if "docker" in n.lower() or "cdoctor" in n.lower()}


def populated_home(home: Path) -> Path:
    config = home / ".docker"
    (config / "contexts" / "meta" / ("a" * 64)).mkdir(parents=True)
    (config / "contexts" / "meta" / ("a" * 64) / "meta.json").write_text(
        json.dumps({"Name": "a", "Endpoints": {"docker": {"Host": "unix:///nowhere.sock"}}})
    )
    (config / "config.json").write_text(json.dumps({"currentContext": "a", "auths": {"x": {"auth": "c2VjcmV0"}}}))
    return config


@pytest.mark.parametrize("home_read_only", [False, True], ids=["writable-home", "read-only-home"])
@pytest.mark.parametrize(
    "command",
    [
        ("diagnose", "--format", "json"),
        ("diagnose",),
        ("stack",),
        ("report",),
        ("check",),
        ("explain", "Cannot connect to the Docker daemon at unix:///nowhere.sock. Is the docker daemon running?"),
        # `cdoctor fix` writes only after confirmation: --dry-run, --shell and no terminal write nothing.
        ("fix", "--dry-run"),
        ("fix", "--shell", "bash"),
        ("fix",),
    ],
)
def test_run_writes_nothing(home: Path, tmp_path: Path, home_read_only: bool, command: tuple[str, ...]) -> None:
    config = populated_home(home)
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    env = {"HOME": str(home), "DOCKER_CONFIG": str(config), "TMPDIR": str(tmpdir)}
    with read_only(home) if home_read_only else nullcontext([]) as prefix:
        before_home, before_tmp = snapshot(home), tmp_names()
        r = cdoctor(*command, "--timeout", "1", env=env, prefix=prefix)
        after_home, after_tmp = snapshot(home), tmp_names()
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode in (0, 1, 2), r.stderr
    assert after_home == before_home
    assert after_tmp - before_tmp == set()
    assert list(tmpdir.iterdir()) == []


def test_explain_offline_writes_nothing(home: Path) -> None:
    populated_home(home)
    before, before_tmp = snapshot(home), tmp_names()
    r = cdoctor("explain", "--offline", "--format", "json", input="Cannot connect to the Docker daemon at unix:///x.sock")
    assert r.returncode in (0, 1), r.stderr
    assert snapshot(home) == before
    assert tmp_names() - before_tmp == set()
