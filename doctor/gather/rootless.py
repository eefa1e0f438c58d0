"""The per-user side of rootless engines: the runtime directory, linger, user units, podman's socket.

Rootless dockerd and rootless podman live in `$XDG_RUNTIME_DIR` (`/run/user/UID`),
which exists only for a login session (ssh, a graphical login, `machinectl
shell`) — not under `su`, `sudo -u`, cron or a plain `docker exec` — and only
while the user is logged in unless linger is on (`/var/lib/systemd/linger/USER`).
Podman's CLI needs no daemon, but the Docker API it offers (`podman.socket`) is
off by default (bollard#790, crc-org/snc#686). Files are stat'ed, nothing is run.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping

from doctor.facts import Facts
from doctor.facts.keys import ENVIRONMENT
from doctor.facts.types import PathState, RootlessState
from doctor.gather.threads import which
from doctor.run.context import RunContext


def stat_path(path: str) -> PathState:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return PathState(path, "missing")
    except NotADirectoryError:
        return PathState(path, "missing")
    except OSError:
        return PathState(path, "unreadable")
    mode = st.st_mode
    kind = ("socket" if stat.S_ISSOCK(mode) else "directory" if stat.S_ISDIR(mode)
            else "file" if stat.S_ISREG(mode) else "other")  # fmt: skip
    return PathState(path, kind, st.st_uid)


def _gather(facts: Facts) -> RootlessState:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    env = facts.get(ENVIRONMENT)
    uid, name, home = env.user.uid, env.user.name, env.user.home
    xdg = ctx.env.get("XDG_RUNTIME_DIR") or None
    run_user = f"/run/user/{uid}"
    dirs = [d for d in dict.fromkeys([xdg, run_user]) if d]
    sockets = [stat_path(os.path.join(d, rel)) for d in dirs for rel in ("docker.sock", "podman/podman.sock")]
    if home:
        sockets.append(stat_path(os.path.join(home, ".docker/run/docker.sock")))
    if uid == 0:
        sockets.append(stat_path("/run/podman/podman.sock"))
    path_env = ctx.env.get("PATH", os.defpath) + ":/usr/sbin:/sbin"
    binaries = {b: p for b in ("dockerd-rootless.sh", "rootlesskit", "podman") if (p := which(b, path=path_env))}
    units, enabled = _user_units(home)
    login_uid = _login_uid()
    login = _login(ctx.env, uid, login_uid)
    return RootlessState(uid, name, xdg, stat_path(xdg) if xdg else None, stat_path(run_user), tuple(sockets),
                         _linger(name), binaries, tuple(units), enabled, login, login_uid)  # fmt: skip


def _user_units(home: str | None) -> tuple[list[str], bool]:
    """The user units for docker and podman that exist, and whether podman.socket is enabled."""
    units: list[str] = []
    unit_dirs = [os.path.join(home, ".config/systemd/user")] if home else []
    unit_dirs += ["/etc/systemd/user", "/usr/lib/systemd/user", "/lib/systemd/user"]
    for d in unit_dirs:
        for unit in ("docker.service", "podman.socket"):
            if os.path.exists(os.path.join(d, unit)):
                units.append(os.path.join(d, unit))
    wants = [os.path.join(d, "sockets.target.wants/podman.socket") for d in unit_dirs[:2]]
    return units, any(os.path.lexists(w) for w in wants)


def _linger(name: str | None) -> bool | None:
    """Whether systemd keeps the user's manager running without a session (None: cannot tell)."""
    if not name:
        return None
    if os.path.isdir("/var/lib/systemd/linger"):
        return os.path.exists(os.path.join("/var/lib/systemd/linger", name))
    return False if os.path.isdir("/var/lib/systemd") else None


def _login_uid() -> int | None:
    try:
        with open("/proc/self/loginuid") as f:
            raw = int(f.read(32).strip())
    except (OSError, ValueError):
        return None
    return None if raw == 4294967295 else raw


def _login(env: Mapping[str, str], uid: int, login_uid: int | None) -> str:
    """How this shell was reached: sudo, su, ssh, a login session of this user, or unknown."""
    if env.get("SUDO_USER"):
        return "sudo"
    if login_uid is not None and login_uid != uid:
        return "su"
    if env.get("SSH_CONNECTION"):
        return "ssh"
    return "session" if login_uid == uid else "unknown"
