"""The machine's container stack: candidate sockets, engine processes, installed engines."""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import shutil
import stat
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from doctor import hosts, outcomes
from doctor.context import RunContext
from doctor.facts import Fact, Facts, FactUnavailable
from doctor.gather import api
from doctor.gather.local import CONTEXT_STORE, ENVIRONMENT, RESOLUTION, Environment
from doctor.gather.pasted import is_own
from doctor.resolve import TLSSettings

# Process names that belong to a container stack (psutil `name`, lower-cased, prefix match).
ENGINE_PROCESS_NAMES = (
    "dockerd",
    "containerd",
    "containerd-shim",
    "runc",
    "crun",
    "podman",
    "conmon",
    "buildkitd",
    "rootlesskit",
    "k3s",
    "kubelet",
    "crio",
    "colima",
    "limactl",
    "qemu-system",
    "com.docker.",
    "docker-desktop",
    "docker desktop",  # the macOS/Windows app's process name
    "rancher desktop",
    "rancher-desktop",
    "orbstack",
    "vfkit",
    "krunkit",
    "gvproxy",
    "win-sshproxy",
    "wsl-helper",
    "rd-docker",
    "docker-proxy",
    "dockerd-rootless",
)
MAX_PROCESSES_SCANNED = 100_000


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    pid: int
    name: str
    exe: str | None
    cmdline: tuple[str, ...]
    username: str | None
    ppid: int | None
    # Unix paths / tcp URLs it serves, read from its command line
    # (dockerd -H, containerd --address, podman system service URI, limactl hostagent --socket).
    serves: tuple[str, ...] = ()
    containerd_address: str | None = None  # dockerd --containerd, shim -address
    namespace: str | None = None  # shim -namespace (moby | k8s.io | …)
    # Unix socket paths this process really listens on (/proc/PID/fd ∩ /proc/net/unix);
    # empty where /proc does not let us look (another user's process, not Linux).
    listening: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Processes:
    items: tuple[ProcessInfo, ...]
    scanned: int
    denied: int  # processes whose details we may not read (normal for non-root)
    vanished: int  # processes that exited while we looked (normal)


@dataclass(frozen=True, slots=True)
class SocketInfo:
    path: str  # as the candidate names it (absolute)
    reasons: tuple[str, ...]  # why it is a candidate
    kind: str  # "docker" (expects the Docker API) | "containerd" | "podman"
    file_type: str  # socket | file | directory | missing | other | unreadable
    link_chain: tuple[str, ...] = ()  # each hop of a symlink chain, ending at the final target
    dangling: bool = False
    loop: bool = False
    uid: int | None = None
    gid: int | None = None
    owner: str | None = None
    group: str | None = None
    mode: int | None = None
    blocked_dir: str | None = None  # a parent directory without search permission for us
    probe: outcomes.ProbeResult | None = None  # /_ping (docker/podman kinds) or connect-only (containerd)
    listeners: tuple[tuple[int, str], ...] = ()  # (pid, process name) that hold the socket
    systemd_activation: bool = False  # held by systemd (pid 1) while no engine serves it
    # Whether this process may connect (write permission on the socket and search
    # permission on every parent directory), and why; None when it cannot be told.
    may_connect: bool | None = None
    access: str = ""


@dataclass(frozen=True, slots=True)
class Installed:
    binaries: dict[str, str] = field(default_factory=dict)  # name -> path
    units: tuple[str, ...] = ()  # systemd unit files present
    product_dirs: dict[str, str] = field(default_factory=dict)  # product id -> directory


def _ctx(facts: Facts) -> RunContext:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    return ctx


def printable(text: str) -> str:
    """A string that any output can carry: psutil hands over undecodable bytes of
    /proc/PID/cmdline as lone surrogates, which neither JSON nor a UTF-8 terminal accept."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# --- processes ------------------------------------------------------------------


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
        # Lima forwards the guest's docker.sock with --socket (stacks.md §13-D)
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


def _socket_fds(pid: int, limit: int = 4096) -> set[int]:
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
            if not short_name.lower().startswith(ENGINE_PROCESS_NAMES):
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
            held = tuple(sorted(by_inode[i] for i in _socket_fds(proc.pid) if i in by_inode)) if by_inode else ()
            items.append(describe_process(proc.pid, name, exe, cmdline, user, ppid, held))
    finally:
        timer.cancel()
    return Processes(tuple(items), scanned, denied, vanished)


PROCESSES: Fact[Processes] = Fact("processes", _gather_processes)


def _process_names(psutil: Any) -> Iterator[tuple[int, str]]:
    """(pid, name) of every process, cheaply: only engine processes get a psutil.Process.

    On Linux the kernel's short name (/proc/PID/comm, 15 characters, enough for the
    prefixes in ENGINE_PROCESS_NAMES) is one small read; psutil.process_iter builds a
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


# --- installed engines -------------------------------------------------------------

BINARIES = (
    "dockerd",
    "containerd",
    "podman",
    "nerdctl",
    "ctr",
    "crictl",
    "colima",
    "limactl",
    "rdctl",
    "orb",
    "orbctl",
    "minikube",
    "k3s",
    "dockerd-rootless.sh",
    "runc",
    "crun",
    "ssh",
)
UNIT_DIRS = (
    "/etc/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/etc/systemd/user",
    "/usr/lib/systemd/user",
    "/usr/share/systemd/user",
)
UNITS = (
    "docker.service",
    "docker.socket",
    "podman.socket",
    "podman.service",
    "containerd.service",
    "snap.docker.dockerd.service",
    "docker-desktop.service",
    "k3s.service",
    "rke2-server.service",
)


def product_dirs(home: str, platform: str) -> dict[str, list[str]]:
    """Directories whose presence says a product is (or was) installed."""
    h = home.rstrip("/")
    dirs = {
        "colima": [f"{h}/.colima", f"{h}/.config/colima"],
        "rancher-desktop": [f"{h}/.rd", f"{h}/.local/share/rancher-desktop", "/opt/rancher-desktop"],
        "orbstack": [f"{h}/.orbstack"],
        "lima": [f"{h}/.lima"],
        "docker-desktop": [f"{h}/.docker/desktop", "/opt/docker-desktop"],
        "podman": [f"{h}/.local/share/containers/podman/machine"],
        "minikube": [f"{h}/.minikube"],
    }
    if platform == "darwin":
        dirs["docker-desktop"] = ["/Applications/Docker.app", f"{h}/Library/Containers/com.docker.docker"]
        dirs["rancher-desktop"].append("/Applications/Rancher Desktop.app")
        dirs["orbstack"].append("/Applications/OrbStack.app")
    return dirs


def _gather_installed(facts: Facts) -> Installed:
    ctx = _ctx(facts)
    env = facts.get(ENVIRONMENT)
    path = ctx.env.get("PATH", os.defpath) + ":/usr/sbin:/usr/local/sbin:/sbin"
    binaries = {}
    for name in BINARIES:
        found = shutil.which(name, path=path)
        if found:
            binaries[name] = found
    units = []
    home = env.user.home
    unit_dirs = [*UNIT_DIRS, f"{home}/.config/systemd/user"] if home else list(UNIT_DIRS)
    for d in unit_dirs:
        for unit in UNITS:
            with contextlib.suppress(OSError):
                if os.path.exists(f"{d}/{unit}"):
                    units.append(f"{d}/{unit}")
    found_dirs = {}
    if home:
        for product, candidates in product_dirs(home, env.platform).items():
            for d in candidates:
                with contextlib.suppress(OSError):
                    if os.path.isdir(d):
                        found_dirs[product] = d
                        break
    return Installed(binaries, tuple(units), found_dirs)


INSTALLED: Fact[Installed] = Fact("installed", _gather_installed)


# --- sockets ---------------------------------------------------------------------


def known_socket_paths(env: Environment) -> list[tuple[str, str, str]]:
    """(path or glob, kind, reason) for the sockets every stack is known to use."""
    home = env.user.home.rstrip("/")
    uid = env.user.uid
    xdg = env.values.get("XDG_RUNTIME_DIR") or f"/run/user/{uid}"
    known = [
        ("/var/run/docker.sock", "docker", "the default Docker socket"),
        ("/run/docker.sock", "docker", "the default Docker socket (/run)"),
        (f"{xdg}/docker.sock", "docker", "rootless Docker"),
        (f"/run/user/{uid}/docker.sock", "docker", "rootless Docker"),
        (f"{xdg}/podman/podman.sock", "docker", "rootless Podman"),
        ("/run/podman/podman.sock", "docker", "rootful Podman"),
        ("/run/containerd/containerd.sock", "containerd", "containerd"),
        ("/run/docker/containerd/containerd.sock", "containerd", "dockerd's own containerd"),
        ("/run/k3s/containerd/containerd.sock", "containerd", "k3s/RKE2 containerd"),
        ("/var/snap/microk8s/common/run/containerd.sock", "containerd", "microk8s containerd"),
        ("/run/k0s/containerd.sock", "containerd", "k0s containerd"),
        ("/var/run/crio/crio.sock", "containerd", "CRI-O"),
        (
            "/mnt/wsl/docker-desktop/shared-sockets/guest-services/docker.proxy.sock",
            "docker",
            "Docker Desktop WSL integration",
        ),
        ("/mnt/wsl/rancher-desktop/run/docker.sock", "docker", "Rancher Desktop WSL integration"),
    ]
    if home:
        known += [
            (f"{home}/.docker/run/docker.sock", "docker", "Docker Desktop (macOS) / rootless Docker without systemd"),
            (f"{home}/.docker/desktop/docker.sock", "docker", "Docker Desktop (Linux)"),
            (f"{home}/.rd/docker.sock", "docker", "Rancher Desktop"),
            (f"{home}/.colima/*/docker.sock", "docker", "Colima"),
            (f"{home}/.colima/docker.sock", "docker", "Colima (legacy path)"),
            (f"{home}/.config/colima/*/docker.sock", "docker", "Colima"),
            (f"{home}/.colima/*/containerd.sock", "containerd", "Colima (containerd runtime)"),
            (f"{home}/.orbstack/run/docker.sock", "docker", "OrbStack"),
            (f"{home}/.lima/*/sock/docker.sock", "docker", "Lima"),
            (f"{home}/.lima/*/sock/podman.sock", "docker", "Lima (podman)"),
            (f"{home}/.local/share/containers/podman/machine/podman.sock", "docker", "podman machine"),
            (f"{home}/.local/share/containers/podman/machine/*/podman.sock", "docker", "podman machine"),
            (f"{home}/Library/Containers/com.docker.docker/Data/docker.raw.sock", "docker", "Docker Desktop (raw)"),
        ]
    return known


def _link_chain(path: str) -> tuple[tuple[str, ...], bool, bool]:
    """Follow a symlink chain by hand: (hops, dangling, loop).

    Each hop is absolute. The kernel gives up after 40 links (ELOOP); so do we.
    """
    hops: list[str] = []
    current = path
    seen: set[str] = {path}
    for _ in range(40):
        try:
            target = os.readlink(current)
        except OSError:
            break
        nxt = target if target.startswith("/") else os.path.normpath(os.path.join(os.path.dirname(current), target))
        hops.append(nxt)
        if nxt in seen:
            return tuple(hops), False, True
        seen.add(nxt)
        current = nxt
    else:
        return tuple(hops), False, True
    dangling = bool(hops) and not os.path.lexists(current)
    return tuple(hops), dangling, False


def _blocked_dir(path: str) -> str | None:
    """The first parent directory (of the path or of a symlink's target) we may not search."""
    d = os.path.dirname(path)
    parents = []
    while d and d != "/":
        parents.append(d)
        d = os.path.dirname(d)
    for p in reversed(parents):
        try:
            if not os.access(p, os.X_OK):
                return p
        except OSError:
            return None
    return None


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
# socket-activation test of the endpoint all need it.
UNIX_LISTENERS: Fact[dict[str, int]] = Fact("unix_listeners", lambda facts: _unix_listeners())


def listeners(facts: Facts) -> dict[str, int]:
    """The listening unix sockets (path -> inode); empty when they could not be read in time."""
    try:
        return facts.get(UNIX_LISTENERS)
    except FactUnavailable:
        return {}


def _holders(inodes: set[int], pids: Iterable[tuple[int, str]]) -> dict[int, list[tuple[int, str]]]:
    """Which of `pids` hold a socket with one of `inodes` (needs permission to read /proc/PID/fd)."""
    held: dict[int, list[tuple[int, str]]] = {}
    for pid, name in pids:
        for inode in _socket_fds(pid) & inodes:
            held.setdefault(inode, []).append((pid, name))
    return held


def _scan_holders(inodes: set[int], skip: set[int], deadline: float) -> tuple[dict[int, list[tuple[int, str]]], bool]:
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
        found = _socket_fds(pid, limit=1024) & inodes
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


def _socket_kind(path: str, hint: str) -> str:
    if hint != "docker":
        return hint
    base = os.path.basename(path)
    return "containerd" if base in ("containerd.sock", "crio.sock") else "docker"


def _served_kind(proc: ProcessInfo, path: str) -> str:
    low = proc.name.lower()
    if low.startswith(("containerd", "crio", "k3s", "buildkitd")) or os.path.basename(path).startswith(
        ("containerd", "crio", "buildkitd")
    ):
        return "containerd"
    return "docker"


_API_SOCKET_RE = re.compile(r"^(docker|podman).*\.sock$|-api\.sock$|^containerd\.sock$")


def _api_socket_name(proc: ProcessInfo, path: str) -> bool:
    """Of the sockets an engine listens on, the ones that are its API (not dockerd's
    metrics.sock or libnetwork sockets, containerd's .ttrpc, a shim's socket): only
    these are probed, so that cdoctor talks to nothing but endpoints."""
    if proc.name.lower().startswith("containerd-shim"):
        return False
    return bool(_API_SOCKET_RE.search(os.path.basename(path)))


def may_connect(
    st_uid: int | None, st_gid: int | None, mode: int | None, uid: int, gids: frozenset[int], blocked: str | None
) -> tuple[bool | None, str]:
    """Whether a process with `uid`/`gids` may connect to a socket with this owner and mode (pure).

    connect(2) on a unix socket needs write permission on the socket file and
    search permission on every directory above it; root passes both checks.
    """
    if blocked:
        return False, f"no search permission on {blocked}"
    if uid == 0:
        return True, "root"
    if mode is None or st_uid is None:
        return None, ""
    if st_uid == uid:
        return (bool(mode & 0o200), "owner may write" if mode & 0o200 else f"owner without write (mode {mode:04o})")
    if st_gid in gids:
        return (
            bool(mode & 0o020),
            "group may write" if mode & 0o020 else f"your group may not write (mode {mode:04o})",
        )
    if mode & 0o002:
        return True, "anyone may write"
    return False, f"neither its owner nor in its group, and mode {mode:04o} lets only them in"


def _gather_sockets(facts: Facts) -> tuple[SocketInfo, ...]:
    import time

    from doctor.gather import engine  # late: engine imports this module

    started = time.monotonic()
    # Everything here, probes included, ends by this deadline: one wedged socket
    # must not cost the whole inventory (the store's waiter gives up at budget + slack).
    deadline = started + max(0.2, facts.budget(SOCKETS) - 0.15)
    ctx = _ctx(facts)
    env = facts.get(ENVIRONMENT)
    candidates: dict[str, tuple[list[str], str]] = {}

    def add(path: str, kind: str, reason: str) -> None:
        if not path.startswith("/"):
            path = os.path.abspath(path)
        entry = candidates.setdefault(path, ([], _socket_kind(path, kind)))
        if reason not in entry[0]:
            entry[0].append(reason)

    endpoint_path = None
    try:
        res = facts.get(RESOLUTION)
        if res.host and res.host.startswith("unix://"):
            endpoint_path = os.path.abspath(res.host[len("unix://") :])
            add(endpoint_path, "docker", "the endpoint the docker CLI uses")
    except FactUnavailable:
        pass
    if ctx.focus_endpoint and ctx.focus_endpoint.startswith("unix://") and is_own(facts, ctx.focus_endpoint):
        # Only a path this machine's configuration names is connected to; any other path from a
        # pasted text is inspected read-only (doctor/gather/pasted.py).
        endpoint_path = os.path.abspath(ctx.focus_endpoint[len("unix://") :])
        add(endpoint_path, "docker", "the endpoint the error names")
    dh = env.values.get("DOCKER_HOST", "")
    if dh.startswith("unix://"):
        add(dh[len("unix://") :], "docker", "DOCKER_HOST")
    with contextlib.suppress(FactUnavailable):
        for meta in facts.get(CONTEXT_STORE).contexts.values():
            if meta.host and meta.host.startswith("unix://"):
                add(meta.host[len("unix://") :], "docker", f"context {meta.name!r}")
    for pattern, kind, reason in known_socket_paths(env):
        if any(c in pattern for c in "*?["):
            for match in sorted(glob.glob(pattern))[:50]:
                add(match, kind, reason)
        else:
            add(pattern, kind, reason)
    procs: tuple[ProcessInfo, ...] = ()
    with contextlib.suppress(FactUnavailable):
        procs = facts.get(PROCESSES).items
    for proc in procs:
        for served in (*proc.serves, *(p for p in proc.listening if _api_socket_name(proc, p))):
            if served.startswith(("unix://", "/")):
                p = served.removeprefix("unix://")
                add(p, _served_kind(proc, p), f"{proc.name} (pid {proc.pid}) serves it")
        if proc.containerd_address:
            add(
                proc.containerd_address.removeprefix("unix://"),
                "containerd",
                f"{proc.name} (pid {proc.pid}) uses it",
            )

    listening = listeners(facts)
    infos: dict[str, SocketInfo] = {}
    for path, (reasons, kind) in list(candidates.items())[:500]:
        infos[path] = _stat_socket(path, tuple(reasons), kind, env)

    # Who holds each socket: the inode of the final target among listening sockets.
    inode_of: dict[str, int] = {}
    for path, info in infos.items():
        final = info.link_chain[-1] if info.link_chain else path
        inode = listening.get(final, listening.get(os.path.realpath(final)))
        if inode is not None:
            inode_of[path] = inode
    known_pids = [(1, "systemd"), *((p.pid, p.name) for p in procs)]
    held = _holders(set(inode_of.values()), known_pids) if inode_of else {}
    # Sockets held by no engine process (or by pid 1 alone): look at every process, bounded.
    unknown = {i for i in inode_of.values() if all(pid == 1 for pid, _ in held.get(i, ()))}
    if unknown:
        more, _complete = _scan_holders(unknown, {pid for pid, _ in known_pids}, started + 0.5)
        for inode, hs in more.items():
            held.setdefault(inode, []).extend(hs)

    results: dict[str, outcomes.ProbeResult] = {}
    lock = threading.Lock()
    threads = []

    def probe(path: str, info: SocketInfo) -> None:
        timeout = max(0.05, deadline - time.monotonic())
        if info.kind == "containerd":
            r = _connect_only("unix://" + path, timeout)
        else:
            r = api.ping("unix://" + path, "unix://" + path, TLSSettings(), timeout)
        with lock:
            results[path] = r

    final_infos = {}
    for path, found in infos.items():
        holders = tuple(held.get(inode_of.get(path, -1), ()))
        # Socket activation: systemd (pid 1) holds the listening socket and no other
        # process does (an engine started by it would hold the same inode: dockerd -H fd://).
        # When the scan was cut short another holder may exist unseen: not connecting is the safe side.
        # (Without root, /proc/1/fd is closed to us and activation cannot be seen at all.)
        activation = bool(holders) and all(pid == 1 for pid, _ in holders)
        info = _with(found, listeners=holders, systemd_activation=activation)
        final_infos[path] = info
        if path == endpoint_path:
            continue  # ENDPOINT_PROBE answers for it: never probe the same socket twice
        if activation and not ctx.allow_activation:
            results[path] = outcomes.ProbeResult(
                "unix://" + path,
                "unix://" + path,
                "not-probed",
                "systemd socket activation: connecting would start the daemon",
            )
        elif info.file_type != "missing" or info.dangling or info.loop:
            # Connect even where the mode bits say no or the file is no socket: the
            # kernel's errno is the fact (ACLs, capabilities), a prediction is not.
            t = threading.Thread(target=probe, args=(path, info), daemon=True)
            t.start()
            threads.append(t)
    if endpoint_path is not None and endpoint_path in final_infos:
        got: list[engine.EndpointProbe] = []

        def wait_endpoint() -> None:
            with contextlib.suppress(FactUnavailable):
                got.append(facts.get(engine.ENDPOINT_PROBE))

        waiter = threading.Thread(target=wait_endpoint, daemon=True)
        waiter.start()
        waiter.join(max(0.0, deadline - time.monotonic()) + 0.05)
        ep = got[0].result if got else None
        if ep is not None:
            results[endpoint_path] = ep
        else:
            results[endpoint_path] = outcomes.ProbeResult(
                "unix://" + endpoint_path,
                "unix://" + endpoint_path,
                outcomes.NO_ANSWER,
                "the endpoint probe did not finish within the deadline",
                seconds=time.monotonic() - started,
            )
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 0.05)
    out = []
    with lock:
        done = dict(results)
    for path, info in final_infos.items():
        if (
            info.file_type == "missing"
            and not info.dangling
            and not info.loop
            and not any(r.startswith(("the endpoint", "DOCKER_HOST", "context")) for r in info.reasons)
        ):
            continue  # a known path that simply is not here: not worth listing
        r = done.get(path)
        if r is None and info.file_type == "socket" and not (info.systemd_activation and not ctx.allow_activation):
            r = outcomes.ProbeResult(
                "unix://" + path,
                "unix://" + path,
                outcomes.NO_ANSWER,
                "no answer within the deadline",
                seconds=time.monotonic() - started,
            )
        out.append(_with(info, probe=r))
    return tuple(out)


def _with(info: SocketInfo, **changes: object) -> SocketInfo:
    values = {f: getattr(info, f) for f in info.__dataclass_fields__}
    values.update(changes)
    return SocketInfo(**values)


def _stat_socket(path: str, reasons: tuple[str, ...], kind: str, env: Environment) -> SocketInfo:
    chain, dangling, loop = _link_chain(path)
    blocked = _blocked_dir(path) or (_blocked_dir(chain[-1]) if chain else None)
    user = env.user
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return SocketInfo(path, reasons, kind, "missing", chain, dangling, loop, blocked_dir=blocked)
    except PermissionError:
        return SocketInfo(
            path,
            reasons,
            kind,
            "unreadable",
            chain,
            dangling,
            loop,
            blocked_dir=blocked,
            may_connect=False,
            access=f"no search permission on {blocked}" if blocked else "the path cannot be read",
        )
    except OSError as e:
        # ELOOP, ENOTDIR, ENAMETOOLONG: the path cannot be followed
        is_loop = loop or e.errno == errno.ELOOP
        return SocketInfo(path, reasons, kind, "missing", chain, dangling, is_loop, blocked_dir=blocked)
    mode = st.st_mode
    file_type = (
        "socket"
        if stat.S_ISSOCK(mode)
        else "file"
        if stat.S_ISREG(mode)
        else "directory"
        if stat.S_ISDIR(mode)
        else "other"
    )
    names = user.group_names
    owner = group = None
    with contextlib.suppress(KeyError, ImportError):
        import pwd

        owner = pwd.getpwuid(st.st_uid).pw_name
    group = names.get(st.st_gid)
    if group is None:
        with contextlib.suppress(KeyError, ImportError):
            import grp

            group = grp.getgrgid(st.st_gid).gr_name
    may, why = may_connect(st.st_uid, st.st_gid, stat.S_IMODE(mode), user.uid, user.process_gids, blocked)
    return SocketInfo(
        path,
        reasons,
        kind,
        file_type,
        chain,
        dangling,
        loop,
        st.st_uid,
        st.st_gid,
        owner,
        group,
        stat.S_IMODE(mode),
        blocked,
        may_connect=may if file_type == "socket" else None,
        access=why if file_type == "socket" else "",
    )


def _connect_only(host: str, timeout: float) -> outcomes.ProbeResult:
    """Connect to a non-Docker socket (containerd) to see whether it is alive; send nothing."""
    import socket
    import time

    started = time.monotonic()
    path = host[len("unix://") :]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except OSError as e:
        outcome, err = api.classify(e)
        return outcomes.ProbeResult(host, host, outcome, e.strerror or str(e), err, time.monotonic() - started)
    finally:
        s.close()
    return outcomes.ProbeResult(
        host,
        host,
        "listening",
        "accepts connections (not probed further: not a Docker API)",
        seconds=time.monotonic() - started,
    )


SOCKETS: Fact[tuple[SocketInfo, ...]] = Fact("sockets", _gather_sockets, network=True)


# --- other endpoints (contexts that are not unix sockets) ---------------------------

_TCP_RE = re.compile(r"^(tcp|ssh)://")


def _gather_context_probes(facts: Facts) -> dict[str, outcomes.ProbeResult]:
    """/_ping of every context's endpoint (unix ones come from SOCKETS), in parallel."""
    store = facts.get(CONTEXT_STORE)
    timeout = facts.budget(CONTEXT_PROBES)
    results: dict[str, outcomes.ProbeResult] = {}
    threads = []
    for meta in list(store.contexts.values())[:500]:
        host = meta.host
        if not host or not _TCP_RE.match(host) or host in results:
            continue
        try:
            hosts.parse_host_url(host)
        except hosts.HostError:
            continue
        tls = TLSSettings(
            enabled=bool(meta.tls_files) or meta.skip_tls_verify,
            verify=not meta.skip_tls_verify,
            ca=f"{store.root}/tls/{meta.dir_id}/docker/ca.pem" if "ca.pem" in meta.tls_files else None,
            cert=f"{store.root}/tls/{meta.dir_id}/docker/cert.pem" if "cert.pem" in meta.tls_files else None,
            key=f"{store.root}/tls/{meta.dir_id}/docker/key.pem" if "key.pem" in meta.tls_files else None,
        )
        if host.startswith("ssh://"):
            continue  # ssh is probed only when it is the resolved endpoint: it may prompt or cost a login

        def run(h: str = host, t: TLSSettings = tls) -> None:
            results[h] = api.ping(h, h, t, timeout)

        th = threading.Thread(target=run, daemon=True)
        th.start()
        threads.append(th)
    for th in threads:
        th.join(timeout + 0.5)
    return dict(results)


CONTEXT_PROBES: Fact[dict[str, outcomes.ProbeResult]] = Fact("context_probes", _gather_context_probes, network=True)
