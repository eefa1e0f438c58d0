"""The process and socket inventory: command lines, symlink chains, access, real processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from doctor.api import PROCESSES, ProcessInfo
from doctor.gather import processes, sockets
from doctor.gather.processes import describe_process
from doctor.gather.sockets import SocketAccess, may_connect
from tests.conftest import cdoctor


def proc(name: str, *argv: str, user: str = "root") -> ProcessInfo:
    return describe_process(ProcessInfo(100, name, None, tuple(argv), user, 1))


# --- command lines (pure) ---------------------------------------------------------


def test_dockerd_hosts_and_containerd() -> None:
    p = proc(
        "dockerd", "/usr/bin/dockerd", "-H", "fd://", "--host=unix:///run/a.sock", "--containerd=/run/c/c.sock"
    )
    assert p.serves == ("fd://", "unix:///run/a.sock")
    assert p.containerd_address == "/run/c/c.sock"
    assert proc("dockerd", "/usr/bin/dockerd").serves == ("unix:///var/run/docker.sock",)


def test_containerd_address_forms() -> None:
    assert proc("containerd", "containerd", "-a", "/run/k3s/containerd/containerd.sock").serves == (
        "/run/k3s/containerd/containerd.sock",
    )
    assert proc("containerd", "containerd", "--address=/x.sock").serves == ("/x.sock",)
    assert proc("containerd", "/usr/bin/containerd").serves == ("/run/containerd/containerd.sock",)


def test_shim_address_and_namespace() -> None:
    p = proc(
        "containerd-shim-runc-v2",
        "/usr/bin/containerd-shim-runc-v2",
        "-namespace",
        "k8s.io",
        "-id",
        "abc",
        "-address",
        "/run/k3s/containerd/containerd.sock",
    )
    assert p.namespace == "k8s.io" and p.containerd_address == "/run/k3s/containerd/containerd.sock"
    assert p.serves == ()


def test_podman_service_uri_and_default() -> None:
    p = proc("podman", "podman", "--log-level=info", "system", "service", "--time=0", "unix:///tmp/p.sock")
    assert p.serves == ("unix:///tmp/p.sock",)
    assert proc("podman", "podman", "system", "service").serves == ("unix:///run/podman/podman.sock",)
    # Rootless without a URI: the socket is under the user's XDG_RUNTIME_DIR, seen through /proc only.
    assert proc("podman", "podman", "system", "service", user="me").serves == ()
    assert proc("podman", "podman", "ps").serves == ()


def test_limactl_hostagent_socket() -> None:
    p = proc("limactl", "limactl", "hostagent", "--socket", "/Users/me/.lima/default/ha.sock", "default")
    assert p.serves == ("/Users/me/.lima/default/ha.sock",)


def test_non_utf8_command_line_is_printable() -> None:
    raw = b"--host=unix:///tmp/\xff\xfe.sock".decode("utf-8", "surrogateescape")
    p = proc("dockerd", "dockerd", raw)
    assert p.serves == ("unix:///tmp/\ufffd\ufffd.sock",)
    json.dumps(p.cmdline, ensure_ascii=False).encode("utf-8")  # must not raise


# --- access (pure) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("st_uid", "st_gid", "mode", "uid", "gids", "blocked", "expected"),
    [
        (0, 999, 0o660, 1000, {999}, None, True),  # in the docker group
        (0, 999, 0o660, 1000, {1000}, None, False),  # not in it
        (1001, 1001, 0o600, 1000, {1000}, None, False),  # someone else's rootless socket
        (1000, 1000, 0o600, 1000, {1000}, None, True),  # our own
        (0, 0, 0o666, 1000, {1000}, None, True),  # world-writable
        (0, 0, 0o666, 1000, {1000}, "/run/x", False),  # but the directory is closed
        (1001, 1001, 0o600, 0, {0}, None, True),  # root passes
    ],
)
def test_may_connect(
    st_uid: int, st_gid: int, mode: int, uid: int, gids: set[int], blocked: str | None, expected: bool
) -> None:
    may, why = may_connect(SocketAccess(st_uid, st_gid, mode, blocked), uid, frozenset(gids))
    assert may is expected and why


# --- symlinks (real files) --------------------------------------------------------


def test_link_chain(tmp_path: Path) -> None:
    final = tmp_path / "final.sock"
    mid = tmp_path / "mid.sock"
    mid.symlink_to("final.sock")  # relative, like many product links
    top = tmp_path / "top.sock"
    top.symlink_to(mid)
    hops, dangling, loop = sockets._link_chain(str(top))
    assert hops == (str(mid), str(final)) and dangling and not loop
    final.write_text("")
    assert sockets._link_chain(str(top))[1] is False
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    hops, dangling, loop = sockets._link_chain(str(a))
    assert loop and not dangling and hops[-1] in (str(a), str(b))
    assert sockets._link_chain(str(final)) == ((), False, False)


# --- processes that vanish or deny access -------------------------------------------


class _FakeProc:
    def __init__(self, pid: int, name: str, error: type[Exception] | None) -> None:
        self.pid = pid
        self.info = {"pid": pid, "name": name}
        self._error = error

    def oneshot(self) -> Any:
        import contextlib

        return contextlib.nullcontext()

    def cmdline(self) -> list[str]:
        if self._error is not None:
            raise self._error(self.pid)
        return [self.info["name"]]

    def exe(self) -> str:
        return "/usr/bin/" + str(self.info["name"])

    def name(self) -> str:
        return str(self.info["name"])

    def username(self) -> str:
        return "root"

    def ppid(self) -> int:
        return 1


def test_vanished_and_denied_processes_are_normal(monkeypatch: pytest.MonkeyPatch) -> None:
    """psutil raises NoSuchProcess/AccessDenied mid-scan: counted, never an error."""
    import psutil

    from doctor.facts import Facts
    from doctor.run.context import RunContext

    fakes = [
        _FakeProc(10, "dockerd", None),
        _FakeProc(11, "containerd", psutil.NoSuchProcess),
        _FakeProc(12, "podman", psutil.AccessDenied),
        _FakeProc(13, "bash", None),
    ]
    by_pid = {f.pid: f for f in fakes}
    monkeypatch.setattr(processes, "_process_names", lambda: iter((f.pid, f.info["name"]) for f in fakes))
    monkeypatch.setattr(processes, "_on_linux", lambda: False)  # the psutil path (macOS)
    monkeypatch.setattr(psutil, "Process", lambda pid: by_pid[pid])
    facts = Facts(RunContext(), timeout=1.0)
    procs = facts.get(PROCESSES)
    assert procs.scanned == 4 and procs.vanished == 1 and procs.denied == 1
    assert [p.name for p in procs.items] == ["dockerd", "podman"]  # denied: listed without details
    assert procs.items[1].cmdline == ()


# --- real processes and sockets -----------------------------------------------------


def test_non_utf8_command_line_of_a_real_process(home: Path, engine_dir: Path) -> None:
    script = engine_dir / "dockerd"
    script.write_text("#!/bin/sh\nwhile :; do sleep 1; done\n")
    script.chmod(0o755)
    arg = b"--host=unix://" + os.fsencode(str(engine_dir)) + b"/\xff\xfe.sock"
    p = subprocess.Popen([os.fsencode(str(script)), arg])
    try:
        time.sleep(0.3)
        r = cdoctor("-H", f"unix://{engine_dir}/none.sock", "diagnose", "--format", "json", "--timeout", "1")
        assert r.returncode in (0, 1), r.stderr
        doc = json.loads(r.stdout)
        mine = [x for x in doc["inventory"]["processes"] if x["pid"] == p.pid]
        assert mine and mine[0]["serves"] == [f"unix://{engine_dir}/\ufffd\ufffd.sock"]
        human = cdoctor("-H", f"unix://{engine_dir}/none.sock", "diagnose", "--timeout", "1")
        assert human.returncode in (0, 1) and "Traceback" not in human.stderr
    finally:
        p.kill()
        p.wait()


class _CountingEngine:
    """A minimal Docker-API server on a unix socket that counts each request path."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.requests: list[str] = []
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(path)
        self.sock.listen(16)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                line = data.split(b"\r\n", 1)[0].decode()
                target = line.split(" ")[1] if " " in line else "?"
                self.requests.append(target)
                body = b"OK" if target.endswith("/_ping") else b"{}"
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nServer: Docker/20.10.0 (linux)\r\n"
                    b"Content-Type: application/json\r\nConnection: close\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )

    def close(self) -> None:
        self.sock.close()


def test_the_endpoint_is_pinged_once(home: Path, engine_dir: Path) -> None:
    """The socket inventory reuses the endpoint probe instead of a second /_ping."""
    engine = _CountingEngine(f"{engine_dir}/docker.sock")
    try:
        r = cdoctor("-H", f"unix://{engine.path}", "diagnose", "--format", "json", "--timeout", "2")
        assert r.returncode in (0, 1, 2), r.stderr
        doc = json.loads(r.stdout)
    finally:
        engine.close()
    assert [t for t in engine.requests if t.endswith("/_ping")] == ["/_ping"], engine.requests
    sock = next(s for s in doc["inventory"]["sockets"] if s["path"] == engine.path)
    assert sock["probe"]["outcome"] == "ok" and sock["probe"]["api_version"] == "1.41"


def test_known_product_socket_under_home(home: Path, engine_dir: Path) -> None:
    """A Colima profile's socket under HOME is a candidate by its known path, and probed."""
    (home / ".colima" / "work").mkdir(parents=True)
    link = home / ".colima" / "work" / "docker.sock"
    engine = _CountingEngine(f"{engine_dir}/colima.sock")
    link.symlink_to(engine.path)  # the real socket path would pass 108 bytes under pytest's tmp
    try:
        r = cdoctor("-H", f"unix://{engine_dir}/none.sock", "diagnose", "--format", "json", "--timeout", "2")
        doc = json.loads(r.stdout)
    finally:
        engine.close()
    sock = next(s for s in doc["inventory"]["sockets"] if s["path"] == "~/.colima/work/docker.sock")
    assert "Colima" in sock["reasons"] and sock["symlink"] == [engine.path]
    assert sock["probe"]["outcome"] == "ok"


def test_process_names_match_psutil_on_this_machine() -> None:
    """The /proc/PID/comm fast path sees the same processes and short names as psutil."""
    import os

    import psutil

    fast = dict(processes._process_names())
    assert os.getpid() in fast
    slow = {p.pid: (p.info["name"] or "") for p in psutil.process_iter(["pid", "name"])}
    common = set(fast) & set(slow)
    assert len(common) >= 0.9 * len(slow)  # processes may come and go between the two scans
    for pid in common:
        if fast[pid].startswith("kworker/") and slow[pid].startswith("kworker/"):
            continue  # a kernel worker renames itself with the work it does, between the two scans
        assert slow[pid].startswith(fast[pid]) or fast[pid].startswith(slow[pid][:15]), (fast[pid], slow[pid])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_linux_details_are_what_psutil_says_on_this_machine() -> None:
    """name, exe, cmdline, username and ppid read from /proc are psutil's, for every process here."""
    import psutil

    compared = 0
    for pid, short in processes._process_names():
        try:
            proc = psutil.Process(pid)
            with proc.oneshot():
                want = (proc.name() or short, proc.exe(), tuple(proc.cmdline()), proc.username(), proc.ppid())
            got = processes.linux_details(pid, short)
        except (psutil.Error, processes.Vanished, processes.Denied, OSError):
            continue  # gone, or not ours to read: the scan counts those
        if got != want and psutil.pid_exists(pid):
            # a kernel worker renames itself between two reads; anything else is a difference
            assert got[0].startswith("kworker") or want[0].startswith("kworker"), (got, want)
        compared += 1
    assert compared >= 5
