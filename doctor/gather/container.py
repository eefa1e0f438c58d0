"""Is cdoctor running inside a container, and what is mounted where the socket should be.

Markers: `/.dockerenv` (Docker), `/run/.containerenv` (Podman), the `container`
variable (podman, systemd-nspawn, LXC), `/proc/1/cgroup` naming docker, kubepods,
containerd or libpod. For the socket paths a container uses, the mount that
holds them (`/proc/self/mountinfo`: the source path on the host or VM, the file
system type) and SELinux's state. Reads files only.
"""

from __future__ import annotations

import os

from doctor.facts import Facts
from doctor.facts.keys import RESOLUTION
from doctor.facts.types import ContainerView, Mount, MountedSocket
from doctor.gather.local import read_capped
from doctor.gather.rootless import stat_path
from doctor.run.context import RunContext

MAX_BYTES = 1024 * 1024
SOCKET_PATHS = ("/var/run/docker.sock", "/run/docker.sock", "/run/podman/podman.sock")
_CGROUP_MARKS = ("docker", "kubepods", "containerd", "libpod", "lxc")








def _unescape(s: str) -> str:
    return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def parse_mountinfo(text: str) -> list[Mount]:
    out = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        parts, rparts = left.split(), right.split()
        if not sep or len(parts) < 5 or len(rparts) < 2:
            continue
        out.append(Mount(_unescape(parts[4]), _unescape(parts[3]), rparts[0], _unescape(rparts[1])))
    return out


def _read(path: str) -> str | None:
    try:
        return read_capped(path, MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return None


def _label(path: str) -> str | None:
    try:
        return os.getxattr(path, "security.selinux", follow_symlinks=False).decode("utf-8", "replace").rstrip("\0")
    except OSError:
        return None


def _gather(facts: Facts) -> ContainerView:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    markers: list[str] = []
    engine = None
    if os.path.exists("/.dockerenv"):
        markers.append("/.dockerenv exists")
        engine = "docker"
    containerenv = _read("/run/.containerenv")
    if containerenv is not None:
        markers.append("/run/.containerenv exists")
        engine = "podman"
    if ctx.env.get("container"):
        markers.append(f"container={ctx.env['container']}")
        engine = engine or ctx.env["container"]
    cgroup = _read("/proc/1/cgroup") or ""
    for mark in _CGROUP_MARKS:
        if f"/{mark}" in cgroup or f"{mark}-" in cgroup:
            markers.append(f"/proc/1/cgroup mentions {mark}")
            engine = engine or ("kubernetes" if mark == "kubepods" else mark)
            break
    if ctx.env.get("KUBERNETES_SERVICE_HOST"):
        markers.append("KUBERNETES_SERVICE_HOST is set")
        engine = engine or "kubernetes"
    mounts = parse_mountinfo(_read("/proc/self/mountinfo") or "")
    by_point = {m.mount_point: m for m in mounts}
    paths = list(SOCKET_PATHS)
    res = facts.get(RESOLUTION)
    if res.host and res.host.startswith("unix://") and res.host[7:] not in paths:
        paths.insert(0, res.host[7:])
    sockets = []
    for p in paths:
        st = stat_path(p)
        mount = by_point.get(p) or by_point.get(os.path.realpath(p))
        if st.kind == "missing" and mount is None:
            continue
        sockets.append(MountedSocket(st, mount, _label(p) if st.kind == "socket" else None))
    enforce = _read("/sys/fs/selinux/enforce")
    selinux = None if enforce is None else enforce.strip() == "1"
    proc_label = (_read("/proc/self/attr/current") or "").rstrip("\0\n") or None if selinux is not None else None
    tls_dirs: dict[str, tuple[str, ...]] = {}
    for d in dict.fromkeys(
        [ctx.env.get("DOCKER_CERT_PATH") or "",
         os.path.join(ctx.env["DOCKER_TLS_CERTDIR"], "client") if ctx.env.get("DOCKER_TLS_CERTDIR") else ""]):  # fmt: skip
        if d:
            tls_dirs[d] = tuple(f for f in ("ca.pem", "cert.pem", "key.pem") if os.path.isfile(os.path.join(d, f)))
    return ContainerView(bool(markers), tuple(markers), engine, tuple(sockets), selinux, proc_label, tls_dirs)


