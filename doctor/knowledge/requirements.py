"""Requirements a pipeline states (`cdoctor check --require-*`), and whether an engine meets them (pure).

Each requirement is compared with what the engine itself reports in
`GET /version` and `GET /info`; nothing is guessed from the client. An
unmet requirement is a failure with its own finding id (`requirement-api`,
`requirement-server`, …) and the cause `requirement-unmet` (docs/causes.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from doctor.facts.record import record
from doctor.knowledge import identify, versions

# Product ids of docs/output-contract.md are the values --require-product accepts.
PRODUCTS = identify.PRODUCTS

# What `uname -m` (info.Architecture) and Go (version.Arch) call the same machine.
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm", "arm": "arm"}

KINDS = ("api", "server", "product", "rootless", "rootful", "containerd", "runtime", "cgroup", "os", "arch")

# One version reader for the whole program (knowledge/versions.py).
parse_version = versions.parse
version_at_least = versions.at_least


@record
class Requirement:
    kind: str  # one of KINDS
    values: tuple[str, ...] = ()  # a minimum version, or the accepted names

    @property
    def id(self) -> str:
        return f"requirement-{self.kind}"

    @property
    def label(self) -> str:
        """How the pipeline stated it, as a command-line option."""
        if self.kind in ("rootless", "rootful"):
            return f"--require-{self.kind}"
        return f"--require-{self.kind} {','.join(self.values)}"


def _names(raw: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for item in raw:
        out.extend(p.strip().lower() for p in item.split(",") if p.strip())
    return tuple(dict.fromkeys(out))


@record
class Stated:
    """The requirements one invocation states, as given (`--require-*`), before they are checked."""

    api: str | None = None
    server: str | None = None
    products: Sequence[str] = ()
    rootless: bool = False
    rootful: bool = False
    containerd: str | None = None
    runtimes: Sequence[str] = ()
    cgroup: str | None = None
    os_type: str | None = None
    arch: str | None = None


def parse_requirements(stated: Stated) -> tuple[Requirement, ...]:
    """The requirements of one invocation. Raises ValueError with a one-line reason on a bad value."""
    return (*_versions(stated), *_names_of(stated), *_modes(stated), *_platform(stated))


def _versions(stated: Stated) -> list[Requirement]:
    reqs: list[Requirement] = []
    for kind, value in (("api", stated.api), ("server", stated.server), ("containerd", stated.containerd)):
        if value is None:
            continue
        if parse_version(value) is None:
            raise ValueError(f"--require-{kind} {value!r} is not a version (e.g. 1.44, 24.0)")
        reqs.append(Requirement(kind, (value.strip().lstrip("v"),)))
    return reqs


def _names_of(stated: Stated) -> list[Requirement]:
    """--require-product: known product ids only."""
    reqs: list[Requirement] = []
    if stated.products:
        names = _names(stated.products)
        unknown = [n for n in names if n not in PRODUCTS]
        if unknown:
            raise ValueError(f"--require-product: unknown product {', '.join(unknown)} (known: {', '.join(PRODUCTS)})")
        reqs.append(Requirement("product", names))
    return reqs


def _modes(stated: Stated) -> list[Requirement]:
    if stated.rootless and stated.rootful:
        raise ValueError("--require-rootless and --require-rootful exclude each other")
    reqs = [Requirement(kind) for kind, on in (("rootless", stated.rootless), ("rootful", stated.rootful)) if on]
    if stated.runtimes:
        reqs.append(Requirement("runtime", _names(stated.runtimes)))
    return reqs


def _platform(stated: Stated) -> list[Requirement]:
    reqs: list[Requirement] = []
    if stated.cgroup is not None:
        if stated.cgroup.strip().lstrip("v") not in ("1", "2"):
            raise ValueError(f"--require-cgroup {stated.cgroup!r}: use 1 or 2")
        reqs.append(Requirement("cgroup", (stated.cgroup.strip().lstrip("v"),)))
    if stated.os_type is not None:
        if stated.os_type.strip().lower() not in ("linux", "windows"):
            raise ValueError(f"--require-os {stated.os_type!r}: use linux or windows")
        reqs.append(Requirement("os", (stated.os_type.strip().lower(),)))
    if stated.arch is not None:
        norm = _ARCH.get(stated.arch.strip().lower())
        if norm is None:
            raise ValueError(f"--require-arch {stated.arch!r}: use amd64 or arm64 (or x86_64, aarch64)")
        reqs.append(Requirement("arch", (norm,)))
    return reqs


@record
class EngineView:
    """What the requirements look at, as the engine reports it (None: it did not say)."""

    product: str | None = None
    server_version: str | None = None
    api_version: str | None = None
    rootless: bool | None = None
    containerd_version: str | None = None
    default_runtime: str | None = None
    runtimes: tuple[str, ...] = ()
    cgroup_version: str | None = None
    os_type: str | None = None
    arch: str | None = None


def _s(v: object) -> str | None:
    return v if isinstance(v, str) and v else None


def view_from_api(
    version: Mapping[str, Any] | None,
    info: Mapping[str, Any] | None,
    *,
    product: str | None,
    rootless: bool | None,
    ping_api: str | None = None,
) -> EngineView:
    version = version or {}
    info = info or {}
    containerd = None
    comps = version.get("Components")
    if isinstance(comps, list):
        for c in comps:
            if isinstance(c, Mapping) and isinstance(c.get("Name"), str) and c["Name"].lower() == "containerd":
                containerd = _s(c.get("Version"))
    runtimes = info.get("Runtimes")
    arch = _s(info.get("Architecture")) or _s(version.get("Arch"))
    return EngineView(
        product=product,
        server_version=_s(version.get("Version")) or _s(info.get("ServerVersion")),
        api_version=_s(version.get("ApiVersion")) or ping_api,
        rootless=rootless if (version or info) else None,
        containerd_version=containerd,
        default_runtime=_s(info.get("DefaultRuntime")),
        runtimes=tuple(sorted(runtimes)) if isinstance(runtimes, Mapping) else (),
        cgroup_version=_s(info.get("CgroupVersion")),
        os_type=(_s(info.get("OSType")) or _s(version.get("Os")) or "").lower() or None,
        arch=_ARCH.get(arch.lower(), arch.lower()) if arch else None,
    )


@record
class Verdict:
    requirement: Requirement
    met: bool
    title: str
    evidence: tuple[str, ...] = ()


def _min_version(req: Requirement, have: str | None, what: str, source: str) -> Verdict:
    want = req.values[0]
    parsed = parse_version(have)
    if parsed is None:
        return Verdict(req, False, f"{what} {want} or newer is required; the engine does not report its {what}")
    ok = version_at_least(parsed, parse_version(want) or ())
    word = "meets" if ok else "is older than the required"
    return Verdict(
        req, ok, f"{what} {have} {word} {want}" if not ok else f"{what} {have} ≥ {want}", (f"{source}: {have}",)
    )


def evaluate(req: Requirement, view: EngineView | None) -> Verdict:
    """Whether one requirement is met. `view` None: no engine answered, so none can be."""
    if view is None:
        return Verdict(req, False, f"{req.label}: cannot be checked, no engine answers the endpoint")
    judge = _JUDGES.get(req.kind)
    if judge is None:
        return Verdict(req, False, f"unknown requirement {req.kind}")
    return judge(req, view)


def _api(req: Requirement, view: EngineView) -> Verdict:
    return _min_version(req, view.api_version, "API version", "GET /version ApiVersion")


def _server(req: Requirement, view: EngineView) -> Verdict:
    return _min_version(req, view.server_version, "server version", "GET /version Version")


def _containerd(req: Requirement, view: EngineView) -> Verdict:
    return _min_version(req, view.containerd_version, "containerd version", "GET /version Components containerd")


def _product(req: Requirement, view: EngineView) -> Verdict:
    have = view.product or "unknown"
    ok = have in req.values
    title = f"the engine is {have}" + ("" if ok else f", not {' or '.join(req.values)}")
    return Verdict(req, ok, title, (f"identified as {have}",))


def _mode(req: Requirement, view: EngineView) -> Verdict:
    if view.rootless is None:
        return Verdict(req, False, f"{req.label}: the engine does not say whether it runs rootless")
    mode = "rootless" if view.rootless else "rootful"
    ok = mode == req.kind
    return Verdict(
        req,
        ok,
        f"the engine runs {mode}" + ("" if ok else f", {req.kind} is required"),
        ("GET /info SecurityOptions " + ("lists" if view.rootless else "does not list") + " name=rootless",),
    )


def _runtime(req: Requirement, view: EngineView) -> Verdict:
    available = set(view.runtimes) | ({view.default_runtime} if view.default_runtime else set())
    missing = [r for r in req.values if r not in available]
    shown = ", ".join(sorted(available)) or "none reported"
    if missing:
        return Verdict(
            req,
            False,
            f"runtime {', '.join(missing)} is not configured in the engine (it has: {shown})",
            (f"GET /info Runtimes: {shown}; DefaultRuntime {view.default_runtime}",),
        )
    return Verdict(req, True, f"runtime {', '.join(req.values)} available (default {view.default_runtime})")


def _equal(req: Requirement, have: str | None, title: str, wanted: str, evidence: str) -> Verdict:
    """A requirement of one exact value: met when the engine reports it."""
    ok = have == req.values[0]
    return Verdict(req, ok, title + ("" if ok else f", {wanted} is required"), (evidence,))


def _cgroup(req: Requirement, view: EngineView) -> Verdict:
    have = view.cgroup_version
    return _equal(
        req, have, f"the engine uses cgroup v{have or '?'}", f"v{req.values[0]}", f"GET /info CgroupVersion: {have}"
    )


def _os(req: Requirement, view: EngineView) -> Verdict:
    have = view.os_type
    return _equal(req, have, f"the engine runs {have or '?'} containers", req.values[0], f"GET /info OSType: {have}")


def _arch(req: Requirement, view: EngineView) -> Verdict:
    have = view.arch
    title = f"the engine's architecture is {have or '?'}"
    return _equal(req, have, title, req.values[0], f"GET /info Architecture: {have}")


#: How each kind of requirement is judged against what the engine reports.
_JUDGES: dict[str, Callable[[Requirement, EngineView], Verdict]] = {
    "api": _api,
    "server": _server,
    "containerd": _containerd,
    "product": _product,
    "rootless": _mode,
    "rootful": _mode,
    "runtime": _runtime,
    "cgroup": _cgroup,
    "os": _os,
    "arch": _arch,
}
