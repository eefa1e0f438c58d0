"""Socket states built for real, each diagnosed by cdoctor as a real subprocess.

Every state is a real file system object (a missing path, a dangling symlink into a
product's directory, a symlink loop, a regular file, a stale socket, a socket that
accepts and never answers, another user's 0600 socket, a directory we may not
search). Each test asserts one specific fact of the socket inventory, the cause
cdoctor names, and that the run ends within its probe deadline plus a small constant.

cdoctor runs in its own PID namespace (`unshare --pid --mount-proc`): it sees only
the processes the test starts there, so engines other tests (or other people) run
on this machine cannot turn "nothing answers" into "another engine answers".
Permission states run cdoctor as an unprivileged user (`setpriv`): root passes every
permission check. Needs root, unshare and setpriv; skipped otherwise.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"),
    reason="needs root, unshare and setpriv to build socket states and switch users",
)

TIMEOUT = 1.0  # cdoctor --timeout: the probe deadline
SLACK = 4.0  # interpreter start-up, imports and namespace set-up on a slow CI machine

HANGING_LISTENER = (
    "import socket, sys, time\n"
    "s = socket.socket(socket.AF_UNIX)\n"
    "s.bind(sys.argv[1]); s.listen(64)\n"
    "open(sys.argv[2], 'w').close()\n"
    "time.sleep(120)\n"  # accepts (the kernel's backlog does) and never answers
)


def _expose_for(uid: int) -> list[str]:
    """Shell lines that, inside the private mount namespace, make the interpreter and
    the source readable to `uid`: a parent such as /root (0700) is covered by a 0755
    directory holding bind mounts of only the children on the way."""
    needed = {Path(sys.prefix), Path(sys.base_prefix), ROOT}
    lines: list[str] = []
    covered: dict[Path, set[str]] = {}
    for target in needed:
        for parent in reversed(target.parents):
            st = parent.stat()
            if st.st_mode & 0o001 == 0 and st.st_uid != uid:
                child = target.relative_to(parent).parts[0]
                covered.setdefault(parent, set()).add(child)
                break
    for n, (parent, children) in enumerate(covered.items()):
        stage = f"/tmp/.cdoctor-expose-{os.getpid()}-{n}"
        lines.append(f"mkdir -p {stage} && chmod 755 {stage}")
        for child in sorted(children):
            lines.append(f"mkdir -p {stage}/{shlex.quote(child)}")
            lines.append(f"mount --bind {shlex.quote(str(parent / child))} {stage}/{shlex.quote(child)}")
        lines.append(f"mount --rbind {stage} {shlex.quote(str(parent))}")
    return lines


def isolated_cdoctor(
    *args: str,
    home: Path,
    user: tuple[int, int] | None = None,
    before: str = "",
) -> tuple[subprocess.CompletedProcess[str], float]:
    """cdoctor in a PID namespace of its own; (result, wall seconds of cdoctor alone)."""
    cmd = [sys.executable, "-m", "doctor", *args]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user[0]}", f"--regid={user[1]}", "--clear-groups", "--", *cmd]
    script = ["set -e", *(_expose_for(user[0]) if user else []), before]
    # Time cdoctor itself, not the namespace set-up around it.
    script.append('start=$(date +%s.%N); set +e; ' + shlex.join(cmd) + '; rc=$?; end=$(date +%s.%N)')
    script.append('echo "$start $end" > "$CDOCTOR_TIMES"; exit $rc')
    times = home.parent / f"times-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "CDOCTOR_TIMES": str(times),
        "NO_COLOR": "1",
    }
    result = subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", "\n".join(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=60,
        check=False,
    )
    start, end = (float(x) for x in times.read_text().split())
    return result, end - start


def diagnose(host: str, home: Path, **kw: Any) -> tuple[dict[str, Any], float]:
    r, seconds = isolated_cdoctor("-H", host, "diagnose", "--format", "json", "--timeout", str(TIMEOUT), home=home, **kw)
    assert r.returncode in (0, 1, 2), r.stderr
    return json.loads(r.stdout), seconds


def sock_entry(doc: dict[str, Any], path: str) -> dict[str, Any]:
    for s in doc["inventory"]["sockets"]:
        if s["path"] == path:
            return s
    raise AssertionError(f"{path} not in the socket inventory: {[s['path'] for s in doc['inventory']['sockets']]}")


def primary(doc: dict[str, Any]) -> dict[str, Any]:
    cause = doc["diagnosis"]["primary_cause"]
    return next(f for f in doc["findings"] if f["cause"] == cause and f["severity"] == "error")


@pytest.fixture
def shared_dir(engine_dir: Path) -> Path:
    """engine_dir, searchable by the unprivileged users of the permission tests."""
    engine_dir.chmod(0o755)
    return engine_dir


def user_home(shared_dir: Path, user: tuple[int, int]) -> Path:
    """A HOME the unprivileged user may read (pytest's tmp_path is root's alone)."""
    home = shared_dir / "home"
    home.mkdir(mode=0o755)
    os.chown(home, *user)
    return home


def assert_in_time(seconds: float) -> None:
    assert seconds < TIMEOUT + SLACK, f"cdoctor took {seconds:.1f}s with --timeout {TIMEOUT}"


def test_missing_socket(home: Path, engine_dir: Path) -> None:
    path = f"{engine_dir}/docker.sock"
    doc, seconds = diagnose("unix://" + path, home)
    s = sock_entry(doc, path)
    assert s["type"] == "missing" and not s["dangling"]
    assert doc["endpoint"]["probe"]["outcome"] == "socket-missing"
    assert doc["endpoint"]["probe"]["errno"] == "ENOENT"
    # dockerd/podman are installed on the machines that run this: "not running", not "not installed".
    assert doc["diagnosis"]["primary_cause"] in ("engine-not-running", "engine-not-installed")
    assert_in_time(seconds)


def test_dangling_symlink_into_colima(home: Path, engine_dir: Path) -> None:
    """A link left by a stopped product names the product and how to start it."""
    (home / ".colima" / "default").mkdir(parents=True)
    target = home / ".colima" / "default" / "docker.sock"
    link = engine_dir / "docker.sock"
    link.symlink_to(target)
    doc, seconds = diagnose(f"unix://{link}", home)
    s = sock_entry(doc, str(link))
    assert s["dangling"] is True
    assert s["symlink"] == ["~/.colima/default/docker.sock"]
    assert doc["endpoint"]["probe"]["outcome"] == "socket-missing"
    finding = primary(doc)
    assert finding["cause"] == "engine-not-running"
    assert "colima" in finding["title"]
    assert any(f.startswith("colima start") for f in finding["fix"]), finding["fix"]
    api = next(layer for layer in doc["chain"] if layer["layer"] == "api-server")
    assert api["seen"] is False and api["expected_product"] == "colima"
    endpoint = next(layer for layer in doc["chain"] if layer["layer"] == "endpoint")
    assert endpoint["target"] == "~/.colima/default/docker.sock" and endpoint["dangling"] is True
    assert_in_time(seconds)


def test_symlink_loop(home: Path, engine_dir: Path) -> None:
    a, b = engine_dir / "a.sock", engine_dir / "b.sock"
    a.symlink_to(b)
    b.symlink_to(a)
    doc, seconds = diagnose(f"unix://{a}", home)
    s = sock_entry(doc, str(a))
    assert s["loop"] is True and s["dangling"] is False
    assert doc["endpoint"]["probe"]["errno"] == "ELOOP"
    finding = primary(doc)
    assert finding["cause"] == "engine-not-running"
    assert "loop" in finding["title"]
    assert_in_time(seconds)


def test_regular_file_instead_of_socket(home: Path, engine_dir: Path) -> None:
    path = engine_dir / "docker.sock"
    path.write_text("")
    doc, seconds = diagnose(f"unix://{path}", home)
    s = sock_entry(doc, str(path))
    assert s["type"] == "file"
    assert doc["endpoint"]["probe"]["outcome"] == "refused"
    assert doc["endpoint"]["probe"]["errno"] == "ECONNREFUSED"
    finding = primary(doc)
    assert finding["cause"] == "engine-not-running"
    assert "regular file" in finding["title"]
    assert_in_time(seconds)


def test_stale_socket(home: Path, engine_dir: Path) -> None:
    path = engine_dir / "docker.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))  # bound, never listening, then closed: the file stays
    doc, seconds = diagnose(f"unix://{path}", home)
    entry = sock_entry(doc, str(path))
    assert entry["type"] == "socket" and entry["listeners"] == []
    assert doc["endpoint"]["probe"]["errno"] == "ECONNREFUSED"
    finding = primary(doc)
    assert finding["cause"] == "engine-not-running"
    assert "stale socket" in finding["title"]
    assert_in_time(seconds)


def test_socket_that_never_answers(home: Path, engine_dir: Path) -> None:
    path = engine_dir / "docker.sock"
    ready = engine_dir / "ready"
    before = (
        f"{shlex.quote(sys.executable)} -c {shlex.quote(HANGING_LISTENER)} {path} {ready} &\n"
        f"while [ ! -e {ready} ]; do sleep 0.05; done"
    )
    doc, seconds = diagnose(f"unix://{path}", home, before=before)
    entry = sock_entry(doc, str(path))
    # Who holds it, read from /proc: the listener the test started (a python process).
    assert [x["name"] for x in entry["listeners"]] and all("python" in x["name"] for x in entry["listeners"]), entry[
        "listeners"
    ]
    assert doc["endpoint"]["probe"]["outcome"] == "no-answer"
    finding = primary(doc)
    assert finding["cause"] == "engine-unresponsive"
    assert "python" in finding["detail"]  # names the process that holds the socket
    assert_in_time(seconds)


def test_socket_of_another_user(shared_dir: Path, system_user: Callable[[str], tuple[int, int]]) -> None:
    """Someone else's rootless engine: their socket, mode 0600; we are a third user."""
    owner = system_user("cdoctor-owner")
    me = system_user("cdoctor-other")
    path = shared_dir / "docker.sock"
    listener = socket.socket(socket.AF_UNIX)
    try:
        listener.bind(str(path))
        listener.listen(8)
        os.chown(path, *owner)
        path.chmod(0o600)
        doc, seconds = diagnose(f"unix://{path}", user_home(shared_dir, me), user=me)
    finally:
        listener.close()
    entry = sock_entry(doc, str(path))
    assert entry["owner"] == "cdoctor-owner" and entry["mode"] == "0600"
    assert entry["may_connect"] is False
    assert doc["endpoint"]["probe"]["errno"] == "EACCES"
    finding = primary(doc)
    assert finding["cause"] == "permission-denied"
    assert finding["data"]["permission"] == "socket-owner"
    assert "cdoctor-owner" in finding["title"]
    assert_in_time(seconds)


def test_directory_without_search_permission(shared_dir: Path, system_user: Callable[[str], tuple[int, int]]) -> None:
    me = system_user("cdoctor-other")
    locked = shared_dir / "locked"
    locked.mkdir(mode=0o700)
    path = locked / "docker.sock"
    listener = socket.socket(socket.AF_UNIX)
    try:
        listener.bind(str(path))
        listener.listen(8)
        path.chmod(0o666)  # the socket itself would let anyone in: the directory does not
        doc, seconds = diagnose(f"unix://{path}", user_home(shared_dir, me), user=me)
    finally:
        listener.close()
    entry = sock_entry(doc, str(path))
    assert entry["blocked_dir"] == str(locked)
    assert entry["may_connect"] is False
    assert doc["endpoint"]["probe"]["errno"] == "EACCES"
    finding = primary(doc)
    assert finding["cause"] == "permission-denied"
    assert finding["data"]["permission"] == "directory"
    assert str(locked) in finding["title"]
    assert_in_time(seconds)


ACTIVATION_PID1 = r"""
import json, os, socket, subprocess, sys
# We are pid 1 of a fresh PID namespace: the stand-in for systemd holding two sockets.
endpoint, other, home = sys.argv[1], sys.argv[2], sys.argv[3]
held = []
for path in (endpoint, other):
    s = socket.socket(socket.AF_UNIX)
    s.bind(path); s.listen(8); s.setblocking(False)
    held.append(s)
cfg = os.path.join(home, ".docker")
r = subprocess.run(
    [sys.executable, "-m", "doctor", "-H", "unix://" + endpoint, "diagnose", "--format", "json",
     "--timeout", "1"],
    capture_output=True, text=True, timeout=60,
)
connections = 0
for s in held:
    try:
        while True:
            s.accept()[0].close()
            connections += 1
    except BlockingIOError:
        pass
print(json.dumps({"rc": r.returncode, "stdout": r.stdout, "stderr": r.stderr, "connections": connections}))
"""


def test_socket_activation_is_not_touched(home: Path, engine_dir: Path) -> None:
    """Only pid 1 holds the sockets: cdoctor says so and connects to neither."""
    endpoint, other = f"{engine_dir}/docker.sock", f"{engine_dir}/podman.sock"
    # A context makes the second socket a candidate of the inventory.
    from tests.engines import write_context

    write_context(home / ".docker", "other", "unix://" + other)
    r = subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", ACTIVATION_PID1, endpoint, other, str(home)],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT)},
        timeout=90,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["connections"] == 0, "cdoctor connected to a socket-activated socket"
    doc = json.loads(out["stdout"])
    ids = {(f["check"], f["id"]) for f in doc["findings"]}
    assert ("endpoint-connection", "socket-activation") in ids
    assert ("activated-sockets", "socket-activation") in ids
    assert sock_entry(doc, other)["activation"] is True
    assert sock_entry(doc, other)["probe"]["outcome"] == "not-probed"
