"""Every fix cdoctor prints, as data, and the model that verifies a fix (pure: no I/O).

A fix is a `Fix`: the shell lines a person pastes, and the same change as
structured `Change`s of the inputs cdoctor gathered (the environment, the
config, the contexts, the user's groups, a socket's group). Before a fix is
printed, `verify` applies its changes to a `World` (a snapshot of those inputs
plus which engines answer where) and runs the endpoint resolution and the
permission rule again: a fix after which `docker` would still not reach an
answering engine *for this user* is not printed. A change the model cannot
follow (starting an engine or a product's VM) is kept, and says so.

Two rules hold for every fix, whatever a check proposes: never a privileged
group (`root`, `wheel`, `sudo`, `adm`, `disk`, `shadow`, gid 0, Debian's static
system groups below 100), never a world-writable socket.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from doctor.facts.record import field, record, replace
from doctor.knowledge import hosts
from doctor.knowledge.dockerconfig import ConfigFile
from doctor.knowledge.fix_rules import privileged_group, unsafe_line
from doctor.knowledge.resolve import Flags, Inputs, Resolution, resolve

# --- the vocabulary of a fix -------------------------------------------------------------------

#: Change kinds (the model knows how to apply each).
ENV_SET = "env-set"  # name=value
ENV_UNSET = "env-unset"  # name
CONTEXT_USE = "context-use"  # name ("default" clears currentContext)
CONTEXT_HOST = "context-host"  # name, value: `docker context update NAME --docker host=VALUE`
CONFIG_REWRITE = "config-rewrite"  # config.json rewritten as valid JSON (a backup is kept)
GROUP_ADD = "group-add"  # name: the user joins the group in the group database
GROUP_ACTIVATE = "group-activate"  # name: this shell carries the group (newgrp / a new login)
SOCKET_GROUP = "socket-group"  # path, name: the socket's group becomes `name`
AS_ROOT = "as-root"  # one command run with sudo
FLAG_RUNTIME = "flag-runtime"  # name: `docker run --runtime NAME`
ENGINE_START = "engine-start"  # not modelled: an engine, a VM or a daemon is started
DAEMON_CONFIG = "daemon-config"  # not modelled: the daemon's own configuration changes

UNCHECKABLE = frozenset({ENGINE_START, DAEMON_CONFIG})


@record
class Change:
    """One structured edit of the gathered inputs."""

    kind: str
    name: str = ""
    value: str = ""
    path: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"kind": self.kind}
        for key in ("name", "value", "path"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


@record
class Fix:
    """A fix: the lines to paste, and what they change.

    `scope` says who may apply it: "user" (only the user's own docker
    configuration: `cdoctor fix` may apply it after confirmation), "shell"
    (the environment of the calling shell: printed as shell lines), "system"
    (needs root or the engine's owner: printed, never run by cdoctor).
    """

    kind: str  # select | value | group | socket | start | runtime | oneoff | config | info
    lines: tuple[str, ...]
    changes: tuple[Change, ...] = ()
    scope: str = "shell"
    note: str = ""  # why it works, or why it could not be checked
    checked: bool | None = None  # True: the model says docker then reaches an engine; None: not checkable

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "lines": list(self.lines),
            "changes": [c.as_dict() for c in self.changes],
            "scope": self.scope,
            "checked": self.checked,
            "note": self.note,
        }

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> Fix:
        changes = tuple(
            Change(str(c.get("kind", "")), str(c.get("name", "")), str(c.get("value", "")), str(c.get("path", "")))
            for c in d.get("changes") or ()
            if isinstance(c, Mapping)
        )
        checked = d.get("checked")
        return Fix(
            kind=str(d.get("kind", "")),
            lines=tuple(str(x) for x in d.get("lines") or ()),
            changes=changes,
            scope=str(d.get("scope", "shell")),
            note=str(d.get("note", "")),
            checked=checked if isinstance(checked, bool) else None,
        )


def q(value: str) -> str:
    """A value as the shell needs it pasted."""
    return shlex.quote(value)


# --- the hard rules (doctor/knowledge/fix_rules.py) -----------------------------------------------


def safe(fix: Fix) -> bool:
    """The hard rules: no privileged group joined or activated, no world-writable mode."""
    for c in fix.changes:
        if c.kind in (GROUP_ADD, GROUP_ACTIVATE, SOCKET_GROUP) and privileged_group(c.name):
            return False
    return not any(unsafe_line(line) for line in fix.lines)


# --- the world the model checks against -----------------------------------------------------------


@record
class SocketState:
    """What is at one unix path, as gathered."""

    path: str
    alive: bool  # a Docker-API engine listens here (it answered, or refused only by permission)
    uid: int | None = None
    gid: int | None = None
    mode: int | None = None
    target: str | None = None  # the final target of a symlink chain
    blocked: str | None = None  # a directory on the way we may not search
    product: str | None = None
    server: str = ""  # "dockerd", "podman", … when known


@record
class World:
    inputs: Inputs
    uid: int
    user: str | None
    process_gids: frozenset[int]
    db_groups: frozenset[str]
    group_ids: Mapping[str, int]  # group name -> gid
    sockets: Mapping[str, SocketState]
    tcp: Mapping[str, bool] = field(default_factory=dict)  # tcp/ssh host -> answers
    runtimes_ok: frozenset[str] = frozenset()  # OCI runtimes whose binary is there and executable


@record
class Reach:
    ok: bool
    host: str | None
    why: str
    resolution: Resolution | None = None


def _may_connect(st: SocketState, uid: int, gids: frozenset[int]) -> tuple[bool, str]:
    if st.blocked:
        return False, f"no search permission on {st.blocked}"
    if uid == 0:
        return True, "root"
    if st.mode is None or st.uid is None:
        return True, "permissions unknown"
    if st.uid == uid:
        return bool(st.mode & 0o200), "owner"
    if st.gid in gids:
        return bool(st.mode & 0o020), "group"
    return bool(st.mode & 0o002), "other"


def reach(world: World) -> Reach:
    """Would `docker ps` reach an answering Docker-API engine in this world, for this user?"""
    res = resolve(world.inputs)
    if res.error is not None or res.host is None:
        msg = res.error.message if res.error else "no endpoint"
        return Reach(False, res.host, f"the CLI stops: {msg}", res)
    dial = res.dial or res.host
    if dial.startswith("unix://"):
        return _reach_unix(world, dial, res)
    if dial.startswith(("tcp://", "ssh://")):
        answers = world.tcp.get(dial, world.tcp.get(res.host))
        return Reach(bool(answers), dial, "answers" if answers else "nothing answers there", res)
    return Reach(False, dial, "not an address this model follows", res)


def _reach_unix(world: World, dial: str, res: Resolution) -> Reach:
    path = dial[len("unix://") :]
    if not path.startswith("/"):
        return Reach(False, dial, f"{path} is relative: it depends on the current directory", res)
    st = world.sockets.get(path)
    final = (world.sockets.get(st.target) if st.target else st) if st is not None else None
    if st is None or final is None or not (st.alive or final.alive):
        return Reach(False, dial, "nothing answers there", res)
    ok, why = _may_connect(final, world.uid, world.process_gids)
    if ok and st is not final:
        ok, why = (st.blocked is None, why) if st.blocked is None else (False, f"no search permission on {st.blocked}")
    return Reach(ok, dial, "answers" if ok else f"permission denied ({why})", res)


def _set_env(inputs: Inputs, name: str, value: str | None) -> Inputs:
    env = dict(inputs.env)
    if value is None:
        env.pop(name, None)
    else:
        env[name] = value
    return replace(inputs, env=env)


def apply(world: World, fix: Fix) -> World:
    """The world after `fix` (pure). Changes the model cannot follow are left out."""
    w = world
    for c in fix.changes:
        follow = _FOLLOW.get(c.kind)
        if follow is not None:
            w = follow(w, c)
    return w


def _env_set(w: World, c: Change) -> World:
    return replace(w, inputs=_set_env(w.inputs, c.name, c.value))


def _env_unset(w: World, c: Change) -> World:
    return replace(w, inputs=_set_env(w.inputs, c.name, None))


def _context_use(w: World, c: Change) -> World:
    inp = w.inputs
    current = None if c.name == "default" else c.name
    return replace(w, inputs=replace(inp, config=replace(inp.config, current_context=current)))


def _config_rewrite(w: World, c: Change) -> World:
    inp = w.inputs
    return replace(w, inputs=replace(inp, config=ConfigFile(path=inp.config.path, exists=True)))


def _context_host(w: World, c: Change) -> World:
    inp = w.inputs
    store = inp.store
    contexts = dict(store.contexts)
    for key, meta in contexts.items():
        if meta.name == c.name:
            contexts[key] = replace(meta, host=c.value)
    return replace(w, inputs=replace(inp, store=replace(store, contexts=contexts)))


def _group_add(w: World, c: Change) -> World:
    return replace(w, db_groups=w.db_groups | {c.name})


def _group_activate(w: World, c: Change) -> World:
    gid = w.group_ids.get(c.name)
    if gid is not None and c.name in w.db_groups:  # newgrp/sg need membership (no group passwords)
        return replace(w, process_gids=w.process_gids | {gid})
    return w


def _socket_group(w: World, c: Change) -> World:
    gid = w.group_ids.get(c.name)
    socks = dict(w.sockets)
    st = socks.get(c.path)
    if st is None or gid is None:
        return w
    final = st.target or st.path
    if final in socks:
        socks[final] = replace(socks[final], gid=gid)
    return replace(w, sockets=socks)


def _as_root(w: World, c: Change) -> World:
    return replace(w, uid=0)


#: How the model follows each kind of change; kinds not here (starting an engine…) it cannot follow.
_FOLLOW: dict[str, Callable[[World, Change], World]] = {
    ENV_SET: _env_set,
    ENV_UNSET: _env_unset,
    CONTEXT_USE: _context_use,
    CONFIG_REWRITE: _config_rewrite,
    CONTEXT_HOST: _context_host,
    GROUP_ADD: _group_add,
    GROUP_ACTIVATE: _group_activate,
    SOCKET_GROUP: _socket_group,
    AS_ROOT: _as_root,
}


def verify(world: World, fix: Fix) -> Fix:
    """The fix with its verdict: checked=True when docker then reaches an engine,
    False when it does not, None when part of it cannot be followed by the model."""
    if any(c.kind in UNCHECKABLE for c in fix.changes) or not fix.changes:
        return replace(fix, checked=None)
    if all(c.kind == CONFIG_REWRITE for c in fix.changes):
        return replace(fix, checked=None)  # a repair of a file docker ignores: it does not change the endpoint
    after = reach(apply(world, fix))
    if after.ok:
        res = after.resolution
        if res is not None and res.context != "default":
            note = f"then docker uses your context {res.context!r}"
        else:
            note = f"then docker reaches {after.host}"
        return replace(fix, checked=True, note=fix.note or note)
    return replace(fix, checked=False, note=f"would not help: {after.why}")


def choose(world: World | None, candidates: Iterable[Fix]) -> list[Fix]:
    """The fixes to print: safe, checked by the model, smallest first.

    Fixes the model proves useless are dropped; a fix that contains a smaller
    working one (all its changes and more) is dropped too. Fixes that cannot be
    checked are kept after the checked ones, marked as such.
    """
    safe_ones = [f for f in candidates if safe(f)]
    if world is None:
        return [replace(f, checked=None) if f.checked is None else f for f in safe_ones]
    judged = [verify(world, f) for f in safe_ones]
    good = [f for f in judged if f.checked]
    # A one-off (sudo for one command) helps once: the lasting fix comes first.
    good.sort(key=lambda f: (f.kind == "oneoff", len(f.changes), len(f.lines)))
    kept: list[Fix] = []
    for f in good:
        if any(set(k.changes) <= set(f.changes) and k.scope == f.scope for k in kept):
            continue
        kept.append(f)
    unchecked = [f for f in judged if f.checked is None]
    return kept + unchecked


def fix_lines(fixes: Sequence[Fix], *, alternatives: int = 2) -> tuple[str, ...]:
    """The lines of a finding's `fix`: the first fix whole, then alternatives as comments.

    Pasting every line runs only the first fix: alternatives are comments, so a
    person who pastes without reading never runs two fixes that fight.
    """
    if not fixes:
        return ()
    first = fixes[0]
    lines = list(first.lines)
    if first.note and lines and "#" not in lines[-1] and (first.checked is None or first.kind == "select"):
        lines[-1] += f"    # {first.note}"
    for alt in fixes[1 : 1 + alternatives]:
        body = " && ".join(ln.split("    #")[0] for ln in alt.lines if not ln.startswith("#"))
        if body:
            lines.append(f"# or: {body}")
        else:
            lines.extend(alt.lines)
    return tuple(lines)


# --- values: DOCKER_HOST, -H, a context's host ----------------------------------------------------

_SCHEMES = ("unix", "tcp", "ssh", "npipe", "fd")


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@record
class HostCorrection:
    problems: tuple[str, ...]  # what is wrong, in words
    corrected: str | None  # the value meant; None when no value can be given


def correct_host(
    raw: str, *, home: str, uid: int, platform: str = "linux", env: Mapping[str, str] | None = None
) -> HostCorrection:
    """What is wrong with an endpoint value and the value that was meant (pure)."""
    problems: list[str] = []
    value = _unwrap(raw, problems)
    scheme, sep, rest = _split_scheme(value, problems)
    if scheme == "npipe" and platform != "win32":
        problems.append("npipe:// is a Windows named pipe; this is not Windows")
        return HostCorrection(tuple(problems), None)
    if scheme == "unix":
        rest = _unix_path(rest, _Expansions.of(home, uid, env or {}), problems)
    elif scheme == "tcp":
        rest = _tcp_address(rest, problems)
    corrected = f"{scheme}://{rest}" if sep else value
    if not problems:
        return HostCorrection((), None)
    try:
        hosts.parse_host(corrected, default_to_tls=False)
    except hosts.HostError:
        return HostCorrection(tuple(problems), None)
    return HostCorrection(tuple(problems), corrected)


def _unwrap(value: str, problems: list[str]) -> str:
    """The value without the whitespace and quotes around it."""
    if value != value.strip():
        problems.append("leading or trailing whitespace")
        value = value.strip()
    if len(value) >= 1 and (value[0] in "\"'" or value[-1] in "\"'"):
        problems.append("quotes inside the value (a .env or EnvironmentFile keeps them)")
        value = value.strip("\"'").strip()
    return value


def _split_scheme(value: str, problems: list[str]) -> tuple[str, str, str]:
    """(scheme, "://", rest) with the scheme repaired; sep is "" when there is no scheme."""
    scheme, sep, rest = value.partition("://")
    if not sep:
        m = re.match(r"^([A-Za-z]{2,6})(:/{0,1}|//|;//|:\\\\)(.*)$", value)
        if m and (m[1].lower() in _SCHEMES or min(_distance(m[1].lower(), s) for s in ("unix", "tcp")) <= 1):
            scheme, sep, rest = m[1], "://", m[3]
            problems.append(f"the scheme is missing its '://' ({m[1]}{m[2]}…)")
        elif value.startswith(("/", "~", "$")):
            problems.append("a bare path: the docker CLI reads it as a TCP address")
            scheme, sep, rest = "unix", "://", value
    low = scheme.lower()
    if sep and low not in _SCHEMES:
        if low in ("http", "https"):
            problems.append(f"{low}:// is not a docker scheme: the CLI speaks tcp:// (TLS is set apart)")
            scheme = "tcp"
        else:
            near = min(("unix", "tcp"), key=lambda s: _distance(low, s))
            if _distance(low, near) <= 2:
                problems.append(f"{scheme}:// is a typo of {near}://")
                scheme = near
    elif sep and scheme != low:
        problems.append(f"{scheme}:// in capitals: the CLI wants {low}://")
        scheme = low
    return scheme, sep, rest


@record
class _Expansions:
    """What the shell would have put for the variables a unix path may carry unexpanded."""

    home: str
    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, home: str, uid: int, env: Mapping[str, str]) -> _Expansions:
        runtime = env.get("XDG_RUNTIME_DIR") or f"/run/user/{uid}"
        return cls(
            home,
            (("${HOME}", home), ("$HOME", home), ("${XDG_RUNTIME_DIR}", runtime), ("$XDG_RUNTIME_DIR", runtime),
             ("$(id -u)", str(uid)), ("${UID}", str(uid)), ("$UID", str(uid))),
        )  # fmt: skip


def _unix_path(path: str, expand: _Expansions, problems: list[str]) -> str:
    """A unix:// path repaired: variables and ~ expanded, slashes set right."""
    for var, val in expand.pairs:
        if var in path and val:
            problems.append(f"{var} is not expanded: the shell does not expand it inside a value")
            path = path.replace(var, val)
    if path.startswith("~") and expand.home:
        problems.append("~ is not expanded after unix:// (the shell expands it only at the start of a word)")
        path = expand.home.rstrip("/") + path[1:]
    if path and not path.startswith(("/", ".")):
        if not any("'://'" in p for p in problems):
            problems.append(f"unix://{path} is a relative path (two slashes, not three)")
        path = "/" + path
    if path.startswith("//"):
        problems.append("extra slashes after unix://")
        path = "/" + path.lstrip("/")
    if path.endswith("/") and len(path) > 1:
        problems.append("a trailing slash after the socket's name")
        path = path.rstrip("/")
    return path


def _tcp_address(rest: str, problems: list[str]) -> str:
    if rest.endswith("/") and rest.count("/") == 1:
        problems.append("a trailing slash")
        rest = rest.rstrip("/")
    if rest.startswith("/"):
        problems.append("extra slashes after tcp://")
        rest = rest.lstrip("/")
    return rest


def value_fixes(where: str, raw: str, correction: HostCorrection, *, context: str | None = None) -> list[Fix]:
    """The fix that puts the corrected value where the wrong one was."""
    if correction.corrected is None:
        if where == "DOCKER_HOST":
            return [Fix("value", ("unset DOCKER_HOST",), (Change(ENV_UNSET, "DOCKER_HOST"),))]
        return []
    new = correction.corrected
    if where == "DOCKER_HOST":
        return [
            Fix("value", (f"export DOCKER_HOST={q(new)}",), (Change(ENV_SET, "DOCKER_HOST", new),)),
            Fix("value", ("unset DOCKER_HOST",), (Change(ENV_UNSET, "DOCKER_HOST"),)),
        ]
    if where == "context" and context:
        return [
            Fix(
                "value",
                (f"docker context update {q(context)} --docker host={q(new)}",),
                (Change(CONTEXT_HOST, context, new),),
                scope="user",
            )
        ]
    return []


# --- choosing an endpoint --------------------------------------------------------------------------


def select_fixes(source: str, target_host: str, target_context: str | None, lost_context: str | None) -> list[Fix]:
    """Every way to make the CLI use `target` (the model keeps the ones that work)."""
    out: list[Fix] = []
    unset_host = Change(ENV_UNSET, "DOCKER_HOST")
    unset_ctx = Change(ENV_UNSET, "DOCKER_CONTEXT")
    out.append(Fix("select", ("unset DOCKER_HOST",), (unset_host,)))
    out.append(Fix("select", ("unset DOCKER_CONTEXT",), (unset_ctx,)))
    out.append(Fix("select", ("unset DOCKER_HOST DOCKER_CONTEXT",), (unset_host, unset_ctx)))
    if target_context:
        use = Change(CONTEXT_USE, target_context)
        out.append(Fix("select", (f"docker context use {q(target_context)}",), (use,), scope="user"))
        out.append(
            Fix(
                "select",
                (f"export DOCKER_CONTEXT={q(target_context)}",),
                (Change(ENV_SET, "DOCKER_CONTEXT", target_context),),
            )
        )
        if source in ("env:DOCKER_HOST", "env:DOCKER_CONTEXT"):
            var = source.split(":", 1)[1]
            out.append(
                Fix(
                    "select",
                    (f"unset {var}", f"docker context use {q(target_context)}"),
                    (Change(ENV_UNSET, var), use),
                )
            )
    out.append(Fix("select", ("docker context use default",), (Change(CONTEXT_USE, "default"),), scope="user"))
    out.append(Fix("select", (f"export DOCKER_HOST={q(target_host)}",), (Change(ENV_SET, "DOCKER_HOST", target_host),)))
    return out


# --- permission ----------------------------------------------------------------------------------


def docker_group(group_ids: Mapping[str, int], configured: str | None = None) -> str | None:
    """The engine's own group: the one dockerd is configured with, else `docker`, if it is safe."""
    for name in (configured, "docker"):
        if name and name in group_ids and not privileged_group(name, group_ids[name]):
            return name
    return None


def group_fixes(group: str, user: str, *, member: bool, sudo: str) -> list[Fix]:
    """Join (or activate) the socket's group: only for an engine's own, unprivileged group."""
    activate = Fix(
        "group",
        (f"newgrp {group}    # or log out and back in",),
        (Change(GROUP_ACTIVATE, group),),
    )
    if member:
        return [activate]
    return [
        Fix(
            "group",
            (f"{sudo}usermod -aG {q(group)} {q(user)}", f"newgrp {group}    # or log out and back in"),
            (Change(GROUP_ADD, group), Change(GROUP_ACTIVATE, group)),
            scope="system",
        )
    ]


def oneoff_sudo(sudo: str) -> Fix:
    return Fix("oneoff", (f"{sudo}docker ps    # a one-off as root",), (Change(AS_ROOT),), scope="system")


# --- shells ---------------------------------------------------------------------------------------


def shell_lines(changes: Iterable[Change], shell: str = "bash") -> list[str]:
    """The environment changes as lines for `eval` in bash/zsh (POSIX) or fish."""
    out: list[str] = []
    for c in changes:
        if c.kind == ENV_SET:
            out.append(f"set -gx {c.name} {q(c.value)}" if shell == "fish" else f"export {c.name}={q(c.value)}")
        elif c.kind == ENV_UNSET:
            out.append(f"set -e {c.name}" if shell == "fish" else f"unset {c.name}")
    return out


# --- offline: only the text is known ----------------------------------------------------------------


def offline_fixes(
    cause: str | None, details: Mapping[str, str], endpoint: str | None, *, start: str | None = None
) -> list[str]:
    """What to run next when only an error text is known: the fix the text supports, then a real diagnosis.

    Offline, the user, the socket's group and the context on the other machine are
    unknown: nothing here names a group (the socket's group could be root: never
    advise joining it); the diagnosis on that machine names the right one. ``start``
    is the start command of the product the text names, when it says the engine is
    not reachable (see doctor/run/pipeline.py).
    """
    fixes: list[str] = []
    if cause == "permission-denied":
        fixes += [
            "ls -l "
            + q((endpoint or "unix:///var/run/docker.sock").removeprefix("unix://"))
            + "    # whose socket is it? join its group only if it is the engine's own (docker), never root",
        ]
    elif cause == "context-not-found":
        name = details.get("context")
        fixes += ["docker context ls", "docker context use default"]
        if name:
            fixes.insert(0, f"unset DOCKER_CONTEXT    # if it names {name!r}")
    elif cause == "invalid-config" and details.get("config_path"):
        fixes.append(f"python3 -m json.tool {q(details['config_path'])}    # shows where it breaks")
    elif cause == "invalid-docker-host":
        fixes.append('echo "$DOCKER_HOST"    # unix:///path, tcp://host:port or ssh://user@host')
    elif cause == "api-version-mismatch":
        fixes.append("unset DOCKER_API_VERSION    # if it is set; else upgrade the older side")
    elif cause == "tls-error":
        fixes.append('env | grep DOCKER_TLS; ls -l "${DOCKER_CERT_PATH:-$HOME/.docker}"')
    elif cause == "tcp-unreachable" and endpoint and endpoint.startswith("tcp://"):
        fixes.append(nc_line(endpoint))
    elif cause == "ssh-error" and endpoint:
        fixes.append(f"{ssh_command(endpoint)} docker version")
    if start:
        fixes.append(start)
    fixes.append("cdoctor    # on the machine that printed the error: names the cause there")
    return fixes


def ssh_command(endpoint: str) -> str:
    """`ssh -o BatchMode=yes [-p PORT] [--] USER@HOST` for an ssh:// endpoint, to paste.

    The port goes to -p: `host:2222` would be a host name to ssh. A password in the
    URL never reaches the line, and `--` keeps a host that starts with `-` a host,
    never an option (-oProxyCommand=…). The endpoint may come from a pasted text.
    """
    authority = endpoint.removeprefix("ssh://").split("/")[0]
    user, _, hostport = authority.rpartition("@")
    hostname, port = hostport, ""
    if hostport.startswith("["):
        hostname, _, rest = hostport[1:].partition("]")
        port = rest.removeprefix(":")
    elif hostport.count(":") == 1:
        hostname, port = hostport.split(":")
    user = user.partition(":")[0]
    dest = f"{user}@{hostname}" if user else hostname
    argv = "ssh -o BatchMode=yes" + (f" -p {port}" if port.isdigit() else "") + (" --" if dest.startswith("-") else "")
    return f"{argv} {q(dest)}"


def nc_line(endpoint: str) -> str:
    """`nc -vz HOST PORT` from a tcp:// URL's host and port only: never its userinfo."""
    authority = endpoint.removeprefix("tcp://").split("/")[0].rpartition("@")[2]
    host, _, port = authority.rpartition(":")
    if not host or not port.isdigit():
        host, port = authority, "2375"
    return f"nc -vz {q(host.strip('[]'))} {port}    # test the port itself"


def flags_of(inputs: Inputs) -> Flags:
    return inputs.flags


def describe(fixes: Sequence[Fix]) -> list[dict[str, Any]]:
    return [f.as_dict() for f in fixes]


# --- the world, from the gathered facts --------------------------------------------------------------


def world_facts() -> tuple[Any, ...]:
    """The facts world_from_facts reads: a check that checks its fixes declares them (optional=)."""
    from doctor.facts.keys import (
        CONTEXT_PROBES,
        ENDPOINT_PROBE,
        ENVIRONMENT,
        RESOLUTION_INPUTS,
        SOCKETS,
        UNIX_LISTENERS,
    )

    return (RESOLUTION_INPUTS, ENVIRONMENT, SOCKETS, UNIX_LISTENERS, CONTEXT_PROBES, ENDPOINT_PROBE)


def world_from_facts(facts: Any) -> World | None:
    """The model's snapshot of what was gathered (reads facts only; None when the inputs are missing)."""
    from doctor.facts import FactUnavailable
    from doctor.facts.keys import ENVIRONMENT, RESOLUTION_INPUTS

    try:
        inputs = facts.get(RESOLUTION_INPUTS)
        env = facts.get(ENVIRONMENT)
    except FactUnavailable:
        return None
    user = env.user
    group_ids = {name: gid for gid, name in user.group_names.items()}
    return World(
        inputs=inputs,
        uid=user.uid,
        user=user.name,
        process_gids=user.process_gids,
        db_groups=user.db_groups,
        group_ids=group_ids,
        sockets=_socket_states(facts, env),
        tcp=_tcp_answers(facts),
    )


def _socket_states(facts: Any, env: Any) -> dict[str, SocketState]:
    """Every Docker-API socket found, and the final target of each symlink, as the model sees them."""
    from doctor.facts import FactUnavailable
    from doctor.facts.keys import SOCKETS, UNIX_LISTENERS

    try:
        sockets = facts.get(SOCKETS)
    except FactUnavailable:
        sockets = ()
    try:
        listening: Mapping[str, int] = facts.get(UNIX_LISTENERS)
    except FactUnavailable:
        listening = {}
    states: dict[str, SocketState] = {}
    for s in sockets:
        if s.kind == "containerd":
            continue
        st = _socket_state(s, env, listening)
        states[s.path] = st
        if st.target is not None and st.target not in states:
            states[st.target] = replace(st, path=st.target, target=None)
    return states


def _socket_state(s: Any, env: Any, listening: Mapping[str, int]) -> SocketState:
    from doctor.knowledge import identify
    from doctor.knowledge import outcomes as oc

    user = env.user
    final = s.link_chain[-1] if s.link_chain else s.path
    probe = s.probe
    answered = probe is not None and probe.answered and probe.outcome != oc.NOT_DOCKER
    # EACCES comes before the kernel looks for a listener: a socket we may not connect to
    # counts as alive when it listens (/proc/net/unix) or is a socket file at all (a bind
    # mount or another mount namespace hides its path from /proc/net/unix).
    denied = (
        probe is not None and probe.outcome == oc.PERMISSION_DENIED and (final in listening or s.file_type == "socket")
    )
    ident = identify.product_from_path(final, home=user.home, uid=user.uid, platform=env.platform)
    return SocketState(
        path=s.path,
        alive=answered or denied,
        uid=s.uid,
        gid=s.gid,
        mode=s.mode,
        target=final if s.link_chain else None,
        blocked=s.blocked_dir,
        product=ident.product if ident else None,
        server=next((n for _p, n in s.listeners if _p != 1), ""),
    )


def _tcp_answers(facts: Any) -> dict[str, bool]:
    """Which TCP and ssh endpoints answered: the contexts' and the resolved one's."""
    from doctor.facts import FactUnavailable
    from doctor.facts.keys import CONTEXT_PROBES, ENDPOINT_PROBE

    tcp: dict[str, bool] = {}
    try:
        for host, probe in facts.get(CONTEXT_PROBES).items():
            tcp[host] = probe.answered
    except FactUnavailable:
        pass
    try:
        ep = facts.get(ENDPOINT_PROBE).result
    except FactUnavailable:
        ep = None
    if ep is not None and ep.dial.startswith(("tcp://", "ssh://")):
        tcp[ep.dial] = ep.answered
        tcp[ep.host] = ep.answered
    return tcp
