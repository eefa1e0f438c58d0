"""cdoctor inside a real container on the test dockerd (a busybox rootfs with this machine's Python,
venv and source tree bind-mounted read-only), and the socket mounted into it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from checks.in_container import in_container
from doctor.api import (
    CONTAINER,
    ENDPOINT_PROBE,
    ENVIRONMENT,
    RESOLUTION,
    ContainerView,
    EndpointProbe,
    Environment,
    MountedSocket,
    PathState,
    UserInfo,
)
from doctor.facts import Facts
from doctor.gather.container import parse_mountinfo
from doctor.knowledge.outcomes import ProbeResult
from doctor.knowledge.resolve import Resolution
from tests.conftest import ROOT


def _mounts() -> list[str]:
    """Python, the venv, this tree and the shared libraries, read-only, at the paths they have here
    (/lib and /lib64 may be symlinks into /usr: mounted at their own names too, for the ELF loader)."""
    real = {p.resolve() for p in (Path(sys.base_prefix), Path(sys.prefix), ROOT, Path("/usr"))}
    args: list[str] = []
    for p in sorted(real):
        args += ["-v", f"{p}:{p}:ro"]
    for lib in ("/lib", "/lib64"):
        if (Path(lib).exists() and Path(lib).resolve() != Path(lib)) or Path(lib).is_dir():
            args += ["-v", f"{Path(lib).resolve()}:{lib}:ro"]
    return args


def as_mountinfo_shows(path: Path | str) -> str:
    """A host path as a container's /proc/self/mountinfo shows a bind mount of it: relative to
    the root of the filesystem it is on (where /tmp is a tmpfs, as on Debian 13, /tmp/x is /x)."""
    real = os.path.realpath(path)
    root, point = "/", "/"
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if (real == fields[4] or real.startswith(fields[4].rstrip("/") + "/")) and len(fields[4]) >= len(point):
                root, point = fields[3], fields[4]
    rest = real if point == "/" else real[len(point) :]
    return root.rstrip("/") + "/" + rest.lstrip("/") if rest else root


def run_inside(dockerd: object, *volume: str) -> dict[str, object]:
    tag = dockerd.import_busybox()  # type: ignore[attr-defined]
    argv = ["run", "--rm", "--network", "none", "--tmpfs", "/tmp", *_mounts(), *volume,
            "-e", "HOME=/tmp", "-e", f"PYTHONPATH={ROOT}", "-e", "PATH=/usr/local/bin:/usr/bin:/bin", "-w", "/tmp",
            tag, sys.executable, "-m", "doctor", "--format", "json"]  # fmt: skip
    proc = dockerd.docker(*argv, timeout=120)  # type: ignore[attr-defined]
    assert proc.stdout.strip(), proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _finding(doc: dict[str, object], fid: str) -> dict[str, object]:
    [f] = [f for f in doc["findings"] if f["id"] == fid]  # type: ignore[union-attr]
    return f  # type: ignore[no-any-return]


@pytest.mark.engine
def test_socket_mounted_from_a_missing_host_path_is_a_directory(real_dockerd: object, engine_dir: Path) -> None:
    missing = engine_dir / "desktop-stopped" / "docker.sock"  # the host path did not exist at `docker run`
    doc = run_inside(real_dockerd, "-v", f"{missing}:/var/run/docker.sock")
    assert missing.is_dir()  # Docker created it on the host, as a directory
    assert doc["diagnosis"]["primary_cause"] == "socket-is-directory", doc["diagnosis"]  # type: ignore[index]
    f = _finding(doc, "socket-is-directory")
    assert "/var/run/docker.sock is a directory" in f["title"]  # type: ignore[operator]
    assert any(as_mountinfo_shows(missing) in e for e in f["evidence"])  # type: ignore[union-attr]
    assert any(f"sudo rmdir {missing}" in x for x in f["fix"])  # type: ignore[union-attr]
    assert _finding(doc, "in-container")["title"].startswith("cdoctor runs inside a container (docker)")  # type: ignore[union-attr]


@pytest.mark.engine
def test_the_engine_socket_mounted_right_answers(real_dockerd: object) -> None:
    sock = real_dockerd.socket  # type: ignore[attr-defined]
    doc = run_inside(real_dockerd, "-v", f"{sock}:/var/run/docker.sock")
    assert doc["diagnosis"]["status"] == "ok", doc["diagnosis"]  # type: ignore[index]
    f = _finding(doc, "in-container")
    assert "/var/run/docker.sock is socket" in f["title"]  # type: ignore[operator]
    assert any(f"mounted from {as_mountinfo_shows(sock)}" in e for e in f["evidence"])  # type: ignore[union-attr]


# --- recorded/reconstructed views of what a real host cannot show here --------------------------

# Reconstructed from Lima's mount types (virtiofs / 9p / reverse-sshfs; lima-vm/lima docs) and
# testcontainers-java#5857: the host's ~/.colima socket path bind-mounted into a container.
COLIMA_MOUNTINFO = (
    "1040 1020 0:97 /Users/me/.colima/default/docker.sock /var/run/docker.sock rw,relatime - virtiofs mount0 rw\n"
)


def _facts(view: ContainerView, host: str, outcome: str, env: dict[str, str] | None = None) -> Facts:
    user = UserInfo(0, 0, "root", "/root", "HOME", frozenset({0}), frozenset({"root"}))
    probe = ProbeResult(host, host, outcome)
    res = Resolution(host=host, source="default", context="default", config_dir="/root/.docker",
                     config_path="/root/.docker/config.json")  # fmt: skip
    return Facts.from_values({
        CONTAINER: view, RESOLUTION: res, ENDPOINT_PROBE: EndpointProbe(probe),
        ENVIRONMENT: Environment(env or {}, user, "linux", False, "6.1"),
    })  # fmt: skip


def test_vm_host_path_mounted_instead_of_the_vms_socket() -> None:
    [m] = parse_mountinfo(COLIMA_MOUNTINFO)
    view = ContainerView(True, ("/.dockerenv exists",), "docker",
                         (MountedSocket(PathState("/var/run/docker.sock", "socket", 501), m),), None, None, {})  # fmt: skip
    found = {f.id: f for f in in_container.run(_facts(view, "unix:///var/run/docker.sock", "refused"))}
    f = found["container-socket-host-path"]
    assert "/Users/me/.colima/default/docker.sock" in f.title
    assert any("TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE=/var/run/docker.sock" in x for x in f.fix)


def test_dind_port_and_tls_dir_must_agree() -> None:
    view = ContainerView(True, ("/.dockerenv exists",), "docker", (), None, None, {"/certs/client": ("ca.pem",)})
    env = {"DOCKER_HOST": "tcp://docker:2375", "DOCKER_TLS_CERTDIR": "/certs"}
    found = {f.id: f for f in in_container.run(_facts(view, "tcp://docker:2375", "refused", env))}
    assert "listens with TLS on 2376 only" in found["dind-tls-port"].title
    assert found["dind-tls-port"].fix[0].startswith("export DOCKER_HOST=tcp://docker:2376 DOCKER_TLS_VERIFY=1")
    env = {"DOCKER_HOST": "tcp://docker:2376", "DOCKER_TLS_CERTDIR": "/certs", "DOCKER_TLS_VERIFY": "1"}
    found = {f.id: f for f in in_container.run(_facts(view, "tcp://docker:2376", "tls-client-cert", env))}
    assert "cert.pem, key.pem" in found["dind-tls-certs-missing"].title


def test_selinux_denial_hint() -> None:
    sock = MountedSocket(PathState("/var/run/docker.sock", "socket", 0), None, "system_u:object_r:container_var_run_t:s0")
    view = ContainerView(True, ("/run/.containerenv exists",), "podman", (sock,), True,
                         "system_u:system_r:container_t:s0:c1,c2", {})  # fmt: skip
    found = {f.id: f for f in in_container.run(_facts(view, "unix:///var/run/docker.sock", "permission-denied"))}
    assert any("label=disable" in x for x in found["container-selinux-denied"].fix)
    _ = os
