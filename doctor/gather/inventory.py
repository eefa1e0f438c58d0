"""The machine's container stack: candidate sockets, engine processes, installed engines."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import stat
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from doctor import hosts, outcomes
from doctor.context import RunContext
from doctor.facts import Fact, Facts, FactUnavailable
from doctor.gather import api
from doctor.gather.local import CONTEXT_STORE, ENVIRONMENT, RESOLUTION, Environment
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
    # Sockets this process serves or uses, read from its command line.
    serves: tuple[
        str, ...
    ] = ()  # unix paths / tcp URLs it listens on (dockerd -H, containerd --address, podman service URI)
    containerd_address: str | None = None  # dockerd --containerd, shim -address
    namespace: str | None = None  # shim -namespace (moby | k8s.io | …)


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


@dataclass(frozen=True, slots=True)
class Installed:
    binaries: dict[str, str] = field(default_factory=dict)  # name -> path
    units: tuple[str, ...] = ()  # systemd unit files present
    product_dirs: dict[str, str] = field(default_factory=dict)  # product id -> directory


def _ctx(facts: Facts) -> RunContext:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    return ctx


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


def describe_process(
    pid: int, name: str, exe: str | None, cmdline: tuple[str, ...], username: str | None, ppid: int | None
) -> ProcessInfo:
    """Read the sockets a stack process serves from its command line (pure)."""
    base = os.path.basename(cmdline[0]) if cmdline else name
    serves: list[str] = []
    containerd_address = None
    namespace = None
    low = name.lower()
    if low.startswith("dockerd") or base.startswith("dockerd"):
        serves = _flag_values(cmdline, ("-H", "--host"))
        if not serves and "dockerd-rootless" not in base:
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
    elif (low == "podman" or base == "podman") and "service" in cmdline:
        uris = [a for a in cmdline[cmdline.index("service") + 1 :] if "://" in a]
        serves = uris[-1:] if uris else ["(default podman socket)"]
    elif low == "k3s" or base == "k3s":
        pass
    return ProcessInfo(pid, name, exe, cmdline, username, ppid, tuple(serves), containerd_address, namespace)


def _gather_processes(facts: Facts) -> Processes:
    import psutil

    items: list[ProcessInfo] = []
    scanned = denied = vanished = 0
    deadline_budget = facts.budget(PROCESSES)
    stop = threading.Event()
    timer = threading.Timer(deadline_budget, stop.set)
    timer.daemon = True
    timer.start()
    try:
        for proc in psutil.process_iter(["pid", "name"]):
            if stop.is_set() or scanned >= MAX_PROCESSES_SCANNED:
                break
            scanned += 1
            name = proc.info.get("name") or ""
            if not name.lower().startswith(ENGINE_PROCESS_NAMES):
                continue
            try:
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
            items.append(describe_process(proc.pid, name, exe, cmdline, user, ppid))
    finally:
        timer.cancel()
    return Processes(tuple(items), scanned, denied, vanished)


PROCESSES: Fact[Processes] = Fact("processes", _gather_processes)


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
    """Follow a symlink chain by hand: (hops, dangling, loop)."""
    hops: list[str] = []
    current = path
    seen: set[str] = set()
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
    d = os.path.dirname(path)
    parents = []
    while d and d != "/":
        parents.append(d)
        d = os.path.dirname(d)
    for p in reversed(parents):
        with contextlib.suppress(OSError):
            if os.path.isdir(p) and not os.access(p, os.X_OK):
                return p
    return None


def _unix_listeners() -> dict[str, int]:
    """path -> inode of listening unix sockets (/proc/net/unix, Linux only)."""
    out: dict[str, int] = {}
    try:
        with open("/proc/net/unix", "rb") as f:
            for raw in f.read(16 * 1024 * 1024).splitlines()[1:]:
                parts = raw.split(None, 7)
                if len(parts) == 8 and parts[5] == b"01":  # SS_UNCONNECTED = listening
                    out[os.fsdecode(parts[7])] = int(parts[6])
    except (OSError, ValueError):
        pass
    return out


def _holders(inodes: set[int], pids: Iterable[tuple[int, str]]) -> dict[int, list[tuple[int, str]]]:
    """Which of `pids` hold a socket with one of `inodes` (needs permission to read /proc/PID/fd)."""
    held: dict[int, list[tuple[int, str]]] = {}
    wanted = {f"socket:[{i}]": i for i in inodes}
    for pid, name in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds[:4096]:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link in wanted:
                held.setdefault(wanted[link], []).append((pid, name))
    return held


def _socket_kind(path: str, hint: str) -> str:
    if hint != "docker":
        return hint
    base = os.path.basename(path)
    return "containerd" if base in ("containerd.sock", "crio.sock") else "docker"


def _gather_sockets(facts: Facts) -> tuple[SocketInfo, ...]:
    ctx = _ctx(facts)
    env = facts.get(ENVIRONMENT)
    candidates: dict[str, tuple[list[str], str]] = {}

    def add(path: str, kind: str, reason: str) -> None:
        if not path.startswith("/"):
            path = os.path.abspath(path)
        entry = candidates.setdefault(path, ([], _socket_kind(path, kind)))
        if reason not in entry[0]:
            entry[0].append(reason)

    try:
        res = facts.get(RESOLUTION)
        if res.host and res.host.startswith("unix://"):
            add(res.host[len("unix://") :], "docker", "the endpoint the docker CLI uses")
    except FactUnavailable:
        pass
    if ctx.focus_endpoint and ctx.focus_endpoint.startswith("unix://"):
        add(ctx.focus_endpoint[len("unix://") :], "docker", "the endpoint the error names")
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
    with contextlib.suppress(FactUnavailable):
        for proc in facts.get(PROCESSES).items:
            for served in proc.serves:
                if served.startswith(("unix://", "/")):
                    p = served.removeprefix("unix://")
                    kind = "containerd" if proc.name.startswith("containerd") else "docker"
                    add(p, kind, f"{proc.name} (pid {proc.pid}) serves it")
            if proc.containerd_address:
                add(
                    proc.containerd_address.removeprefix("unix://"),
                    "containerd",
                    f"{proc.name} (pid {proc.pid}) uses it",
                )

    listening = _unix_listeners()
    engine_pids: list[tuple[int, str]] = [(1, "systemd")]
    with contextlib.suppress(FactUnavailable):
        engine_pids += [(p.pid, p.name) for p in facts.get(PROCESSES).items]
    infos: dict[str, SocketInfo] = {}
    for path, (reasons, kind) in candidates.items():
        infos[path] = _stat_socket(path, tuple(reasons), kind, env)
    # Who holds each socket: the inode of the final target among listening sockets.
    inode_of = {}
    for path, info in infos.items():
        final = info.link_chain[-1] if info.link_chain else path
        if final in listening:
            inode_of[path] = listening[final]
    held = _holders(set(inode_of.values()), engine_pids) if inode_of else {}
    engines_running = any(n.startswith(("dockerd", "podman")) for _p, n in engine_pids[1:])
    # Probe every socket in parallel: one deadline in all, not one per socket.
    results: dict[str, outcomes.ProbeResult] = {}
    threads = []
    timeout = facts.budget(SOCKETS)

    def probe(path: str, info: SocketInfo, activation: bool) -> None:
        if activation and not ctx.allow_activation:
            results[path] = outcomes.ProbeResult(
                "unix://" + path,
                "unix://" + path,
                "not-probed",
                "systemd socket activation: connecting would start the daemon",
            )
            return
        if info.kind == "containerd":
            results[path] = _connect_only("unix://" + path, timeout)
        else:
            results[path] = api.ping("unix://" + path, "unix://" + path, TLSSettings(), timeout)

    final_infos = {}
    for path, found in infos.items():
        holders = tuple(held.get(inode_of.get(path, -1), ()))
        activation = bool(holders) and all(pid == 1 for pid, _ in holders) and not engines_running
        info = _with(found, listeners=holders, systemd_activation=activation)
        final_infos[path] = info
        if info.file_type == "socket" or info.dangling:
            t = threading.Thread(target=probe, args=(path, info, activation), daemon=True)
            t.start()
            threads.append(t)
        elif info.file_type == "file":
            results[path] = outcomes.ProbeResult(
                "unix://" + path, "unix://" + path, outcomes.REFUSED, "a regular file, not a socket", "ECONNREFUSED"
            )
    for t in threads:
        t.join(timeout + 0.5)
    out = []
    for path, info in final_infos.items():
        if (
            info.file_type == "missing"
            and not info.dangling
            and not any(r.startswith(("the endpoint", "DOCKER_HOST", "context")) for r in info.reasons)
        ):
            continue  # a known path that simply is not here: not worth listing
        out.append(_with(info, probe=results.get(path)))
    return tuple(out)


def _with(info: SocketInfo, **changes: object) -> SocketInfo:
    values = {f: getattr(info, f) for f in info.__dataclass_fields__}
    values.update(changes)
    return SocketInfo(**values)


def _stat_socket(path: str, reasons: tuple[str, ...], kind: str, env: Environment) -> SocketInfo:
    chain, dangling, loop = _link_chain(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return SocketInfo(path, reasons, kind, "missing", chain, dangling, loop, blocked_dir=_blocked_dir(path))
    except PermissionError:
        return SocketInfo(path, reasons, kind, "unreadable", chain, dangling, loop, blocked_dir=_blocked_dir(path))
    except OSError as e:
        # ELOOP, ENOTDIR, ENAMETOOLONG: the path cannot be followed
        return SocketInfo(path, reasons, kind, "missing", chain, dangling, loop or "loop" in str(e).lower())
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
    names = env.user.group_names
    owner = None
    with contextlib.suppress(KeyError, ImportError):
        import pwd

        owner = pwd.getpwuid(st.st_uid).pw_name
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
        names.get(st.st_gid),
        stat.S_IMODE(mode),
        _blocked_dir(path),
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
