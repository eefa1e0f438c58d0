"""Running a program, bounded: argument lists only, a deadline, and at most N bytes of its output.

Every subprocess cdoctor starts goes through `run()`: never a shell, stdin
given or /dev/null, stdout and stderr each read up to a cap (a `docker` on
PATH that prints without end costs at most the cap, not 1 GB), the whole
process killed at the deadline or when a cap is reached and its output is
still coming. `ssh_argv()` builds the one ssh command line cdoctor runs,
from a validated target, with the remote command quoted for the remote shell.
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import shlex
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence

from doctor.facts.record import record

DEFAULT_CAP = 64 * 1024


class Timeout(Exception):
    """The program did not finish within its deadline (it was killed)."""


@record
class Completed:
    returncode: int | None  # None: killed (a cap was reached, or the deadline passed)
    stdout: bytes
    stderr: bytes
    truncated: bool = False  # a cap was reached


def run(
    argv: Sequence[str],
    *,
    timeout: float,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    cap: int = DEFAULT_CAP,
) -> Completed:
    """Run `argv` (a list: no shell) within `timeout` seconds, keeping at most `cap` bytes of each stream.

    Raises FileNotFoundError/PermissionError/OSError as subprocess does, Timeout on the deadline.
    """
    if isinstance(argv, str | bytes):
        raise TypeError("argv must be a list of arguments, never a command line")
    deadline = time.monotonic() + max(0.0, timeout)
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else None,
        start_new_session=True,  # killed as a group: a child it starts cannot keep the pipes open
        close_fds=True,
    )
    late = f"{argv[0]} did not finish within {timeout:g} s"
    pump = _Pump(proc, cap)
    try:
        pump.register(input)
        pump.run(deadline, late)
        try:
            code: int | None = proc.wait(max(0.05, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise Timeout(late) from None
        return Completed(None if pump.truncated else code, bytes(pump.out), bytes(pump.err), pump.truncated)
    finally:
        pump.sel.close()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if proc.returncode is None:
            _kill(proc)


class _Pump:
    """Feeds a child's stdin and reads its stdout and stderr, keeping at most `cap` bytes of each."""

    def __init__(self, proc: subprocess.Popen[bytes], cap: int) -> None:
        self.proc = proc
        self.cap = cap
        self.out, self.err = bytearray(), bytearray()
        self.truncated = False  # a cap was reached
        self.pending = memoryview(b"")
        self.sel = selectors.DefaultSelector()

    def register(self, input: bytes | None) -> None:
        proc = self.proc
        assert proc.stdout is not None and proc.stderr is not None
        if input is not None:
            assert proc.stdin is not None
            self.pending = memoryview(input)
            try:
                os.set_blocking(proc.stdin.fileno(), False)
                self.sel.register(proc.stdin, selectors.EVENT_WRITE)
            except OSError:
                pass
        self.sel.register(proc.stdout, selectors.EVENT_READ, self.out)
        self.sel.register(proc.stderr, selectors.EVENT_READ, self.err)

    def run(self, deadline: float, late: str) -> None:
        """Until every stream is done or a cap is reached (the child is then killed); Timeout at the deadline."""
        while self.sel.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                _kill(self.proc)
                raise Timeout(late)
            for key, _ in self.sel.select(min(left, 0.5)):
                if key.fileobj is self.proc.stdin:
                    self._feed()
                else:
                    self._read(key)
            if self.truncated:
                _kill(self.proc)
                return

    def _feed(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            n = os.write(stdin.fileno(), self.pending[:65536])
            self.pending = self.pending[n:]
        except (BrokenPipeError, OSError):
            self.pending = memoryview(b"")
        if not self.pending:
            self.sel.unregister(stdin)
            with contextlib.suppress(OSError):
                stdin.close()

    def _read(self, key: selectors.SelectorKey) -> None:
        buf: bytearray = key.data
        chunk = os.read(key.fd, 65536)
        if not chunk:
            self.sel.unregister(key.fileobj)
            return
        room = self.cap - len(buf)
        buf += chunk[: max(0, room)]
        if len(chunk) > room:
            self.truncated = True


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired, OSError):
        proc.wait(1.0)


# --- ssh ----------------------------------------------------------------------------------------

# What ssh accepts as a login and a host without reading it as an option or a config directive.
_SSH_USER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
_SSH_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[?[0-9A-Fa-f:.]{2,45}\]?")
_SSH_PORT = re.compile(r"[0-9]{1,5}")
# A socket path given to the remote docker: a path, nothing a shell would read.
_REMOTE_PATH = re.compile(r"/[A-Za-z0-9_./@+-]{0,1023}")


class UnsafeTarget(ValueError):
    """An ssh target cdoctor will not hand to ssh (it could be read as an option or a command)."""


def ssh_argv(user: str | None, host: str, port: str | None, path: str | None, timeout: float) -> list[str]:
    """The argument list of `ssh … docker [--host=unix://PATH] system dial-stdio`, or UnsafeTarget.

    User, host and port follow their grammar (no leading `-`, no white space, no
    shell characters); the remote command is one argument quoted with
    `shlex.join`, because ssh hands the remote shell a single string.
    """
    if user is not None and user != "" and not _SSH_USER.fullmatch(user):
        raise UnsafeTarget(f"ssh user {user!r} is not a valid login name")
    if not host or host.startswith("-") or not _SSH_HOST.fullmatch(host):
        raise UnsafeTarget(f"ssh host {host!r} is not a valid host name or address")
    if port is not None and port != "" and (not _SSH_PORT.fullmatch(port) or not 0 < int(port) < 65536):
        raise UnsafeTarget(f"ssh port {port!r} is not a port number")
    remote = ["docker"]
    if path:
        if not _REMOTE_PATH.fullmatch(path):
            raise UnsafeTarget(f"remote socket path {path!r} is not a plain path")
        remote.append(f"--host=unix://{path}")
    remote += ["system", "dial-stdio"]
    argv = ["ssh", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={max(1, int(timeout))}", "-T"]
    if user:
        argv += ["-l", user]
    if port:
        argv += ["-p", port]
    return [*argv, "--", host, shlex.join(remote)]
