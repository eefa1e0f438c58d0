"""The engine processes of the machine's container stack: what each serves and listens on."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterable, Iterator

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


def describe_process(seen: ProcessInfo) -> ProcessInfo:
    """A process as it was seen (pid, names, command line, user, parent, the sockets it holds), made
    printable, with the sockets it serves read from its command line (pure)."""
    name = printable(seen.name)
    cmdline = tuple(printable(a) for a in seen.cmdline)
    username = seen.username
    serves, containerd_address, namespace = _served(name, cmdline, username)
    return ProcessInfo(
        seen.pid,
        name,
        printable(seen.exe) if seen.exe else seen.exe,
        cmdline,
        printable(username) if username else username,
        seen.ppid,
        tuple(serves),
        containerd_address,
        namespace,
        tuple(printable(p) for p in seen.listening),
    )


def _served(name: str, cmdline: tuple[str, ...], username: str | None) -> tuple[list[str], str | None, str | None]:
    """(sockets served, containerd address, containerd namespace) from an engine's command line."""
    base = os.path.basename(cmdline[0]) if cmdline else name
    serves: list[str] = []
    containerd_address = None
    namespace = None
    low = name.lower()
    if (low.startswith("dockerd") or base.startswith("dockerd")) and "rootless" not in base:
        # dockerd's built-in default (daemon.json "hosts" may say otherwise; /proc tells the truth).
        serves = _flag_values(cmdline, ("-H", "--host")) or ["unix:///var/run/docker.sock"]
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
    return serves, containerd_address, namespace


class Vanished(Exception):
    """The process ended while it was read (psutil.NoSuchProcess)."""


class Denied(Exception):
    """Its details cannot be read: not allowed, or a zombie (psutil.AccessDenied, ZombieProcess)."""


# (name, exe, cmdline, user, ppid) of one process.
Details = tuple[str, str | None, tuple[str, ...], str | None, int | None]


def _linux_cmdline(pid: int) -> list[str]:
    """/proc/PID/cmdline split as psutil splits it (a retitled process may use spaces, psutil#1179)."""
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        data = os.fsdecode(f.read())
    if not data:
        return []
    sep = "\x00" if data.endswith("\x00") else " "
    data = data.removesuffix(sep)
    args = data.split(sep)
    if sep == "\x00" and len(args) == 1 and " " in data:
        args = data.split(" ")
    return args


def _linux_exe(pid: int) -> str | None:
    """The program's path, as psutil's readlink gives it (None: not allowed to look)."""
    try:
        path = os.readlink(f"/proc/{pid}/exe").split("\x00")[0]
    except PermissionError:
        return None
    except FileNotFoundError:
        return "" if os.path.lexists(f"/proc/{pid}") else None  # a kernel thread has none
    if path.endswith(" (deleted)") and not os.path.exists(path):
        path = path[:-10]
    return path


def _linux_user(pid: int) -> str | None:
    """The user of the process's real uid (its number when no user has it), as psutil.username()."""
    import pwd

    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            status = f.read()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(b"Uid:"):
            uid = int(line.split()[1])
            try:
                return pwd.getpwuid(uid).pw_name
            except KeyError:
                return str(uid)
    return None


def linux_details(pid: int, short_name: str) -> Details:
    """What psutil.Process(pid) says of name, exe, cmdline, username and ppid, read from /proc
    directly: psutil itself costs ~40 ms to import, for a handful of engine processes."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        raise Vanished(pid) from None
    except PermissionError:
        raise Denied(pid) from None
    rpar = stat.rfind(b")")
    comm = os.fsdecode(stat[stat.find(b"(") + 1 : rpar])
    fields = stat[rpar + 2 :].split()
    try:
        cmdline = _linux_cmdline(pid)
    except (FileNotFoundError, ProcessLookupError):
        raise Vanished(pid) from None
    except PermissionError:
        raise Denied(pid) from None
    if not cmdline and fields[:1] == [b"Z"]:
        raise Denied(pid)  # a zombie: psutil raises ZombieProcess for its cmdline
    name = comm
    if len(comm) >= 15 and cmdline and os.path.basename(cmdline[0]).startswith(comm):
        name = os.path.basename(cmdline[0])  # the kernel keeps 15 characters; psutil gives the whole name
    return name or short_name, _linux_exe(pid), tuple(cmdline), _linux_user(pid), int(fields[1])


def _psutil_details(pid: int, short_name: str) -> Details:
    """The same through psutil (every OS but Linux)."""
    import psutil

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
        raise Vanished(pid) from None
    except (psutil.AccessDenied, psutil.ZombieProcess):
        raise Denied(pid) from None
    return name, exe, cmdline, user, ppid


def _on_linux() -> bool:
    return sys.platform.startswith("linux") and os.path.isdir("/proc/self")


def _gather_processes(facts: Facts) -> Processes:
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
    details = linux_details if _on_linux() else _psutil_details
    try:
        for pid, short_name in _process_names():
            if stop.is_set() or scanned >= MAX_PROCESSES_SCANNED:
                break
            scanned += 1
            if not short_name.lower().startswith(PROCESS_NAMES):
                continue
            try:
                name, exe, cmdline, user, ppid = details(pid, short_name)
            except Vanished:
                vanished += 1
                continue
            except Denied:
                denied += 1
                name, exe, cmdline, user, ppid = short_name, None, (), None, None
            except OSError:
                denied += 1
                continue
            held = tuple(sorted(by_inode[i] for i in socket_fds(pid) if i in by_inode)) if by_inode else ()
            items.append(describe_process(ProcessInfo(pid, name, exe, cmdline, user, ppid, listening=held)))
    finally:
        timer.cancel()
    return Processes(tuple(items), scanned, denied, vanished)


def _process_names() -> Iterator[tuple[int, str]]:
    """(pid, name) of every process, cheaply: only engine processes get a psutil.Process.

    On Linux the kernel's short name (/proc/PID/comm, 15 characters, enough for the
    prefixes in PROCESS_NAMES) is one small read; psutil.process_iter builds a
    Process for every pid, which costs ~10x more on a machine with thousands of them.
    """
    if _on_linux():
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
    import psutil

    for proc in psutil.process_iter(["pid", "name"]):
        yield proc.pid, proc.info.get("name") or ""
