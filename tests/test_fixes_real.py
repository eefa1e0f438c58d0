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


def run_fix(scn: Scenario, lines: list[str], check: str = f"{DOCKER} ps", *, oneoff: bool = False) -> dict[str, Any]:
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
    spec: dict[str, Any] = {"waves": [[step]]}
    if scn.containerd is not None:
        c = scn.containerd
        spec["containerd"] = {"argv": c.process.argv, "socket": c.socket, "log": str(c.process.log)}
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
    # A login shell: the fixes run `sg GROUP -c …`, which shadow 4.17 (Debian 13) runs with the
    # user's shell from /etc/passwd, where 4.13 (Debian 12) ran /bin/sh: nologin would refuse.
    subprocess.run(["useradd", "-M", "-d", "/nonexistent", "-s", "/bin/sh", USER], check=True)
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
        layer = next(c for c in doc["chain"] if c["layer"] == "runtime")
        assert layer.get("broken") is True and "ghost" in layer["why"], layer


def test_healthy_engine_has_no_layer_finding(engine: Dockerd) -> None:
    os.chown(engine.socket, 0, 0)
    doc = _diagnose_here(engine.host)
    ids = {f["id"] for f in doc["findings"]}
    assert "engine-layers-ok" in ids and doc["diagnosis"]["status"] == "ok", doc["diagnosis"]


def _unused() -> None:  # keep imports honest for tools that scan them
    _ = (have, which)


# --- every other cause: at least two more real scenarios that differ from test_causes_real's ------------


def _cause(scn: Scenario, cause: str, *fix_has: str) -> dict[str, Any]:
    """Diagnose only (the fix is not one a test can run here: starting an engine, installing one)."""
    doc = diagnose(scn)
    top = primary(doc, cause)
    text = "\n".join(top["fix"])
    for name in fix_has:
        assert name in text, (name, top["fix"])
    return top


def _stale(path: Path) -> Path:
    import socket

    path.parent.mkdir(parents=True, exist_ok=True)
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()  # the file stays: what a killed daemon leaves
    return path


def test_context_not_found_from_current_context_default_answers(engine: Dockerd, home: Path) -> None:
    """currentContext (not DOCKER_CONTEXT) names a context that does not exist; the default socket answers."""
    os.chmod(engine.socket, 0o660)
    (home / ".docker" / "config.json").write_text('{"currentContext": "gone"}')
    scn = Scenario(home, {}, bind={"/run/docker.sock": engine.socket})
    top = prove(scn, "context-not-found")
    assert top["fix"][0].startswith("docker context use default"), top["fix"]


def test_context_not_found_from_docker_context_current_works(engine: Dockerd, home: Path) -> None:
    write_context(home / ".docker", "work", engine.host)
    (home / ".docker" / "config.json").write_text('{"currentContext": "work"}')
    scn = Scenario(home, {"DOCKER_CONTEXT": "wrok"})
    top = prove(scn, "context-not-found")
    assert top["fix"][0].startswith("unset DOCKER_CONTEXT"), top["fix"]


def test_engine_not_running_podman_stale_socket(ns: None, home: Path, base: Path) -> None:
    """Another product's socket: podman's rootful API socket left stale."""
    stale = _stale(base / "pstale" / "podman.sock")
    scn = Scenario(
        home, {"DOCKER_HOST": "unix:///run/podman/podman.sock"}, bind={"/run/podman/podman.sock": str(stale)}
    )
    top = _cause(scn, "engine-not-running", "podman")
    assert "podman" in top["title"].lower(), top["title"]


def test_engine_not_running_from_a_context(ns: None, home: Path, base: Path) -> None:
    """The dead socket comes from the current context, not DOCKER_HOST; no other engine answers."""
    stale = _stale(base / "cstale" / "docker.sock")
    write_context(home / ".docker", "box", f"unix://{stale}")
    (home / ".docker" / "config.json").write_text('{"currentContext": "box"}')
    _cause(Scenario(home, {}), "engine-not-running", "docker")


def test_engine_not_installed_as_another_user(user: tuple[int, int], home: Path) -> None:
    uid, gid = user
    scn = Scenario(owned_home(home, uid, gid), {"USER": USER}, hide_engines=True, user=(uid, gid, []))
    _cause(scn, "engine-not-installed", "install")


def test_engine_not_installed_docker_host_to_nowhere(ns: None, home: Path, base: Path) -> None:
    scn = Scenario(home, {"DOCKER_HOST": f"unix://{base}/nothing/docker.sock"}, hide_engines=True)
    _cause(scn, "engine-not-installed", "install")


def _wedged(path: str) -> Any:
    import socket
    import threading

    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(64)
    os.chmod(path, 0o666)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()

    def close() -> None:
        stop.set()
        t.join(2)
        for c in held:
            c.close()
        srv.close()

    return close


def test_engine_unresponsive_through_a_context(ns: None, home: Path, base: Path) -> None:
    path = str(base / "wedged-ctx.sock")
    close = _wedged(path)
    try:
        write_context(home / ".docker", "slow", f"unix://{path}")
        (home / ".docker" / "config.json").write_text('{"currentContext": "slow"}')
        _cause(Scenario(home, {}), "engine-unresponsive", "restart")
    finally:
        close()


def test_engine_unresponsive_as_another_user(user: tuple[int, int], home: Path, base: Path) -> None:
    path = str(base / "wedged-user.sock")
    close = _wedged(path)
    uid, gid = user
    try:
        scn = Scenario(owned_home(home, uid, gid), {"DOCKER_HOST": f"unix://{path}", "USER": USER},
                       user=(uid, gid, []))  # fmt: skip
        _cause(scn, "engine-unresponsive")
    finally:
        close()


def test_not_docker_api_plain_http_on_tcp(ns: None, home: Path) -> None:
    """A plain HTTP server (not Docker) on the tcp port DOCKER_HOST names."""
    import http.server
    import threading

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        _cause(Scenario(home, {"DOCKER_HOST": f"tcp://127.0.0.1:{srv.server_address[1]}"}), "not-docker-api")
    finally:
        srv.shutdown()
        srv.server_close()


def test_not_docker_api_containerd_through_a_context(engine: Dockerd, home: Path) -> None:
    ctrd_sock = str(Path(engine.socket).parent.parent / "containerd" / "containerd.sock")
    write_context(home / ".docker", "ctr", f"unix://{ctrd_sock}")
    (home / ".docker" / "config.json").write_text('{"currentContext": "ctr"}')
    top = _cause(Scenario(home, {}), "not-docker-api")
    assert "containerd" in top["title"], top["title"]


def _containerd_at(base: Path, address: str) -> Containerd:
    ctrd = Containerd(base)
    ctrd.socket = address
    ctrd.process.argv[ctrd.process.argv.index("--address") + 1] = address
    return ctrd


def test_containerd_only_k3s_path(ns: None, home: Path, base: Path) -> None:
    """containerd at k3s's address (not /run/containerd), no Docker-API engine installed."""
    ctrd = _containerd_at(base / "k3s", "/run/k3s/containerd/containerd.sock")
    _cause(Scenario(home, {}, hide_engines=True, containerd=ctrd), "containerd-only",
           "--address /run/k3s/containerd/containerd.sock")  # fmt: skip


def test_containerd_only_as_another_user(user: tuple[int, int], home: Path, base: Path) -> None:
    uid, gid = user
    ctrd = _containerd_at(base / "cuser", "/run/containerd/containerd.sock")
    scn = Scenario(owned_home(home, uid, gid), {"USER": USER}, hide_engines=True, containerd=ctrd,
                   user=(uid, gid, []))  # fmt: skip
    _cause(scn, "containerd-only", "nerdctl")


def test_invalid_config_with_a_bom(ns: None, home: Path) -> None:
    cfg = home / ".docker" / "config.json"
    cfg.write_bytes(b'\xef\xbb\xbf{"currentContext": "x"}')
    _cause(Scenario(home, {}), "invalid-config", str(cfg))


def test_invalid_config_current_context_meta_broken(ns: None, home: Path) -> None:
    meta = write_context(home / ".docker", "work", "unix:///x.sock")
    meta.write_text('{"Name": "work", "Endpoints": {')
    (home / ".docker" / "config.json").write_text('{"currentContext": "work"}')
    _cause(Scenario(home, {}), "invalid-config", "rm -r")


def test_tcp_unreachable_name_does_not_resolve(ns: None, home: Path) -> None:
    top = _cause(Scenario(home, {"DOCKER_HOST": "tcp://no-such-host.invalid:2375"}), "tcp-unreachable", "nc -vz")
    assert "resolve" in top["title"], top["title"]


def test_tcp_unreachable_through_a_context_without_userinfo(ns: None, home: Path) -> None:
    """A refused tcp endpoint from a context whose host carries a password: the fix never repeats it."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    write_context(home / ".docker", "remote", f"tcp://admin:PASSWORD@127.0.0.1:{port}")
    (home / ".docker" / "config.json").write_text('{"currentContext": "remote"}')
    doc = diagnose(Scenario(home, {}))
    top = primary(doc, "tcp-unreachable")
    assert f"nc -vz 127.0.0.1 {port}" in top["fix"][0], top["fix"]
    assert "PASSWORD" not in json.dumps(doc)


def test_tls_error_verify_without_ca(engine: Dockerd, home: Path) -> None:
    """DOCKER_TLS_VERIFY=1 with no ca.pem: the CLI stops before it dials, even for a unix socket."""
    scn = Scenario(home, {"DOCKER_HOST": engine.host, "DOCKER_TLS_VERIFY": "1"})
    top = prove(scn, "tls-error")
    assert top["fix"][0].startswith("unset DOCKER_TLS"), top["fix"]


def test_tls_error_verify_zero_still_means_tls(engine: Dockerd, home: Path) -> None:
    """DOCKER_TLS_VERIFY=0 turns TLS on too (any non-empty value)."""
    scn = Scenario(home, {"DOCKER_HOST": engine.host, "DOCKER_TLS_VERIFY": "0"})
    prove(scn, "tls-error")


def test_api_version_mismatch_through_a_context(engine: Dockerd, home: Path) -> None:
    write_context(home / ".docker", "work", engine.host)
    (home / ".docker" / "config.json").write_text('{"currentContext": "work"}')
    scn = Scenario(home, {"DOCKER_API_VERSION": "1.99"})
    top = prove(scn, "api-version-mismatch")
    assert top["fix"][0].startswith("unset DOCKER_API_VERSION"), top["fix"]


def test_api_version_mismatch_too_old_through_a_context(engine: Dockerd, home: Path) -> None:
    """The other direction: a client API older than the engine's minimum, the endpoint from a context."""
    write_context(home / ".docker", "work", engine.host)
    (home / ".docker" / "config.json").write_text('{"currentContext": "work"}')
    scn = Scenario(home, {"DOCKER_API_VERSION": "1.10"})
    top = prove(scn, "api-version-mismatch")
    assert "oldest" in top["title"], top["title"]


def test_ssh_error_through_a_context(ns: None, home: Path) -> None:
    need("ssh")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    write_context(home / ".docker", "remote", f"ssh://root@127.0.0.1:{port}")
    (home / ".docker" / "config.json").write_text('{"currentContext": "remote"}')
    _cause(Scenario(home, {}), "ssh-error", f"-p {port}")


def test_ssh_error_name_does_not_resolve(ns: None, home: Path) -> None:
    need("ssh")
    top = _cause(Scenario(home, {"DOCKER_HOST": "ssh://me@no-such-host.invalid"}), "ssh-error", "BatchMode=yes")
    assert "resolve" in top["title"] or "failed" in top["title"], top["title"]
