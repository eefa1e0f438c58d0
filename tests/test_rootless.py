"""Rootless engines, for real: rootless podman (Debian's podman 4.3) run as an unprivileged user in a
private mount namespace, with its runtime directory /run/user/UID on a private tmpfs."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import pytest

from checks.rootless import xdg_problem
from doctor.api import ROOTLESS, Finding, PathState, RootlessState
from tests.conftest import need, need_root
from tests.test_sockets import isolated_cdoctor

UID = 65534
RUN = f"/run/user/{UID}"
SOCK = f"{RUN}/podman/podman.sock"
# A fresh rootless podman service answers its first /info slowly (it sets up its storage): ask once first.
WARM_UP = f"setpriv --reuid={UID} --regid={UID} --clear-groups docker -H unix://{SOCK} info >/dev/null 2>&1 || true"


def _as_user(cmd: str, home: Path) -> str:
    env = f"HOME={home} XDG_RUNTIME_DIR={RUN} PATH=/usr/bin:/bin"
    return f"setpriv --reuid={UID} --regid={UID} --clear-groups env -i {env} {cmd}"


def _setup(home: Path, *, service: bool) -> list[str]:
    lines = [
        "mkdir -p /run/user",  # a host without logind (or an empty /run) has none
        "mount -t tmpfs -o mode=755 tmpfs /run/user",
        f"mkdir -p {RUN} && chown {UID}:{UID} {RUN} && chmod 700 {RUN}",
        # The podman CLI works without any socket (it needs no daemon) …
        _as_user("podman --storage-driver vfs info --format '{{.Host.Security.Rootless}}'", home)
        + f" > {home}/podman-info.txt 2>&1 || true",
    ]
    if service:
        lines.append(_as_user(f"sh -c 'mkdir -p {RUN}/podman && podman system service --time=0 unix://{SOCK}'", home)
                     + f" > {home}/service.log 2>&1 &")  # fmt: skip
        lines.append(f"for i in $(seq 150); do [ -S {SOCK} ] && break; sleep 0.1; done")
        lines.append(WARM_UP)
    # … and what the docker CLI says, as that user, with the environment of the test.
    lines.append(f"setpriv --reuid={UID} --regid={UID} --clear-groups docker ps > {home}/docker-ps.txt 2>&1 || true")
    return lines


@pytest.fixture
def user_home(engine_dir: Path) -> Path:
    """A home the unprivileged user can reach (pytest's tmp_path is 0700 root)."""
    need_root()
    need("podman", "setpriv", "unshare")
    os.chmod(engine_dir, 0o755)
    home = engine_dir / "u"
    home.mkdir()
    os.chown(home, UID, UID)
    return home


def _run(home: Path, before: list[str]) -> dict[str, object]:
    # Rootless podman 4.3 takes over a second per /info here (it measures its storage each time):
    # a deadline that lets /version and /info answer on a loaded machine.
    proc, _ = isolated_cdoctor("--format", "json", "--timeout", "10", home=home, user=(UID, UID), before="\n".join(before))
    assert proc.returncode in (0, 1, 2), proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _finding(doc: dict[str, object], fid: str) -> dict[str, object]:
    [f] = [f for f in doc["findings"] if f["id"] == fid]  # type: ignore[union-attr]
    return f  # type: ignore[no-any-return]


@pytest.mark.engine
def test_podman_cli_works_but_its_api_socket_is_off(user_home: Path) -> None:
    env = f"export XDG_RUNTIME_DIR={RUN} DOCKER_HOST=unix://{SOCK}"
    doc = _run(user_home, [env, *_setup(user_home, service=False)])
    assert (user_home / "podman-info.txt").read_text().strip().endswith("true")  # rootless podman works
    assert "podman.sock" in (user_home / "docker-ps.txt").read_text()  # docker does not
    assert doc["diagnosis"]["primary_cause"] == "podman-api-socket-off"  # type: ignore[index]
    f = _finding(doc, "podman-api-socket-off")
    # No systemd in this namespace: the fix starts the service directly, on the path DOCKER_HOST names.
    assert f["fix"][0].startswith(f"mkdir -p {RUN}/podman && podman system service --time=0 unix://{SOCK} &")  # type: ignore[index]
    # The printed fix, run as printed (as that user), makes the finding go away.
    fix = f["fix"][0].split("    #")[0].rstrip(" &")  # type: ignore[index]
    after = _run(user_home, [env, *_setup(user_home, service=False),
                             _as_user(f"sh -c {shlex.quote(fix)}", user_home) + f" >{user_home}/fix.log 2>&1 &",
                             f"for i in $(seq 150); do [ -S {SOCK} ] && break; sleep 0.1; done", WARM_UP])  # fmt: skip
    assert after["diagnosis"]["status"] == "ok", after["diagnosis"]  # type: ignore[index]
    assert _finding(after, "rootless-ok")


@pytest.mark.engine
def test_xdg_runtime_dir_lost_under_su_breaks_the_rootless_endpoint(user_home: Path) -> None:
    # ~/.bashrc has DOCKER_HOST=unix://$XDG_RUNTIME_DIR/podman/podman.sock; after `su`, XDG_RUNTIME_DIR is unset.
    env = "unset XDG_RUNTIME_DIR; export DOCKER_HOST=unix:///podman/podman.sock"
    doc = _run(user_home, [env, *_setup(user_home, service=True)])
    assert "/podman/podman.sock" in (user_home / "docker-ps.txt").read_text()
    assert doc["diagnosis"]["primary_cause"] == "rootless-env", doc["diagnosis"]  # type: ignore[index]
    f = _finding(doc, "rootless-env")
    assert "XDG_RUNTIME_DIR is unset" in f["title"] and SOCK in f["title"]  # type: ignore[operator]
    assert f["fix"][:2] == [f"export XDG_RUNTIME_DIR={RUN}", f"export DOCKER_HOST=unix://{SOCK}"]
    # The fix as printed: the engine answers.
    fixed = _run(user_home, [f"export XDG_RUNTIME_DIR={RUN} DOCKER_HOST=unix://{SOCK}", *_setup(user_home, service=True)])
    assert fixed["diagnosis"]["status"] == "ok", fixed["diagnosis"]  # type: ignore[index]


def test_xdg_problems_pure() -> None:
    base = {"uid": 1000, "user": "u", "sockets": (), "linger": False, "binaries": {}, "user_units": (), "podman_socket_enabled": False,
                "login": "su", "login_uid": 0, "run_user": PathState("/run/user/1000", "directory", 1000)}  # fmt: skip
    assert xdg_problem(RootlessState(xdg_runtime_dir=None, xdg_state=None, **base)) == "XDG_RUNTIME_DIR is unset"  # type: ignore[arg-type]
    root_dir = RootlessState(xdg_runtime_dir="/run/user/0", xdg_state=PathState("/run/user/0", "directory", 0), **base)  # type: ignore[arg-type]
    assert "belongs to uid 0" in (xdg_problem(root_dir) or "")
    ok = RootlessState(xdg_runtime_dir="/run/user/1000", xdg_state=PathState("/run/user/1000", "directory", 1000), **base)  # type: ignore[arg-type]
    assert xdg_problem(ok) is None


def _rootless_findings(st: RootlessState, host: str, outcome: str, errno_name: str | None = None) -> list[Finding]:
    """The rootless check on alice's machine (uid 1000), DOCKER_HOST=host probed with `outcome`."""
    from checks.rootless import rootless
    from doctor.api import ENDPOINT_PROBE, ENVIRONMENT, RESOLUTION, EndpointProbe, Environment, Facts, UserInfo
    from doctor.knowledge.outcomes import ProbeResult
    from doctor.knowledge.resolve import Resolution

    user = UserInfo(1000, 1000, "alice", "/home/alice", "HOME", frozenset({1000}), frozenset({"alice"}))
    facts = Facts.from_values({
        ROOTLESS: st, ENVIRONMENT: Environment({}, user, "linux", False, "6.1", "systemd"),
        RESOLUTION: Resolution(host=host, source="env:DOCKER_HOST", context="default", config_dir="/home/alice/.docker",
                               config_path="/home/alice/.docker/config.json"),
        ENDPOINT_PROBE: EndpointProbe(ProbeResult(host, host, outcome, errno_name=errno_name)),
    })  # fmt: skip
    return list(rootless.run(facts))


def test_no_linger_with_a_rootless_user_unit_is_a_warning() -> None:
    """Reconstructed: what `dockerd-rootless-setuptool.sh install` leaves (a user unit in
    ~/.config/systemd/user) on a host where `loginctl enable-linger` was never run."""

    host = "unix:///run/user/1000/docker.sock"
    st = RootlessState(
        uid=1000, user="alice", xdg_runtime_dir="/run/user/1000",
        xdg_state=PathState("/run/user/1000", "directory", 1000), run_user=PathState("/run/user/1000", "directory", 1000),
        sockets=(PathState("/run/user/1000/docker.sock", "socket", 1000),), linger=False,
        binaries={"dockerd-rootless.sh": "/usr/bin/dockerd-rootless.sh"},
        user_units=("/home/alice/.config/systemd/user/docker.service",), podman_socket_enabled=False,
        login="session", login_uid=1000,
    )  # fmt: skip
    found = {f.id: f for f in _rootless_findings(st, host, "ok")}
    assert found["rootless-no-linger"].fix == ("sudo loginctl enable-linger alice",)
    assert "rootless-env" not in found


def test_an_odd_xdg_runtime_dir_reaches_the_fix_as_one_shell_word() -> None:
    """XDG_RUNTIME_DIR is the environment's: whatever it holds, the pasted line sets DOCKER_HOST to it
    and runs nothing else."""
    xdg = "/tmp/x $(touch pwned)"
    host = f"unix://{xdg}/podman/podman.sock"
    st = RootlessState(
        uid=1000, user="alice", xdg_runtime_dir=xdg,
        xdg_state=PathState(xdg, "directory", 1000), run_user=PathState("/run/user/1000", "directory", 1000),
        sockets=(), linger=True, binaries={"podman": "/usr/bin/podman"},
        user_units=(), podman_socket_enabled=False, login="session", login_uid=1000,
    )  # fmt: skip
    found = _rootless_findings(st, host, "socket-missing", "ENOENT")
    lines = [line for f in found for line in f.fix if line.startswith("export DOCKER_HOST=")]
    assert lines, "the podman socket fix sets DOCKER_HOST"
    for line in lines:
        words = shlex.split(line.split("    #")[0])
        assert words == ["export", f"DOCKER_HOST=unix://{xdg}/podman/podman.sock"], line
