"""The engine processes of the machine's container stack: what each serves and listens on."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from doctor.facts import Facts
from doctor.facts.keys import PROCESSES
from doctor.facts.types import Processes, ProcessInfo
from doctor.gather.procfs import listeners, printable, socket_fds
from doctor.knowledge.products import PROCESS_NAMES

MAX_PROCESSES_SCANNED = 100_000


def _flag_values(argv: tuple[str, ...], names: Iterable[str]) -> list[str]:
    """Values of `-x V`, `--x V` and `--x=V` options in a command line."""
    wanted = tuple(names)
    out: list[str] = []
    for i, arg in enumerate(argv):
        for name in wanted:
            if arg == name and i + 1 < len(argv):
                out.append(argv[i + 1])
            elif arg.startswith(name + "="):
                out.append(arg[len(name) + 1 :])
    return out


def _podman_service_uris(cmdline: tuple[str, ...], username: str | None) -> list[str]:
    """`podman [global options] system service [options] [URI]`: the URI, or podman's default."""
    args = list(cmdline)
    try:
        i = args.index("service")
    except ValueError:
        return []
    rest = args[i + 1 :]
    uris = [a for a in rest if "://" in a and not a.startswith("-")]
    if uris:
        return uris[-1:]
    # No URI: podman listens on its default socket; only the rootful one is a fixed path
    # (the rootless one is under the user's XDG_RUNTIME_DIR, seen through /proc instead).
    return ["unix:///run/podman/podman.sock"] if username == "root" else []


def describe_process(
    pid: int,
    name: str,
    exe: str | None,
    cmdline: tuple[str, ...],
    username: str | None,
    ppid: int | None,
    listening: tuple[str, ...] = (),
) -> ProcessInfo:
    """Read the sockets a stack process serves from its command line (pure)."""
    name = printable(name)
    cmdline = tuple(printable(a) for a in cmdline)
    exe = printable(exe) if exe else exe
    base = os.path.basename(cmdline[0]) if cmdline else name
    serves: list[str] = []
    containerd_address = None
    namespace = None
    low = name.lower()
    if (low.startswith("dockerd") or base.startswith("dockerd")) and "rootless" not in base:
        serves = _flag_values(cmdline, ("-H", "--host"))
        if not serves:
            # dockerd's built-in default (daemon.json "hosts" may say otherwise; /proc tells the truth).
            serves = ["unix:///var/run/docker.sock"]
        cd = _flag_values(cmdline, ("--containerd",))
        containerd_address = cd[-1] if cd else None
    elif low.startswith("containerd-shim") or base.startswith("containerd-shim"):
        addr = _flag_values(cmdline, ("-address", "--address"))
        containerd_address = addr[-1] if addr else None
        ns = _flag_values(cmdline, ("-namespace", "--namespace"))
        namespace = ns[-1] if ns else None
    elif low == "containerd" or base == "containerd":
        addr = _flag_values(cmdline, ("-a", "--address"))
        serves = addr[-1:] or ["/run/containerd/containerd.sock"]
    elif (low == "podman" or base == "podman") and "system" in cmdline and "service" in cmdline:
        serves = _podman_service_uris(cmdline, username)
    elif (low == "limactl" or base == "limactl") and "hostagent" in cmdline:
        # Lima's hostagent forwards the guest's docker.sock to the path given by --socket
        # (lima-vm/lima pkg/hostagent, the portForwards/socket options)
        serves = _flag_values(cmdline, ("--socket",))
    return ProcessInfo(
        pid,
        name,
        exe,
        cmdline,
        printable(username) if username else username,
        ppid,
        tuple(serves),
        containerd_address,
        namespace,
        tuple(printable(p) for p in listening),
    )


def _gather_processes(facts: Facts) -> Processes:
    import psutil

    items: list[ProcessInfo] = []
    scanned = denied = vanished = 0
    deadline_budget = facts.budget(PROCESSES)
    stop = threading.Event()
    timer = threading.Timer(deadline_budget * 0.8, stop.set)
    timer.daemon = True
    timer.start()
    listening = listeners(facts)
    by_inode: dict[int, str] = {}
    for path, inode in listening.items():
        by_inode.setdefault(inode, path)
    try:
        for pid, short_name in _process_names(psutil):
            if stop.is_set() or scanned >= MAX_PROCESSES_SCANNED:
                break
            scanned += 1
            if not short_name.lower().startswith(PROCESS_NAMES):
                continue
            try:
                proc = psutil.Process(pid)
                name = proc.name() or short_name
                with proc.oneshot():
                    cmdline = tuple(proc.cmdline())
                    exe = None
                    with contextlib.suppress(psutil.AccessDenied, psutil.ZombieProcess, OSError):
                        exe = proc.exe()
                    user = None
                    with contextlib.suppress(psutil.AccessDenied, KeyError, OSError):
                        user = proc.username()
                    ppid = proc.ppid()
            except psutil.NoSuchProcess:
                vanished += 1
                continue
            except (psutil.AccessDenied, psutil.ZombieProcess):
                denied += 1
                cmdline, exe, user, ppid = (), None, None, None
            except OSError:
                denied += 1
                continue
            held = tuple(sorted(by_inode[i] for i in socket_fds(proc.pid) if i in by_inode)) if by_inode else ()
            items.append(describe_process(proc.pid, name, exe, cmdline, user, ppid, held))
    finally:
        timer.cancel()
    return Processes(tuple(items), scanned, denied, vanished)


def _process_names(psutil: Any) -> Iterator[tuple[int, str]]:
    """(pid, name) of every process, cheaply: only engine processes get a psutil.Process.

    On Linux the kernel's short name (/proc/PID/comm, 15 characters, enough for the
    prefixes in PROCESS_NAMES) is one small read; psutil.process_iter builds a
    Process for every pid, which costs ~10x more on a machine with thousands of them.
    """
    if sys.platform.startswith("linux") and os.path.isdir("/proc/self"):
        try:
            entries = os.listdir("/proc")
        except OSError:
            entries = []
        for entry in entries:
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/comm", "rb") as f:
                    comm = f.read(64)
            except OSError:
                continue  # gone since listdir, or hidden from us: nothing to say about it
            yield int(entry), comm.decode("utf-8", "replace").strip()
        return
    for proc in psutil.process_iter(["pid", "name"]):
        yield proc.pid, proc.info.get("name") or ""

