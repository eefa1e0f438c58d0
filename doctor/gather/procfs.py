"""/proc, read once and shared: listening unix sockets, who holds them, and the activation rule.

The process scan, the socket inventory and the endpoint probe all ask the
same questions of /proc; the answers (and the systemd socket-activation rule)
live here once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable

from doctor.facts import Facts, FactUnavailable
from doctor.facts.keys import UNIX_LISTENERS


def printable(text: str) -> str:
    """A string that any output can carry: psutil hands over undecodable bytes of
    /proc/PID/cmdline as lone surrogates, which neither JSON nor a UTF-8 terminal accept."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def socket_fds(pid: int, limit: int = 4096) -> set[int]:
    """Inodes of the sockets `pid` holds open; empty when /proc does not let us look."""
    out: set[int] = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return out
    for fd in fds[:limit]:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            with contextlib.suppress(ValueError):
                out.add(int(link[8:-1]))
    return out


def _unix_listeners() -> dict[str, int]:
    """path -> inode of listening unix sockets (/proc/net/unix, Linux only; abstract names left out)."""
    out: dict[str, int] = {}
    try:
        with open("/proc/net/unix", "rb") as f:
            for raw in f.read(16 * 1024 * 1024).splitlines()[1:]:
                parts = raw.split(None, 7)
                # Flags 00010000 = __SO_ACCEPTCON: a listening socket.
                if len(parts) == 8 and parts[3] == b"00010000" and parts[7].startswith(b"/"):
                    out[os.fsdecode(parts[7])] = int(parts[6])
    except (OSError, ValueError):
        pass
    return out


# /proc/net/unix is read once a run: the process scan, the socket inventory and the


def gather_unix_listeners(facts: Facts) -> dict[str, int]:
    return _unix_listeners()


def listeners(facts: Facts) -> dict[str, int]:
    """The listening unix sockets (path -> inode); empty when they could not be read in time."""
    try:
        return facts.get(UNIX_LISTENERS)
    except FactUnavailable:
        return {}


def socket_holders(inodes: set[int], pids: Iterable[tuple[int, str]]) -> dict[int, list[tuple[int, str]]]:
    """Which of `pids` hold a socket with one of `inodes` (needs permission to read /proc/PID/fd)."""
    held: dict[int, list[tuple[int, str]]] = {}
    for pid, name in pids:
        for inode in socket_fds(pid) & inodes:
            held.setdefault(inode, []).append((pid, name))
    return held


def scan_holders(inodes: set[int], skip: set[int], deadline: float) -> tuple[dict[int, list[tuple[int, str]]], bool]:
    """Every process that holds one of `inodes`, until `deadline`: (holders, complete).

    Only for sockets no engine process holds (a wedged listener, a test's socket):
    reading every /proc/PID/fd is bounded by the deadline, not by the machine's size.
    """
    import time

    held: dict[int, list[tuple[int, str]]] = {}
    try:
        pids = [int(d) for d in os.listdir("/proc") if d.isdigit()]
    except OSError:
        return held, False
    for pid in pids:
        if time.monotonic() > deadline:
            return held, False
        if pid in skip:
            continue
        found = socket_fds(pid, limit=1024) & inodes
        if not found:
            continue
        try:
            with open(f"/proc/{pid}/comm", "rb") as f:
                name = printable(f.read(64).decode("utf-8", "replace").strip())
        except OSError:
            name = "?"
        for inode in found:
            held.setdefault(inode, []).append((pid, name))
    return held, True


def holders_of(
    inodes: set[int], procs: Iterable[tuple[int, str]], deadline: float
) -> dict[int, list[tuple[int, str]]]:
    """Who holds each of `inodes`: systemd (pid 1) and the known stack processes first; for
    a socket that pid 1 alone (or nobody seen) holds, every other process, until `deadline`."""
    known = [(1, "systemd"), *procs]
    held = socket_holders(inodes, known)
    unknown = {i for i in inodes if all(pid == 1 for pid, _ in held.get(i, ()))}
    if unknown:
        more, _complete = scan_holders(unknown, {pid for pid, _ in known}, deadline)
        for inode, found in more.items():
            held.setdefault(inode, []).extend(found)
    return held


def systemd_activation(holders: Iterable[tuple[int, str]]) -> bool:
    """Socket activation: systemd (pid 1) holds the listening socket and no other process does.

    An engine that systemd started would hold the same inode (dockerd -H fd://). Without
    root /proc/1/fd is closed to us and activation cannot be seen at all (then: False).
    """
    pids = [pid for pid, _ in holders]
    return bool(pids) and all(pid == 1 for pid in pids)
