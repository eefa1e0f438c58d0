"""Every cause of docs/causes.md reproduced for real, with the docker CLI's own error.

Each scenario builds a broken (or working) machine state with real engines
(tests/engines.py), real users and groups, real sockets and files; runs the
real docker CLIs (/usr/local/bin/docker when it is there, Debian's
/usr/bin/docker 20.10) to capture the error a user would see; then runs
`cdoctor diagnose` and `cdoctor explain` (fed that text, not offline) and
asserts that both name the same primary cause and a fix with the real names.

Isolation: other engines may run on this machine (other tests' session
fixtures, a developer's own). A scenario whose cause depends on "nothing else
answers" would then rightly say `endpoint-mismatch`. So every scenario runs
in a fresh pid + mount namespace (`unshare`): cdoctor sees only the processes
the scenario starts, /run is an empty tmpfs (no default sockets), and, where
the cause needs "no engine installed", the engine binaries and systemd units
are masked. Sockets of the scenario's engines are bind-mounted where the
scenario wants them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from doctor.run.pipeline import RUN_DEADLINES
from tests.conftest import ROOT, need, need_root
from tests.engines import Containerd, Dockerd, have, write_context

pytestmark = [pytest.mark.engine, pytest.mark.slow]

SCHEMA = json.loads((ROOT / "doctor" / "schema" / "diagnosis-1.json").read_text())
TIMEOUT = 2.0  # cdoctor's probe deadline in these scenarios
# A run may take RUN_DEADLINES probe deadlines (doctor/run/pipeline.py) plus a small constant:
# Python's start-up and imports on a loaded CI machine.
MAX_SECONDS = RUN_DEADLINES * TIMEOUT + 6.0
GROUP = "cdx4sock"
USER_OUT = "cdx4out"  # not in GROUP
USER_IN = "cdx4in"  # in GROUP per /etc/group

# The docker CLIs whose texts are captured: the image's new one and Debian's 20.10.
CLIS = [p for p in ("/usr/local/bin/docker", "/usr/bin/docker") if os.access(p, os.X_OK)]


# --- the namespace driver -----------------------------------------------------------------
# Runs inside the namespace as its pid 1: starts what the scenario asks for, runs
# the steps (in parallel where they do not depend on each other), prints JSON.
DRIVER = r"""
import json, os, subprocess, sys, threading, time, socket
spec = json.loads(sys.argv[1])
results = {}
ctrd = spec.get("containerd")
if ctrd:
    log = open(ctrd["log"], "ab")
    subprocess.Popen(ctrd["argv"], stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            s = socket.socket(socket.AF_UNIX); s.connect(ctrd["socket"]); s.close(); break
        except OSError:
            time.sleep(0.05)
def run(step):
    text = step.get("input")
    if step.get("input_from"):
        r = results[step["input_from"]]
        text = r["stdout"] + r["stderr"]
    u = step.get("user")
    started = time.monotonic()
    try:
        p = subprocess.run(step["argv"], input=text, capture_output=True, text=True, env=step["env"],
                           timeout=step.get("timeout", 60), cwd=step.get("cwd"),
                           user=u[0] if u else None, group=u[1] if u else None,
                           extra_groups=u[2] if u else None)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc = None
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
    results[step["name"]] = {"rc": rc, "stdout": out, "stderr": err, "seconds": time.monotonic() - started}
for wave in spec["waves"]:
    threads = [threading.Thread(target=run, args=(s,)) for s in wave]
    for t in threads: t.start()
    for t in threads: t.join()
print(json.dumps(results))
"""


def _unshare_works() -> bool:
    if not have("unshare"):
        return False
    r = subprocess.run(
        ["unshare", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private", "true"],
        capture_output=True,
        check=False,
    )
    return r.returncode == 0


def _hidden_ancestor(path: str) -> tuple[str, str] | None:
    """The first directory above `path` that others may not enter, and its child on the way."""
    parts = Path(path).resolve().parts
    for i in range(1, len(parts) - 1):
        d = Path(*parts[: i + 1])
        if not os.stat(d).st_mode & 0o001:
            return str(d), str(Path(*parts[: i + 2]))
    return None


def _setup_script(scn: Scenario, stage: Path) -> str:
    lines = ["set -e", "mount -t tmpfs -o mode=0755 tmpfs /run"]
    if scn.hide_engines:
        # "Not installed": mask every engine binary and systemd unit directory, as on a
        # machine that has only containerd (or nothing). /dev/null is not executable.
        for name in ("dockerd", "podman", "dockerd-rootless.sh", "colima", "limactl", "k3s"):
            for d in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
                p = f"{d}/{name}"
                if os.path.isfile(p) and not os.path.islink(d):
                    lines.append(f"mount --bind /dev/null {p}")
        for d in ("/etc/systemd/system", "/usr/lib/systemd/system", "/usr/lib/systemd/user", "/etc/systemd/user",
                  "/usr/share/systemd/user"):  # fmt: skip
            if os.path.isdir(d):
                lines.append(f"mount -t tmpfs tmpfs {d}")
    for dst, src in scn.bind.items():
        lines += [f"mkdir -p {os.path.dirname(dst)}", f"touch {dst}", f"mount --bind {src} {dst}"]
    if scn.user is not None:
        # Python lives under /root (0700) on the developers' machines: in the namespace,
        # make the way to the interpreter traversable, as it is on a normal install.
        tops: dict[str, list[str]] = {}
        for where in {sys.base_prefix, sys.prefix, str(ROOT)}:
            hidden = _hidden_ancestor(where)
            if hidden and hidden[1] not in tops.setdefault(hidden[0], []):
                tops[hidden[0]].append(hidden[1])
        for n, (top, children) in enumerate(sorted(tops.items())):
            for m, child in enumerate(children):
                lines += [f"mkdir -p {stage}/{n}-{m}", f"mount --bind {child} {stage}/{n}-{m}"]
            lines.append(f"mount -t tmpfs -o mode=0755 tmpfs {top}")
            for m, child in enumerate(children):
                lines += [f"mkdir -p {child}", f"mount --bind {stage}/{n}-{m} {child}"]
    lines.append('exec "$@"')
    return "\n".join(lines)


class Scenario:
    def __init__(
        self,
        home: Path,
        env: dict[str, str],
        *,
        hide_engines: bool = False,
        containerd: Containerd | None = None,
        bind: dict[str, str] | None = None,
        user: tuple[int, int, list[int]] | None = None,
        text_argv: list[str] | None = None,
        diagnose_args: tuple[str, ...] = (),
    ) -> None:
        self.home = home
        self.env = env
        self.hide_engines = hide_engines
        self.containerd = containerd
        self.bind = bind or {}
        self.user = user
        self.text_argv = text_argv
        self.diagnose_args = diagnose_args

    def full_env(self) -> dict[str, str]:
        path = os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")
        return {"PATH": path, "HOME": str(self.home), "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT), **self.env}

    def run(self) -> dict[str, Any]:
        env = self.full_env()
        cd = [sys.executable, "-m", "doctor", *self.diagnose_args]
        steps: list[dict[str, Any]] = []
        texts = []
        if self.text_argv is not None:
            steps.append({"name": "text:client", "argv": self.text_argv, "env": env, "timeout": 30})
            texts.append("text:client")
        else:
            for cli in CLIS:
                steps.append({"name": f"text:{cli}", "argv": [cli, "ps"], "env": env, "timeout": 30})
                texts.append(f"text:{cli}")
        steps.append({"name": "diagnose", "argv": [*cd, "diagnose", "--format", "json", "--timeout", str(TIMEOUT)],
                      "env": env})  # fmt: skip
        steps.append({"name": "human", "argv": [*cd, "diagnose", "--color", "never", "--timeout", str(TIMEOUT)],
                      "env": env})  # fmt: skip
        wave2 = [
            {"name": f"explain:{t}", "input_from": t, "env": env,
             "argv": [*cd, "explain", "--format", "json", "--timeout", str(TIMEOUT)]}
            for t in texts
        ]  # fmt: skip
        for s in steps + wave2:
            s["cwd"] = str(ROOT)
            if self.user is not None:
                s["user"] = [self.user[0], self.user[1], self.user[2]]
        spec: dict[str, Any] = {"waves": [steps, wave2]}
        if self.containerd is not None:
            c = self.containerd
            spec["containerd"] = {"argv": c.process.argv, "socket": c.socket, "log": str(c.process.log)}
        stage = Path(tempfile.mkdtemp(prefix="cdx4-stage-", dir="/tmp"))
        try:
            argv = [
                "unshare", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private",
                "sh", "-c", _setup_script(self, stage), "sh",
                sys.executable, "-c", DRIVER, json.dumps(spec),
            ]  # fmt: skip
            p = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        assert p.returncode == 0, p.stderr[-3000:]
        out: dict[str, Any] = json.loads(p.stdout)
        out["texts"] = texts
        return out


def check_scenario(
    scn: Scenario, cause: str | None, fix_has: tuple[str, ...] = (), *, finding: str | None = None
) -> dict[str, Any]:
    """Run it; assert diagnose and explain both name `cause`, the fix names the real things."""
    r = scn.run()
    diag = r["diagnose"]
    assert diag["stdout"], f"cdoctor printed nothing: {diag['stderr'][-2000:]}"
    doc = json.loads(diag["stdout"])
    jsonschema.validate(doc, SCHEMA)
    got = doc["diagnosis"]["primary_cause"]
    summary = json.dumps([(f["id"], f["title"], f["fix"]) for f in doc["findings"] if f["severity"] != "ok"])
    assert got == cause, f"diagnose named {got}, expected {cause}: {summary}"
    assert diag["rc"] == (1 if cause else 0), diag["stderr"][-2000:]
    # The run itself (cdoctor's own clock) stays within its deadline; the wall clock adds
    # the interpreter's start, which a loaded 2-core CI machine stretches.
    assert doc["seconds"] < RUN_DEADLINES * TIMEOUT + 1.5, f"the run took {doc['seconds']:.1f}s"
    assert diag["seconds"] < MAX_SECONDS, f"diagnose took {diag['seconds']:.1f}s"
    human = r["human"]["stdout"]
    if cause:
        top = next(f for f in doc["findings"] if f["cause"] == cause and f["severity"] == "error")
        fix = "\n".join(top["fix"])
        for name in fix_has:
            assert name in fix, f"the fix {fix!r} does not name {name!r}"
        # Human output: the verdict first, then the evidence, then the fix.
        mark = "✗" if doc["diagnosis"]["status"] == "broken" else "!"
        assert human.startswith(mark), human[:300]
        assert f"cause: {cause}" in human.splitlines()[2] or f"cause: {cause}" in "\n".join(human.splitlines()[:4])
        assert human.index("Why") < human.index("Fix"), human
        assert top["fix"][0].split("    #")[0] in human
    else:
        assert human.startswith("✓"), human[:300]
    if finding:
        assert finding in {f["id"] for f in doc["findings"]}, summary
    for t in r["texts"]:
        text = r[t]["stdout"] + r[t]["stderr"]
        ex = r[f"explain:{t}"]
        assert ex["stdout"], f"explain printed nothing for {text!r}: {ex['stderr'][-2000:]}"
        edoc = json.loads(ex["stdout"])
        jsonschema.validate(edoc, SCHEMA)
        assert "explain" in edoc and edoc["explain"]["symptom"]
        if cause:
            assert text.strip(), f"{t} printed no error"
            assert edoc["explain"]["symptom"] != "unknown", text
        assert edoc["diagnosis"]["primary_cause"] == cause, (
            f"explain named {edoc['diagnosis']['primary_cause']} for {text!r}, diagnose {cause}"
        )
        assert edoc["seconds"] < RUN_DEADLINES * TIMEOUT + 1.5, f"explain's run took {edoc['seconds']:.1f}s"
        assert ex["seconds"] < MAX_SECONDS, f"explain took {ex['seconds']:.1f}s"
    r["doc"] = doc
    return r


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ns() -> None:
    need_root()
    need("containerd", "dockerd", "docker", "unshare", "setpriv", "openssl", "useradd", "groupadd")
    if not _unshare_works():
        pytest.skip("unshare --mount --pid does not work here (needs CAP_SYS_ADMIN)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _make_certs(d: Path) -> tuple[str, str, str]:
    """A CA, a server certificate for 127.0.0.1 and a client certificate (openssl)."""
    d.mkdir(parents=True, exist_ok=True)

    def ssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=cdoctor test CA")  # fmt: skip
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    ssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server-key.pem",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    )
    ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")  # fmt: skip
    return str(d / "ca.pem"), str(d / "server.pem"), str(d / "server-key.pem")


class Stack:
    def __init__(self, base: Path, containerd: Containerd, dockerd: Dockerd, tcp: str) -> None:
        self.base, self.containerd, self.dockerd, self.tcp = base, containerd, dockerd, tcp


@pytest.fixture(scope="module")
def group(ns: None) -> Iterator[int]:
    import grp

    created = False
    try:
        gid = grp.getgrnam(GROUP).gr_gid
    except KeyError:
        subprocess.run(["groupadd", GROUP], check=True)
        gid, created = grp.getgrnam(GROUP).gr_gid, True
    yield gid
    if created:
        subprocess.run(["groupdel", GROUP], check=False, capture_output=True)


@pytest.fixture(scope="module")
def users(group: int) -> Iterator[dict[str, tuple[int, int]]]:
    import pwd

    made = []
    out = {}
    for name, extra in ((USER_OUT, []), (USER_IN, ["-G", GROUP])):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            subprocess.run(["useradd", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", *extra, name],
                           check=True)  # fmt: skip
            made.append(name)
            pw = pwd.getpwnam(name)
        else:
            # Left by an earlier run: make its membership what this test needs.
            subprocess.run(["gpasswd", "-d", name, GROUP], check=False, capture_output=True)
            if extra:
                subprocess.run(["usermod", "-aG", GROUP, name], check=True)
        out[name] = (pw.pw_uid, pw.pw_gid)
    yield out
    for name in made:
        subprocess.run(["userdel", name], check=False, capture_output=True)


@pytest.fixture(scope="module")
def stack(ns: None, group: int) -> Iterator[Stack]:
    """containerd + dockerd whose unix socket belongs to GROUP, with a TLS-only tcp port."""
    base = Path(tempfile.mkdtemp(prefix="cdx4-", dir="/tmp"))
    base.chmod(0o755)  # other users must reach the socket to be refused by its mode, not by a directory
    port = _free_port()
    try:
        tls = _make_certs(base / "certs")
        with Containerd(base) as ctrd, Dockerd(base, ctrd, group=GROUP, tcp_port=port, tls=tls) as dockerd:
            yield Stack(base, ctrd, dockerd, f"tcp://127.0.0.1:{port}")
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def home(engine_dir: Path) -> Path:
    h = engine_dir / "home"
    (h / ".docker").mkdir(parents=True)
    engine_dir.chmod(0o755)
    return h


def _user_home(home: Path, uid: int, gid: int) -> None:
    for p in (home, home / ".docker"):
        os.chown(p, uid, gid)


# --- the connection: who may connect ------------------------------------------------------


def test_permission_not_in_group(stack: Stack, users: dict[str, tuple[int, int]], home: Path) -> None:
    uid, gid = users[USER_OUT]
    _user_home(home, uid, gid)
    scn = Scenario(home, {"DOCKER_HOST": stack.dockerd.host, "USER": USER_OUT}, user=(uid, gid, []))
    r = check_scenario(scn, "permission-denied", (f"sudo usermod -aG {GROUP} {USER_OUT}", f"newgrp {GROUP}"))
    top = next(f for f in r["doc"]["findings"] if f["cause"] == "permission-denied")
    assert "not in group" in top["title"] and GROUP in top["title"]


def test_permission_group_inactive(stack: Stack, users: dict[str, tuple[int, int]], home: Path) -> None:
    """In GROUP per /etc/group, but this process does not carry it (a login older than the change)."""
    uid, gid = users[USER_IN]
    _user_home(home, uid, gid)
    scn = Scenario(home, {"DOCKER_HOST": stack.dockerd.host, "USER": USER_IN}, user=(uid, gid, []))
    r = check_scenario(scn, "permission-denied", (f"newgrp {GROUP}", "log out and back in"))
    top = next(f for f in r["doc"]["findings"] if f["cause"] == "permission-denied")
    assert "/etc/group" in top["title"] and GROUP in top["title"]
    assert "usermod" not in "\n".join(top["fix"])  # already a member: no usermod


def test_in_group_and_carrying_it_works(
    stack: Stack, users: dict[str, tuple[int, int]], group: int, home: Path
) -> None:
    """The control: the same user with the group in the process reaches the engine."""
    uid, gid = users[USER_IN]
    _user_home(home, uid, gid)
    scn = Scenario(home, {"DOCKER_HOST": stack.dockerd.host, "USER": USER_IN}, user=(uid, gid, [group]))
    r = scn.run()
    doc = json.loads(r["diagnose"]["stdout"])
    assert doc["diagnosis"]["status"] == "ok", doc["diagnosis"]


# --- the choice of endpoint ---------------------------------------------------------------


def test_docker_host_points_at_nothing_while_context_answers(stack: Stack, home: Path, engine_dir: Path) -> None:
    write_context(home / ".docker", "colima", stack.dockerd.host)
    (home / ".docker" / "config.json").write_text('{"currentContext": "colima"}')
    dead = f"unix://{engine_dir}/run/docker.sock"
    scn = Scenario(home, {"DOCKER_HOST": dead})
    r = check_scenario(scn, "endpoint-mismatch", ("unset DOCKER_HOST", "'colima'"))
    assert "docker-host-overrides-context" in {f["id"] for f in r["doc"]["findings"]}


def test_current_context_gone_while_default_engine_runs(stack: Stack, home: Path, engine_dir: Path) -> None:
    """Context 'colima' is current, its socket is gone; a dockerd answers on /var/run/docker.sock."""
    write_context(home / ".docker", "colima", f"unix://{home}/.colima/default/docker.sock")
    (home / ".docker" / "config.json").write_text('{"currentContext": "colima"}')
    scn = Scenario(home, {}, bind={"/run/docker.sock": stack.dockerd.socket})
    check_scenario(scn, "endpoint-mismatch", ("docker context use default",))


def test_docker_context_names_a_context_that_does_not_exist(stack: Stack, home: Path) -> None:
    write_context(home / ".docker", "work", stack.dockerd.host)
    scn = Scenario(home, {"DOCKER_CONTEXT": "nosuch"})
    check_scenario(scn, "context-not-found", ("unset DOCKER_CONTEXT",))


# --- the configuration ----------------------------------------------------------------------


def test_malformed_docker_host(ns: None, home: Path) -> None:
    """`tcp//host:2375` (a missing colon): the CLI reads a host named `tcp`."""
    scn = Scenario(home, {"DOCKER_HOST": "tcp//localhost:2375"})
    check_scenario(scn, "invalid-docker-host", ("export DOCKER_HOST=tcp://localhost:2375",))


def test_config_json_does_not_parse(ns: None, home: Path) -> None:
    cfg = home / ".docker" / "config.json"
    cfg.write_text('{"currentContext": "colima",\n  "auths": {\n')
    scn = Scenario(home, {})
    r = check_scenario(scn, "invalid-config", (str(cfg), "line 3"))
    top = next(f for f in r["doc"]["findings"] if f["cause"] == "invalid-config")
    assert "line" in json.dumps(top).lower()  # the position of the error


# --- the engine is not there ------------------------------------------------------------------


def test_stale_socket(ns: None, home: Path, engine_dir: Path) -> None:
    """A socket file left by an engine that died: nothing listens (ECONNREFUSED)."""
    path = engine_dir / "docker.sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()  # the file stays: exactly what a killed daemon leaves
    scn = Scenario(home, {"DOCKER_HOST": f"unix://{path}"})
    r = check_scenario(scn, "engine-not-running", ("docker",))
    top = next(f for f in r["doc"]["findings"] if f["cause"] == "engine-not-running")
    assert any("stale socket" in e and "created by root" in e for e in top["evidence"]), top["evidence"]


def test_dangling_symlink_into_colima(ns: None, home: Path, engine_dir: Path) -> None:
    """/var/run/docker.sock → ~/.colima/default/docker.sock, Colima stopped: `colima start`."""
    (home / ".colima" / "default").mkdir(parents=True)
    link = engine_dir / "var-run-docker.sock"
    link.symlink_to(home / ".colima" / "default" / "docker.sock")
    scn = Scenario(home, {"DOCKER_HOST": f"unix://{link}"})
    r = check_scenario(scn, "engine-not-running", ("colima start",))
    top = next(f for f in r["doc"]["findings"] if f["cause"] == "engine-not-running")
    assert any("dangling" in e for e in top["evidence"]) and "colima" in top["title"]


def test_containerd_runs_with_no_docker_api_anywhere(ns: None, home: Path, engine_dir: Path) -> None:
    """A Kubernetes-node-like machine: containerd on its default socket, no dockerd/podman installed."""
    ctrd = Containerd(engine_dir)
    ctrd.socket = "/run/containerd/containerd.sock"  # the namespace's own /run
    ctrd.process.argv[ctrd.process.argv.index("--address") + 1] = ctrd.socket
    scn = Scenario(home, {}, hide_engines=True, containerd=ctrd)
    check_scenario(scn, "containerd-only", ("nerdctl --address /run/containerd/containerd.sock",))


def test_nothing_installed(ns: None, home: Path) -> None:
    scn = Scenario(home, {}, hide_engines=True)
    check_scenario(scn, "engine-not-installed", ("apt-get install",))


# --- the connection: something answers, but not right -----------------------------------------


def test_containerd_socket_given_as_docker_endpoint(stack: Stack, home: Path) -> None:
    scn = Scenario(home, {"DOCKER_HOST": "unix://" + stack.containerd.socket})
    r = check_scenario(scn, "not-docker-api", ())
    top = next(f for f in r["doc"]["findings"] if f["cause"] == "not-docker-api")
    assert "containerd" in top["title"]


def test_socket_that_never_answers(ns: None, home: Path, engine_dir: Path) -> None:
    """A wedged daemon: the socket accepts, no HTTP answer comes. The docker CLI hangs
    without a word, so the captured text is docker-py's (a real client with a timeout)."""
    path = str(engine_dir / "wedged.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(64)
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
    client = [sys.executable, "-c", f"import docker; docker.APIClient(base_url='unix://{path}', version='1.24', "
              "timeout=1).ping()"]  # fmt: skip
    try:
        scn = Scenario(home, {"DOCKER_HOST": f"unix://{path}"}, text_argv=client)
        started = time.monotonic()
        r = check_scenario(scn, "engine-unresponsive", ("restart",))
        assert "Read timed out" in r["text:client"]["stderr"]
        assert time.monotonic() - started < 3 * MAX_SECONDS
    finally:
        stop.set()
        t.join(2)
        for c in held:
            c.close()
        srv.close()


def test_refused_tcp(ns: None, home: Path) -> None:
    port = _free_port()  # bound, then released: nothing listens there now
    scn = Scenario(home, {"DOCKER_HOST": f"tcp://127.0.0.1:{port}"})
    r = check_scenario(scn, "tcp-unreachable", (f"nc -vz 127.0.0.1 {port}", "unset DOCKER_HOST"))
    top = next(f for f in r["doc"]["findings"] if f["cause"] == "tcp-unreachable")
    assert "refused" in top["title"]


def test_tls_daemon_spoken_to_without_tls(stack: Stack, home: Path) -> None:
    scn = Scenario(home, {"DOCKER_HOST": stack.tcp})
    r = check_scenario(scn, "tls-error", ("DOCKER_TLS_VERIFY=1",))
    for t in r["texts"]:
        assert "HTTPS" in r[t]["stdout"] + r[t]["stderr"]


@pytest.mark.parametrize(("forced", "direction"), [("1.99", "new"), ("1.10", "old")])
def test_api_version_the_engine_refuses(stack: Stack, home: Path, forced: str, direction: str) -> None:
    scn = Scenario(home, {"DOCKER_HOST": stack.dockerd.host, "DOCKER_API_VERSION": forced})
    r = check_scenario(scn, "api-version-mismatch", ("unset DOCKER_API_VERSION",))
    top = next(f for f in r["doc"]["findings"] if f["cause"] == "api-version-mismatch")
    assert forced in top["title"]
    assert ("newest" if direction == "new" else "oldest") in top["title"]
    assert r["doc"]["diagnosis"]["status"] == "degraded"  # the engine answers; every command fails


def test_unreachable_ssh(ns: None, home: Path) -> None:
    need("ssh")
    port = _free_port()
    scn = Scenario(home, {"DOCKER_HOST": f"ssh://root@127.0.0.1:{port}"})
    r = check_scenario(scn, "ssh-error", (f"-p {port} root@127.0.0.1", "BatchMode=yes"))
    top = next(f for f in r["doc"]["findings"] if f["cause"] == "ssh-error")
    assert "refused" in top["title"]


# --- findings that are not failures ------------------------------------------------------------


def test_docker_host_overrides_a_working_context(stack: Stack, home: Path) -> None:
    write_context(home / ".docker", "other", stack.dockerd.host)
    (home / ".docker" / "config.json").write_text('{"currentContext": "other"}')
    scn = Scenario(home, {"DOCKER_HOST": stack.dockerd.host})
    check_scenario(scn, None, finding="docker-host-overrides-context")


def test_cli_follows_context_but_sdks_reach_nothing(stack: Stack, home: Path) -> None:
    """The CLI works through context 'colima'; the Go SDK, docker-py < 7.2 and
    testcontainers-go/-java find no socket; docker-py 7.2 and testcontainers-python follow the context."""
    write_context(home / ".docker", "colima", stack.dockerd.host)
    (home / ".docker" / "config.json").write_text('{"currentContext": "colima"}')
    r = check_scenario(Scenario(home, {}), None, finding="sdk-endpoint-differs")
    f = next(f for f in r["doc"]["findings"] if f["id"] == "sdk-endpoint-differs")
    verdict = {c["name"]: c["would_succeed"] for c in f["data"]["consumers"]}
    assert verdict["Go SDK (client.FromEnv)"] is False
    assert verdict["docker-py < 7.2 (from_env)"] is False
    assert verdict["docker-py ≥ 7.2 (from_env)"] is True
    assert verdict["testcontainers-python"] is True
    assert verdict["testcontainers-go"] is False
    assert verdict["testcontainers-java"] is False
    assert f["fix"] == [f"export DOCKER_HOST={stack.dockerd.host}    # makes every tool use the CLI's endpoint"]
