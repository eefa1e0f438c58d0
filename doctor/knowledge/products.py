"""The product catalogue: every container stack cdoctor knows, as data read by every layer.

Product ids (the output contract's, docs/output-contract.md; the JSON schema's enums are
tested equal to `IDS`), the process names, binaries, systemd units and directories that
say a product is there, and the command that starts each one. Identification
(knowledge/identify.py), the inventory (gather/processes.py, gather/installed.py), the
connection checks and explain's paste triage read them here; the socket paths each
product uses are in knowledge/socket_paths.py. A new product is a row here.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Final

#: Product ids of the output contract, in the order the docs list them.
IDS: Final = (
    "docker-desktop",
    "rancher-desktop",
    "colima",
    "orbstack",
    "podman",
    "lima",
    "minikube",
    "docker-engine",
    "dind",
    "unknown",
)

#: What people call each product.
NAMES: Final = {
    "docker-desktop": "Docker Desktop",
    "rancher-desktop": "Rancher Desktop",
    "colima": "Colima",
    "orbstack": "OrbStack",
    "podman": "Podman",
    "lima": "Lima",
    "minikube": "minikube",
    "docker-engine": "Docker Engine",
    "dind": "Docker in Docker",
    "unknown": "an unknown engine",
}

# Process names that belong to a container stack (psutil `name`, lower-cased, prefix match).
PROCESS_NAMES: Final = (
    "dockerd",
    "containerd",
    "containerd-shim",
    "runc",
    "crun",
    "podman",
    "conmon",
    "buildkitd",
    "rootlesskit",
    "k3s",
    "kubelet",
    "crio",
    "colima",
    "limactl",
    "qemu-system",
    "com.docker.",
    "docker-desktop",
    "docker desktop",  # the macOS/Windows app's process name
    "rancher desktop",
    "rancher-desktop",
    "orbstack",
    "vfkit",
    "krunkit",
    "gvproxy",
    "win-sshproxy",
    "wsl-helper",
    "rd-docker",
    "docker-proxy",
    "dockerd-rootless",
)

# Binaries on PATH that say a stack is installed.
BINARIES: Final = (
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

# Where systemd units live, and the units of container stacks.
UNIT_DIRS: Final = (
    "/etc/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/etc/systemd/user",
    "/usr/lib/systemd/user",
    "/usr/share/systemd/user",
)
UNITS: Final = (
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


def install_dirs(home: str, platform: str) -> dict[str, list[str]]:
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


# --- how to start each product ---------------------------------------------------------


def platform_key(platform: str) -> str:
    low = platform.lower() if isinstance(platform, str) else "linux"
    if low in ("darwin", "macos", "mac", "osx"):
        return "macos"
    if low.startswith("win"):
        return "windows"
    return "linux"


def _variant_value(variant: str | None, key: str) -> str | None:
    if not variant:
        return None
    for token in variant.split(","):
        k, sep, v = token.partition("=")
        if sep and k.strip() == key and v.strip():
            return v.strip()
    return None


def _variant_has(variant: str | None, token: str) -> bool:
    return bool(variant) and token in (variant or "").split(",")


def start_command(product: str, variant: str | None, *, platform: str) -> str:
    """The product's own command to start it; ``""`` when there is none to give.

    ``platform`` is the client's OS (``linux``, ``darwin``/``macos``, ``windows``).
    A profile or instance name comes from a path or an engine's answer: it is quoted
    for the shell, because a person pastes this line.
    """
    plat = platform_key(platform if isinstance(platform, str) else "linux")
    starts = _STARTS.get(product)
    return starts(variant if isinstance(variant, str) else None, plat) if starts else ""


def _start_docker_desktop(variant: str | None, plat: str) -> str:
    if variant in ("windows", "windows-containers", "wsl") or plat == "windows":
        return '& "C:\\Program Files\\Docker\\Docker\\Docker Desktop.exe"'
    if variant == "macos" or plat == "macos":
        return "open -a Docker"
    return "systemctl --user start docker-desktop"


def _start_colima(variant: str | None, plat: str) -> str:
    profile = _variant_value(variant, "profile")
    return "colima start" if profile in (None, "default") else f"colima start {shlex.quote(profile)}"


def _start_podman(variant: str | None, plat: str) -> str:
    if variant == "machine" or plat in ("macos", "windows"):
        return "podman machine start"
    if variant == "rootful":
        return "sudo systemctl start podman.socket"
    return "systemctl --user start podman.socket"


def _start_lima(variant: str | None, plat: str) -> str:
    return f"limactl start {shlex.quote(_variant_value(variant, 'instance') or 'default')}"


def _start_minikube(variant: str | None, plat: str) -> str:
    profile = _variant_value(variant, "profile")
    return "minikube start" if profile in (None, "minikube") else f"minikube start -p {shlex.quote(profile)}"


def _start_docker_engine(variant: str | None, plat: str) -> str:
    for token, command in (
        ("rootless", "systemctl --user start docker"),
        ("snap", "sudo snap start docker"),
        ("wsl", "sudo service docker start"),
    ):
        if _variant_has(variant, token):
            return command
    return "sudo systemctl start docker"


#: Each product's start command, from its variant and the client's platform.
_STARTS: dict[str, Callable[[str | None, str], str]] = {
    "docker-desktop": _start_docker_desktop,
    "rancher-desktop": lambda variant, plat: "rdctl start",
    "colima": _start_colima,
    "orbstack": lambda variant, plat: "open -a OrbStack",
    "podman": _start_podman,
    "lima": _start_lima,
    "minikube": _start_minikube,
    "docker-engine": _start_docker_engine,
    "dind": lambda variant, plat: "docker run -d --privileged --name docker docker:dind",
}
