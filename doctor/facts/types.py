"""The value types of facts: plain, frozen data that gatherers produce and checks read.

Nothing here touches the system; the gatherers in doctor/gather build these,
checks (and plugins, through doctor.api) only read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from doctor.facts.record import field, record

if TYPE_CHECKING:
    from doctor.knowledge import outcomes


@record
class UserInfo:
    uid: int
    gid: int
    name: str | None
    home: str
    home_source: str  # "HOME" | "passwd" | "none"
    process_gids: frozenset[int]  # what this process carries (effective + supplementary)
    db_groups: frozenset[str]  # groups the user belongs to in the group database
    group_names: dict[int, str] = field(default_factory=dict)  # gid -> name, for the gids we saw


@record
class Environment:
    values: dict[str, str]  # the Docker-related variables that are set (raw; redacted on output)
    user: UserInfo
    platform: str  # sys.platform
    wsl: bool
    kernel: str
    init: str = ""  # the name of pid 1 ("systemd", "init", "tini", …): decides how to start services
    os_name: str = ""  # what platform.platform(terse=True) says, e.g. Linux-6.8.0-x86_64-with-glibc2.39


@record
class DockerBinary:
    """The `docker` on PATH: what it is, without running anything that is not it."""

    path: str | None  # as found on PATH
    realpath: str | None
    kind: str  # docker-cli | podman-docker | wsl-stub | script | missing | unknown
    version: tuple[int, int, int] | None = None
    version_text: str | None = None
    evidence: tuple[str, ...] = ()
    error: str | None = None


@record
class ProcessInfo:
    pid: int
    name: str
    exe: str | None
    cmdline: tuple[str, ...]
    username: str | None
    ppid: int | None
    # Unix paths / tcp URLs it serves, read from its command line
    # (dockerd -H, containerd --address, podman system service URI, limactl hostagent --socket).
    serves: tuple[str, ...] = ()
    containerd_address: str | None = None  # dockerd --containerd, shim -address
    namespace: str | None = None  # shim -namespace (moby | k8s.io | …)
    # Unix socket paths this process really listens on (/proc/PID/fd ∩ /proc/net/unix);
    # empty where /proc does not let us look (another user's process, not Linux).
    listening: tuple[str, ...] = ()


@record
class Processes:
    items: tuple[ProcessInfo, ...]
    scanned: int
    denied: int  # processes whose details we may not read (normal for non-root)
    vanished: int  # processes that exited while we looked (normal)


@record
class SocketInfo:
    path: str  # as the candidate names it (absolute)
    reasons: tuple[str, ...]  # why it is a candidate
    kind: str  # "docker" (expects the Docker API) | "containerd" | "podman"
    file_type: str  # socket | file | directory | missing | other | unreadable
    link_chain: tuple[str, ...] = ()  # each hop of a symlink chain, ending at the final target
    dangling: bool = False
    loop: bool = False
    uid: int | None = None
    gid: int | None = None
    owner: str | None = None
    group: str | None = None
    mode: int | None = None
    blocked_dir: str | None = None  # a parent directory without search permission for us
    probe: outcomes.ProbeResult | None = None  # /_ping (docker/podman kinds) or connect-only (containerd)
    listeners: tuple[tuple[int, str], ...] = ()  # (pid, process name) that hold the socket
    systemd_activation: bool = False  # held by systemd (pid 1) while no engine serves it
    # Whether this process may connect (write permission on the socket and search
    # permission on every parent directory), and why; None when it cannot be told.
    may_connect: bool | None = None
    access: str = ""


@record
class Installed:
    binaries: dict[str, str] = field(default_factory=dict)  # name -> path
    units: tuple[str, ...] = ()  # systemd unit files present
    product_dirs: dict[str, str] = field(default_factory=dict)  # product id -> directory


@record
class EndpointProbe:
    """The /_ping of the endpoint the CLI resolved (None when resolution failed)."""

    result: outcomes.ProbeResult | None
    activation_pending: bool = False  # systemd holds the socket; connecting would start the daemon


@record
class PythonSDKView:
    version: str  # docker-py's own version
    endpoint: str | None  # normalised: unix:///…, tcp://…, ssh://…
    source: str  # "DOCKER_HOST" | "context NAME" | "default"
    reads_contexts: bool  # docker-py ≥ 7.2
    error: str | None = None


@record
class PastedEndpoint:
    endpoint: str  # as the text names it (userinfo removed)
    ours: str | None  # why it is one of this machine's endpoints ("the endpoint the docker CLI uses" …), or None
    contacted: bool  # cdoctor connected to it (only ever when it is ours)
    local: str | None = None  # a unix path not ours: what lstat/stat says about it (read-only)


@record
class RuntimeBinary:
    """One OCI runtime a local dockerd is configured with (/info Runtimes), checked on disk."""

    name: str  # the runtime's name in dockerd (runc, crun, io.containerd.runc.v2, …)
    path: str  # as configured
    resolved: str | None  # the file found (None: not found)
    executable: bool
    default: bool


@record
class LocalEngine:
    """The dockerd process that serves the endpoint on this machine, and its runtimes."""

    server: ProcessInfo
    runtimes: tuple[RuntimeBinary, ...]


# --- the world around the engine (issue 14): other clients, helpers, proxies, builders, rootless,
# containers, stores


@record
class CredentialHelper:
    """One helper program named by config.json."""

    name: str  # "desktop"
    program: str  # "docker-credential-desktop"
    key: str  # "credsStore" or "credHelpers"
    registries: tuple[str, ...]  # for credHelpers: the registries that use it
    path: str | None  # where it is on PATH; None: missing
    config: str  # the config.json path
    line: int | None  # line of the key in config.json (1-based)


@record
class DockerCLI:
    path: str  # as found on PATH
    realpath: str
    first: bool  # the one `docker` runs
    version: tuple[int, int, int] | None
    text: str = ""  # what `--version` printed (first line)
    error: str | None = None


@record
class Setting:
    """One endpoint-related setting a client reads from a file or the environment."""

    client: str  # "testcontainers" | "docker-java" | "compose"
    key: str
    value: str
    file: str | None  # None: the environment
    line: int | None = None
    # Whether the endpoint it names answers /_ping (unix sockets and loopback tcp only; None: not probed).
    answers: bool | None = None


@record
class ClientSettings:
    settings: tuple[Setting, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)  # TESTCONTAINERS_*, COMPOSE_*, SUDO_*, container hints
    cwd: str = ""
    # What sudo does with DOCKER_HOST: "kept" (env_keep names it, or !env_reset), "dropped"
    # (sudoers read, nothing keeps it), None when sudoers could not be read.
    sudo_keeps_docker_host: bool | None = None
    sudoers_evidence: str = ""
    problems: tuple[str, ...] = ()


@record
class CallResult:
    section: str  # "info", "containers", …
    request: str  # "GET /v1.45/containers/json?limit=1"
    status: int | None  # None: no HTTP answer (see error)
    body_head: str = ""
    server: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@record
class BuilderNode:
    name: str
    endpoint: str  # as written: a context name or an address
    host: str | None  # the address it resolves to (None: a context that does not exist)
    probe: outcomes.ProbeResult | None = None


@record
class Buildx:
    dir: str
    current_file: str | None = None  # path of `current`, when it exists
    current_name: str | None = None
    current_key: str | None = None
    current_global: bool = False
    cli_key: str = ""  # the key buildx computes for the CLI's current endpoint
    applies: bool = False  # the current file selects this builder for the CLI's endpoint
    driver: str | None = None
    nodes: tuple[BuilderNode, ...] = ()
    missing_instance: bool = False  # `current` names a builder with no instances/ file
    problem: str | None = None


@record
class PathState:
    path: str
    kind: str  # socket | directory | file | missing | unreadable | other
    uid: int | None = None


@record
class RootlessState:
    uid: int
    user: str | None
    xdg_runtime_dir: str | None  # as set in the environment
    xdg_state: PathState | None  # of $XDG_RUNTIME_DIR
    run_user: PathState  # /run/user/UID
    sockets: tuple[PathState, ...]  # rootless docker and podman sockets where they would be
    linger: bool | None  # /var/lib/systemd/linger/USER exists (None: cannot be told)
    binaries: dict[str, str]  # dockerd-rootless.sh, rootlesskit, podman -> path
    user_units: tuple[str, ...]  # docker.service / podman.socket unit files for the user
    podman_socket_enabled: bool  # a sockets.target.wants link for podman.socket
    login: str  # "su" | "sudo" | "ssh" | "session" | "unknown": how this process came to be
    login_uid: int | None  # /proc/self/loginuid


@record
class Mount:
    mount_point: str
    root: str  # the path inside the source file system (a bind mount's host path)
    fstype: str
    source: str


@record
class MountedSocket:
    state: PathState
    mount: Mount | None  # the bind mount exactly at this path, if any
    selinux_label: str | None = None


@record
class ContainerView:
    inside: bool
    markers: tuple[str, ...]
    engine: str | None  # "docker" | "podman" | "kubernetes" | "lxc" | … (a guess from the markers)
    sockets: tuple[MountedSocket, ...]
    selinux_enforcing: bool | None
    process_label: str | None
    tls_dirs: dict[str, tuple[str, ...]]  # DOCKER_CERT_PATH / $DOCKER_TLS_CERTDIR/client -> files present


@record
class EngineCounts:
    host: str
    containers: int | None
    running: int | None
    images: int | None
    driver: str | None
    containerd_store: bool  # DriverStatus driver-type io.containerd.snapshotter.v1
    root_dir: str | None
    error: str | None = None


@record
class NamespaceCounts:
    namespace: str
    containers: int | None
    images: int | None


@record
class ContainerdCounts:
    socket: str
    namespaces: tuple[NamespaceCounts, ...] = ()
    error: str | None = None


@record
class Stores:
    engines: tuple[EngineCounts, ...] = ()  # the CLI's engine first
    inactive_graph_images: Mapping[str, int] = field(default_factory=dict)  # repositories.json path -> tags
    containerd: tuple[ContainerdCounts, ...] = ()
