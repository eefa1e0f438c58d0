"""Does the resolved endpoint answer the Docker API, and if not, why not.

This is where "Cannot connect to the Docker daemon" becomes one cause: the
errno of the connection, the state of the socket file, who listens on it,
what else answers on this machine, and which engines are installed decide
between the causes of docs/causes.md.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Sequence

from checks._text import quote, source_words, tilde
from checks.layers import CHECKS as _LAYER_CHECKS
from doctor.api import (
    CONTEXT_PROBES,
    CONTEXT_STORE,
    ENDPOINT_PROBE,
    ENGINE,
    ENVIRONMENT,
    INSTALLED,
    PROCESSES,
    RESOLUTION,
    SOCKETS,
    Environment,
    Facts,
    FactUnavailable,
    Finding,
    Installed,
    ProcessInfo,
    Severity,
    SocketInfo,
    UserInfo,
    check,
)
from doctor.facts.record import record
from doctor.knowledge import fixes as fx
from doctor.knowledge import identify
from doctor.knowledge import outcomes as api
from doctor.knowledge.fix_rules import privileged_group
from doctor.knowledge.hosts import redact_url
from doctor.knowledge.resolve import Resolution

CATEGORY = "connection"
CHECK_ID = "endpoint-connection"

_VERSION_RE = re.compile(
    r"client version (\S+) is too (new|old)\. (?:Maximum|Minimum) supported API version is ([0-9.]+)"
)


@record
class LiveEndpoint:
    """Another endpoint on this machine that answers the Docker API."""

    host: str
    via: str  # how to select it: a context name, or "" (only DOCKER_HOST reaches it)
    context: str | None
    product: str | None


def permission_kind(sock: SocketInfo | None, user: UserInfo) -> str:
    """Which of the three EACCES stories is true (causes.md `permission-denied`)."""
    if sock is None:
        return "not-in-group"
    if sock.blocked_dir:
        return "directory"
    if sock.uid is not None and sock.uid != user.uid and sock.mode is not None and sock.mode & 0o077 == 0:
        return "socket-owner"
    if sock.group and sock.group in user.db_groups and sock.gid not in user.process_gids:
        return "group-inactive"
    return "not-in-group"


def _socket_for(sockets: Sequence[SocketInfo], path: str) -> SocketInfo | None:
    for s in sockets:
        if s.path == path:
            return s
    return None


def _same_socket(a: SocketInfo, path: str) -> bool:
    return a.path == path or (bool(a.link_chain) and a.link_chain[-1] == path)


def live_endpoints(facts: Facts, res: Resolution, env: Environment) -> list[LiveEndpoint]:
    """Every other endpoint that answers /_ping, with a way to select it."""
    store = facts.get(CONTEXT_STORE)
    ctx_by_host: dict[str, str] = {}
    for meta in store.contexts.values():
        if meta.host and meta.name and meta.name_matches_dir:
            ctx_by_host.setdefault(meta.host.removeprefix("unix://"), meta.name)
            ctx_by_host.setdefault(meta.host, meta.name)
    live: list[LiveEndpoint] = []
    own = (res.host or "").removeprefix("unix://")
    try:
        sockets = facts.get(SOCKETS)
    except FactUnavailable:
        sockets = ()
    for s in sockets:
        if s.probe is None or not s.probe.answered or s.kind != "docker":
            continue
        if own and (_same_socket(s, own) or (s.link_chain and s.link_chain[-1] == own)):
            continue
        name = ctx_by_host.get(s.path)
        ident = identify.product_from_path(s.path, home=env.user.home, uid=env.user.uid, platform=env.platform)
        live.append(LiveEndpoint("unix://" + s.path, name or "", name, ident.product if ident else None))
    try:
        probes = facts.get(CONTEXT_PROBES)
    except FactUnavailable:
        probes = {}
    for host, probe in probes.items():
        if probe.answered and host != res.host:
            name = ctx_by_host.get(host)
            live.append(LiveEndpoint(host, name or "", name, None))
    # Prefer endpoints that a context already names (one command to switch), then the default socket.
    live.sort(key=lambda e: (e.context is None, e.host != "unix:///var/run/docker.sock", e.host))
    return live


def _installed_engines(inst: Installed) -> list[str]:
    engines: list[str] = [b for b in ("dockerd", "podman") if b in inst.binaries]
    engines += [u.rsplit("/", 1)[-1] for u in inst.units if "containerd" not in u]
    engines += [f"{p} ({d})" for p, d in inst.product_dirs.items()]
    return engines


def _start_fix(product: str | None, variant: str | None, env: Environment, inst: Installed | None) -> str:
    platform = "macos" if env.platform == "darwin" else env.platform
    if product:
        cmd = identify.start_command(product, variant, platform=platform)
        if cmd:
            return cmd
    sudo = "sudo " if env.user.uid != 0 else ""
    if inst is not None and env.init and env.init != "systemd":
        direct = _start_without_systemd(inst, sudo)
        if direct:
            return direct
    if inst is not None:
        return _start_installed(inst, env, sudo)
    return f"{sudo}systemctl start docker"


def _start_without_systemd(inst: Installed, sudo: str) -> str | None:
    """No systemd here (a container, WSL without systemd): start the daemon directly."""
    if "dockerd" in inst.binaries:
        return f"{sudo}service docker start    # no systemd here; or: {sudo}dockerd &"
    if "podman" in inst.binaries:
        return (
            "podman system service --time=0 &    # then: export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/podman/podman.sock"
        )
    return None


def _start_installed(inst: Installed, env: Environment, sudo: str) -> str:
    """Start whichever engine the installed units and binaries name."""
    units = [u.rsplit("/", 1)[-1] for u in inst.units]
    user_units = [u for u in inst.units if "/user/" in u or "/.config/" in u]
    if any(u.endswith("docker.service") for u in user_units) and env.user.uid != 0:
        return "systemctl --user start docker"
    if "docker.service" in units or "docker.socket" in units:
        return f"{sudo}systemctl start docker"
    if "dockerd" in inst.binaries:
        return f"{sudo}service docker start"
    if "podman" in inst.binaries or "podman.socket" in units:
        if env.user.uid == 0:
            # Rootful podman serves /run/podman/podman.sock (podman.socket's ListenStream).
            return "systemctl start podman.socket    # then: export DOCKER_HOST=unix:///run/podman/podman.sock"
        return "systemctl --user start podman.socket    # then: export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/podman/podman.sock"
    return f"{sudo}systemctl start docker"


def _select_fix(res: Resolution, target: LiveEndpoint) -> list[str]:
    """How to make the CLI use `target`, given what chose the dead endpoint."""
    fixes: list[str] = []
    if res.source == "env:DOCKER_HOST":
        if target.context and target.context == _lost_context(res):
            return [f"unset DOCKER_HOST    # your context {target.context!r} answers"]
        fixes.append("unset DOCKER_HOST")
    if res.source == "env:DOCKER_CONTEXT":
        fixes.append("unset DOCKER_CONTEXT")
    if target.context:
        fixes.append(f"docker context use {quote(target.context)}")
    elif target.host == "unix:///var/run/docker.sock" and res.source in ("config", "env:DOCKER_CONTEXT"):
        fixes.append("docker context use default")
    else:
        fixes.append(f"export DOCKER_HOST={quote(target.host)}")
    return fixes


def _checked_select(
    facts: Facts, res: Resolution, target: LiveEndpoint, live: list[LiveEndpoint], data: dict[str, object]
) -> tuple[str, ...]:
    """The ways to select a live endpoint that the model proves reach it, smallest first."""
    world = fx.world_from_facts(facts)
    if world is None:
        return tuple(_select_fix(res, target))
    candidates: list[fx.Fix] = []
    for t in live[:4]:
        candidates += fx.select_fixes(res.source, t.host, t.context, _lost_context(res))
    chosen = fx.choose(world, candidates)
    if not chosen:
        return tuple(_select_fix(res, target))
    data["fixes"] = fx.describe(chosen[:4])
    return fx.fix_lines(chosen)


def _lost_context(res: Resolution) -> str | None:
    for o in res.overridden:
        if o.input in ("env:DOCKER_CONTEXT", "config"):
            return o.value
    return None


@check(
    id=CHECK_ID,
    title="The endpoint answers the Docker API",
    category=CATEGORY,
    requires=(ENDPOINT_PROBE, RESOLUTION, ENVIRONMENT),
    # Read when the endpoint does not answer, to name the cause.
    optional=(SOCKETS, PROCESSES, INSTALLED, CONTEXT_STORE, CONTEXT_PROBES, *fx.world_facts()),
)
def endpoint_connection(facts: Facts) -> Iterator[Finding]:
    """Connect to the resolved endpoint and ask `/_ping`, bounded by the deadline.

    When it does not answer, name the one cause that is true here: another
    endpoint answers (`endpoint-mismatch`), the engine is stopped or missing,
    permissions, TLS, a wedged daemon, something that is not the Docker API.
    """
    res = facts.get(RESOLUTION)
    try:
        endpoint = facts.get(ENDPOINT_PROBE)
    except FactUnavailable as e:
        if not e.timed_out:
            raise
        yield from _probe_timed_out(facts, res, e)
        return
    probe = endpoint.result
    if probe is None:
        return  # resolution failed: the configuration checks report why
    host = redact_url(probe.host)
    evidence = [
        f"{host}: {probe.outcome}" + (f" ({probe.detail})" if probe.detail else ""),
        f"chosen by {source_words(res.source)}",
    ]
    data: dict[str, object] = {"outcome": probe.outcome, "errno": probe.errno_name, "seconds": round(probe.seconds, 3)}
    if probe.answered:
        server = probe.server or "a Docker-API server"
        yield Finding(
            id="endpoint-answers",
            check=CHECK_ID,
            severity=Severity.OK,
            title=f"{host} answers the Docker API ({server}, API {probe.api_version or '?'})",
            evidence=tuple(evidence),
            data=data,
        )
        return
    if endpoint.activation_pending or probe.outcome == "not-probed":
        yield Finding(
            id="socket-activation",
            check=CHECK_ID,
            severity=Severity.WARNING,
            title=f"{host} is held by systemd socket activation; the engine is not running yet",
            detail="Connecting would start the daemon, so cdoctor did not connect. "
            "Run with --allow-activation to probe it (this starts the engine).",
            evidence=tuple(evidence),
            fix=("cdoctor --allow-activation",),
            data=data,
        )
        return
    yield _cause_of(_read_failure(facts, probe, evidence, data))


def _probe_timed_out(facts: Facts, res: Resolution, timeout: FactUnavailable) -> Iterator[Finding]:
    """The probe ran past cdoctor's own deadline: say only what is known without it.

    A timed-out probe fact is cdoctor's deadline, not the engine's silence: a starved
    machine, or a slow gatherer ahead of the probe, gives the same (a wedged engine
    is seen by the probe itself, which waits for an answer within its own deadline
    and reports no-answer). A path that is not there, or a socket this user may not
    open, is read from the file system as what it is; anything else stays unknown,
    so the run reports itself incomplete instead of inventing a cause.
    """
    host = res.host or ""
    try:
        sockets = facts.get(SOCKETS) if host.startswith("unix://") else ()
    except FactUnavailable:
        sockets = ()
    sock = _socket_for(sockets, posixpath.normpath(host[len("unix://") :])) if sockets else None
    if sock is not None and sock.file_type == "socket" and sock.may_connect is False:
        stat = api.ProbeResult(
            host, host, api.PERMISSION_DENIED,
            f"{sock.access or 'no write permission'} (read from the file system: the probe itself did not finish in time)",
            errno_name="EACCES",
        )  # fmt: skip
        yield _cause_from_stat(facts, res, stat)
        return
    if sock is not None and sock.file_type == "missing" and not sock.link_chain:
        stat = api.ProbeResult(
            host, host, api.SOCKET_MISSING,
            "no such file (read from the file system: the probe itself did not finish in time)",
            errno_name="ENOENT",
        )  # fmt: skip
        yield _cause_from_stat(facts, res, stat)
        return
    raise timeout


def _cause_from_stat(facts: Facts, res: Resolution, stat: api.ProbeResult) -> Finding:
    evidence = [f"{redact_url(stat.host)}: {stat.outcome} ({stat.detail})", f"chosen by {source_words(res.source)}"]
    data: dict[str, object] = {"outcome": stat.outcome, "errno": stat.errno_name, "seconds": None}
    return _cause_of(_read_failure(facts, stat, evidence, data))


@record
class _Failure:
    """An endpoint that did not answer, and what is known around it.

    ``evidence`` and ``data`` are the finding's, filled in as the cause is worked out.
    """

    facts: Facts
    res: Resolution
    env: Environment
    probe: api.ProbeResult
    host: str  # redacted, for messages
    scheme: str
    path: str  # the socket path of a unix:// endpoint, else ""
    sock: SocketInfo | None
    ident: identify.Identification | None
    evidence: list[str]
    data: dict[str, object]

    @property
    def outcome(self) -> str:
        return self.probe.outcome


def _read_failure(facts: Facts, probe: api.ProbeResult, evidence: list[str], data: dict[str, object]) -> _Failure:
    """Find the socket and the product behind a failed probe, adding what was seen to ``evidence``."""
    env = facts.get(ENVIRONMENT)
    home = env.user.home
    scheme = probe.dial.partition("://")[0]
    path = probe.dial.removeprefix("unix://") if scheme == "unix" else ""
    try:
        sockets = facts.get(SOCKETS)
    except FactUnavailable:
        sockets = ()
    sock = _socket_for(sockets, path) if path else None
    target = sock.link_chain[-1] if sock and sock.link_chain else None
    ident = identify.product_of_endpoint(probe.dial, target, home=home, uid=env.user.uid, platform=env.platform)
    if sock and target:
        evidence.append(
            f"{tilde(path, home)} is a symlink to {tilde(target, home)}"
            + (" (dangling)" if sock.dangling else "")
            + (" (a loop)" if sock.loop else "")
        )
    if ident:
        evidence.append(f"the path belongs to {ident.product}" + (f" ({ident.variant})" if ident.variant else ""))
        data["product_hint"] = ident.product
    return _Failure(
        facts, facts.get(RESOLUTION), env, probe, redact_url(probe.host), scheme, path, sock, ident, evidence, data
    )


#: Connection-level failures: when another engine answers, the wrong endpoint is chosen.
_NOTHING_THERE = (api.SOCKET_MISSING, api.REFUSED, api.CONNECT_TIMEOUT, api.DNS, api.UNREACHABLE)
_TLS_OUTCOMES = (api.HTTP_TO_TLS, api.TLS_TO_HTTP, api.TLS_VERIFY, api.TLS_CLIENT_CERT, api.TLS_CONFIG)


def _cause_of(f: _Failure) -> Finding:
    """The one cause of a failed probe: the first rule of ``_FAILURE_RULES`` that applies."""
    if f.outcome in _NOTHING_THERE:
        live = live_endpoints(f.facts, f.res, f.env)
        if live:
            return _mismatch(f, live)
    for applies, finding in _FAILURE_RULES:
        if applies(f):
            return finding(f)
    return Finding(
        id="endpoint-unreachable",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="invalid-docker-host",
        title=f"{f.host} cannot be dialled: {f.probe.detail}",
        evidence=tuple(f.evidence),
        data=f.data,
    )


def _mismatch(f: _Failure, live: list[LiveEndpoint]) -> Finding:
    """Nothing answers at the chosen endpoint, but ``live[0]`` does."""
    target = live[0]
    f.data["live_endpoints"] = [e.host for e in live]
    via = f"your context {target.context!r}" if target.context else f"{target.host}"
    what = (
        "is set in your environment"
        if f.res.source == "env:DOCKER_HOST"
        else f"is chosen by {source_words(f.res.source)}"
    )
    return Finding(
        id="endpoint-mismatch",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="endpoint-mismatch",
        title=f"docker uses {f.host}, where nothing answers; {via} answers",
        detail=(
            f"{f.host} {what} and {_outcome_words(f.outcome, f.probe)}. "
            f"Meanwhile {', '.join(e.host for e in live[:4])} answer{'s' if len(live) == 1 else ''} the Docker API."
        ),
        evidence=(
            *f.evidence,
            *(f"answers: {e.host}" + (f" (context {e.context!r})" if e.context else "") for e in live[:6]),
        ),
        fix=_checked_select(f.facts, f.res, target, live, f.data),
        data=f.data,
    )


def _hung(f: _Failure) -> bool:
    """It accepted the connection and said nothing (a containerd socket closes: not hung)."""
    return f.outcome == api.NO_ANSWER or (
        f.outcome == api.CLOSED and f.scheme == "unix" and (f.sock is None or f.sock.kind != "containerd")
    )


def _unresponsive_here(f: _Failure) -> Finding:
    return _Unresponsive(
        f.host,
        _outcome_words(f.outcome, f.probe),
        f.ident.product if f.ident else "",
        tuple(f.sock.listeners) if f.sock else (),
        tuple(f.evidence),
        f.data,
    ).finding()


def _api_error(f: _Failure) -> Finding:
    m = _VERSION_RE.search(f.probe.detail)
    if m:
        return _api_version(m, f.evidence, f.data, f.env)
    return Finding(
        id="not-docker-api",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="not-docker-api",
        title=f"{f.host} answers /_ping with an error: {f.probe.detail[:120]}",
        evidence=tuple(f.evidence),
        data=f.data,
    )


def _outcome_words(outcome: str, probe: api.ProbeResult) -> str:
    return api.outcome_words(outcome, seconds=probe.seconds, detail=probe.detail)


def _permission(f: _Failure) -> Finding:
    facts, sock, user, host, path, evidence, data = f.facts, f.sock, f.env.user, f.host, f.path, f.evidence, f.data
    kind = permission_kind(sock, user)
    data["permission"] = kind
    who = user.name or str(user.uid)
    if sock is not None and sock.mode is not None:
        evidence.append(f"{path}: owner {sock.owner or sock.uid}, group {sock.group or sock.gid}, mode {sock.mode:04o}")
    evidence.append(_groups_evidence(who, user))
    group = (sock.group if sock else None) or "docker"
    if kind in ("group-inactive", "not-in-group") and sock is not None and privileged_group(sock.group, sock.gid):
        return _foreign_group(f, sock)
    if kind == "group-inactive":
        title = f"You are in group {group!r} (/etc/group) but this shell is not: it started before you were added"
        fix: tuple[str, ...] = (f"newgrp {group}    # or log out and back in",)
    elif kind == "socket-owner":
        owner = (sock.owner if sock else None) or "another user"
        title = (
            f"{host} belongs to {owner} and only they may use it (mode {sock.mode:04o})"
            if sock and sock.mode is not None
            else f"{host} belongs to another user"
        )
        fix = (
            "dockerd-rootless-setuptool.sh install    # run your own rootless engine",
            f"# or ask {owner} / use sudo: sudo docker ps",
        )
    elif kind == "directory":
        blocked = sock.blocked_dir if sock else "a parent directory"
        title = f"You may not enter {blocked}, so {host} cannot be reached"
        fix = (f"ls -ld {quote(blocked or '/')}    # the directory needs search (x) permission for you",)
    else:
        title = f"You ({who}) are not in group {group!r}, which owns {host}"
        fix = (f"sudo usermod -aG {quote(group)} {quote(who)}", f"newgrp {group}    # or log out and back in")
    if kind in ("group-inactive", "not-in-group"):
        sudo = "sudo " if user.uid != 0 else ""
        candidates = fx.group_fixes(group, who, member=kind == "group-inactive", sudo=sudo)
        chosen = fx.choose(fx.world_from_facts(facts), [*candidates, fx.oneoff_sudo(sudo)])
        if chosen:
            data["fixes"] = fx.describe(chosen)
            fix = fx.fix_lines(chosen)
    return Finding(
        id="permission-denied",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="permission-denied",
        title=title,
        detail=_permission_words(kind, host, who, group, sock),
        evidence=tuple(evidence),
        fix=fix,
        data=data,
    )


def _foreign_group(f: _Failure, sock: SocketInfo) -> Finding:
    """EACCES on a socket whose group is a privileged one (root, …): not a group to join.

    Say whose socket it is and give that engine's remedy: dockerd's own group
    (--group/-G, daemon.json "group", docker.socket's SocketGroup); for Podman's
    rootful socket, the user's own rootless Podman; `sudo` for a one-off.
    """
    user, env = f.env.user, f.env
    final = sock.link_chain[-1] if sock.link_chain else f.path
    ident = identify.product_from_path(final, home=env.user.home, uid=user.uid, platform=env.platform)
    try:
        procs = f.facts.get(PROCESSES).items
    except FactUnavailable:
        procs = ()
    server = _server_process(procs, f.path, final, sock)
    podman = (ident is not None and ident.product == "podman") or (server is not None and server.name == "podman")
    f.data["permission"] = "privileged-group"
    f.data["socket_group"] = sock.group
    world = fx.world_from_facts(f.facts)
    whose, candidates, detail = _podman_remedy(f, sock) if podman else _dockerd_remedy(f, sock, server, final, world)
    candidates.append(fx.oneoff_sudo("sudo " if user.uid != 0 else ""))
    chosen = fx.choose(world, candidates)
    f.data["fixes"] = fx.describe(chosen)
    f.evidence.append(_groups_evidence(user.name or str(user.uid), user))
    return Finding(
        id="permission-denied",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="permission-denied",
        title=f"{f.host} is {whose}, group {sock.group or sock.gid}: not a group to join",
        detail=detail,
        evidence=tuple(f.evidence),
        fix=fx.fix_lines(chosen),
        data=f.data,
    )


def _owner_and_mode(sock: SocketInfo) -> tuple[str, str]:
    return f"{sock.owner or sock.uid}:{sock.group or sock.gid}", f"{sock.mode:04o}" if sock.mode is not None else "?"


def _podman_remedy(f: _Failure, sock: SocketInfo) -> tuple[str, list[fx.Fix], str]:
    """Podman's rootful socket: (whose it is, the user's own rootless Podman as fixes, the detail)."""
    owner, mode = _owner_and_mode(sock)
    whose = "Podman's rootful API socket"
    rootless = f"/run/user/{f.env.user.uid}/podman/podman.sock"
    candidates = [
        fx.Fix(
            "select",
            (f"export DOCKER_HOST=unix://{rootless}    # your own rootless Podman",),
            (fx.Change(fx.ENV_SET, "DOCKER_HOST", "unix://" + rootless),),
        ),
        fx.Fix(
            "start",
            ("systemctl --user enable --now podman.socket", f"export DOCKER_HOST={quote('unix://' + rootless)}"),
            (
                fx.Change(fx.ENGINE_START, "podman.socket"),
                fx.Change(fx.ENV_SET, "DOCKER_HOST", "unix://" + rootless),
            ),
            note="not checked: starts your rootless Podman API socket",
        ),
    ]
    detail = (
        f"{f.host} is {whose} ({owner}, mode {mode}): only root may use it, and no group is meant to "
        "be joined for it. Run your own rootless Podman and point docker at its socket, or use sudo for a one-off."
    )
    return whose, candidates, detail


def _dockerd_remedy(
    f: _Failure, sock: SocketInfo, server: ProcessInfo | None, final: str, world: fx.World | None
) -> tuple[str, list[fx.Fix], str]:
    """dockerd's socket: (whose it is, its socket in the engine's own group as a fix, the detail)."""
    owner, mode = _owner_and_mode(sock)
    whose = f"{server.name}'s socket (pid {server.pid})" if server is not None else "the engine's socket"
    configured = _flag_value(server.cmdline, ("--group", "-G")) if server is not None else None
    group = fx.docker_group(world.group_ids if world else {}, configured if configured != sock.group else None)
    candidates: list[fx.Fix] = []
    if group is not None:
        candidates.append(_socket_group_fix(f, group, final, configured, world))
    detail = (
        f"{f.host} is {whose}; it belongs to {owner} (mode {mode}). Its group is {sock.group or sock.gid}, "
        "a privileged group: joining it would give far more than the engine. dockerd gives its socket the "
        'group of --group/-G (daemon.json "group", docker.socket\'s SocketGroup), normally docker.'
    )
    return whose, candidates, detail


def _socket_group_fix(f: _Failure, group: str, final: str, configured: str | None, world: fx.World | None) -> fx.Fix:
    """Give the socket the engine's own group now, join it, and make it last."""
    user = f.env.user
    sudo = "sudo " if user.uid != 0 else ""
    steps = [f"{sudo}chgrp {quote(group)} {quote(final)}    # until dockerd restarts"]
    changes = [fx.Change(fx.SOCKET_GROUP, group, path=f.path)]
    if group not in user.db_groups:
        steps.append(f"{sudo}usermod -aG {quote(group)} {quote(user.name or str(user.uid))}")
        changes.append(fx.Change(fx.GROUP_ADD, group))
    gids = world.process_gids if world else frozenset()
    if world is None or world.group_ids.get(group) not in gids:
        steps.append(f"newgrp {group}    # or log out and back in")
        changes.append(fx.Change(fx.GROUP_ACTIVATE, group))
    steps.append(
        f"# to make it last: start dockerd with --group {group} (it runs with --group {configured})"
        if configured
        else f'# to make it last: "group": "{group}" in /etc/docker/daemon.json, or SocketGroup={group} '
        "in docker.socket; then restart docker"
    )
    return fx.Fix("socket", tuple(steps), tuple(changes), scope="system")


def _groups_evidence(who: str, user: UserInfo) -> str:
    groups = ", ".join(sorted(user.group_names.get(g, str(g)) for g in user.process_gids))
    return f"you are {who} (uid {user.uid}); this process carries groups {groups}"


def _flag_value(argv: Sequence[str], names: tuple[str, ...]) -> str | None:
    for i, arg in enumerate(argv):
        for n in names:
            if arg == n and i + 1 < len(argv):
                return argv[i + 1]
            if arg.startswith(n + "="):
                return arg.split("=", 1)[1]
    return None


def _server_process(procs: Sequence[ProcessInfo], path: str, final: str, sock: SocketInfo) -> ProcessInfo | None:
    """The engine process that serves this socket (by its listeners, else its -H / URI)."""
    pids = {p for p, _n in sock.listeners if p != 1}
    for p in procs:
        if p.pid in pids:
            return p
    for p in procs:
        served = {s.removeprefix("unix://") for s in (*p.serves, *p.listening)}
        if path in served or final in served:
            return p
    return None


def _permission_words(kind: str, host: str, who: str, group: str, sock: SocketInfo | None) -> str:
    mode = f"{sock.mode:04o}" if sock is not None and sock.mode is not None else "?"
    if kind == "group-inactive":
        return (
            f"Connecting to {host} fails with EACCES. {who} is a member of {group} in the group database, "
            "but this process does not carry the group: a process gets its groups at login, so a shell "
            "that started before `usermod -aG` keeps the old list."
        )
    if kind == "socket-owner":
        return f"Connecting to {host} fails with EACCES: the socket's mode {mode} lets only its owner in."
    if kind == "directory":
        return f"Connecting to {host} fails with EACCES: a directory on the way cannot be entered."
    return (
        f"Connecting to {host} fails with EACCES: the socket (mode {mode}) admits its owner and group {group}, "
        f"and {who} is neither."
    )


@record
class _Local:
    """What is on this machine besides the dead endpoint: engines installed, containerd running."""

    inst: Installed | None
    installed: list[str]  # engines installed, in words
    containerd: list[ProcessInfo]  # containerd-family processes: not a Docker API
    stale: bool  # a stale socket or a plain file sits at the path

    @classmethod
    def read(cls, f: _Failure) -> _Local:
        try:
            inst: Installed | None = f.facts.get(INSTALLED)
        except FactUnavailable:
            inst = None
        try:
            procs = f.facts.get(PROCESSES).items
        except FactUnavailable:
            procs = ()
        containerd = [p for p in procs if p.name in ("containerd", "k3s", "crio") or p.name.startswith("k3s")]
        stale = f.sock is not None and f.sock.file_type in ("socket", "file")
        return cls(inst, _installed_engines(inst) if inst else [], containerd, stale)


def _not_running(f: _Failure) -> Finding:
    """Nothing listens at a local socket: the engine is stopped, or there is none here."""
    local = _Local.read(f)
    sock = f.sock
    if local.stale and sock is not None:
        owner = f"created by {sock.owner or sock.uid}" if sock.uid is not None else ""
        kind = "a regular file, not a socket" if sock.file_type == "file" else "a stale socket: nothing listens on it"
        f.evidence.append(
            f"{tilde(f.probe.dial.removeprefix('unix://'), f.env.user.home)} is {kind}"
            + (f", {owner}" if owner else "")
        )
    if local.installed:
        f.evidence.append("installed: " + ", ".join(local.installed[:6]))
    if local.containerd:
        f.evidence.append(
            "containerd runs (not a Docker API): " + ", ".join(f"{p.name} pid {p.pid}" for p in local.containerd[:3])
        )
    if f.ident is None and not local.stale and not local.installed and not (sock and sock.dangling):
        return _no_engine(f, local)
    return _engine_not_running(f, local)


def _no_engine(f: _Failure, local: _Local) -> Finding:
    """No Docker-API engine is installed: containerd alone, or nothing at all."""
    sudo = "sudo " if f.env.user.uid != 0 else ""
    if local.containerd:
        addr = next((s for p in local.containerd for s in p.serves), "/run/containerd/containerd.sock")
        return Finding(
            id="containerd-only",
            check=CHECK_ID,
            severity=Severity.ERROR,
            cause="containerd-only",
            title="No Docker-API engine here, but containerd runs (a Kubernetes node, k3s, or containerd alone)",
            detail=f"{f.host}: {_outcome_words(f.outcome, f.probe)}. containerd is not the Docker API; "
            "use its own clients, or install a Docker-API server.",
            evidence=tuple(f.evidence),
            fix=(
                f"{sudo}nerdctl --address {quote(addr.removeprefix('unix://'))} ps",
                f"{sudo}ctr --address {quote(addr.removeprefix('unix://'))} containers list",
                _install_fix(f.env)[0],
            ),
            data=f.data,
        )
    return Finding(
        id="engine-not-installed",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="engine-not-installed",
        title="No container engine is installed here",
        detail=f"{f.host}: {_outcome_words(f.outcome, f.probe)}; no engine process, socket, binary or product directory was found.",
        evidence=tuple(f.evidence),
        fix=_install_fix(f.env),
        data=f.data,
    )


def _engine_name(product: str | None, inst: Installed | None) -> str:
    """The engine's name for a title ("podman "), or "" when nothing names it."""
    if product and product != "unknown":
        return f"{product} "
    # The path names no product (/var/run/docker.sock): name the engine that is installed.
    if inst is not None and "dockerd" in inst.binaries:
        return "Docker "
    if inst is not None and "podman" in inst.binaries:
        return "Podman "
    return ""


def _not_running_reason(f: _Failure, stale: bool) -> str:
    sock = f.sock
    if sock is not None and sock.loop:
        return "the path is a symlink loop"
    if stale:
        if sock is not None and sock.file_type == "file":
            return "a regular file is where the socket should be"
        return "a stale socket is left"
    return "the symlink dangles" if sock and sock.dangling else _outcome_words(f.outcome, f.probe)


def _engine_not_running(f: _Failure, local: _Local) -> Finding:
    product = f.ident.product if f.ident else None
    variant = f.ident.variant if f.ident else None
    what = _engine_name(product, local.inst)
    reason = _not_running_reason(f, local.stale)
    detail = f"{f.host}: {reason}."
    if local.containerd:
        detail += " containerd runs meanwhile, but it does not speak the Docker API."
    start = _start_fix(product, variant, f.env, local.inst)
    # Starting an engine (or a product's VM) is not something the model can follow: say so.
    begin = fx.Fix(
        "start",
        (start,),
        (fx.Change(fx.ENGINE_START, product or what.strip().lower() or "engine"),),
        scope="system" if start.startswith("sudo ") else "user",
        note="not checked: cdoctor cannot know the engine will come up",
    )
    f.data["fixes"] = fx.describe([begin])
    return Finding(
        id="engine-not-running",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="engine-not-running",
        title=f"The {what}engine is not running ({reason})",
        detail=detail,
        evidence=tuple(f.evidence),
        fix=fx.fix_lines([begin]),
        data=f.data,
    )


def _pipe_missing(f: _Failure) -> Finding:
    """Windows: the named pipe does not exist. Its owner decides how to start it."""
    facts, probe, ident, host, evidence, data = f.facts, f.probe, f.ident, f.host, f.evidence, f.data
    pipe = "\\\\" + probe.dial.removeprefix("npipe://").lstrip("/").replace("/", "\\")
    try:
        inst: Installed | None = facts.get(INSTALLED)
    except FactUnavailable:
        inst = None
    product, variant = (ident.product, ident.variant) if ident else (None, None)
    if product is None and inst is not None and "docker-desktop" in inst.product_dirs:
        # //./pipe/docker_engine is served by Docker Desktop and by dockerd as a Windows
        # service alike; an installed Docker Desktop says which one it is here.
        product, variant = "docker-desktop", "windows"
    if product:
        owner = product
        fix = [identify.start_command(product, variant, platform="windows")]
    else:
        owner = "Docker Desktop or the Docker Engine service (dockerd.exe)"
        fix = [
            '& "C:\\Program Files\\Docker\\Docker\\Docker Desktop.exe"    # Docker Desktop',
            "Start-Service docker    # the Docker Engine service (Windows Server, Mirantis)",
        ]
    data["pipe"] = pipe
    return Finding(
        id="named-pipe-missing",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="named-pipe-missing",
        title=f"The named pipe {pipe} does not exist: {owner} is not running",
        detail=f"{host}: {probe.detail or 'the pipe does not exist'}. The pipe appears when its engine has started.",
        evidence=tuple(evidence),
        fix=tuple(f for f in fix if f),
        data=data,
    )


def _install_fix(env: Environment) -> tuple[str, ...]:
    if env.platform == "darwin":
        return ("brew install colima docker && colima start    # or install Docker Desktop / OrbStack",)
    if env.wsl:
        return ("# turn on WSL integration in Docker Desktop, or: sudo apt-get install docker.io",)
    return ("sudo apt-get install docker.io    # Debian/Ubuntu; or see https://docs.docker.com/engine/install/",)


def _tcp_unreachable(f: _Failure) -> Finding:
    probe, res, host, evidence, data = f.probe, f.res, f.host, f.evidence, f.data
    which = api.OUTCOMES[probe.outcome].reason or probe.outcome  # every outcome that reaches here has one
    data["reason"] = which
    target = probe.dial.removeprefix("tcp://").split("/")[0].rpartition("@")[2]
    hostname = target.rsplit(":", 1)[0].strip("[]")
    fix = [fx.nc_line(probe.dial)]
    detail = f"{host}: {_outcome_words(probe.outcome, probe)}."
    if hostname == "docker":
        detail += (
            " 'docker' is the usual CI service alias of a docker:dind service: the service is missing,"
            " not started yet, or this job is not on its network."
        )
        fix.insert(0, "cdoctor check --wait 60s    # wait for the dind service to come up")
    if res.source == "env:DOCKER_HOST":
        fix.append("unset DOCKER_HOST    # if this address is stale")
    return Finding(
        id="tcp-unreachable",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="tcp-unreachable",
        title=f"{host} cannot be reached: {which.replace('-', ' ')}",
        detail=detail,
        evidence=tuple(evidence),
        fix=tuple(fix),
        data=data,
    )


@record
class _Unresponsive:
    """An endpoint that accepts connections and never answers."""

    host: str
    why: str
    product: str = ""  # the product the path names, for its restart command
    holders: tuple[tuple[int, str], ...] = ()  # (pid, name) of the processes that hold the socket
    evidence: tuple[str, ...] = ()
    data: dict[str, object] | None = None

    def finding(self) -> Finding:
        holders = self.holders
        who = ", ".join(f"{name} (pid {pid})" for pid, name in holders) or "an unknown process"
        fix = (
            [f"sudo kill -TERM {holders[0][0]}    # {holders[0][1]} holds the socket; then start it again"]
            if holders
            else []
        )
        product = self.product
        fix.append("sudo systemctl restart docker" if product in ("", "docker-engine") else f"restart {product}")
        return Finding(
            id="engine-unresponsive",
            check=CHECK_ID,
            severity=Severity.ERROR,
            cause="engine-unresponsive",
            title=f"{self.host} accepts connections but the engine does not answer",
            detail=f"{self.why}. A wedged or still-starting daemon; held by {who}.",
            evidence=self.evidence,
            fix=tuple(fix),
            data=self.data or {},
        )


def _tls(f: _Failure) -> Finding:
    probe, res, host, evidence, data = f.probe, f.res, f.host, f.evidence, f.data
    o = probe.outcome
    port = probe.dial.rsplit(":", 1)[-1].split("/")[0]
    if o == api.HTTP_TO_TLS:
        title = f"{host} speaks TLS, but docker sends plain HTTP"
        fix = ["export DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=~/.docker    # where ca.pem, cert.pem, key.pem are"]
        if port == "2375":
            fix.append("# or use the plain port: export DOCKER_HOST=" + probe.dial.replace(":2375", ":2376"))
    elif o == api.TLS_TO_HTTP:
        title = f"docker speaks TLS to {host}, which is plain HTTP"
        fix = ["unset DOCKER_TLS_VERIFY DOCKER_TLS    # even DOCKER_TLS_VERIFY=0 turns TLS on"]
        if port == "2376":
            fix.append("# or the daemon's TLS port is another one")
    elif o == api.TLS_VERIFY:
        title = f"{host}'s certificate is not trusted: {probe.detail[:100]}"
        fix = [
            f"ls -l {quote(res.tls.cert_dir or '~/.docker')}    # ca.pem must be the CA that signed the daemon's certificate"
        ]
    elif o == api.TLS_CLIENT_CERT:
        title = f"{host} requires a client certificate (--tlsverify) that docker does not present"
        fix = [f"ls -l {quote(res.tls.cert_dir or '~/.docker')}    # cert.pem and key.pem must be there"]
    else:
        title = f"The TLS material for {host} cannot be used: {probe.detail[:100]}"
        fix = [f"ls -l {quote(res.tls.cert_dir or '~/.docker')}"]
    if res.tls.enabled:
        evidence.append(f"TLS from {res.tls.source}: verify={res.tls.verify}, cert dir {res.tls.cert_dir}")
    return Finding(
        id="tls-error",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="tls-error",
        title=title,
        detail=probe.detail,
        evidence=tuple(evidence),
        fix=tuple(fix),
        data=data,
    )


def _not_docker(f: _Failure) -> Finding:
    facts, probe, sock, host, evidence, data = f.facts, f.probe, f.sock, f.host, f.evidence, f.data
    what = "something that is not the Docker Engine API"
    if sock is not None and sock.kind == "containerd":
        what = "containerd (gRPC), not the Docker API"
    elif sock is not None and sock.listeners:
        what = ", ".join(f"{n} (pid {p})" for p, n in sock.listeners)
    elif probe.server:
        what = f"an HTTP server ({probe.server})"
    fix: list[str] = []
    try:
        for s in facts.get(SOCKETS):
            if s.kind == "docker" and s.probe is not None and s.probe.answered:
                fix.append(f"export DOCKER_HOST={quote('unix://' + s.path)}    # this one speaks Docker")
                break
    except FactUnavailable:
        pass
    return Finding(
        id="not-docker-api",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="not-docker-api",
        title=f"{host} is {what}",
        detail=probe.detail,
        evidence=tuple(evidence),
        fix=tuple(fix) or ("unset DOCKER_HOST",),
        data=data,
    )


def _api_version(m: re.Match[str], evidence: list[str], data: dict[str, object], env: Environment) -> Finding:
    client, direction, bound = m[1], m[2], m[3]
    data.update({"client_api": client, "server_bound": bound, "direction": direction})
    forced = env.values.get("DOCKER_API_VERSION")
    if direction == "new":
        fix = (
            ("unset DOCKER_API_VERSION",)
            if forced
            else (f"export DOCKER_API_VERSION={bound}    # or upgrade the engine",)
        )
        title = f"The engine's newest API is {bound}; the client asks for {client}"
    else:
        fix = (
            ("unset DOCKER_API_VERSION",)
            if forced
            else ("# upgrade the client (SDK/CLI) to one that speaks API " + bound + " or newer",)
        )
        title = f"The engine's oldest accepted API is {bound}; the client asks for {client}"
    return Finding(
        id="api-version-mismatch",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="api-version-mismatch",
        title=title,
        evidence=tuple(evidence),
        fix=fix,
        data=data,
    )


def _ssh(f: _Failure) -> Finding:
    probe, evidence, data = f.probe, f.evidence, f.data
    detail = probe.detail
    step = (
        "ssh is not installed"
        if "executable file not found" in detail
        else (
            "authentication failed"
            if "Permission denied" in detail
            else "the host key is not trusted"
            if "Host key verification failed" in detail
            else "docker is missing on the remote host"
            if "command not found" in detail or "status 127" in detail
            else "the connection failed"
        )
    )
    if step == "the connection failed" and "connection refused" in detail.lower():
        step = "the connection was refused (no ssh server listens there)"
    elif step == "the connection failed" and ("timed out" in detail.lower() or "deadline" in detail):
        step = "no answer from the ssh server in time"
    elif step == "the connection failed" and "could not resolve" in detail.lower():
        step = "the host name does not resolve"
    data["step"] = step
    argv = fx.ssh_command(probe.dial)  # the port as -p, no password, `--` before a host like -oX
    return Finding(
        id="ssh-error",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="ssh-error",
        title=f"{redact_url(probe.host)}: {step}",
        detail=detail,
        evidence=tuple(evidence),
        fix=(
            f"{argv} true    # step 1: can you log in without a prompt?",
            f"{argv} docker system dial-stdio --help    # step 2: is docker on the remote host?",
        ),
        data=data,
    )


@check(
    id="api-version",
    title="The engine accepts the API version clients send",
    category=CATEGORY,
    requires=(ENGINE, ENVIRONMENT),
)
def api_version(facts: Facts) -> Iterator[Finding]:
    """A forced DOCKER_API_VERSION outside the engine's range fails every command
    (`client version X is too new/old`). Engines 29.0–29.2 refuse API < 1.44,
    which breaks older SDKs (testcontainers-java 1.x pins 1.32)."""
    engine = facts.get(ENGINE)
    env = facts.get(ENVIRONMENT)
    if engine is None:
        return
    if engine.forced_api and engine.forced_api_error:
        m = _VERSION_RE.search(engine.forced_api_error)
        if m:
            yield _api_version(m, [f"DOCKER_API_VERSION={engine.forced_api}", engine.forced_api_error], {}, env)
            return
    version = engine.version or {}
    minimum = version.get("MinAPIVersion") if isinstance(version, dict) else None
    if isinstance(minimum, str) and _vt(minimum) > (1, 24):
        yield Finding(
            id="api-version-floor",
            check="api-version",
            severity=Severity.WARNING,
            title=f"The engine refuses clients older than API {minimum}",
            detail="SDKs that pin an old API version (docker-java 3.x with 1.32, old docker-py) will fail "
            "with 'client version … is too old'.",
            evidence=(f"GET /version MinAPIVersion={minimum}",),
            fix=("# upgrade the SDK, or start the daemon with DOCKER_MIN_API_VERSION=1.24",),
        )
        return
    yield Finding(
        id="api-version-ok",
        check="api-version",
        severity=Severity.OK,
        title=f"API versions agree (negotiated {engine.negotiated_api})",
    )


def _vt(v: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in v.split("."))
    except ValueError:
        return (0,)


#: A failed probe's cause, by its outcome: the first rule that applies names it.
_FAILURE_RULES: tuple[tuple[Callable[[_Failure], bool], Callable[[_Failure], Finding]], ...] = (
    (lambda f: f.scheme == "npipe" and f.outcome == api.SOCKET_MISSING, _pipe_missing),
    (lambda f: f.outcome == api.PERMISSION_DENIED, _permission),
    (lambda f: f.outcome in (api.SOCKET_MISSING, api.REFUSED) and f.scheme == "unix", _not_running),
    (lambda f: f.outcome in (api.REFUSED, api.CONNECT_TIMEOUT, api.DNS, api.UNREACHABLE), _tcp_unreachable),
    (_hung, _unresponsive_here),
    (lambda f: f.outcome in _TLS_OUTCOMES, _tls),
    (lambda f: f.outcome in (api.NOT_DOCKER, api.CLOSED), _not_docker),
    (lambda f: f.outcome == api.API_ERROR, _api_error),
    (lambda f: f.outcome == api.SSH_ERROR, _ssh),
)

# The layers under the API server (checks/layers.py) ride on this entry point.
CHECKS = (endpoint_connection, api_version, *_LAYER_CHECKS)
