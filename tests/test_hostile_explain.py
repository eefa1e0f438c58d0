"""Pasted text is data (issue 11, Why 1 and 2): `cdoctor explain` runs nothing and connects to nothing
that only the text names; no external string reaches a shell.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from doctor.gather import bounded
from tests.conftest import cdoctor

SSH_PASTE = (
    "error during connect: Get \"http://docker.example.com/v1.45/containers/json\": command [ssh -l deploy -- "
    "prod-server docker --host=unix:///x%3Btouch${IFS}/tmp/cdoctor-pwned&id system dial-stdio] has exited "
    "with exit status 255, make sure the URL is valid, and Docker 18.09 or later is installed on the remote host: "
    "stderr=ssh: connect to host prod-server port 22: Connection refused"
)


@pytest.fixture
def spy_bin(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A PATH directory whose `ssh` only records that it ran (and with what)."""
    d = tmp_path / "bin"
    d.mkdir()
    log = tmp_path / "ssh.log"
    ssh = d / "ssh"
    ssh.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> {shlex.quote(str(log))}\nexit 255\n')
    ssh.chmod(0o755)
    yield d, log


class Listener:
    """A listener that counts the connections it accepts (and answers nothing)."""

    def __init__(self, family: int, address: str | tuple[str, int]) -> None:
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind(address)
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.accepted = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(1)
        self.sock.close()


def test_an_ssh_endpoint_only_in_the_text_runs_no_program(spy_bin: tuple[Path, Path]) -> None:
    """Why 1: no ssh to a user and host named in the paste, whatever the encoded path says."""
    d, log = spy_bin
    env = {"PATH": f"{d}{os.pathsep}{os.environ.get('PATH', '')}"}
    for text in (SSH_PASTE, "Cannot connect to the Docker daemon at ssh://deploy@prod-server/x%3Btouch%20/tmp/p. Is it running?"):
        r = cdoctor("explain", "--timeout", "1", "--format", "json", input=text, env=env)
        assert r.returncode in (0, 1), r.stderr
        doc = json.loads(r.stdout)
        seen = doc["explain"]["pasted_endpoint"]
        assert seen["ours"] is None and seen["contacted"] is False
        assert not log.exists(), f"ssh ran for a pasted endpoint: {log.read_text()}"
    assert not Path("/tmp/cdoctor-pwned").exists()


def test_a_tcp_endpoint_only_in_the_text_is_not_contacted() -> None:
    """Why 2: no /_ping, /version or /info to a tcp host the paste names; -H names it, and then it is."""
    srv = Listener(socket.AF_INET, ("127.0.0.1", 0))
    port = srv.sock.getsockname()[1]
    try:
        text = f"Cannot connect to the Docker daemon at tcp://127.0.0.1:{port}. Is the docker daemon running?"
        r = cdoctor("explain", "--timeout", "1", "--format", "json", input=text, env={"DOCKER_HOST": "unix:///nonexistent/cdoctor.sock"})
        assert r.returncode in (0, 1), r.stderr
        time.sleep(0.2)
        assert srv.accepted == 0, "explain connected to an endpoint only the pasted text names"
        doc = json.loads(r.stdout)
        assert doc["endpoint"]["host"] == "unix:///nonexistent/cdoctor.sock"  # this machine's own endpoint
        assert "did not contact it" in doc["explain"]["pasted_endpoint"]["summary"]
        human = cdoctor("explain", "--timeout", "1", "--color", "never", input=text, env={"DOCKER_HOST": "unix:///nonexistent/cdoctor.sock"})
        assert "✓ docker reaches" not in human.stdout and "did not contact it" in human.stdout
        # The control: named with -H, it is this run's endpoint and is contacted.
        cdoctor("-H", f"tcp://127.0.0.1:{port}", "explain", "--timeout", "1", "--format", "json", input=text)
        time.sleep(0.2)
        assert srv.accepted > 0, "the test cannot see connections"
    finally:
        srv.close()


def test_a_unix_path_only_in_the_text_is_inspected_not_connected() -> None:
    d = Path(tempfile.mkdtemp(prefix="cdhx-", dir="/tmp"))
    path = str(d / "docker.sock")
    srv = Listener(socket.AF_UNIX, path)
    try:
        text = f"Cannot connect to the Docker daemon at unix://{path}. Is the docker daemon running?"
        r = cdoctor("explain", "--timeout", "1", "--format", "json", input=text, env={"DOCKER_HOST": "unix:///nonexistent/cdoctor.sock"})
        assert r.returncode in (0, 1), r.stderr
        time.sleep(0.2)
        assert srv.accepted == 0, "explain connected to a socket only the pasted text names"
        seen = json.loads(r.stdout)["explain"]["pasted_endpoint"]
        assert seen["contacted"] is False and "a socket" in seen["local"], seen
        # Named by this machine's own configuration (DOCKER_HOST), the same path is probed.
        cdoctor("explain", "--timeout", "1", "--format", "json", input=text, env={"DOCKER_HOST": "unix://" + path})
        time.sleep(0.2)
        assert srv.accepted > 0
    finally:
        srv.close()
        os.unlink(path)
        d.rmdir()


@pytest.mark.parametrize(
    ("user", "host", "port", "path"),
    [
        (None, "-oProxyCommand=touch /tmp/x", None, None),
        (None, "-prod", None, None),
        (None, "prod server", None, None),
        (None, "prod;id", None, None),
        ("-l", "prod", None, None),
        ("de ploy", "prod", None, None),
        ("deploy", "prod", "22;id", None),
        ("deploy", "prod", "99999", None),
        ("deploy", "prod", None, "/x;touch /tmp/pwned"),
        ("deploy", "prod", None, "/x&id"),
        ("deploy", "prod", None, "/x$IFS"),
        ("deploy", "prod", None, "/x`id`"),
        ("deploy", "", None, None),
    ],
)
def test_ssh_target_is_validated(user: str | None, host: str, port: str | None, path: str | None) -> None:
    with pytest.raises(bounded.UnsafeTarget):
        bounded.ssh_argv(user, host, port, path, 1.0)


def test_ssh_remote_command_is_one_quoted_argument() -> None:
    argv = bounded.ssh_argv("deploy", "prod-server", "2222", "/run/user/1000/docker.sock", 3.0)
    assert argv[argv.index("--") + 1] == "prod-server"
    remote = argv[argv.index("--") + 2 :]
    assert len(remote) == 1  # ssh joins the rest with spaces for the remote shell: give it one quoted string
    assert shlex.split(remote[0]) == ["docker", "--host=unix:///run/user/1000/docker.sock", "system", "dial-stdio"]
    assert argv[:2] == ["ssh", "-o"] and "-l" in argv and "-p" in argv


# The only modules that start programs, and why each is safe (audited for issue 11):
STARTERS = {
    # every probe: argument lists, a deadline, a byte cap; ssh target validated, remote command quoted
    "doctor/gather/bounded.py",
    # `cdoctor fix --start`: the product's own start command from the catalogue (identify.start_command),
    # split with shlex into a list (no shell), run only after the user agrees, stdin /dev/null, 300 s;
    # its output goes to the user's terminal by design, so it is not captured or capped.
    "doctor/commands/fix.py",
}


def test_no_shell_anywhere_in_the_tree() -> None:
    """Every program cdoctor starts goes through doctor/gather/bounded.py, with an argument list."""
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in [*root.joinpath("doctor").rglob("*.py"), *root.joinpath("checks").rglob("*.py")]:
        text = path.read_text()
        rel = path.relative_to(root).as_posix()
        for needle in ("shell=True", "os.system(", "os.popen(", "subprocess.getoutput", "asyncio.create_subprocess_shell"):
            if needle in text:
                offenders.append(f"{rel}: {needle}")
        if rel not in STARTERS and ("subprocess.run(" in text or "subprocess.Popen(" in text):
            offenders.append(f"{rel}: starts a program outside doctor/gather/bounded.py")
    assert offenders == []


def test_bounded_run_refuses_a_command_line() -> None:
    with pytest.raises(TypeError):
        bounded.run("echo hi; id", timeout=1)  # type: ignore[arg-type]


def test_bounded_run_caps_output_of_a_program_that_prints_forever(tmp_path: Path) -> None:
    """Why 9: a `docker` that prints without end costs the cap, not 1 GB, and ends at once."""
    yes = tmp_path / "yes"
    yes.write_text("#!/bin/sh\nexec yes 0123456789abcdef\n")
    yes.chmod(yes.stat().st_mode | stat.S_IEXEC)
    started = time.monotonic()
    done = bounded.run([str(yes)], timeout=5, cap=4096)
    assert time.monotonic() - started < 2
    assert done.truncated and len(done.stdout) == 4096 and done.returncode is None


def test_bounded_run_deadline(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(bounded.Timeout):
        bounded.run(["sleep", "30"], timeout=0.5)
    assert time.monotonic() - started < 2
