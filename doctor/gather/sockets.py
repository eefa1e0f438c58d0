"""Candidate unix sockets: where they lead, who holds them, who may connect, whether they answer."""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import stat
import threading
import time
from collections.abc import Mapping

from doctor.facts import Facts, FactUnavailable
from doctor.facts.keys import CONTEXT_STORE, ENDPOINT_PROBE, ENVIRONMENT, PROCESSES, RESOLUTION, SOCKETS
from doctor.facts.record import record, replace
from doctor.facts.types import EndpointProbe, Environment, ProcessInfo, SocketInfo
from doctor.gather import dockerapi
from doctor.gather.pasted import is_own
from doctor.gather.procfs import holders_of, listeners, systemd_activation
from doctor.knowledge import outcomes, socket_paths
from doctor.knowledge.resolve import TLSSettings
from doctor.run.context import RunContext


def _ctx(facts: Facts) -> RunContext:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    return ctx


def known_socket_paths(env: Environment) -> list[tuple[str, str, str]]:
    """(path or glob, kind, reason) for the sockets every stack is known to use (knowledge/socket_paths.py)."""
    return socket_paths.known_socket_paths(env.user.home, env.user.uid, env.values.get("XDG_RUNTIME_DIR"))


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


@record
class SocketAccess:
    """What connect(2) checks of a socket file: its owner, group and mode, and a closed directory above it."""

    uid: int | None
    gid: int | None
    mode: int | None
    blocked: str | None = None  # a directory on the way without search permission


def may_connect(sock: SocketAccess, uid: int, gids: frozenset[int]) -> tuple[bool | None, str]:
    """Whether a process with `uid`/`gids` may connect to a socket with this owner and mode (pure).

    connect(2) on a unix socket needs write permission on the socket file and
    search permission on every directory above it; root passes both checks.
    """
    mode = sock.mode
    if sock.blocked:
        return False, f"no search permission on {sock.blocked}"
    if uid == 0:
        return True, "root"
    if mode is None or sock.uid is None:
        return None, ""
    if sock.uid == uid:
        return (bool(mode & 0o200), "owner may write" if mode & 0o200 else f"owner without write (mode {mode:04o})")
    if sock.gid in gids:
        return (
            bool(mode & 0o020),
            "group may write" if mode & 0o020 else f"your group may not write (mode {mode:04o})",
        )
    anyone = bool(mode & 0o002)
    return (
        anyone,
        "anyone may write" if anyone else f"neither its owner nor in its group, and mode {mode:04o} lets only them in",
    )


class _Candidates:
    """The socket paths worth a look, each with why (in words) and what it should speak."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[list[str], str]] = {}

    def add(self, path: str, kind: str, reason: str) -> None:
        if not path.startswith("/"):
            path = os.path.abspath(path)
        entry = self.found.setdefault(path, ([], _socket_kind(path, kind)))
        if reason not in entry[0]:
            entry[0].append(reason)


def _gather_sockets(facts: Facts) -> tuple[SocketInfo, ...]:
    started = time.monotonic()
    # Everything here, probes included, ends by this deadline: one wedged socket
    # must not cost the whole inventory (the store's waiter gives up at budget + slack).
    deadline = started + max(0.2, facts.budget(SOCKETS) - 0.15)
    ctx = _ctx(facts)
    env = facts.get(ENVIRONMENT)
    candidates = _Candidates()
    endpoint_path = _add_configured(facts, ctx, env, candidates)
    procs: tuple[ProcessInfo, ...] = ()
    with contextlib.suppress(FactUnavailable):
        procs = facts.get(PROCESSES).items
    _add_served(procs, candidates)
    infos = _with_holders(facts, _stat_all(candidates, env), procs, started)
    probes = _Probes(deadline)
    for path, info in infos.items():
        if path == endpoint_path:
            continue  # ENDPOINT_PROBE answers for it: never probe the same socket twice
        if info.systemd_activation and not ctx.allow_activation:
            probes.results[path] = outcomes.ProbeResult(
                "unix://" + path,
                "unix://" + path,
                "not-probed",
                "systemd socket activation: connecting would start the daemon",
            )
        elif info.file_type != "missing" or info.dangling or info.loop:
            # Connect even where the mode bits say no or the file is no socket: the
            # kernel's errno is the fact (ACLs, capabilities), a prediction is not.
            probes.start(path, info)
    # Only a socket file can be "connected but silent"; a path that is not a socket
    # keeps no probe rather than one invented from the probe's timeout.
    endpoint_info = infos.get(endpoint_path) if endpoint_path is not None else None
    if endpoint_path is not None and endpoint_info is not None and endpoint_info.file_type == "socket":
        probes.results[endpoint_path] = _endpoint_result(facts, endpoint_path, deadline, started)
    return _listed(infos, probes.finish(), ctx, started)


def _add_configured(facts: Facts, ctx: RunContext, env: Environment, candidates: _Candidates) -> str | None:
    """The paths the configuration names (endpoint, DOCKER_HOST, contexts, their corrections), the
    known paths of every product; returns the path of the endpoint in use, if it is a socket."""
    add = candidates.add
    endpoint_path = None
    chosen_context: str | None = None
    try:
        res = facts.get(RESOLUTION)
        chosen_context = res.context
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
    meant = [("DOCKER_HOST (corrected)", dh), *(("-H (corrected)", h) for h in ctx.flags.hosts or ())]
    with contextlib.suppress(FactUnavailable):
        for meta in facts.get(CONTEXT_STORE).contexts.values():
            if meta.host and meta.host.startswith("unix://"):
                add(meta.host[len("unix://") :], "docker", f"context {meta.name!r}")
            if meta.host and meta.name == chosen_context:  # only the context in use: a store may hold thousands
                meant.append((f"context {meta.name!r} (corrected)", meta.host))
    _add_meant(meant, env, candidates)
    for pattern, kind, reason in known_socket_paths(env):
        if any(c in pattern for c in "*?["):
            for match in sorted(glob.glob(pattern))[:50]:
                add(match, kind, reason)
        else:
            add(pattern, kind, reason)
    return endpoint_path


def _add_meant(meant: list[tuple[str, str]], env: Environment, candidates: _Candidates) -> None:
    """The value meant, where the value set is wrong (quotes, ~, a relative path…): the
    model check of its corrected value needs to know whether an engine answers there."""
    from doctor.knowledge.fixes import correct_host

    for reason, value in meant:
        if not value:
            continue
        fixed = correct_host(value, home=env.user.home, uid=env.user.uid, platform=env.platform, env=env.values)
        if fixed.corrected and fixed.corrected.startswith("unix:///"):
            candidates.add(fixed.corrected[len("unix://") :], "docker", reason)


def _add_served(procs: tuple[ProcessInfo, ...], candidates: _Candidates) -> None:
    """The sockets engine processes serve or listen on, and the containerd they use."""
    for proc in procs:
        for served in (*proc.serves, *(p for p in proc.listening if _api_socket_name(proc, p))):
            if served.startswith(("unix://", "/")):
                p = served.removeprefix("unix://")
                candidates.add(p, _served_kind(proc, p), f"{proc.name} (pid {proc.pid}) serves it")
        if proc.containerd_address:
            candidates.add(
                proc.containerd_address.removeprefix("unix://"),
                "containerd",
                f"{proc.name} (pid {proc.pid}) uses it",
            )


def _stat_all(candidates: _Candidates, env: Environment) -> dict[str, SocketInfo]:
    return {
        path: _stat_socket(path, tuple(reasons), kind, env)
        for path, (reasons, kind) in list(candidates.found.items())[:500]
    }


def _with_holders(
    facts: Facts, infos: dict[str, SocketInfo], procs: tuple[ProcessInfo, ...], started: float
) -> dict[str, SocketInfo]:
    """Each socket with the processes that hold it, and whether that is systemd's socket activation."""
    listening = listeners(facts)
    # Who holds each socket: the inode of the final target among listening sockets.
    inode_of: dict[str, int] = {}
    for path, info in infos.items():
        final = info.link_chain[-1] if info.link_chain else path
        inode = listening.get(final, listening.get(os.path.realpath(final)))
        if inode is not None:
            inode_of[path] = inode
    # Sockets held by no engine process (or by pid 1 alone): every process is looked at, bounded.
    held = holders_of(set(inode_of.values()), [(p.pid, p.name) for p in procs], started + 0.5) if inode_of else {}
    out = {}
    for path, found in infos.items():
        holders = tuple(held.get(inode_of.get(path, -1), ()))
        # When the scan was cut short another holder may exist unseen: not connecting is the safe side.
        out[path] = _with(found, listeners=holders, systemd_activation=systemd_activation(holders))
    return out


class _Probes:
    """Probes of sockets run side by side, each bounded by the same deadline."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.results: dict[str, outcomes.ProbeResult] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def _probe(self, path: str, info: SocketInfo) -> None:
        timeout = max(0.05, self.deadline - time.monotonic())
        if info.kind == "containerd":
            r = _connect_only("unix://" + path, timeout)
        else:
            r = dockerapi.ping("unix://" + path, "unix://" + path, TLSSettings(), timeout)
        with self._lock:
            self.results[path] = r

    def start(self, path: str, info: SocketInfo) -> None:
        t = threading.Thread(target=self._probe, args=(path, info), daemon=True)
        t.start()
        self._threads.append(t)

    def finish(self) -> dict[str, outcomes.ProbeResult]:
        """The results that came by the deadline."""
        for t in self._threads:
            t.join(max(0.0, self.deadline - time.monotonic()) + 0.05)
        with self._lock:
            return dict(self.results)


def _endpoint_result(facts: Facts, endpoint_path: str, deadline: float, started: float) -> outcomes.ProbeResult:
    """The endpoint's own probe (ENDPOINT_PROBE), waited for until the deadline."""
    got: list[EndpointProbe] = []

    def wait_endpoint() -> None:
        with contextlib.suppress(FactUnavailable):
            got.append(facts.get(ENDPOINT_PROBE))

    waiter = threading.Thread(target=wait_endpoint, daemon=True)
    waiter.start()
    waiter.join(max(0.0, deadline - time.monotonic()) + 0.05)
    ep = got[0].result if got else None
    if ep is not None:
        return ep
    return outcomes.ProbeResult(
        "unix://" + endpoint_path,
        "unix://" + endpoint_path,
        outcomes.NO_ANSWER,
        "the endpoint probe did not finish within the deadline",
        seconds=time.monotonic() - started,
    )


def _listed(
    infos: dict[str, SocketInfo], done: dict[str, outcomes.ProbeResult], ctx: RunContext, started: float
) -> tuple[SocketInfo, ...]:
    """The sockets worth listing, each with its probe; a socket that never answered gets "no answer"."""
    out = []
    for path, info in infos.items():
        if (
            info.file_type == "missing"
            and not info.dangling
            and not info.loop
            and not any(r.startswith(("the endpoint", "DOCKER_HOST", "context", "-H")) for r in info.reasons)
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
    return replace(info, **changes)


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
    file_type = _file_type(mode)
    owner, group = _owner_names(st.st_uid, st.st_gid, user.group_names)
    may, why = may_connect(SocketAccess(st.st_uid, st.st_gid, stat.S_IMODE(mode), blocked), user.uid, user.process_gids)
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


def _file_type(mode: int) -> str:
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISREG(mode):
        return "file"
    return "directory" if stat.S_ISDIR(mode) else "other"


def _owner_names(uid: int, gid: int, group_names: Mapping[int, str]) -> tuple[str | None, str | None]:
    """The names of a file's owner and group (the user's own group names first, then the databases)."""
    owner = None
    with contextlib.suppress(KeyError, ImportError):
        import pwd

        owner = pwd.getpwuid(uid).pw_name
    group = group_names.get(gid)
    if group is None:
        with contextlib.suppress(KeyError, ImportError):
            import grp

            group = grp.getgrgid(gid).gr_name
    return owner, group


def _connect_only(host: str, timeout: float) -> outcomes.ProbeResult:
    """Connect to a non-Docker socket (containerd) to see whether it is alive; send nothing."""
    import socket

    started = time.monotonic()
    path = host[len("unix://") :]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except OSError as e:
        outcome, err = dockerapi.classify(e)
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
