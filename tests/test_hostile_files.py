"""Broken and hostile config.json, meta.json and context stores: a finding, never a traceback or a hang."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import cdoctor

# No network probe can wait longer than --timeout 1; reading files must not either.
RUN_LIMIT = 1.0 + 4.0  # one deadline + starting Python on a busy 2-core machine


def run_json(
    home: Path, *args: str, env: dict[str, str] | None = None, user: tuple[int, int] | None = None, timeout: str = "1"
) -> dict[str, Any]:
    started = time.monotonic()
    r = cdoctor("diagnose", "--format", "json", "--timeout", timeout, *args, env={"HOME": str(home), **(env or {})}, user=user)
    assert time.monotonic() - started < RUN_LIMIT
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode in (0, 1, 2), r.stderr
    doc: dict[str, Any] = json.loads(r.stdout)
    return doc


def finding_ids(doc: dict[str, Any]) -> set[str]:
    return {f["id"] for f in doc["findings"]}


def meta_dir(config: Path, name: str) -> Path:
    d = config / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    d.mkdir(parents=True, exist_ok=True)
    return d


CONFIG_CASES: dict[str, bytes] = {
    "invalid-json": b"{bad",
    "wrong-types": b'{"currentContext": 42, "auths": [], "proxies": "x", "credsStore": {}}',
    "top-level-array": b"[1, 2, 3]",
    "bom": b'\xef\xbb\xbf{"currentContext": "nowhere"}',
    "non-utf8": b'{"currentContext": "\xff\xfe\xfa"}',
    "nul-bytes": b"\x00" * 1000,
    "deep-nesting": b"[" * 100_000 + b"]" * 100_000,
}


# What the docker CLI itself makes of each (28.2.2 and 20.10.24 agree): every one but
# non-UTF-8 fails to decode ("WARNING: Error parsing config file … invalid character 'ï'",
# "cannot unmarshal number into Go struct field ConfigFile.currentContext", "exceeded max
# depth"), so the CLI ignores the file; Go decodes invalid UTF-8 inside a string as U+FFFD,
# so non-utf8 names a context "���" that does not exist.
CONFIG_CAUSES = dict.fromkeys(CONFIG_CASES, "invalid-config") | {"non-utf8": "context-not-found"}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_broken_config_json(home: Path, case: str) -> None:
    (home / ".docker").mkdir()
    (home / ".docker" / "config.json").write_bytes(CONFIG_CASES[case])
    doc = run_json(home)
    assert doc["diagnosis"]["status"] == "broken"
    assert doc["diagnosis"]["primary_cause"] == CONFIG_CAUSES[case]


def test_huge_config_json(home: Path) -> None:
    (home / ".docker").mkdir()
    with open(home / ".docker" / "config.json", "wb") as f:
        f.write(b'{"x": "')
        f.truncate(64 * 1024 * 1024)  # sparse: 64 MiB that cost nothing to write
    doc = run_json(home)
    assert doc["diagnosis"]["status"] == "broken"


def test_config_json_is_a_directory(home: Path) -> None:
    (home / ".docker" / "config.json").mkdir(parents=True)
    doc = run_json(home)
    assert doc["diagnosis"]["status"] == "broken"


def test_config_json_is_a_fifo(home: Path) -> None:
    """A named pipe would block a plain open() forever."""
    (home / ".docker").mkdir()
    os.mkfifo(home / ".docker" / "config.json")
    doc = run_json(home)
    assert doc["diagnosis"]["primary_cause"] == "invalid-config"
    assert "not a regular file" in doc["diagnosis"]["summary"]


@pytest.mark.parametrize(
    "content",
    [b"{bad", b'{"Name": 7, "Endpoints": []}', b"\xef\xbb\xbf{}", b"\xff\xfe", b"null"],
    ids=["invalid-json", "wrong-types", "bom", "non-utf8", "null"],
)
def test_broken_meta_json(home: Path, content: bytes) -> None:
    config = home / ".docker"
    (meta_dir(config, "bad") / "meta.json").write_bytes(content)
    (config / "config.json").write_text(json.dumps({"currentContext": "bad"}))
    doc = run_json(home)
    assert doc["diagnosis"]["status"] == "broken"


def test_meta_json_is_a_directory(home: Path) -> None:
    config = home / ".docker"
    (meta_dir(config, "dir") / "meta.json").mkdir()
    (config / "config.json").write_text(json.dumps({"currentContext": "dir"}))
    doc = run_json(home)
    assert doc["diagnosis"]["status"] == "broken"


def test_digest_mismatch_and_symlink_loops(home: Path) -> None:
    config = home / ".docker"
    wrong = config / "contexts" / "meta" / ("0" * 64)
    wrong.mkdir(parents=True)
    (wrong / "meta.json").write_text(json.dumps({"Name": "liar", "Endpoints": {"docker": {"Host": "unix:///nowhere"}}}))
    loop = config / "contexts" / "meta" / ("1" * 64)
    loop.symlink_to(loop)
    a, b = config / "contexts" / "meta" / ("2" * 64), config / "contexts" / "meta" / ("3" * 64)
    a.symlink_to(b)
    b.symlink_to(a)
    (meta_dir(config, "self") / "meta.json").symlink_to(meta_dir(config, "self") / "meta.json")
    doc = run_json(home)
    # None of them is the context in use (there is none): the default endpoint is.
    assert doc["endpoint"]["host"] == "unix:///var/run/docker.sock"


def test_thousands_of_contexts(home: Path) -> None:
    config = home / ".docker"
    for i in range(3000):
        doc = {"Name": f"c{i}", "Metadata": {}, "Endpoints": {"docker": {"Host": f"unix:///nowhere/{i}.sock"}}}
        (meta_dir(config, f"c{i}") / "meta.json").write_text(json.dumps(doc))
    (config / "config.json").write_text(json.dumps({"currentContext": "c7"}))
    # What is tested is that the store's size does not lose the context in use; how fast
    # a big store is read is bench/bench.py's budget, so a loaded machine gets time here.
    doc = run_json(home, timeout="5")
    assert doc["endpoint"]["host"] == "unix:///nowhere/7.sock"


@pytest.fixture
def open_home() -> Iterator[Path]:
    """A HOME that another user may enter (pytest's tmp_path is private to root)."""
    d = Path(tempfile.mkdtemp(prefix="cdh-", dir="/tmp"))
    d.chmod(0o755)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_unreadable_config_and_meta_as_another_user(open_home: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to run cdoctor as another user")
    if not shutil.which("unshare") or not shutil.which("setpriv"):
        pytest.skip("needs unshare and setpriv to run cdoctor as another user")
    config = open_home / ".docker"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"currentContext": "locked"}))
    meta = meta_dir(config, "locked")
    (meta / "meta.json").write_text("{}")
    for p in (config / "config.json", meta / "meta.json"):
        p.chmod(0o000)
    for d in (config, config / "contexts", config / "contexts" / "meta", meta):
        d.chmod(0o755)
    # In a private mount namespace the interpreter is made reachable for `nobody`
    # (it may live under /root, 0700), as tests/test_sockets.py does.
    from tests.test_sockets import isolated_cdoctor

    r, _seconds = isolated_cdoctor("diagnose", "--format", "json", home=open_home, user=(65534, 65534))
    assert "Traceback" not in r.stderr, r.stderr
    doc = json.loads(r.stdout)
    assert doc["diagnosis"]["status"] == "broken"
    assert "permission denied" in json.dumps(doc).lower()
