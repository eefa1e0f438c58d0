"""Real container engines for tests, from Debian's packages, on their own sockets.

Each engine runs in a temporary directory with its own sockets, state and
data, is started directly (no systemd) and stopped by pid. Nothing touches
/var/run/docker.sock or the machine's own engines.

    with Containerd(tmp) as ctrd, Dockerd(tmp, ctrd) as d:
        d.run_container()          # a real busybox container: shim and runc exist
        d.host                     # "unix:///…/docker.sock"
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tarfile
import time
from pathlib import Path

BUSYBOX = shutil.which("busybox") or "/bin/busybox"


def have(*binaries: str) -> bool:
    return all(shutil.which(b, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") for b in binaries)


def which(binary: str) -> str:
    path = shutil.which(binary, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if path is None:
        raise FileNotFoundError(binary)
    return path


def wait_for_socket(path: str, timeout: float = 30.0, *, http: bool = True) -> None:
    """Until `path` accepts a connection (and answers GET /_ping when `http`)."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(2)
                s.connect(path)
                if not http:
                    return
                s.sendall(b"GET /_ping HTTP/1.0\r\nHost: x\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1."):
                    return
        except OSError as e:
            last = e
        time.sleep(0.05)
    raise TimeoutError(f"{path} did not come up within {timeout}s: {last}")


# Set by tests/conftest.py before each test: whether it carries the `engine` marker
# (None outside pytest: bench/bench.py, a session by hand). `-m "not engine"` must
# deselect every test that starts an engine, so starting one unmarked is an error.
CURRENT_TEST_MARKED: bool | None = None


class Process:
    """A daemon started by a test and stopped by pid."""

    def __init__(
        self, argv: list[str], log: Path, env: dict[str, str] | None = None, preexec: list[str] | None = None
    ) -> None:
        self.argv = (preexec or []) + argv
        self.log = log
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if CURRENT_TEST_MARKED is False:
            raise AssertionError(f"a test without @pytest.mark.engine starts {self.argv[0]}: mark it")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.log, "ab")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            self.argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            start_new_session=True,
        )

    def start_until_ready(self, socket_path: str, what: str, *, http: bool = True, timeout: float = 30.0) -> None:
        """Start, and wait until `socket_path` answers; stop and raise with the log's tail if it does not."""
        self.start()
        try:
            wait_for_socket(socket_path, timeout, http=http)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"{what} did not start:\n" + self.tail()) from None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


class Containerd:
    """containerd alone, CRI disabled, on its own socket."""

    def __init__(self, base: Path) -> None:
        self.dir = Path(base) / "containerd"
        self.socket = str(self.dir / "containerd.sock")
        self.dir.mkdir(parents=True, exist_ok=True)
        config = self.dir / "config.toml"
        config.write_text('version = 2\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n')
        self.process = Process(
            [
                which("containerd"),
                "--config",
                str(config),
                "--address",
                self.socket,
                "--root",
                str(self.dir / "root"),
                "--state",
                str(self.dir / "state"),
            ],
            self.dir / "containerd.log",
        )

    def __enter__(self) -> Containerd:
        self.process.start_until_ready(self.socket, "containerd", http=False)
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.stop()

    @property
    def pid(self) -> int:
        return self.process.pid


class Dockerd:
    """dockerd on its own socket, using a Containerd from this module.

    `group`: the socket's group (dockerd --group); `tcp`: also listen on
    tcp://127.0.0.1:PORT; `tls`: (ca, cert, key) paths for --tlsverify on tcp.
    """

    def __init__(
        self,
        base: Path,
        containerd: Containerd,
        *,
        group: str | None = None,
        tcp_port: int | None = None,
        tls: tuple[str, str, str] | None = None,
        extra: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.dir = Path(base) / "dockerd"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.socket = str(self.dir / "docker.sock")
        self.host = "unix://" + self.socket
        (self.dir / "daemon.json").write_text("{}")
        argv = [
            which("dockerd"),
            "--config-file",
            str(self.dir / "daemon.json"),
            "--host",
            self.host,
            "--containerd",
            containerd.socket,
            "--data-root",
            str(self.dir / "data"),
            "--exec-root",
            str(self.dir / "exec"),
            "--pidfile",
            str(self.dir / "docker.pid"),
            "--iptables=false",
            "--ip6tables=false",
            "--bridge=none",
            "--storage-driver=vfs",
        ]
        argv += ["--group", group] if group else ["--group", "root"]
        self.tcp = None
        if tcp_port:
            self.tcp = f"tcp://127.0.0.1:{tcp_port}"
            argv += ["--host", self.tcp]
            if tls:
                ca, cert, key = tls
                argv += ["--tlsverify", "--tlscacert", ca, "--tlscert", cert, "--tlskey", key]
        argv += extra or []
        self.process = Process(argv, self.dir / "dockerd.log", env=env)

    def __enter__(self) -> Dockerd:
        self.process.start_until_ready(self.socket, "dockerd")
        return self

    def __exit__(self, *exc: object) -> None:
        # Containers first, so that no shim outlives the test.
        with contextlib.suppress(Exception):
            ids = self.docker("ps", "-q").stdout.split()
            if ids:
                self.docker("rm", "-f", *ids, timeout=60)
        self.process.stop()

    @property
    def pid(self) -> int:
        return self.process.pid

    def docker(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DOCKER_HOST": self.host, "DOCKER_CONFIG": str(self.dir / "cli-config")}
        env.pop("DOCKER_CONTEXT", None)
        return subprocess.run(
            [which("docker"), *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
        )

    def import_busybox(self, tag: str = "busybox:cdoctor") -> str:
        rootfs = self.dir / "busybox.tar"
        if not rootfs.exists():
            with tarfile.open(rootfs, "w") as tar:
                tar.add(BUSYBOX, arcname="bin/busybox")
                for applet in ("sh", "sleep", "true", "cat"):
                    info = tarfile.TarInfo(f"bin/{applet}")
                    info.type = tarfile.SYMTYPE
                    info.linkname = "busybox"
                    tar.addfile(info)
        result = self.docker("import", str(rootfs), tag)
        if result.returncode != 0:
            raise RuntimeError(f"docker import failed: {result.stderr}")
        return tag

    def run_container(self, name: str = "cdoctor-test") -> str:
        """A real container (shim + runc) that sleeps; its id."""
        tag = self.import_busybox()
        result = self.docker("run", "-d", "--network", "none", "--name", name, tag, "sleep", "3600")
        if result.returncode != 0:
            raise RuntimeError(f"docker run failed: {result.stderr}\n{self.process.tail()}")
        return result.stdout.strip()


class PodmanService:
    """`podman system service` (a Docker-compatible API server) on its own socket."""

    def __init__(self, base: Path) -> None:
        self.dir = Path(base) / "podman"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.socket = str(self.dir / "podman.sock")
        self.host = "unix://" + self.socket
        root = self.dir / "storage"
        argv = [
            which("podman"),
            "--root",
            str(root),
            "--runroot",
            str(self.dir / "run"),
            "--storage-driver",
            "vfs",
            "system",
            "service",
            "--time=0",
            self.host,
        ]
        env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(self.dir / "xdg"),
            "XDG_CONFIG_HOME": str(self.dir / "config"),
            "XDG_DATA_HOME": str(self.dir / "data"),
        }
        (self.dir / "xdg").mkdir(exist_ok=True, mode=0o700)
        self.process = Process(argv, self.dir / "podman.log", env=env)

    def __enter__(self) -> PodmanService:
        self.process.start_until_ready(self.socket, "podman system service", timeout=60)
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.stop()

    @property
    def pid(self) -> int:
        return self.process.pid


def write_context(
    config_dir: Path, name: str, host: str, *, description: str = "", skip_tls_verify: bool = False
) -> Path:
    """A docker context on disk, exactly as `docker context create` writes it."""
    import hashlib

    meta_dir = config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta_dir.mkdir(parents=True, exist_ok=True)
    meta = {
        "Name": name,
        "Metadata": {"Description": description} if description else {},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": skip_tls_verify}},
    }
    (meta_dir / "meta.json").write_text(json.dumps(meta))
    return meta_dir / "meta.json"
