"""Rootless dockerd and podman: the runtime directory, linger, and podman's API socket.

- `XDG_RUNTIME_DIR` unset or wrong (under `su`, `sudo -u`, cron, some ssh setups):
  `unix://$XDG_RUNTIME_DIR/docker.sock` becomes `unix:///docker.sock`, rootless
  tools look in the wrong place (docker/docker-install#208, docker/docs#14491).
- no linger: the user's engine stops at logout, so cron jobs and services find
  no socket (`sudo loginctl enable-linger USER`).
- podman's CLI works without a daemon, but docker, compose and the SDKs need its
  API socket, off by default (`systemctl --user enable --now podman.socket`;
  bollard#790, podman#29768).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks._text import quote
from doctor.api import (
    ENDPOINT_PROBE,
    ENVIRONMENT,
    RESOLUTION,
    ROOTLESS,
    Facts,
    Finding,
    ProbeResult,
    RootlessState,
    Severity,
    check,
)

CHECK_ID = "rootless"

_LOGIN_WORDS = {
    "su": "this shell came from su (its login uid is {login}): su starts no login session, so there is no "
    "XDG_RUNTIME_DIR and no user systemd",
    "sudo": "this shell came from sudo: sudo resets XDG_RUNTIME_DIR",
    "ssh": "an ssh login without a systemd user session (pam_systemd) sets no XDG_RUNTIME_DIR",
    "session": "",
    "unknown": "cron jobs, containers and services have no login session",
}


def xdg_problem(st: RootlessState) -> str | None:
    if st.xdg_runtime_dir is None:
        return "XDG_RUNTIME_DIR is unset"
    x = st.xdg_state
    if x is None or x.kind == "missing":
        return f"XDG_RUNTIME_DIR={st.xdg_runtime_dir} does not exist"
    if x.kind != "directory":
        return f"XDG_RUNTIME_DIR={st.xdg_runtime_dir} is not a directory"
    if x.uid is not None and x.uid != st.uid:
        return f"XDG_RUNTIME_DIR={st.xdg_runtime_dir} belongs to uid {x.uid}, not to you (uid {st.uid})"
    return None


def _sock(st: RootlessState, suffix: str) -> str | None:
    for s in st.sockets:
        if s.kind == "socket" and s.path.endswith(suffix) and (s.uid is None or s.uid == st.uid):
            return s.path
    return None


@check(id=CHECK_ID, title="Rootless engines: runtime directory, linger, podman's API socket", category="rootless",
       requires=(ROOTLESS, RESOLUTION, ENDPOINT_PROBE, ENVIRONMENT))  # fmt: skip
def rootless(facts: Facts) -> Iterator[Finding]:
    """XDG_RUNTIME_DIR unset or wrong (su, cron, ssh), the engine socket under /run/user/UID,
    linger off, podman's API socket off while the podman CLI works — each with its fix."""
    st = facts.get(ROOTLESS)
    res = facts.get(RESOLUTION)
    probe = facts.get(ENDPOINT_PROBE).result
    env = facts.get(ENVIRONMENT)
    host = res.host or ""
    dead = probe is not None and not probe.answered
    engine_sock = _sock(st, "/docker.sock") or _sock(st, "/podman/podman.sock")
    rootless_here = bool(engine_sock or "dockerd-rootless.sh" in st.binaries
                         or any("/.config/" in u for u in st.user_units))  # fmt: skip
    found = [
        f
        for f in (
            _runtime_dir(st, host, dead, engine_sock, rootless_here),
            _no_linger(st),
            _podman_socket_off(st, host, probe, env.init == "systemd"),
        )
        if f is not None
    ]
    yield from found
    if not found:
        yield Finding(id="rootless-ok", check=CHECK_ID, severity=Severity.OK,
                      title="no rootless-engine problem for this user" if rootless_here else "no rootless engine for this user")  # fmt: skip


def _runtime_dir(
    st: RootlessState, host: str, dead: bool, engine_sock: str | None, rootless_here: bool
) -> Finding | None:
    """1. The runtime directory (rootless only: root's engines live in /run)."""
    problem = xdg_problem(st) if st.uid != 0 else None
    if not problem or not (rootless_here or "podman" in st.binaries):
        return None
    user, run_user = st.user or str(st.uid), st.run_user.path
    why = _LOGIN_WORDS.get(st.login, "").format(login=st.login_uid)
    ok_dir = st.run_user.kind == "directory" and st.run_user.uid == st.uid
    fix = [f"export XDG_RUNTIME_DIR={quote(run_user)}"] if ok_dir else []
    fix.append(f"# log in as {user} with ssh or `machinectl shell {user}@` (not su): that creates {run_user}")
    if st.linger is False:
        fix.append(
            f"sudo loginctl enable-linger {quote(user)}    # keeps {run_user} and the user's engine after logout"
        )
    # The CLI's endpoint was built from the broken variable: an empty $XDG_RUNTIME_DIR gives unix:///docker.sock.
    from_var = host in ("unix:///docker.sock", "unix:///podman/podman.sock") or bool(
        st.xdg_runtime_dir and host.startswith("unix://" + st.xdg_runtime_dir.rstrip("/") + "/")
    )
    if engine_sock and from_var:
        fix.insert(1, f"export DOCKER_HOST={quote('unix://' + engine_sock)}")
    evidence = [problem + (f" ({why})" if why else ""), f"{run_user}: {st.run_user.kind}"]
    if engine_sock:
        evidence.append(f"the rootless engine's socket is {engine_sock}")
    if dead and from_var:
        evidence.insert(0, f"the docker CLI's endpoint {host} comes from it, and does not answer")
    return Finding(
        id="rootless-env",
        check=CHECK_ID,
        severity=Severity.ERROR if dead and from_var else Severity.WARNING,
        cause="rootless-env" if dead and from_var else None,
        title=f"{problem}: rootless docker and podman (and tools that look for them there) miss "
        + (engine_sock or f"{run_user}/…"),
        evidence=tuple(evidence),
        fix=tuple(fix),
        data={"xdg_runtime_dir": st.xdg_runtime_dir, "login": st.login, "socket": engine_sock},
    )


def _no_linger(st: RootlessState) -> Finding | None:
    """2. Linger: a rootless engine installed as a user unit stops at logout."""
    user_unit = any("/.config/systemd/user/" in u for u in st.user_units) or st.podman_socket_enabled
    if st.uid == 0 or not user_unit or st.linger is not False:
        return None
    user = st.user or str(st.uid)
    return Finding(id="rootless-no-linger", check=CHECK_ID, severity=Severity.WARNING,
                  title=f"linger is off for {user}: the rootless engine stops when you log out, and cron jobs "
                  "and services find no socket",
                  evidence=(f"/var/lib/systemd/linger/{user}: missing",
                            *(f"user unit: {u}" for u in st.user_units if '/.config/' in u)),
                  fix=(f"sudo loginctl enable-linger {quote(user)}",))  # fmt: skip


def _podman_socket_off(st: RootlessState, host: str, probe: ProbeResult | None, systemd: bool) -> Finding | None:
    """3. podman's Docker-API socket."""
    if "podman" not in st.binaries:
        return None
    if _sock(st, "/podman/podman.sock") is not None:
        return None
    dead = probe is not None and not probe.answered
    want = "/run/podman/podman.sock" if st.uid == 0 else f"{st.xdg_runtime_dir or st.run_user.path}/podman/podman.sock"
    scope = "" if st.uid == 0 else " --user"
    fix = [f"systemctl{scope} enable --now podman.socket" if systemd else
           f"mkdir -p {quote(want.rsplit('/', 1)[0])} && podman system service --time=0 {quote('unix://' + want)} &"
           "    # no systemd here"]  # fmt: skip
    fix.append(f"export DOCKER_HOST={quote('unix://' + want)}")
    aimed = host.endswith("/podman.sock")
    sev = Severity.ERROR if dead and aimed else Severity.INFO if (dead or not probe) else Severity.OK
    return Finding(
        id="podman-api-socket-off",
        check=CHECK_ID,
        severity=sev,
        cause="podman-api-socket-off" if sev is Severity.ERROR else None,
        title=f"podman is installed ({st.binaries['podman']}) but its Docker-API socket is off: the podman CLI "
        "works, docker, compose and SDKs pointed at podman fail",
        evidence=(f"{want}: missing", *([f"the docker CLI's endpoint is {host}"] if aimed else [])),
        fix=tuple(fix),
    )


CHECKS = (rootless,)
