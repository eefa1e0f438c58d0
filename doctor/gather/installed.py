"""Installed engines: binaries on PATH, systemd units, product directories."""

from __future__ import annotations

import contextlib
import os
import shutil

from doctor.facts import Facts
from doctor.facts.keys import ENVIRONMENT
from doctor.facts.types import Installed
from doctor.run.context import RunContext

BINARIES = (
    "dockerd",
    "containerd",
    "podman",
    "nerdctl",
    "ctr",
    "crictl",
    "colima",
    "limactl",
    "rdctl",
    "orb",
    "orbctl",
    "minikube",
    "k3s",
    "dockerd-rootless.sh",
    "runc",
    "crun",
    "ssh",
)
UNIT_DIRS = (
    "/etc/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/etc/systemd/user",
    "/usr/lib/systemd/user",
    "/usr/share/systemd/user",
)
UNITS = (
    "docker.service",
    "docker.socket",
    "podman.socket",
    "podman.service",
    "containerd.service",
    "snap.docker.dockerd.service",
    "docker-desktop.service",
    "k3s.service",
    "rke2-server.service",
)


def product_dirs(home: str, platform: str) -> dict[str, list[str]]:
    """Directories whose presence says a product is (or was) installed."""
    h = home.rstrip("/")
    dirs = {
        "colima": [f"{h}/.colima", f"{h}/.config/colima"],
        "rancher-desktop": [f"{h}/.rd", f"{h}/.local/share/rancher-desktop", "/opt/rancher-desktop"],
        "orbstack": [f"{h}/.orbstack"],
        "lima": [f"{h}/.lima"],
        "docker-desktop": [f"{h}/.docker/desktop", "/opt/docker-desktop"],
        "podman": [f"{h}/.local/share/containers/podman/machine"],
        "minikube": [f"{h}/.minikube"],
    }
    if platform == "darwin":
        dirs["docker-desktop"] = ["/Applications/Docker.app", f"{h}/Library/Containers/com.docker.docker"]
        dirs["rancher-desktop"].append("/Applications/Rancher Desktop.app")
        dirs["orbstack"].append("/Applications/OrbStack.app")
    return dirs


def _gather_installed(facts: Facts) -> Installed:
    ctx = _ctx(facts)
    env = facts.get(ENVIRONMENT)
    path = ctx.env.get("PATH", os.defpath) + ":/usr/sbin:/usr/local/sbin:/sbin"
    binaries = {}
    for name in BINARIES:
        found = shutil.which(name, path=path)
        if found:
            binaries[name] = found
    units = []
    home = env.user.home
    unit_dirs = [*UNIT_DIRS, f"{home}/.config/systemd/user"] if home else list(UNIT_DIRS)
    for d in unit_dirs:
        for unit in UNITS:
            with contextlib.suppress(OSError):
                if os.path.exists(f"{d}/{unit}"):
                    units.append(f"{d}/{unit}")
    found_dirs = {}
    if home:
        for product, candidates in product_dirs(home, env.platform).items():
            for d in candidates:
                with contextlib.suppress(OSError):
                    if os.path.isdir(d):
                        found_dirs[product] = d
                        break
    return Installed(binaries, tuple(units), found_dirs)


def _ctx(facts: Facts) -> RunContext:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    return ctx

