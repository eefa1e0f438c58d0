"""`cdoctor check --wait`: the loop's timing without waiting, then real engines that come late or never."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from doctor.gather.wait import MAX_DELAY, Attempt, delays, parse_duration, wait_until_ready
from tests.conftest import ROOT, need, need_root


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("60s", 60), ("2m", 120), ("90", 90), ("1m30s", 90), ("500ms", 0.5), ("1.5s", 1.5), ("1h", 3600), (" 5S ", 5)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "-5s", "0", "5x", "1m-3s", "abc", "25h", "1e3"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_backoff_grows_and_is_capped() -> None:
    nxt = delays()
    seq = [nxt() for _ in range(20)]
    assert seq[0] < seq[1] < seq[2]
    assert max(seq) == MAX_DELAY and seq[-1] == MAX_DELAY


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        assert s >= 0
        self.sleeps.append(s)
        self.now += s


def test_ready_on_the_fourth_attempt() -> None:
    clock = FakeClock()
    answers = iter([False, False, False, True])

    def probe(timeout: float) -> Attempt:
        clock.now += 0.01
        return Attempt(next(answers), "unix:///x.sock", "ok")

    r = wait_until_ready(probe, 10, probe_timeout=3, clock=clock)
    assert r.ready and r.attempts == 4
    assert clock.sleeps == sorted(clock.sleeps)  # backoff, never faster


def test_deadline_is_never_overshot() -> None:
    """A probe that always fails and takes its whole timeout: the wait ends at the deadline exactly."""
    clock = FakeClock()
    timeouts: list[float] = []

    def probe(timeout: float) -> Attempt:
        timeouts.append(timeout)
        clock.now += timeout
        return Attempt(False, "tcp://docker:2376", "timeout")

    r = wait_until_ready(probe, 7.0, probe_timeout=3, clock=clock)
    assert not r.ready
    assert r.seconds <= 7.0 + 1e-9
    assert max(timeouts) <= 3 and r.last is not None and r.last.outcome == "timeout"
    assert r.attempts >= 3


# --- real engines -----------------------------------------------------------------------


def _popen(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "doctor", *args]  # this tree's code, as tests.conftest.cdoctor
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full, cwd=ROOT)


@pytest.mark.engine
@pytest.mark.slow
def test_wait_for_a_dockerd_that_starts_after_cdoctor(engine_dir: Path) -> None:
    """cdoctor starts waiting first; dockerd starts only after cdoctor's first attempt
    failed; cdoctor sees it and exits 0."""
    need_root()
    need("containerd", "dockerd")
    from tests.engines import Containerd, Dockerd

    with Containerd(engine_dir) as ctrd:
        d = Dockerd(engine_dir, ctrd)
        # Where dockerd will listen, a socket that hangs up on whoever connects: cdoctor's
        # first attempt fails there, however long its interpreter takes to start.
        early = socket.socket(socket.AF_UNIX)
        early.bind(d.socket)
        early.listen(8)
        early.settimeout(30)
        started = time.monotonic()
        proc = _popen("-H", d.host, "check", "--wait", "60s", "--format", "json")
        try:
            early.accept()[0].close()
            early.close()
            os.unlink(d.socket)
            assert proc.poll() is None, "cdoctor must still be waiting: " + (proc.stderr.read() if proc.stderr else "")
            with d:
                out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        elapsed = time.monotonic() - started
    assert proc.returncode == 0, out + err
    doc = json.loads(out)
    assert doc["wait"]["ready"] is True and doc["wait"]["attempts"] > 1
    # (its wait began after interpreter start-up, so less than the 1.5 s the test slept)
    assert doc["wait"]["seconds"] > 0.1 and elapsed < 60
    assert doc["engine"]["product"] == "docker-engine"
    assert err == ""  # no progress in a pipe


def test_checks_after_a_wait_longer_than_the_timeout_have_their_own_deadline(engine_dir: Path) -> None:
    """--timeout 2, an engine that comes after 4 s and answers in 0.5 s: the checks get their full 2 s.

    (Their deadline used to count from the process start: after a long wait, 0.05 s were
    left per probe and a slow answer became engine-unresponsive or diagnosis-incomplete.)"""
    import socket as socketlib

    from tests import zoo

    path = f"{engine_dir}/slow.sock"
    proc = _popen("-H", f"unix://{path}", "check", "--wait", "60s", "--timeout", "2", "--format", "json")
    server = None
    try:
        time.sleep(4.0)  # with cdoctor's start-up, more than --timeout passes before the engine comes
        sock = socketlib.socket(socketlib.AF_UNIX)
        sock.bind(path)
        sock.listen(16)
        server = zoo.Server(sock, "docker")

        def slow(conn: socketlib.socket, deadline: float) -> None:
            time.sleep(0.5)
            zoo.docker(conn, deadline)

        server.handler = slow
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        if server is not None:
            server.stop()
    doc = json.loads(out)
    assert doc["wait"]["ready"] is True and doc["wait"]["seconds"] > 1.0
    assert doc["diagnosis"]["primary_cause"] is None, doc["diagnosis"]  # was engine-unresponsive (0.1 s left)
    assert proc.returncode == 0, out + err


@pytest.mark.slow
def test_wait_deadline_passes_when_nothing_comes(tmp_path: Path) -> None:
    """No socket ever: exit 4 at the deadline (within a small constant) with the full diagnosis."""
    host = f"unix://{tmp_path}/never.sock"
    started = time.monotonic()
    proc = _popen("-H", host, "check", "--wait", "2s")
    out, err = proc.communicate(timeout=30)
    elapsed = time.monotonic() - started
    assert proc.returncode == 4, out + err
    assert 2.0 <= elapsed < 2.0 + 4.0, elapsed  # interpreter start-up + one bounded diagnosis
    assert "did not answer within 2s" in out
    assert "cause: " in out and host in out  # the full diagnosis, not one line
    assert err == ""


@pytest.mark.slow
def test_a_socket_that_exists_is_not_ready(engine_dir: Path) -> None:
    """A listening socket that never answers HTTP (a daemon still starting) is waited on, not accepted."""
    path = str(engine_dir / "mute.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(64)  # accepts connections in the backlog, never answers
    try:
        started = time.monotonic()
        proc = _popen("-H", "unix://" + path, "check", "--wait", "2s", "--timeout", "0.5", "--format", "json")
        out, err = proc.communicate(timeout=30)
        elapsed = time.monotonic() - started
    finally:
        srv.close()
    assert proc.returncode == 4, out + err
    doc = json.loads(out)
    assert doc["wait"]["ready"] is False and doc["wait"]["last_outcome"] not in ("ok", "socket-missing")
    assert elapsed < 2.0 + 4.0
