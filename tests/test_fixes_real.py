"""Proof by execution: the fix cdoctor prints, run in the scenario's own world, makes docker work.

Every scenario builds a broken world with real engines (tests/engines.py),
real users and groups, real sockets; runs `cdoctor diagnose` in it
(tests/test_causes_real.py's namespace driver); takes the fix lines of the
primary finding exactly as printed, and runs them the way a person who pastes
them would: comment lines are comments, `sudo X` runs X as root, `newgrp G`
becomes `sg G -c …` for the rest, `unset`/`export` change the shell that then
runs the real `docker ps` (and `docker run` for the layers under dockerd),
which must succeed.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, cdoctor, need, need_root
from tests.engines import Containerd, Dockerd, PodmanService, have, which, write_context
from tests.test_causes_real import DRIVER, TIMEOUT, Scenario, _setup_script, _unshare_works

pytestmark = [pytest.mark.engine, pytest.mark.slow]

USER = "cdx12u"  # a user of this module; in group docker per /etc/group when a test says so
PRIVILEGED = ("root", "wheel", "sudo", "adm", "disk", "shadow")
DOCKER = "/usr/local/bin/docker" if os.access("/usr/local/bin/docker", os.X_OK) else "docker"


# --- running a printed fix ------------------------------------------------------------------------


def split_fix(lines: list[str]) -> tuple[list[str], list[str], str | None]:
    """(commands run as root, commands run as the user, the group `newgrp` activates)."""
    as_root: list[str] = []
    as_user: list[str] = []
    group = None
    for line in lines:
        if line.lstrip().startswith("#"):
            continue  # alternatives and notes are comments: pasting them runs nothing
        cmd = line.split("    #")[0].strip()
        if cmd.startswith("sudo "):
            as_root.append(cmd[len("sudo ") :])
        elif cmd.startswith("newgrp "):
            group = cmd.split()[1]
        elif cmd:
            as_user.append(cmd)
    return as_root, as_user, group


def assert_safe(lines: list[str]) -> None:
    text = "\n".join(lines)
    for g in PRIVILEGED:
        assert f"usermod -aG {g} " not in text and f"newgrp {g}\n" not in text + "\n", text
    assert "chmod 666" not in text and "chmod 777" not in text, text


def run_fix(
    scn: Scenario, lines: list[str], check: str = f"{DOCKER} ps", *, oneoff: bool = False
) -> dict[str, Any]:
    """Run the printed fix lines, then `check`, in the scenario's world (its namespace, its user)."""
    as_root, as_user, group = split_fix(lines)
    env = scn.full_env()
    steps_root = [{"name": "root", "argv": ["sh", "-ec", "\n".join(as_root) or "true"], "env": env}]
    body = "\n".join([*as_user, check])
    if group:
        body = f"exec sg {shlex.quote(group)} -c {shlex.quote(body)}"
    user_step: dict[str, Any] = {"name": "user", "argv": ["sh", "-ec", body], "env": env}
    if oneoff:
        # A one-off: the fix is the command itself, run as root.
        user_step = {"name": "user", "argv": ["sh", "-ec", "\n".join(as_root)], "env": env}
        steps_root = []
    elif scn.user is not None:
        user_step["user"] = list(scn.user)
    for s in [*steps_root, user_step]:
        s["cwd"] = str(ROOT)
    spec = {"waves": [steps_root, [user_step]] if steps_root else [[user_step]]}
    stage = Path(tempfile.mkdtemp(prefix="cdx12-stage-", dir="/tmp"))
    try:
        argv = [
            "unshare", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private",
            "sh", "-c", _setup_script(scn, stage), "sh", sys.executable, "-c", DRIVER, json.dumps(spec),
        ]  # fmt: skip
        p = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    assert p.returncode == 0, p.stderr[-3000:]
    out: dict[str, Any] = json.loads(p.stdout)
    return out


def diagnose(scn: Scenario) -> dict[str, Any]:
    """Only `cdoctor diagnose --format json` in the scenario's world."""
    env = scn.full_env()
    step: dict[str, Any] = {
        "name": "diagnose",
        "argv": [sys.executable, "-m", "doctor", "diagnose", "--format", "json", "--timeout", str(TIMEOUT)],
        "env": env,
        "cwd": str(ROOT),
    }
    if scn.user is not None:
        step["user"] = list(scn.user)
    stage = Path(tempfile.mkdtemp(prefix="cdx12-stage-", dir="/tmp"))
    try:
        argv = [
            "unshare", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private",
            "sh", "-c", _setup_script(scn, stage), "sh", sys.executable, "-c", DRIVER,
            json.dumps({"waves": [[step]]}),
        ]  # fmt: skip
        p = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    assert p.returncode == 0, p.stderr[-3000:]
    r = json.loads(p.stdout)["diagnose"]
    assert r["stdout"], r["stderr"][-2000:]
    doc: dict[str, Any] = json.loads(r["stdout"])
    return doc


def primary(doc: dict[str, Any], cause: str) -> dict[str, Any]:
    assert doc["diagnosis"]["primary_cause"] == cause, json.dumps(
        [(f["id"], f["title"], f["fix"]) for f in doc["findings"] if f["severity"] != "ok"], indent=1
    )
    top: dict[str, Any] = next(f for f in doc["findings"] if f["cause"] == cause and f["severity"] == "error")
    assert_safe(top["fix"])
    return top


def prove(scn: Scenario, cause: str, check: str = f"{DOCKER} ps", **kw: Any) -> dict[str, Any]:
    """Diagnose, run the printed fix, and assert `check` then succeeds (and failed before)."""
    doc = diagnose(scn)
    top = primary(doc, cause)
    before = run_fix(scn, [], check)
    assert before["user"]["rc"] != 0, f"{check} already works before the fix: {before['user']}"
    after = run_fix(scn, top["fix"], check, **kw)
    assert after["user"]["rc"] == 0, f"after {top['fix']}: {after}"
    top["doc"] = doc
    return top


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ns() -> None:
    need_root()
    need("containerd", "dockerd", "docker", "unshare", "setpriv", "useradd", "sg", "busybox")
    if not _unshare_works():
        pytest.skip("unshare --mount --pid does not work here (needs CAP_SYS_ADMIN)")


@pytest.fixture(scope="module")
def base(ns: None) -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="cdx12-", dir="/tmp"))
    d.chmod(0o755)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def engine(base: Path) -> Iterator[Dockerd]:
    """containerd + dockerd started with `--group root`: its socket is root:root 0660."""
    with Containerd(base) as ctrd, Dockerd(base, ctrd) as d:
        d.import_busybox()
        yield d


@pytest.fixture
def root_socket(engine: Dockerd) -> Iterator[str]:
    """The engine's socket with group root again (a fix may have changed it)."""
    os.chown(engine.socket, 0, 0)
    os.chmod(engine.socket, 0o660)
    yield engine.socket
    os.chown(engine.socket, 0, 0)


@pytest.fixture
def user(ns: None) -> Iterator[tuple[int, int]]:
    """A fresh user, not in group docker; removed afterwards."""
    subprocess.run(["userdel", USER], check=False, capture_output=True)
    subprocess.run(["useradd", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", USER], check=True)
    pw = pwd.getpwnam(USER)
    try:
        yield pw.pw_uid, pw.pw_gid
    finally:
        subprocess.run(["userdel", USER], check=False, capture_output=True)


def docker_gid() -> int:
    try:
        return grp.getgrnam("docker").gr_gid
    except KeyError:
        pytest.skip("no group docker on this machine")


def join_docker() -> None:
    subprocess.run(["usermod", "-aG", "docker", USER], check=True)


@pytest.fixture
def home(base: Path) -> Iterator[Path]:
    h = Path(tempfile.mkdtemp(prefix="h-", dir=base))
    h.chmod(0o755)
    (h / ".docker").mkdir()
    yield h
    shutil.rmtree(h, ignore_errors=True)


def owned_home(home: Path, uid: int, gid: int) -> Path:
    for p in (home, home / ".docker"):
        os.chown(p, uid, gid)
    return home


# --- permission: a socket whose group is root ---------------------------------------------------------


def test_root_group_socket_user_carries_docker(
    engine: Dockerd, root_socket: str, user: tuple[int, int], home: Path
) -> None:
    """*Why* 1: dockerd's socket after `chgrp root`, the user in docker (and this shell carries it).
    Before: `sudo usermod -aG root USER` / `newgrp root`. Now: the engine's group back on its socket."""
    join_docker()
    uid, gid = user
    scn = Scenario(owned_home(home, uid, gid), {"DOCKER_HOST": engine.host, "USER": USER},
                   user=(uid, gid, [docker_gid()]))  # fmt: skip
    top = prove(scn, "permission-denied")
    fix = "\n".join(top["fix"])
    assert fix.startswith(f"sudo chgrp docker {root_socket}"), fix
    assert "group root" in top["title"] and "not a group to join" in top["title"], top["title"]
    # How to make it last (dockerd itself is in another pid namespace here, so its flags are unseen).
    assert '"group": "docker"' in fix and "SocketGroup=docker" in fix, fix


def test_root_group_socket_user_in_docker_shell_older(
    engine: Dockerd, root_socket: str, user: tuple[int, int], home: Path
) -> None:
    """Same socket; the user is in docker in /etc/group but this shell started before (newgrp)."""
    join_docker()
    uid, gid = user
    scn = Scenario(owned_home(home, uid, gid), {"DOCKER_HOST": engine.host, "USER": USER}, user=(uid, gid, []))
    top = prove(scn, "permission-denied")
    fix = "\n".join(top["fix"])
    assert "sudo chgrp docker" in fix and "newgrp docker" in fix and "usermod" not in fix


def test_root_group_socket_user_not_in_docker(
    engine: Dockerd, root_socket: str, user: tuple[int, int], home: Path
) -> None:
    """Another user, in no group: chgrp, join docker (never root), newgrp."""
    uid, gid = user
    scn = Scenario(owned_home(home, uid, gid), {"DOCKER_HOST": engine.host, "USER": USER}, user=(uid, gid, []))
    top = prove(scn, "permission-denied")
    fix = "\n".join(top["fix"])
    assert f"sudo usermod -aG docker {USER}" in fix and "newgrp docker" in fix


def test_podman_rootful_socket(base: Path, user: tuple[int, int], home: Path) -> None:
    """*Why* 1, podman: its rootful API socket is root:root 0660. Say it is Podman's, point at the
    rootless socket, and `sudo` for a one-off (run here: it works)."""
    need("podman")
    join_docker()
    uid, gid = user
    with PodmanService(base / "prootful") as pod:
        os.chown(pod.socket, 0, 0)
        os.chmod(pod.socket, 0o660)
        scn = Scenario(
            owned_home(home, uid, gid),
            {"DOCKER_HOST": "unix:///run/podman/podman.sock", "USER": USER},
            user=(uid, gid, [docker_gid()]),
            bind={"/run/podman/podman.sock": pod.socket},
        )
        doc = diagnose(scn)
        top = primary(doc, "permission-denied")
        fix = "\n".join(top["fix"])
        assert "Podman" in top["title"] and "root" in top["title"], top["title"]
        assert f"unix:///run/user/{uid}/podman/podman.sock" in fix, fix
        assert "systemctl --user enable --now podman.socket" in fix, fix
        assert "usermod" not in fix and "newgrp" not in fix
        oneoff = [ln for ln in top["fix"] if ln.startswith("sudo docker ps")]
        assert oneoff, fix
        after = run_fix(scn, oneoff, oneoff=True)
        assert after["user"]["rc"] == 0, after


# --- the choice of endpoint ---------------------------------------------------------------------------


def test_docker_context_overrides_a_working_current_context(engine: Dockerd, home: Path, base: Path) -> None:
    """*Why* 2: DOCKER_CONTEXT=podman (its socket gone) while currentContext=work answers:
    `docker context use work` changes nothing and is not printed; `unset DOCKER_CONTEXT` is."""
    os.chmod(engine.socket, 0o660)
    write_context(home / ".docker", "work", engine.host)
    write_context(home / ".docker", "podman", f"unix://{base}/gone/podman.sock")
    (home / ".docker" / "config.json").write_text('{"currentContext": "work"}')
    scn = Scenario(home, {"DOCKER_CONTEXT": "podman"})
    top = prove(scn, "endpoint-mismatch")
    assert top["fix"][0] == "unset DOCKER_CONTEXT    # then docker uses your context 'work'", top["fix"]
    assert not any(ln.strip() == "docker context use work" for ln in top["fix"]), top["fix"]
    assert any("export DOCKER_CONTEXT=work" in ln for ln in top["fix"]), top["fix"]


def test_docker_host_dead_while_docker_context_answers(engine: Dockerd, home: Path, base: Path) -> None:
    """Variant: DOCKER_HOST (dead) beats DOCKER_CONTEXT=work (alive): unset DOCKER_HOST."""
    write_context(home / ".docker", "work", engine.host)
    scn = Scenario(home, {"DOCKER_HOST": f"unix://{base}/gone.sock", "DOCKER_CONTEXT": "work"})
    top = prove(scn, "endpoint-mismatch")
    assert top["fix"][0] == "unset DOCKER_HOST    # then docker uses your context 'work'", top["fix"]


def test_current_context_dead_podman_api_answers_in_a_context(base: Path, home: Path) -> None:
    """Variant: the podman API (not dockerd) answers through context 'pod'; currentContext is dead."""
    need("podman")
    with PodmanService(base / "pctx") as pod:
        write_context(home / ".docker", "pod", pod.host)
        write_context(home / ".docker", "old", f"unix://{base}/old/docker.sock")
        (home / ".docker" / "config.json").write_text('{"currentContext": "old"}')
        scn = Scenario(home, {})
        top = prove(scn, "endpoint-mismatch")
        assert top["fix"][0] == "docker context use pod    # then docker uses your context 'pod'", top["fix"]


# --- values explained and corrected ----------------------------------------------------------------------


def test_quoted_docker_host(engine: Dockerd, home: Path) -> None:
    """*Why* 3: DOCKER_HOST with its own quotes (a .env / EnvironmentFile): the corrected value, checked."""
    scn = Scenario(home, {"DOCKER_HOST": f'"{engine.host}"'})
    top = prove(scn, "invalid-docker-host")
    assert top["fix"][0].startswith(f"export DOCKER_HOST={engine.host}"), top["fix"]
    assert "quotes" in top["detail"]


def test_tilde_in_docker_host(engine: Dockerd, home: Path) -> None:
    """Variant: `unix://~/…` (the shell never expands it there), the engine's socket in the home."""
    (home / ".colima" / "default").mkdir(parents=True)
    target = home / ".colima" / "default" / "docker.sock"
    target.symlink_to(engine.socket)
    scn = Scenario(home, {"DOCKER_HOST": "unix://~/.colima/default/docker.sock"})
    top = prove(scn, "invalid-docker-host")
    assert top["fix"][0].startswith(f"export DOCKER_HOST=unix://{target}"), top["fix"]


def test_context_host_with_two_slashes(engine: Dockerd, home: Path) -> None:
    """Variant: the value comes from a context's host, `unix://tmp/…` (relative: two slashes), not DOCKER_HOST."""
    write_context(home / ".docker", "work", "unix://" + engine.socket.lstrip("/"))
    (home / ".docker" / "config.json").write_text('{"currentContext": "work"}')
    scn = Scenario(home, {})
    top = prove(scn, "invalid-docker-host")
    assert top["fix"][0] == f"docker context update work --docker host={engine.host}", top["fix"]


# --- the layers under the API server ---------------------------------------------------------------------


def _diagnose_here(host: str) -> dict[str, Any]:
    r = cdoctor("diagnose", "--format", "json", "--timeout", str(TIMEOUT), env={"DOCKER_HOST": host})
    assert r.stdout, r.stderr
    doc: dict[str, Any] = json.loads(r.stdout)
    return doc


def _docker(host: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCKER_HOST": host}
    return subprocess.run([DOCKER, *args], capture_output=True, text=True, env=env, timeout=90, check=False)


def test_containerd_killed_under_a_running_dockerd(base: Path) -> None:
    """*Why* 4: dockerd alive, its containerd killed: `docker ps` works, `docker run` fails, and
    cdoctor says so (not ✓); the printed fix (start containerd at dockerd's address) makes
    `docker run` work again."""
    d = base / "ckill"
    with Containerd(d) as ctrd, Dockerd(d, ctrd) as dockerd:
        image = dockerd.import_busybox()
        os.killpg(ctrd.pid, signal.SIGKILL)
        ctrd.process.proc.wait()  # type: ignore[union-attr]
        assert _docker(dockerd.host, "ps").returncode == 0
        run = ["run", "--rm", "--network", "none", image, "true"]
        failed = _docker(dockerd.host, *run)
        assert failed.returncode != 0 and "containerd.sock" in failed.stderr, failed.stderr
        doc = _diagnose_here(dockerd.host)
        assert doc["diagnosis"]["status"] == "degraded", doc["diagnosis"]
        top = primary(doc, "containerd-unreachable")
        assert "docker run" in top["title"] and ctrd.socket in top["detail"]
        layer = next(c for c in doc["chain"] if c["layer"] == "containerd")
        assert layer.get("broken") is True and not layer["seen"], layer
        # Run the printed fix: containerd at the address dockerd dials. Its state and data go to
        # a private mount namespace so the machine's /var/lib/containerd is never touched.
        start = next(ln for ln in top["fix"] if "containerd --address" in ln)
        cmd = start.split("    #")[0].strip().removeprefix("sudo ").removesuffix("&").strip()
        assert cmd == f"containerd --address {ctrd.socket}", cmd
        wrapped = (
            "mount -t tmpfs tmpfs /run/containerd 2>/dev/null || (mkdir -p /run/containerd && "
            "mount -t tmpfs tmpfs /run/containerd); mkdir -p /var/lib/containerd; "
            f"mount -t tmpfs tmpfs /var/lib/containerd; exec {cmd}"
        )
        proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", wrapped],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            ok = _docker(dockerd.host, *run)
            while ok.returncode != 0 and time.monotonic() < deadline:
                time.sleep(1)
                ok = _docker(dockerd.host, *run)
            assert ok.returncode == 0, ok.stderr
            assert _diagnose_here(dockerd.host)["diagnosis"]["status"] == "ok"
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)


def test_default_runtime_missing(base: Path) -> None:
    """dockerd whose default runtime's binary does not exist: `docker ps` works, `docker run`
    fails with fork/exec; the printed one-off (`--runtime runc`) works."""
    d = base / "rtmiss"
    extra = ["--add-runtime", "ghost=/nonexistent/bin/crun", "--default-runtime", "ghost"]
    with Containerd(d) as ctrd, Dockerd(d, ctrd, extra=extra) as dockerd:
        image = dockerd.import_busybox()
        assert _docker(dockerd.host, "ps").returncode == 0
        failed = _docker(dockerd.host, "run", "--rm", "--network", "none", image, "true")
        assert failed.returncode != 0 and "/nonexistent/bin/crun" in failed.stderr, failed.stderr
        doc = _diagnose_here(dockerd.host)
        assert doc["diagnosis"]["status"] == "degraded", doc["diagnosis"]
        top = primary(doc, "runtime-missing")
        assert "ghost" in top["title"] and "/nonexistent/bin/crun" in top["detail"]
        line = top["fix"][0].split("    #")[0]
        assert line == "docker run --runtime runc …", top["fix"]
        ok = _docker(dockerd.host, *line.replace("…", f"--rm --network none {image} true").split()[1:])
        assert ok.returncode == 0, ok.stderr
        assert any("--default-runtime runc" in ln for ln in top["fix"]), top["fix"]


def test_healthy_engine_has_no_layer_finding(engine: Dockerd) -> None:
    os.chown(engine.socket, 0, 0)
    doc = _diagnose_here(engine.host)
    ids = {f["id"] for f in doc["findings"]}
    assert "engine-layers-ok" in ids and doc["diagnosis"]["status"] == "ok", doc["diagnosis"]


def _unused() -> None:  # keep imports honest for tools that scan them
    _ = (have, which)
