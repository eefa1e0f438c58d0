"""The product a text or a paste points at, from every signal it carries.

Signals, each cited in the result:

* the endpoint's shape, read by the engine identification's own path rules
  (:func:`doctor.knowledge.identify.product_from_path`) for the client OS the text shows
  (macOS and Windows paths, pipes, ``/mnt/wsl``), never assuming Linux;
* a paste's API fields (Platform.Name, Name, Operating System, kernel, labels,
  Docker Root Dir, security options, components), read by the engine
  identification itself (:func:`doctor.knowledge.identify.identify_from_api`), so that
  ``explain`` and ``diagnose`` name the same product for the same answers;
* context names, pipe names, CI service aliases and product words in the text.

Each signal has a weight (certain 0.95, likely 0.7, guess 0.35); the weights of one
product combine as independent evidence (1 - Π(1 - w)), and a strong competitor
lowers the confidence. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from doctor.knowledge import identify as engine_identify
from doctor.reader.reading import ProductHint

__all__ = ["client_platform", "from_paste", "from_text"]

CERTAIN: Final = 0.95
LIKELY: Final = 0.7
GUESS: Final = 0.35


@dataclass(frozen=True, slots=True)
class Evidence:
    product: str
    variant: str | None
    weight: float
    why: str


# Context names the products create (each product's own docs and sources: Docker Desktop's
# desktop-linux, Colima's colima[-PROFILE], OrbStack's orbstack, Rancher Desktop's rancher-desktop).
_CONTEXTS: Final[tuple[tuple[re.Pattern[str], str, str | None], ...]] = (
    (re.compile(r"^desktop-(?:linux|windows)$"), "docker-desktop", None),
    (re.compile(r"^docker-desktop$"), "docker-desktop", None),
    (re.compile(r"^colima(?:-[\w.-]+)?$"), "colima", None),
    (re.compile(r"^orbstack$"), "orbstack", None),
    (re.compile(r"^rancher-desktop$"), "rancher-desktop", None),
    (re.compile(r"^podman(?:-[\w.-]+)?$"), "podman", None),
    (re.compile(r"^minikube$"), "minikube", None),
    (re.compile(r"^lima-[\w.-]+$"), "lima", None),
    (re.compile(r"^rootless$"), "docker-engine", "rootless"),
)

# Words in a text that name a product (lower-case), with their weight.
_WORDS: Final[tuple[tuple[str, str, str | None, float, str], ...]] = (
    ("dockerdesktoplinuxengine", "docker-desktop", "windows", CERTAIN, "Docker Desktop's Linux-engine pipe"),
    ("docker_engine_linux", "docker-desktop", "windows", CERTAIN, "Docker Desktop's Linux-engine pipe"),
    ("com.docker.backend", "docker-desktop", None, CERTAIN, "Docker Desktop's backend process"),
    ("/mnt/wsl/docker-desktop", "docker-desktop", "wsl", CERTAIN, "Docker Desktop's WSL integration"),
    ("could not be found in this wsl", "docker-desktop", "wsl", CERTAIN, "Docker Desktop's WSL stub"),
    ("com.docker.docker", "docker-desktop", None, CERTAIN, "Docker Desktop's app container (com.docker.docker)"),
    ("docker.raw.sock", "docker-desktop", None, 0.9, "Docker Desktop's raw socket (docker.raw.sock)"),
    ("vms/0/", "docker-desktop", "macos", 0.8, "Docker Desktop's VM directory (vms/0)"),
    ("-desktop.", "docker-desktop", None, 0.8, "Docker Desktop's bundled CLI plugins (-desktop.N versions)"),
    ("docker desktop", "docker-desktop", None, LIKELY, "the text names Docker Desktop"),
    # Docker Desktop's own output: `com.docker.diagnose check` lines "[FAIL] DD0004: is the Docker engine
    # running?" (docs.docker.com/desktop/troubleshoot-and-support/troubleshoot/), the .NET backend of
    # Docker Desktop for Windows in its error dialogs, and its WSL distro
    ("com.docker.diagnose", "docker-desktop", None, CERTAIN, "Docker Desktop's diagnose tool"),
    ("] dd00", "docker-desktop", None, CERTAIN, "a Docker Desktop diagnose check (DDnnnn)"),
    ("docker.apiservices.", "docker-desktop", "windows", 0.9, "Docker Desktop for Windows' backend (Docker.ApiServices)"),
    ("docker.core.backend", "docker-desktop", "windows", 0.9, "Docker Desktop for Windows' backend (Docker.Core)"),
    ("distro docker-desktop", "docker-desktop", "wsl", 0.9, "Docker Desktop's WSL distro (docker-desktop)"),
    ("docker-desktop-data", "docker-desktop", "wsl", 0.9, "Docker Desktop's WSL distro (docker-desktop-data)"),
    ("docker for windows", "docker-desktop", "windows", LIKELY, "the text names Docker for Windows"),
    ("docker for mac", "docker-desktop", "macos", LIKELY, "the text names Docker for Mac"),
    ("operating system: docker desktop", "docker-desktop", None, CERTAIN, "Operating System is Docker Desktop"),
    ("-linuxkit", "docker-desktop", None, 0.55, "a linuxkit kernel (Docker Desktop's VM)"),
    ("orbstack", "orbstack", None, 0.9, "the text names OrbStack"),
    ("colima", "colima", None, 0.85, "the text names Colima"),
    ("rancher desktop", "rancher-desktop", None, 0.85, "the text names Rancher Desktop"),
    ("rancher-desktop", "rancher-desktop", None, 0.85, "the text names Rancher Desktop"),
    ("/.rd/", "rancher-desktop", None, 0.85, "a Rancher Desktop path (~/.rd)"),
    ("emulate docker cli using podman", "podman", None, CERTAIN, "podman-docker's banner"),
    ("podman engine", "podman", None, CERTAIN, "the Podman Engine component"),
    ("podman", "podman", None, 0.8, "the text names Podman"),
    ("minikube", "minikube", None, 0.5, "the text names minikube"),
    ("limactl", "lima", None, 0.8, "the text runs limactl"),
    ("/.lima/", "lima", None, 0.8, "a Lima instance directory (~/.lima)"),
    ("docker:dind", "dind", "ci", 0.9, "the docker:dind service image"),
    ("-dind", "dind", "ci", 0.6, "a dind image tag"),
    ("lookup docker on", "dind", "ci", 0.7, "the CI service alias 'docker' does not resolve"),
    ("lookup docker:", "dind", "ci", 0.7, "the CI service alias 'docker' does not resolve"),
    ("/var/snap/docker", "docker-engine", "snap", 0.85, "the Docker snap's data root"),
    ("mirantis container runtime", "docker-engine", "mirantis", 0.85, "Mirantis Container Runtime (Windows Server engine)"),
    ("docker engine - enterprise", "docker-engine", "enterprise", 0.85, "Docker Engine - Enterprise"),
    ("operating system: windows server", "docker-engine", "windows-server", 0.8, "a Windows Server host's engine"),
    ("snap info docker", "docker-engine", "snap", 0.8, "the Docker snap is queried"),
    ("-snap-", "docker-engine", "snap", 0.6, "a snap build of docker"),
    ("/certs/client", "dind", "ci", 0.7, "docker:dind's client certificates (DOCKER_TLS_CERTDIR=/certs)"),
    ("docker.service - docker application container engine (rootless)", "docker-engine", "rootless", 0.8,
     "rootless Docker's systemd unit"),
    ("docker.service - docker application container engine", "docker-engine", None, 0.7,
     "Docker Engine's systemd unit"),
)
# A product word that only means the product when it is not part of a longer name.
_NOT_WHEN: Final[dict[str, tuple[str, ...]]] = {
    "podman": ("podman-docker",),  # podman-docker is still podman: kept, see the banner rule
    "-linuxkit": (),
}

_RE_CONTEXT = re.compile(
    r"""(?:context[\s:=]{1,4}["']?|context "|--context[ =]|context use |docker_context=["']?)([a-z0-9][\w.-]{0,62})""",
    re.I,
)
_RE_PIPE = re.compile(r"pipe[/\\]{1,2}([a-z0-9_.-]{1,64})")
_RE_DARWIN = re.compile(r"/users/[^/\s]{1,64}/|darwin/(?:arm64|amd64)|\bmacos\b|\bmac os\b|/library/containers/|/applications/docker\.app")
_RE_WINDOWS = re.compile(r"[a-z]:\\\\?(?:users|program)|windows/amd64|npipe:|\\\\\.\\pipe|//\./pipe|\bwindows\b|\bpowershell\b|\bps [a-z]:\\")
_RE_LINUX = re.compile(r"/home/[^/\s]{1,64}/|linux/(?:amd64|arm64)\b.*\bclient|\bsystemctl\b|\bapt(?:-get)? install\b|\bubuntu\b|\bdebian\b|\bfedora\b|/run/user/\d")


_RE_ANY_ENDPOINT = re.compile(r"unix://[^\s\"'`<>|,;()\[\]]{1,256}")
_RE_WINDOWS_CI = re.compile(r"\bci\b|github actions|windows-(?:latest|20\d\d)|azure pipelines|appveyor|gitlab-runner")


def client_platform(low: str) -> str | None:
    """The OS of the machine that printed the text (``macos``/``windows``/``linux``) or ``None``."""
    head = low[:200_000]
    if _RE_WINDOWS.search(head):
        return "windows"
    if _RE_DARWIN.search(head):
        return "macos"
    if _RE_LINUX.search(head):
        return "linux"
    return None


def _context_evidence(name: str, why: str) -> Evidence | None:
    n = name.lower()
    for rx, product, variant in _CONTEXTS:
        if rx.match(n):
            return Evidence(product, variant, LIKELY, f"{why} {name!r} is {product}'s context name")
    return None


def _endpoint_evidence(endpoint: str, platform: str | None) -> Evidence | None:
    ident = engine_identify.product_from_path(endpoint, home=None, uid=None, platform=platform or "unknown")
    if ident is not None and ident.product != "unknown":
        why = "; ".join(ident.evidence) or f"endpoint {endpoint}"
        return Evidence(ident.product, ident.variant, LIKELY, why)
    low = endpoint.lower()
    m = re.match(r"tcp://([^/:]{1,253}):(\d{1,5})", low)
    if m and "dind" in m.group(1) and m.group(2) in ("2375", "2376"):
        return Evidence("dind", "ci", LIKELY, f"endpoint {endpoint} is a CI service named after a dind image")
    if low.endswith("/.docker/run/docker.sock") and platform is None:
        # macOS: Docker Desktop's user socket; Linux: rootless dockerd without systemd (rare).
        return Evidence("docker-desktop", None, 0.5, f"endpoint {endpoint} is Docker Desktop's user socket on macOS")
    return None


def _text_evidence(low: str, *, paste: bool = False) -> list[Evidence]:
    out: list[Evidence] = []
    seen: set[str] = set()
    # minikube on the host's own engine: not a minikube daemon. Its 'none' driver, and its driver checks
    # (kubernetes/minikube@eb25dbc703 pkg/minikube/reason/reason.go PROVIDER_DOCKER_*/DRV_*, printed by
    # pkg/minikube/exit/exit.go:64 "Exiting due to {{.fatal_code}}: ..."), are about the host's engine.
    minikube_none = "'none' driver" in low or any(
        k in low for k in ("exiting due to provider_", "exiting due to drv_", "provider_docker_", "drv_docker_")
    )
    for word, product, variant, weight, why in _WORDS:
        if paste and product == "docker-engine" and weight < 0.8:
            continue  # a paste's engine fields are read by the engine identification itself
        if product == "minikube" and minikube_none:
            continue
        if word in low and product + why not in seen:
            if any(x in low and low.count(x) >= low.count(word) for x in _NOT_WHEN.get(word, ())):
                continue
            seen.add(product + why)
            out.append(Evidence(product, variant, weight, why))
    for m in _RE_CONTEXT.finditer(low[:200_000]):
        ev = _context_evidence(m.group(1), "context")
        if ev and ev.why not in seen:
            seen.add(ev.why)
            out.append(ev)
        if len(seen) > 32:
            break
    return out


def combine(evidence: list[Evidence]) -> ProductHint | None:
    """One product from weighted evidence; ``None`` when there is none."""
    if not evidence:
        return None
    scores: dict[str, float] = {}
    variants: dict[str, str | None] = {}
    best_weight: dict[str, float] = {}
    for e in evidence:
        scores[e.product] = 1 - (1 - scores.get(e.product, 0.0)) * (1 - e.weight)
        if e.variant and e.weight >= best_weight.get(e.product, 0.0):
            variants[e.product] = e.variant
            best_weight[e.product] = e.weight
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    product, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    margin = score - runner_up
    if score >= 0.9 and margin >= 0.3:
        confidence = "certain"
    elif score >= 0.6 and margin >= 0.2:
        confidence = "likely"
    else:
        confidence = "guess"
    signals = tuple(f"{e.why} (→ {e.product}, {e.weight:.2f})" for e in evidence)
    return ProductHint(product, variants.get(product), confidence, round(score, 3), signals)


def _endpoint_platform(endpoint: str | None) -> str | None:
    """The client OS an endpoint's own shape shows (a URL-encoded path hides it from the text)."""
    if not endpoint:
        return None
    low = endpoint.lower()
    if low.startswith("npipe:"):
        return "windows"
    if low.startswith("unix:///users/"):
        return "macos"
    if low.startswith(("unix:///home/", "unix:///run/user/")):
        return "linux"
    return None


def from_text(text: str, low: str, endpoint: str | None, client: str | None) -> ProductHint | None:
    """The product an error text points at (``low`` is ``text`` lower-cased, same indices)."""
    platform = client_platform(low) or _endpoint_platform(endpoint)
    evidence = _text_evidence(low)
    if endpoint:
        ev = _endpoint_evidence(endpoint, platform)
        if ev:
            evidence.append(ev)
    for m in _RE_PIPE.finditer(low[:200_000]):
        ev = _endpoint_evidence("npipe:////./pipe/" + m.group(1), "windows")
        if ev and all(ev.why != x.why for x in evidence):
            evidence.append(ev)
        break
    for m in _RE_ANY_ENDPOINT.finditer(text[:200_000]):
        other = m.group(0).rstrip(".,;:'\")")
        if endpoint and other == endpoint:
            continue
        ev = _endpoint_evidence(other, platform)
        if ev and all(ev.why != x.why for x in evidence):
            evidence.append(Evidence(ev.product, ev.variant, 0.6, ev.why + " (named elsewhere in the text)"))
        if len(evidence) > 24:
            break
    if "pipe/docker_engine" in low.replace("\\", "/") and _RE_WINDOWS_CI.search(low[:200_000]):
        evidence.append(Evidence("docker-engine", "windows", 0.8, "docker_engine on a Windows CI runner is the runner's engine"))
    if client == "podman-docker":
        evidence.append(Evidence("podman", None, CERTAIN, "the docker command is podman-docker"))
    return combine(evidence)


# --------------------------------------------------------------------------------------
# Pastes


def api_from_facts(f: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``/version`` and ``/info`` bodies a paste's facts stand for (only what was shown)."""
    options = [s.strip() for s in f.get("security_options", "").split(",") if s.strip()]
    options = ["name=" + o if not o.startswith("name=") else o for o in options]
    info: dict[str, Any] = {
        k: v
        for k, v in {
            "Name": f.get("name"),
            "OperatingSystem": f.get("operating_system"),
            "KernelVersion": f.get("kernel"),
            "ServerVersion": f.get("server_version"),
            "DockerRootDir": f.get("docker_root_dir"),
            "DefaultRuntime": f.get("default_runtime"),
            "OSType": f.get("os"),
        }.items()
        if v
    }
    if options:
        info["SecurityOptions"] = options
    if f.get("labels"):
        info["Labels"] = [x for x in f["labels"].split("\n") if x]
    version: dict[str, Any] = {
        k: v
        for k, v in {
            "Version": f.get("server_version"),
            "ApiVersion": f.get("api_version"),
            "MinAPIVersion": f.get("min_api_version"),
            "KernelVersion": f.get("kernel"),
        }.items()
        if v
    }
    if f.get("platform_name"):
        version["Platform"] = {"Name": f["platform_name"]}
    if f.get("components"):
        version["Components"] = [{"Name": c} for c in f["components"].split(",") if c]
        if f.get("server_version") and "Engine" in f["components"].split(","):
            version["Components"] = [
                {"Name": "Engine", "Version": f["server_version"], "Details": {"GitCommit": f.get("git_commit", "")}}
                if c["Name"] == "Engine"
                else c
                for c in version["Components"]
            ]
    return version, info


_ENGINE_WEIGHT: Final = {"certain": CERTAIN, "likely": LIKELY, "guess": GUESS}


def from_paste(f: Mapping[str, str], low: str) -> ProductHint | None:
    """The product a pasted ``docker version``/``info``/``context ls`` shows."""
    evidence: list[Evidence] = []
    os_low = f.get("client_os", "").lower()
    platform = {"darwin": "macos", "windows": "windows", "linux": "linux"}.get(os_low) or client_platform(low)
    server_shown = any(k in f for k in ("server_version", "operating_system", "name", "kernel", "platform_name"))
    if server_shown:
        version, info = api_from_facts(f)
        ident = engine_identify.identify_from_api(
            ping_headers=None, version=version, info=info, endpoint=f.get("endpoint"), env={}
        )
        if ident.product != "unknown":
            weight = _ENGINE_WEIGHT.get(ident.confidence, GUESS)
            if ident.product == "docker-engine" and ident.variant in (None, "docker-ce"):
                # "It speaks like moby" or docker-ce's Platform.Name: a VM product's dockerd
                # (Colima, OrbStack, Lima, Rancher Desktop) says the same; on a macOS or
                # Windows client only a context to a remote host makes it a plain engine.
                ctx = f.get("context", "default")
                remote = ctx not in ("default", "") and _context_evidence(ctx, "") is None
                weight = 0.5 if platform not in ("macos", "windows") or remote else 0.1
            why = "; ".join(ident.evidence) or "the engine's answers"
            evidence.append(Evidence(ident.product, ident.variant, weight, why))
    if f.get("client_version", "").endswith("-rd"):
        evidence.append(Evidence("rancher-desktop", None, 0.6, f"client {f['client_version']} is Rancher Desktop's CLI"))
    if f.get("context"):
        ev = _context_evidence(f["context"], "the current context")
        if ev:
            evidence.append(ev)
    if f.get("endpoint"):
        ev = _endpoint_evidence(f["endpoint"], platform)
        if ev:
            evidence.append(ev)
    context = f.get("context", "default")
    vm_client = platform in ("macos", "windows") and f.get("os", "linux") == "linux"
    if vm_client and server_shown and context == "default" and not f.get("kernel"):
        evidence.append(Evidence("docker-desktop", None, 0.15, f"a {platform} client with a Linux engine: a VM"))
    evidence.extend(_text_evidence(low, paste=True))
    if not evidence:
        return None
    return combine(evidence)
