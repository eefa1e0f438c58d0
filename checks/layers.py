"""The layers under the API server: the containerd dockerd uses, its default OCI runtime, orphaned shims.

`docker ps` needs only dockerd; `docker run` needs containerd, a shim and the
OCI runtime too. An engine that answers /_ping can still fail every
`docker run`: the containerd it dials is gone (`dial unix …/containerd.sock:
connect: connection refused`), or its default runtime's binary is missing
(`fork/exec /path/to/crun: no such file or directory`).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks._text import quote
from doctor.api import (
    ENDPOINT_PROBE,
    ENGINE,
    ENVIRONMENT,
    INSTALLED,
    LOCAL_ENGINE,
    PROCESSES,
    SOCKETS,
    Facts,
    FactUnavailable,
    Finding,
    ProcessInfo,
    Severity,
    check,
)
from doctor.knowledge import fixes as fx

CHECK_ID = "engine-layers"

# Runtimes a distribution packages under the binary's own name.
_PACKAGED = {"runc": "runc", "crun": "crun", "youki": "youki", "runsc": "runsc", "kata-runtime": "kata-containers"}


@check(
    id=CHECK_ID,
    title="The containerd and OCI runtime under the engine are there",
    category="stack",
    requires=(ENDPOINT_PROBE, ENGINE, PROCESSES, SOCKETS, LOCAL_ENGINE, ENVIRONMENT),
    optional=(INSTALLED,),
)
def engine_layers(facts: Facts) -> Iterator[Finding]:
    """For a dockerd that runs here: the containerd it dials (`--containerd`) must
    listen, and its default runtime's binary must exist and be executable.
    Otherwise `docker ps` works while every `docker run` fails."""
    try:
        local = facts.get(LOCAL_ENGINE)
    except FactUnavailable:
        return
    if local is None:
        return
    env = facts.get(ENVIRONMENT)
    sudo = "sudo " if env.user.uid != 0 else ""
    server = local.server
    found = False
    address = (server.containerd_address or "").removeprefix("unix://")
    if address:
        try:
            sockets = facts.get(SOCKETS)
        except FactUnavailable:
            sockets = None
        if sockets is not None:
            sock = next((s for s in sockets if s.path == address), None)
            alive = sock is not None and sock.probe is not None and sock.probe.outcome == "listening"
            if not alive:
                found = True
                yield _containerd_gone(facts, server, address, sock)
    default = next((r for r in local.runtimes if r.default), None)
    if default is not None and not default.executable:
        found = True
        yield _runtime_missing(local.runtimes, default, server.cmdline, sudo)
    if not found:
        names = ", ".join(r.name for r in local.runtimes if r.default) or "?"
        yield Finding(
            id="engine-layers-ok",
            check=CHECK_ID,
            severity=Severity.OK,
            title=f"containerd and the default runtime ({names}) under {server.name} are there",
        )


def _containerd_gone(facts: Facts, server: ProcessInfo, address: str, sock: object) -> Finding:
    """The dockerd `server` dials containerd at `address`, where nothing listens (`sock`: what is there)."""
    pid, name = server.pid, server.name
    env = facts.get(ENVIRONMENT)
    sudo, init = ("sudo " if env.user.uid != 0 else ""), env.init
    try:
        procs = facts.get(PROCESSES).items
    except FactUnavailable:
        procs = ()
    shims = [
        p
        for p in procs
        if p.name.startswith("containerd-shim") and (p.containerd_address or "").removeprefix("unix://") == address
    ]
    state = (
        "the socket is gone" if sock is None or getattr(sock, "file_type", "") == "missing" else "nothing listens on it"
    )
    probe = getattr(sock, "probe", None)
    evidence = [
        f"{name} (pid {pid}) runs with --containerd {address}",
        f"{address}: {state}" + (f" ({probe.detail})" if probe is not None and probe.detail else ""),
    ]
    if shims:
        evidence.append(
            f"{len(shims)} containerd shim(s) left behind by the dead containerd: "
            + ", ".join(f"pid {p.pid}" for p in shims[:5])
            + " (their containers keep running, unmanaged)"
        )
    start = _containerd_start(facts, address, sudo, init)
    fix = fx.Fix(
        "start",
        (start, "docker run --rm hello-world    # then containers start again"),
        (fx.Change(fx.ENGINE_START, "containerd", path=address),),
        scope="system",
        note="not checked: starts containerd",
    )
    return Finding(
        id="containerd-unreachable",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="containerd-unreachable",
        title=f"The containerd that {name} uses is not there: `docker ps` works, `docker run` fails",
        detail=(
            f"{name} (pid {pid}) dials containerd at {address}, and {state}. The API answers, so `docker ps` "
            "and `docker images` work, but every `docker run` fails with "
            f"`dial unix {address}: connect: connection refused`."
        ),
        evidence=tuple(evidence),
        fix=fx.fix_lines([fix]),
        data={"address": address, "shims": [p.pid for p in shims], "fixes": fx.describe([fix])},
    )


def _containerd_start(facts: Facts, address: str, sudo: str, init: str) -> str:
    """Its systemd unit when it has one and serves the default address, else containerd itself."""
    try:
        inst = facts.get(INSTALLED)
        units = {u.rsplit("/", 1)[-1] for u in inst.units}
    except FactUnavailable:
        units = set()
    if "containerd.service" in units and init == "systemd" and address == "/run/containerd/containerd.sock":
        return f"{sudo}systemctl start containerd"
    return f"{sudo}containerd --address {quote(address)} &    # or start it the way it was started"


def _runtime_missing(runtimes: tuple[object, ...], default: object, cmdline: tuple[str, ...], sudo: str) -> Finding:
    name = getattr(default, "name", "?")
    path = getattr(default, "path", "?")
    resolved = getattr(default, "resolved", None)
    why = f"{path} does not exist" if resolved is None else f"{resolved} is not an executable file"
    usable = [r for r in runtimes if getattr(r, "executable", False) and not getattr(r, "default", False)]
    fixes: list[fx.Fix] = []
    named = [r for r in usable if not getattr(r, "name", "").startswith("io.containerd.")]
    for r in named[:2]:
        rname = getattr(r, "name", "")
        fixes.append(
            fx.Fix(
                "runtime",
                (f"docker run --runtime {quote(rname)} …    # a one-off with a runtime that is there",),
                (fx.Change(fx.FLAG_RUNTIME, rname),),
                scope="shell",
                checked=True,
                note=f"{getattr(r, 'resolved', '')} exists and is executable",
            )
        )
    base = path.rsplit("/", 1)[-1]
    persist = [f"{sudo}apt-get install {_PACKAGED[base]}    # installs {base}"] if base in _PACKAGED else []
    alt = next((getattr(r, "name", "") for r in usable if not getattr(r, "name", "").startswith("io.")), "runc")
    flagged = "--default-runtime" in " ".join(cmdline)
    persist.append(
        f"# or make {alt} the default: dockerd --default-runtime {alt}"
        + ("" if flagged else f' (daemon.json: "default-runtime": "{alt}")')
        + ", then restart dockerd"
    )
    fixes.append(fx.Fix("runtime", tuple(persist), (fx.Change(fx.DAEMON_CONFIG, "default-runtime"),), scope="system"))
    return Finding(
        id="runtime-missing",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="runtime-missing",
        title=f"The default OCI runtime {name!r} is missing: `docker ps` works, `docker run` fails",
        detail=(
            f"dockerd's default runtime is {name} ({path}), and {why}. Every `docker run` without --runtime fails "
            f"with `fork/exec {path}: no such file or directory`."
        ),
        evidence=(f"/info DefaultRuntime={name}, Runtimes[{name}].path={path}", why),
        fix=fx.fix_lines(fixes, alternatives=0) + tuple(ln for f in fixes[1:] for ln in f.lines),
        data={"runtime": name, "path": path, "fixes": fx.describe(fixes)},
    )


CHECKS = (engine_layers,)
