"""Where every stack is known to put its sockets: the catalogue of socket paths, pure data.

Read by the socket inventory (doctor/gather/sockets.py) and by the docker error hook
(doctor/commands/docker_plugin.py), which must not import the gatherers to stay fast.
"""

from __future__ import annotations


def known_socket_paths(home: str, uid: int, xdg_runtime_dir: str | None) -> list[tuple[str, str, str]]:
    """(path or glob, kind, reason) for the sockets every stack is known to use."""
    home = home.rstrip("/")
    xdg = xdg_runtime_dir or f"/run/user/{uid}"
    known = [
        ("/var/run/docker.sock", "docker", "the default Docker socket"),
        ("/run/docker.sock", "docker", "the default Docker socket (/run)"),
        (f"{xdg}/docker.sock", "docker", "rootless Docker"),
        (f"/run/user/{uid}/docker.sock", "docker", "rootless Docker"),
        (f"{xdg}/podman/podman.sock", "docker", "rootless Podman"),
        ("/run/podman/podman.sock", "docker", "rootful Podman"),
        ("/run/containerd/containerd.sock", "containerd", "containerd"),
        ("/run/docker/containerd/containerd.sock", "containerd", "dockerd's own containerd"),
        ("/run/k3s/containerd/containerd.sock", "containerd", "k3s/RKE2 containerd"),
        ("/var/snap/microk8s/common/run/containerd.sock", "containerd", "microk8s containerd"),
        ("/run/k0s/containerd.sock", "containerd", "k0s containerd"),
        ("/var/run/crio/crio.sock", "containerd", "CRI-O"),
        (
            "/mnt/wsl/docker-desktop/shared-sockets/guest-services/docker.proxy.sock",
            "docker",
            "Docker Desktop WSL integration",
        ),
        ("/mnt/wsl/rancher-desktop/run/docker.sock", "docker", "Rancher Desktop WSL integration"),
    ]
    if home:
        known += [
            (f"{home}/.docker/run/docker.sock", "docker", "Docker Desktop (macOS) / rootless Docker without systemd"),
            (f"{home}/.docker/desktop/docker.sock", "docker", "Docker Desktop (Linux)"),
            (f"{home}/.rd/docker.sock", "docker", "Rancher Desktop"),
            (f"{home}/.colima/*/docker.sock", "docker", "Colima"),
            (f"{home}/.colima/docker.sock", "docker", "Colima (legacy path)"),
            (f"{home}/.config/colima/*/docker.sock", "docker", "Colima"),
            (f"{home}/.colima/*/containerd.sock", "containerd", "Colima (containerd runtime)"),
            (f"{home}/.orbstack/run/docker.sock", "docker", "OrbStack"),
            (f"{home}/.lima/*/sock/docker.sock", "docker", "Lima"),
            (f"{home}/.lima/*/sock/podman.sock", "docker", "Lima (podman)"),
            (f"{home}/.local/share/containers/podman/machine/podman.sock", "docker", "podman machine"),
            (f"{home}/.local/share/containers/podman/machine/*/podman.sock", "docker", "podman machine"),
            (f"{home}/Library/Containers/com.docker.docker/Data/docker.raw.sock", "docker", "Docker Desktop (raw)"),
        ]
    return known
