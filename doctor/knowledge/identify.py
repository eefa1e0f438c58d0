"""Which product answers (or should answer) the Docker API.

Pure functions, no I/O. Two entry points:

* :func:`identify_from_api` fingerprints a live engine from what ``GET /_ping``,
  ``GET /version`` and ``GET /info`` returned (docs/identification.md, "A live API", in
  its order: Podman, Docker Desktop, OrbStack, Rancher Desktop, minikube,
  Colima, Lima, DinD, then the flavours of a native Engine).
* :func:`product_from_path` names the owner of an endpoint that did not answer, from
  its path alone (docs/identification.md, "An endpoint that does not answer").

:func:`start_command` gives the product's own command to start it.

Every input may come from a hostile or broken server: any field may be missing or of
the wrong type. Nothing here raises on such input; what cannot be read is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from doctor.facts.record import record
from doctor.knowledge import products
from doctor.knowledge.products import platform_key, start_command

__all__ = [
    "CONFIDENCES",
    "PRODUCTS",
    "Identification",
    "endpoint_platform",
    "identify_from_api",
    "is_rootless",
    "product_from_path",
    "start_command",
]

#: Product ids of the output contract: the catalogue's (knowledge/products.py).
PRODUCTS: Final = products.IDS

#: Strongest first: an API fingerprint, a path or process, an environment hint.
CONFIDENCES: Final = ("certain", "likely", "guess")


@record
class Identification:
    """A product id plus how it was recognised."""

    product: str  # product id from the output contract
    variant: str | None  # finer label: "rootless", "snap", "profile=work", "machine", ...
    confidence: str  # "certain" (API fingerprint) | "likely" (path/process) | "guess" (env)
    evidence: tuple[str, ...]  # human-readable sentences


# --------------------------------------------------------------------------------------
# Tolerant readers
# --------------------------------------------------------------------------------------


def _get_str(obj: object, key: str) -> str | None:
    """``obj[key]`` when ``obj`` is a mapping and the value a string, else ``None``."""
    if not isinstance(obj, Mapping):
        return None
    try:
        value = obj.get(key)
    except Exception:  # a hostile Mapping subclass; nothing here may raise
        return None
    return value if isinstance(value, str) else None


def _get_obj(obj: object, key: str) -> object:
    if not isinstance(obj, Mapping):
        return None
    try:
        value: object = obj.get(key)
    except Exception:
        return None
    return value


def _str_items(value: object) -> tuple[str, ...]:
    """The string members of a list/tuple; anything else gives ``()``."""
    if isinstance(value, list | tuple):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _header(headers: object, name: str) -> str | None:
    """A response header, looked up case-insensitively."""
    if not isinstance(headers, Mapping):
        return None
    wanted = name.lower()
    try:
        items = list(headers.items())
    except Exception:
        return None
    for key, value in items:
        if isinstance(key, str) and key.lower() == wanted and isinstance(value, str):
            return value
    return None


def _components(version: object) -> list[Mapping[str, Any]]:
    raw = _get_obj(version, "Components")
    if not isinstance(raw, list | tuple):
        return []
    return [c for c in raw if isinstance(c, Mapping)]


def _component(version: object, name: str) -> Mapping[str, Any] | None:
    for comp in _components(version):
        if _get_str(comp, "Name") == name:
            return comp
    return None


def _platform_name(version: object) -> str | None:
    return _get_str(_get_obj(version, "Platform"), "Name")


def _q(value: str) -> str:
    """Quote a server-supplied value for an evidence sentence (bounded, printable)."""
    text = value if len(value) <= 120 else value[:117] + "..."
    return '"' + "".join(c if c.isprintable() else "?" for c in text) + '"'


def is_rootless(info: Mapping[str, Any] | None) -> bool:
    """Whether ``GET /info`` says the daemon runs rootless.

    Moby and Podman both list ``name=rootless`` in ``SecurityOptions``; Podman also
    sets ``"Rootless": true``.
    """
    for opt in _str_items(_get_obj(info, "SecurityOptions")):
        if "name=rootless" in opt.split(","):
            return True
    return _get_obj(info, "Rootless") is True


# --------------------------------------------------------------------------------------
# Rule B: fingerprint a live engine
# --------------------------------------------------------------------------------------

_DD_LABEL: Final = "com.docker.desktop.address="
_ORB_KERNEL: Final = re.compile(r"-orbstack(?:-|$)")
_WSL_KERNEL: Final = re.compile(r"microsoft-standard-wsl2", re.IGNORECASE)
_DIND_HOST: Final = re.compile(r"^tcp://docker:237[56]/?$")
_PODMAN_MACHINE_PATH: Final = re.compile(
    r"(?:podman/machine/|/podman/[^/]+-api\.sock$|pipe[/\\]podman-|/mnt/wsl/podman-sockets/)",
    re.IGNORECASE,
)


def endpoint_platform(endpoint: str | None) -> str | None:
    """``macos``/``linux``/``windows`` when the endpoint path says so."""
    if not endpoint:
        return None
    low = endpoint.lower()
    if low.startswith("npipe:") or "\\pipe\\" in low or "//./pipe/" in low:
        return "windows"
    if "/library/containers/com.docker.docker/" in low or low.startswith(("unix:///users/", "/users/")):
        return "macos"
    if "/.docker/desktop/" in low or low.startswith(("unix:///home/", "/home/")):
        return "linux"
    if "/mnt/wsl/" in low:
        return "windows"
    return None


def _dd_label_platform(info: object) -> str | None:
    """The host OS in Docker Desktop's ``com.docker.desktop.address`` label."""
    for label in _str_items(_get_obj(info, "Labels")):
        if label.startswith(_DD_LABEL):
            low = label[len(_DD_LABEL) :].lower()
            if low.startswith("npipe:"):
                return "windows"
            if low.startswith("unix:///users/") or "/library/containers/" in low:
                return "macos"
            if low.startswith("unix:///home/") or "/.docker/desktop/" in low:
                return "linux"
    return None


def _dd_variant(info: object, endpoint: str | None, evidence: list[str]) -> str | None:
    """Which Docker Desktop: the host OS it runs on, or its Windows-containers mode."""
    if _get_str(info, "OSType") == "windows":
        evidence.append('GET /info OSType is "windows" (Windows containers mode)')
        return "windows-containers"
    by_label = _dd_label_platform(info)
    if by_label:
        return by_label
    by_path = endpoint_platform(endpoint)
    if by_path:
        evidence.append(f"endpoint {_q(endpoint or '')} is a {by_path} path")
        return by_path
    kernel = _get_str(info, "KernelVersion") or ""
    if _WSL_KERNEL.search(kernel):
        evidence.append(f"kernel {_q(kernel)} is the WSL2 kernel (Windows host)")
        return "windows"
    return None


def _engine_flavour(version: object, info: object, evidence: list[str]) -> tuple[str | None, bool]:
    """Rule B.10: the build/packaging of a native dockerd; ``(variant, found)``."""
    if is_rootless(info if isinstance(info, Mapping) else None):
        evidence.append('GET /info SecurityOptions contains "name=rootless"')
        return "rootless", True
    root_dir = _get_str(info, "DockerRootDir") or ""
    if root_dir.startswith("/var/snap/docker/"):
        evidence.append(f"GET /info DockerRootDir {_q(root_dir)} is the snap's data root")
        return "snap", True
    platform = _platform_name(version) or ""
    if platform == "Docker Engine - Community":
        evidence.append('GET /version Platform.Name is "Docker Engine - Community"')
        return "docker-ce", True
    engine = _component(version, "Engine")
    details = _get_obj(engine, "Details")
    for text in (
        _get_str(details, "GitCommit"),
        _get_str(engine, "Version"),
        _get_str(version, "GitCommit"),
        _get_str(version, "Version"),
    ):
        if not text:
            continue
        if "+azure" in text:
            evidence.append(f"Engine version/commit {_q(text)} is Microsoft's Moby build")
            return "azure-moby", True
        # Debian's docker.io is "20.10.24+dfsg1" (a DFSG repack), with no "deb" in it.
        if "ubuntu" in text or "deb" in text or "+dfsg" in text:
            evidence.append(f"Engine version/commit {_q(text)} is a distribution package")
            return "distro", True
    return None, False


def _looks_like_moby(ping: object, version: object, info: object) -> bool:
    server = _header(ping, "Server") or ""
    return (
        server.startswith("Docker/")
        or _component(version, "Engine") is not None
        or bool(_get_str(info, "ServerVersion"))
        or bool(_get_str(version, "ApiVersion"))
        or bool(_header(ping, "Api-Version"))
    )


def identify_from_api(
    *,
    ping_headers: Mapping[str, str] | None,
    version: Mapping[str, Any] | None,
    info: Mapping[str, Any] | None,
    endpoint: str | None,
    env: Mapping[str, str],
) -> Identification:
    """Name the product behind a live Docker API from its own answers.

    The rules and their order are docs/identification.md, "A live API".

    ``ping_headers`` are the ``GET /_ping`` response headers (any case), ``version``
    and ``info`` the decoded ``GET /version`` and ``GET /info`` bodies, ``endpoint``
    the URL that was probed and ``env`` the client's environment (hints only).
    Missing or wrongly typed fields are ignored; this never raises.
    """
    try:
        return _identify(ping_headers, version, info, endpoint, env)
    except Exception as exc:  # defensive: a bug here must not hide the rest of a report
        return Identification("unknown", None, "guess", (f"identification failed: {type(exc).__name__}",))


@record
class _Answers:
    """What the engine said, read tolerantly once, for the rules below."""

    ping: object
    version: object
    info: object
    env: object
    endpoint: str | None
    name: str
    os_name: str
    kernel: str
    labels: tuple[str, ...]
    platform: str
    server: str
    rootless: bool

    @classmethod
    def read(cls, ping: object, version: object, info: object, endpoint: object, env: object) -> _Answers:
        return cls(
            ping=ping,
            version=version,
            info=info,
            env=env,
            endpoint=endpoint if isinstance(endpoint, str) else None,
            name=_get_str(info, "Name") or "",
            os_name=_get_str(info, "OperatingSystem") or "",
            kernel=_get_str(info, "KernelVersion") or _get_str(version, "KernelVersion") or "",
            labels=_str_items(_get_obj(info, "Labels")),
            platform=_platform_name(version) or "",
            server=_header(ping, "Server") or "",
            rootless=is_rootless(info if isinstance(info, Mapping) else None),
        )


def _found(product: str, variant: str | None, ev: list[str], confidence: str = "certain") -> Identification:
    return Identification(product, variant, confidence, tuple(ev))


def _rule_podman(a: _Answers) -> Identification | None:
    """1. Podman: its ping headers or its version component."""
    ev: list[str] = []
    if a.server.startswith("Libpod/"):
        ev.append(f"GET /_ping Server header is {_q(a.server)}")
    libpod_api = _header(a.ping, "Libpod-API-Version")
    if libpod_api is not None:
        ev.append(f"GET /_ping has a Libpod-API-Version header ({_q(libpod_api)})")
    if _component(a.version, "Podman Engine") is not None:
        ev.append('GET /version Components has "Podman Engine"')
    if not ev:
        return None
    if a.endpoint and _PODMAN_MACHINE_PATH.search(a.endpoint):
        ev.append(f"endpoint {_q(a.endpoint)} is a podman machine socket")
        return _found("podman", "machine", ev)
    if a.rootless:
        ev.append("GET /info says rootless")
        return _found("podman", "rootless", ev)
    return _found("podman", "rootful", ev)


def _rule_docker_desktop(a: _Answers) -> Identification | None:
    """2./3. Docker Desktop, and which host OS it runs on."""
    ev: list[str] = []
    if a.platform.startswith("Docker Desktop"):
        ev.append(f"GET /version Platform.Name is {_q(a.platform)}")
    dd_label = next((lb for lb in a.labels if lb.startswith(_DD_LABEL)), None)
    if dd_label is not None:
        ev.append(f"GET /info Labels has {_q(dd_label)}")
    if a.os_name == "Docker Desktop":
        ev.append('GET /info OperatingSystem is "Docker Desktop"')
    if a.name == "docker-desktop":
        ev.append('GET /info Name is "docker-desktop"')
    if not ev:
        return None
    return _found("docker-desktop", _dd_variant(a.info, a.endpoint, ev), ev)


def _rule_orbstack(a: _Answers) -> Identification | None:
    """4. OrbStack."""
    ev: list[str] = []
    if a.os_name == "OrbStack":
        ev.append('GET /info OperatingSystem is "OrbStack"')
    if a.name == "orbstack":
        ev.append('GET /info Name is "orbstack"')
    if _ORB_KERNEL.search(a.kernel):
        ev.append(f"kernel {_q(a.kernel)} is an OrbStack kernel")
    return _found("orbstack", None, ev) if ev else None


def _rule_rancher_desktop(a: _Answers) -> Identification | None:
    """5. Rancher Desktop (WSL or Lima)."""
    if a.os_name.startswith("Rancher Desktop"):
        return _found("rancher-desktop", "wsl", [f"GET /info OperatingSystem is {_q(a.os_name)}"])
    if a.name == "lima-rancher-desktop":
        return _found("rancher-desktop", "lima", ['GET /info Name is "lima-rancher-desktop"'])
    return None


def _rule_minikube(a: _Answers) -> Identification | None:
    """6. minikube (before the kernel rules: its kernel may say -linuxkit)."""
    ev: list[str] = []
    no_proxy = _get_str(a.info, "NoProxy") or ""
    provider = next((lb for lb in a.labels if lb.startswith("provider=")), None)
    if a.name == "minikube":
        ev.append('GET /info Name is "minikube"')
    if provider is not None and "control-plane.minikube.internal" in no_proxy:
        ev.append(f"GET /info Labels has {_q(provider)} and NoProxy lists control-plane.minikube.internal")
    if ev:
        return _found("minikube", f"profile={a.name}" if a.name else None, ev)
    active = _get_str(a.env, "MINIKUBE_ACTIVE_DOCKERD")
    if active and a.name and active == a.name:
        ev.append(f"MINIKUBE_ACTIVE_DOCKERD={_q(active)} matches GET /info Name")
        return _found("minikube", f"profile={a.name}", ev, "likely")
    return None


def _rule_colima_lima(a: _Answers) -> Identification | None:
    """7. Colima, 8. Lima: both name the VM after the profile or instance."""
    name = a.name
    if name == "colima":
        return _found("colima", "profile=default", ['GET /info Name is "colima"'])
    if name.startswith("colima-") and len(name) > len("colima-"):
        return _found("colima", f"profile={name[len('colima-') :]}", [f"GET /info Name is {_q(name)}"])
    if name.startswith("lima-") and len(name) > len("lima-"):
        ev = [f"GET /info Name is {_q(name)}"]
        if a.rootless:
            ev.append('GET /info SecurityOptions contains "name=rootless"')
        return _found("lima", f"instance={name[len('lima-') :]}", ev)
    return None


def _rule_dind(a: _Answers) -> Identification | None:
    """9. An engine in a container (CI DinD or otherwise)."""
    if not a.os_name.endswith(" (containerized)"):
        return None
    ev = [f"GET /info OperatingSystem is {_q(a.os_name)}"]
    if a.endpoint and _DIND_HOST.match(a.endpoint):
        ev.append(f"endpoint {_q(a.endpoint)} is the CI service alias")
        return _found("dind", "ci", ev)
    for var in ("GITLAB_CI", "GITHUB_ACTIONS", "CI"):
        hint = _get_str(a.env, var)
        if hint:
            ev.append(f"environment has {var}={_q(hint)}")
            return _found("dind", "ci", ev)
    return _found("dind", "containerized", ev)


def _rule_engine_flavour(a: _Answers) -> Identification | None:
    """10. The flavours of a native Engine."""
    ev: list[str] = []
    flavour, found = _engine_flavour(a.version, a.info, ev)
    return _found("docker-engine", flavour, ev) if found else None


def _rule_kernel(a: _Answers) -> Identification | None:
    """11. Kernel hints: WSL2, or Docker Desktop's VM without Docker Desktop's markers."""
    if _WSL_KERNEL.search(a.kernel):
        ev = [f"kernel {_q(a.kernel)} is the WSL2 kernel and no product marker was seen"]
        return _found("docker-engine", "wsl", ev, "likely")
    if "-linuxkit" in a.kernel:
        ev = [
            f"kernel {_q(a.kernel)} is Docker Desktop's VM kernel but no Docker Desktop marker "
            "was seen: an engine hosted inside Docker Desktop's VM"
        ]
        return _found("docker-engine", "linuxkit", ev, "likely")
    return None


def _rule_native_or_unknown(a: _Answers) -> Identification:
    """12. A native Engine, or nothing recognisable."""
    ev: list[str] = []
    if not _looks_like_moby(a.ping, a.version, a.info):
        ev.append("no engine fingerprint in the API answers")
        return _found("unknown", None, ev, "guess")
    if a.server:
        ev.append(f"GET /_ping Server header is {_q(a.server)}")
    if a.os_name:
        ev.append(f"GET /info OperatingSystem is {_q(a.os_name)} (the daemon's host)")
    if not ev:
        ev.append("the engine answered with Docker API fields and no product marker")
    return _found("docker-engine", None, ev, "likely")


#: Rule B's order: the first rule that recognises the engine names it.
_RULES: Final = (
    _rule_podman,
    _rule_docker_desktop,
    _rule_orbstack,
    _rule_rancher_desktop,
    _rule_minikube,
    _rule_colima_lima,
    _rule_dind,
    _rule_engine_flavour,
    _rule_kernel,
)


def _identify(ping: object, version: object, info: object, endpoint: object, env: object) -> Identification:
    answers = _Answers.read(ping, version, info, endpoint, env)
    for rule in _RULES:
        found = rule(answers)
        if found is not None:
            return found
    return _rule_native_or_unknown(answers)


# --------------------------------------------------------------------------------------
# Rule C: name the owner of an endpoint from its path
# --------------------------------------------------------------------------------------

_PIPE: Final = re.compile(r"^(?:npipe:)?[/\\]{2,4}\.[/\\]pipe[/\\](?P<name>[^/\\]+)$", re.I)
_TCP: Final = re.compile(r"^tcp://(?P<host>[^:/]+):(?P<port>\d+)/?$", re.I)

_DD_PIPES: Final = {
    "dockerdesktoplinuxengine": "windows",
    "dockerdesktopwindowsengine": "windows-containers",
    "docker_cli": "windows",
    "dockerbackendapiserver": "windows",
    "docker_engine_linux": "windows",
    "docker_engine_windows": "windows-containers",
}

# Fixed absolute paths (after /var/run -> /run folding).
_FIXED: Final[dict[str, tuple[str, str | None, str]]] = {
    "/run/podman/podman.sock": ("podman", "rootful", "Podman's rootful API socket"),
    "/run/containerd/containerd.sock": ("unknown", "containerd", "containerd (no Docker API)"),
    "/run/k3s/containerd/containerd.sock": (
        "unknown",
        "containerd",
        "k3s/RKE2's containerd (no Docker API)",
    ),
    "/var/snap/microk8s/common/run/containerd.sock": (
        "unknown",
        "containerd",
        "MicroK8s's containerd (no Docker API)",
    ),
    "/run/k0s/containerd.sock": ("unknown", "containerd", "k0s's containerd (no Docker API)"),
    "/run/crio/crio.sock": ("unknown", "cri-o", "CRI-O (no Docker API)"),
    "/run/k3s/cri-dockerd/cri-dockerd.sock": (
        "unknown",
        "cri-dockerd",
        "k3s's cri-dockerd CRI socket (not the Docker API)",
    ),
    "/mnt/wsl/docker-desktop/shared-sockets/guest-services/docker.proxy.sock": (
        "docker-desktop",
        "wsl",
        "Docker Desktop's WSL integration proxy",
    ),
    "/mnt/wsl/rancher-desktop/run/docker.sock": (
        "rancher-desktop",
        "wsl",
        "Rancher Desktop's WSL socket",
    ),
    "/run/com.docker.vmnetd.sock": ("docker-desktop", "macos", "Docker Desktop's vmnetd helper"),
}

# Home-relative patterns, matched against the path with the home prefix replaced by "~".
_HOME_PATTERNS: Final[tuple[tuple[re.Pattern[str], str, str, str], ...]] = (
    (
        re.compile(r"^~/Library/Containers/com\.docker\.docker/Data/[^/]+$"),
        "docker-desktop",
        "macos",
        "Docker Desktop's internal socket on macOS",
    ),
    (
        re.compile(r"^~/\.docker/desktop/[^/]+\.sock$"),
        "docker-desktop",
        "linux",
        "Docker Desktop's per-user socket on Linux",
    ),
    (
        re.compile(r"^~/\.rd/docker\.sock$"),
        "rancher-desktop",
        "lima",
        "Rancher Desktop's forwarded Docker socket",
    ),
    (
        re.compile(r"^~/\.orbstack/run/docker\.sock$"),
        "orbstack",
        "",
        "OrbStack's Docker socket",
    ),
)

_COLIMA: Final = re.compile(
    r"(?:^~/|/)(?:\.colima|\.config/colima|colima)/(?P<profile>[^/_][^/]*)/"
    r"(?P<sock>docker|containerd)\.sock$"
)
_COLIMA_LEGACY: Final = re.compile(r"(?:^~/\.colima|/\.colima)/docker\.sock$")
_RD_LIMA: Final = re.compile(r"/rancher-desktop/lima/")
_LIMA: Final = re.compile(r"(?:^~/|/)(?:\.lima|lima)/(?P<inst>[^/_][^/]*)/sock/(?P<sock>docker|podman)\.sock$")
_PODMAN_API: Final = re.compile(r"/podman/(?P<machine>[^/]+)-api\.sock$")
_PODMAN_MACHINE: Final = re.compile(r"^~/\.local/share/containers/podman/machine/(?:.*/)?podman\.sock$")
_PODMAN_WSL: Final = re.compile(r"^/mnt/wsl/podman-sockets/(?P<machine>[^/]+)/podman-(?:root|user)\.sock$")
_RUN_USER: Final = re.compile(r"^/run/user/(?P<uid>\d+)/(?P<rest>.+)$")


def _strip_scheme(text: str) -> str:
    if text.lower().startswith("unix://"):
        return text[len("unix://") :]
    return text


def _expand_home(path: str, home: str | None) -> str:
    if home and (path == "~" or path.startswith("~/")):
        return home.rstrip("/") + path[1:]
    return path


def _home_relative(path: str, home: str | None) -> str:
    if path.startswith("~/"):
        return path
    if home:
        h = home.rstrip("/")
        if h and path.startswith(h + "/"):
            return "~" + path[len(h) :]
    # Common layouts when home is unknown: /Users/<u>/..., /home/<u>/...
    m = re.match(r"^/(?:Users|home)/[^/]+(/.*)$", path)
    if m and home is None:
        return "~" + m.group(1)
    return path


def _norm(path: str) -> str:
    path = re.sub(r"/{2,}", "/", path)
    if path.startswith("/var/run/"):
        path = "/run/" + path[len("/var/run/") :]
    return path


def product_from_path(
    path_or_url: str, *, home: str | None, uid: int | None, platform: str = "linux"
) -> Identification | None:
    """Name the product that owns an endpoint, from its path alone.

    The paths are docs/identification.md, "An endpoint that does not answer".

    Accepts ``unix://`` URLs, plain paths (``~`` is expanded with ``home``),
    ``npipe://`` URLs or ``\\\\.\\pipe\\...`` names and ``tcp://`` URLs. ``platform`` is
    the client's OS (``linux``, ``darwin``/``macos``, ``windows``): it decides what
    ``~/.docker/run/docker.sock`` means. Returns ``None`` when the path does not
    determine a product (``/var/run/docker.sock``, ``//./pipe/docker_engine``, a plain
    TCP address).
    """
    return _from_path(path_or_url, home, uid, platform)


def product_of_endpoint(
    dial: str, link_target: str | None, *, home: str | None, uid: int | None, platform: str = "linux"
) -> Identification | None:
    """The product whose socket an endpoint that does not answer is: by its path, else by where
    a link left at the path points (/var/run/docker.sock → ~/.rd/docker.sock). The connection
    check and the chain both ask this."""
    found = product_from_path(dial, home=home, uid=uid, platform=platform)
    if found is None and link_target:
        found = product_from_path(link_target, home=home, uid=uid, platform=platform)
    return found


@record
class _Hit:
    """Builds the answer for the endpoint text ``text`` as the user wrote it."""

    text: str

    def __call__(self, product: str, variant: str | None, why: str) -> Identification:
        return Identification(product, variant, "likely", (f"endpoint {_q(self.text)} is {why}",))


def _from_path(raw: object, home: object, uid: object, platform: object) -> Identification | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    hit = _Hit(text)
    pipe = _PIPE.match(text)
    if pipe:
        return _from_pipe(pipe.group("name").lower(), hit)
    tcp = _TCP.match(text)
    if tcp:
        return _from_tcp(tcp, hit)
    if "://" in text and not text.lower().startswith("unix://"):
        return None  # ssh:// and friends name a remote host, not a product
    home_s = home if isinstance(home, str) and home else None
    uid_i = uid if isinstance(uid, int) and not isinstance(uid, bool) else None
    plat = platform_key(platform if isinstance(platform, str) else "linux")
    path = _norm(_expand_home(_strip_scheme(text), home_s))
    return _from_local_path(path, _home_relative(path, home_s), uid_i, plat, hit)


def _from_pipe(pname: str, hit: _Hit) -> Identification | None:
    if pname in _DD_PIPES:
        return hit("docker-desktop", _DD_PIPES[pname], "a Docker Desktop named pipe")
    if pname.startswith("podman-"):
        return hit("podman", "machine", "a podman machine named pipe")
    return None  # docker_engine: Docker Desktop, Rancher Desktop or podman machine


def _from_tcp(tcp: re.Match[str], hit: _Hit) -> Identification | None:
    if tcp.group("host").lower() == "docker" and tcp.group("port") in ("2375", "2376"):
        return hit("dind", "ci", "the CI Docker-in-Docker service alias")
    return None


def _from_local_path(path: str, rel: str, uid: int | None, plat: str, hit: _Hit) -> Identification | None:
    """``path`` absolute and folded, ``rel`` the same with the home written ``~``."""
    fixed = _FIXED.get(path)
    if fixed:
        return hit(fixed[0], fixed[1], fixed[2])
    if path == "/run/docker.sock":
        return None  # native Engine, DinD, podman-docker link, or a product's symlink
    run_user = _RUN_USER.match(path)
    if run_user:
        return _from_run_user(run_user, uid, hit)
    if rel == "~/.docker/run/docker.sock":
        return _from_docker_run(plat, hit)
    for matcher in _PATH_MATCHERS:
        found = matcher(path, rel, hit)
        if found is not None:
            return found
    return None


def _from_run_user(run_user: re.Match[str], uid: int | None, hit: _Hit) -> Identification | None:
    rest = run_user.group("rest")
    owner = int(run_user.group("uid"))
    whose = "" if uid is None or uid == owner else f" (of uid {owner}, not {uid})"
    if rest == "docker.sock":
        return hit("docker-engine", "rootless", f"a rootless Docker socket{whose}")
    if rest == "podman/podman.sock":
        return hit("podman", "rootless", f"Podman's rootless API socket{whose}")
    api = _PODMAN_API.search("/" + rest)
    if api:
        return hit("podman", "machine", f"the API socket of podman machine {api.group('machine')}")
    return None


def _from_docker_run(plat: str, hit: _Hit) -> Identification | None:
    """``~/.docker/run/docker.sock``: Docker Desktop on macOS, rootless Docker on Linux."""
    if plat == "macos":
        return hit("docker-desktop", "macos", "Docker Desktop's user socket on macOS")
    if plat == "linux":
        return hit(
            "docker-engine",
            "rootless",
            "rootless Docker's socket without systemd ($HOME/.docker/run) on Linux",
        )
    return None


def _match_podman_wsl(path: str, rel: str, hit: _Hit) -> Identification | None:
    wsl = _PODMAN_WSL.match(path)
    if wsl:
        return hit("podman", "machine", f"a socket of podman machine {wsl.group('machine')}")
    return None


def _match_home_patterns(path: str, rel: str, hit: _Hit) -> Identification | None:
    for pattern, product, variant, why in _HOME_PATTERNS:
        if pattern.match(rel):
            return hit(product, variant or None, why)
    if _RD_LIMA.search(rel):
        return hit("rancher-desktop", "lima", "inside Rancher Desktop's Lima home")
    return None


def _match_colima(path: str, rel: str, hit: _Hit) -> Identification | None:
    colima = _COLIMA.search(rel)
    if colima:
        profile = colima.group("profile")
        if colima.group("sock") == "containerd":
            return hit("colima", f"containerd-mode,profile={profile}", "a Colima containerd socket")
        return hit("colima", f"profile={profile}", f"the Docker socket of Colima profile {profile}")
    if _COLIMA_LEGACY.search(rel):
        return hit("colima", "profile=default", "Colima's legacy (<=0.3) Docker socket")
    return None


def _match_lima(path: str, rel: str, hit: _Hit) -> Identification | None:
    lima = _LIMA.search(rel)
    if not lima:
        return None
    inst = lima.group("inst")
    if lima.group("sock") == "podman":
        return hit("lima", f"instance={inst},podman", f"the Podman socket of Lima {inst}")
    return hit("lima", f"instance={inst}", f"the Docker socket of Lima instance {inst}")


def _match_podman_machine(path: str, rel: str, hit: _Hit) -> Identification | None:
    if _PODMAN_MACHINE.match(rel):
        return hit("podman", "machine", "podman machine's user-global socket")
    api = _PODMAN_API.search(path)
    if api:
        return hit("podman", "machine", f"the API socket of podman machine {api.group('machine')}")
    return None


#: After the fixed paths, ``/run/user`` and ``~/.docker/run``: the first match names it.
_PATH_MATCHERS: Final = (
    _match_podman_wsl,
    _match_home_patterns,
    _match_colima,
    _match_lima,
    _match_podman_machine,
)
