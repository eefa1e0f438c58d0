"""cdoctor inside a container, and the socket mounted into it.

- a directory where the socket should be: `-v /var/run/docker.sock:…` whose host
  path did not exist when the container started (engine stopped, Desktop not
  running) makes Docker create an empty directory there (moby/moby#47615, #30348);
- SELinux refusing the mounted socket (`connectto` denied; lando/lando#1294);
- a host path of a VM product (Colima, Lima, Rancher Desktop, podman machine,
  OrbStack) mounted instead of the VM's own socket: the file is there, nothing
  answers (testcontainers-java#5857, moby-ryuk#161);
- a dind service: the port and the TLS certificate directory must agree
  (docker-library/docker `dockerd-entrypoint.sh`; gitlab-runner#4501).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from checks._text import quote
from doctor.api import (
    CONTAINER,
    ENDPOINT_PROBE,
    ENVIRONMENT,
    RESOLUTION,
    ContainerView,
    Facts,
    Finding,
    MountedSocket,
    Severity,
    check,
)

CHECK_ID = "in-container"
SHARED_FS = ("virtiofs", "fuse.sshfs", "9p", "fuse.osxfs", "vboxsf", "fakeowner", "fuse.grpcfuse", "fuse.virtiofs")
VM_PATH_MARKS = ("/.colima/", "/.lima/", "/.rd/", "/.orbstack/", "/podman/machine/", "/Users/", "/.docker/run/",
                 "/.docker/desktop/", "/Library/Containers/com.docker.docker/")  # fmt: skip


def _mount_words(s: MountedSocket) -> str:
    if s.mount is None:
        return ""
    return f"mounted from {s.mount.root} ({s.mount.fstype} {s.mount.source})"


@check(id=CHECK_ID, title="Inside a container: the mounted socket", category="container",
       requires=(CONTAINER, RESOLUTION, ENDPOINT_PROBE, ENVIRONMENT))  # fmt: skip
def in_container(facts: Facts) -> Iterator[Finding]:
    """Whether cdoctor runs in a container (/.dockerenv, /run/.containerenv, cgroup, `container`),
    and what is wrong with the socket mounted into it: a directory, SELinux, a host path that is
    not the VM's, a dind port/TLS mismatch."""
    view = facts.get(CONTAINER)
    res = facts.get(RESOLUTION)
    probe = facts.get(ENDPOINT_PROBE).result
    env = facts.get(ENVIRONMENT)
    host = res.host or ""
    own = host[len("unix://") :] if host.startswith("unix://") else None
    sock = next((s for s in view.sockets if s.state.path == own), None)
    # 1. A directory where the socket should be (inside a container or not).
    if sock is not None and sock.state.kind == "directory":
        yield _socket_is_directory(view, sock, own)
    if not view.inside:
        return
    failing = probe is not None and not probe.answered
    mounted = [s for s in view.sockets if s.mount is not None]
    # 2. SELinux refuses the mounted socket.
    if failing and probe is not None and probe.outcome == "permission-denied" and view.selinux_enforcing:
        yield _selinux_denied(view, sock, own)
    # 3. A VM product's host path mounted instead of the VM's socket.
    yield from _host_paths(mounted)
    # 4. dind: port and TLS directory must agree.
    yield from _dind(view, host, env.values)
    yield Finding(
        id="in-container", check=CHECK_ID, severity=Severity.INFO,
        title=f"cdoctor runs inside a container ({view.engine or 'unknown engine'})"
        + (f"; {', '.join(s.state.path + ' is ' + s.state.kind for s in mounted)}" if mounted else
           "; no engine socket is mounted" if not view.sockets else ""),
        evidence=(*view.markers, *(f"{s.state.path}: {s.state.kind}, {_mount_words(s)}" for s in mounted)),
    )  # fmt: skip


def _socket_is_directory(view: ContainerView, sock: MountedSocket, own: str | None) -> Finding:
    if view.inside and sock.mount is not None:
        # mountinfo gives the path inside the filesystem it is on: for a tmpfs (a /tmp that
        # is one, as on Debian 13 and Fedora) that is relative to where the host mounts it.
        src = sock.mount.root
        where = src if sock.mount.fstype != "tmpfs" else "/tmp" + src
        caveat = (
            ""
            if sock.mount.fstype != "tmpfs"
            else f" (a path inside a tmpfs: {src} below its mount point; /tmp assumed)"
        )
        fix: tuple[str, ...] = (f"# on the host: {where} did not exist when this container started, so Docker made it a directory{caveat}",
               f"sudo rmdir {quote(where)}    # on the host, once the engine is stopped; it is an empty directory",
               "# start the engine so that the socket exists, then recreate this container "
               "(docker compose up -d --force-recreate, or docker rm -f + docker run)")  # fmt: skip
    else:
        fix = (f"sudo rmdir {quote(own or '')}    # an empty directory left by a bind mount of a missing path",
               "sudo systemctl restart docker    # dockerd recreates the socket")  # fmt: skip
    return Finding(
        id="socket-is-directory",
        check=CHECK_ID,
        severity=Severity.ERROR,
        cause="socket-is-directory",
        title=f"{own} is a directory, not a socket"
        + (": the socket was bind-mounted from a host path that did not exist" if view.inside else ""),
        detail="Connecting to a directory is refused; dockerd itself fails to start with \"can't create unix "
        f'socket {own}: is a directory" (moby/moby#47615).',
        evidence=tuple(e for e in (f"{own}: directory", _mount_words(sock), *view.markers) if e),
        fix=fix,
        data={"path": own, "mount_root": sock.mount.root if sock.mount else None},
    )


def _selinux_denied(view: ContainerView, sock: MountedSocket | None, own: str | None) -> Finding:
    return Finding(
        id="container-selinux-denied", check=CHECK_ID, severity=Severity.WARNING,
        title=f"SELinux is enforcing and {own} refuses this container: the socket's label does not allow "
        "connectto from the container's label",
        evidence=tuple(e for e in (f"process label: {view.process_label}",
                                   f"socket label: {sock.selinux_label}" if sock else "",
                                   "/sys/fs/selinux/enforce: 1") if e),
        fix=("docker run --security-opt label=disable -v /var/run/docker.sock:/var/run/docker.sock …    "
             "# compose: security_opt: [label:disable]",
             "# :z/:Z on the socket's volume relabels the host's socket; often not enough (lando/lando#1294)"),
    )  # fmt: skip


def _host_paths(mounted: list[MountedSocket]) -> Iterator[Finding]:
    for s in mounted:
        m = s.mount
        assert m is not None
        if m.fstype in SHARED_FS or any(mark in m.root for mark in VM_PATH_MARKS):
            yield Finding(
                id="container-socket-host-path", check=CHECK_ID,
                severity=Severity.WARNING,
                title=f"{s.state.path} is mounted from {m.root}, a host path of a VM-based engine, not the socket "
                "inside the VM: nothing answers through it",
                evidence=(f"{s.state.path}: {s.state.kind}, {_mount_words(s)}",),
                fix=("docker run -v /var/run/docker.sock:/var/run/docker.sock …    # the VM's own socket "
                     "(Colima, Lima, Rancher Desktop, podman machine, OrbStack)",
                     "export TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE=/var/run/docker.sock    # testcontainers: what "
                     "Ryuk mounts"),
            )  # fmt: skip


def _dind(view: ContainerView, host: str, values: Mapping[str, str]) -> Iterator[Finding]:
    tcp = host.startswith("tcp://")
    certdir = values.get("DOCKER_TLS_CERTDIR")
    dind = tcp and (host.split("//", 1)[1].split(":", maxsplit=1)[0] == "docker" or ":2375" in host or ":2376" in host)
    if dind and host.endswith(":2375") and certdir:
        yield Finding(
            id="dind-tls-port", check=CHECK_ID, severity=Severity.WARNING,
            title=f"DOCKER_HOST={host} but DOCKER_TLS_CERTDIR={certdir}: a docker:dind service with a cert dir "
            "listens with TLS on 2376 only",
            evidence=(f"DOCKER_TLS_CERTDIR={certdir}", f"DOCKER_HOST={host}"),
            fix=(f"export DOCKER_HOST={host[:-4]}2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH={quote(certdir.rstrip('/') + '/client')}",
                 'DOCKER_TLS_CERTDIR=""    # or, for plain 2375: set it empty on the service AND the job'),
        )  # fmt: skip
    if dind and (host.endswith(":2376") or values.get("DOCKER_TLS_VERIFY")):
        for d, present in view.tls_dirs.items():
            missing = [f for f in ("ca.pem", "cert.pem", "key.pem") if f not in present]
            if missing:
                yield Finding(
                    id="dind-tls-certs-missing", check=CHECK_ID, severity=Severity.WARNING,
                    title=f"{d} lacks {', '.join(missing)}: the client cannot talk TLS to the dind service",
                    evidence=(f"{d}: {', '.join(present) or 'empty or missing'}",),
                    fix=("# share the dind service's client certs with the job: GitLab runner config "
                         'volumes = ["/certs/client"], and DOCKER_TLS_CERTDIR: "/certs" on both',),
                )  # fmt: skip


CHECKS = (in_container,)
