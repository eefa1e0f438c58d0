"""Finding and loading checks from the entry-point group `cdoctor.checks`.

Finding is separate from loading (as in flake8): `discover()` lists entry
points, `load()` imports each and validates what it names. A plugin that
fails to import, or names something that is not a sequence of `Check`, is
reported as a `PluginError`; the run goes on without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from doctor.run.check import Check

GROUP = "cdoctor.checks"

# Used only when cdoctor runs from a source tree that was never installed
# (no entry-point metadata): the same modules pyproject.toml registers.
BUILTIN = {
    "resolution": "checks.resolution:CHECKS",
    "connection": "checks.connection:CHECKS",
    "stack": "checks.stack:CHECKS",
    "sdk": "checks.sdk:CHECKS",
    "credentials": "checks.credentials:CHECKS",
    "api_floor": "checks.api_floor:CHECKS",
    "partial_api": "checks.partial_api:CHECKS",
    "clients": "checks.clients:CHECKS",
    "buildx": "checks.buildx:CHECKS",
    "rootless": "checks.rootless:CHECKS",
    "in_container": "checks.in_container:CHECKS",
    "stores": "checks.stores:CHECKS",
}


@dataclass(frozen=True, slots=True)
class PluginError:
    name: str
    value: str
    origin: str
    reason: str


@dataclass(frozen=True, slots=True)
class LoadedCheck:
    check: Check
    plugin: str  # entry-point name
    origin: str  # the distribution that provides it ("cdoctor 0.1.0", …)


def discover() -> list[metadata.EntryPoint]:
    eps = sorted(metadata.entry_points(group=GROUP), key=lambda e: (e.name, e.value))
    have = {e.value for e in eps}
    for name, value in BUILTIN.items():
        if value not in have:
            eps.append(metadata.EntryPoint(name=name, value=value, group=GROUP))
    return eps


def _origin(ep: metadata.EntryPoint) -> str:
    dist = ep.dist
    if dist is None:
        return "cdoctor (source tree)"
    return f"{dist.metadata['Name']} {dist.version}"


def load(eps: list[metadata.EntryPoint] | None = None) -> tuple[list[LoadedCheck], list[PluginError]]:
    loaded: list[LoadedCheck] = []
    errors: list[PluginError] = []
    seen: dict[str, str] = {}
    for ep in discover() if eps is None else eps:
        origin = _origin(ep)
        try:
            obj = ep.load()
        except Exception as e:  # any import-time failure of a plugin is a finding, not a crash
            errors.append(PluginError(ep.name, ep.value, origin, f"cannot be imported: {type(e).__name__}: {e}"))
            continue
        items = (obj,) if isinstance(obj, Check) else obj
        if not isinstance(items, list | tuple) or not items or not all(isinstance(c, Check) for c in items):
            errors.append(
                PluginError(ep.name, ep.value, origin, "does not name a Check or a non-empty sequence of Check objects")
            )
            continue
        for c in items:
            if c.id in seen:
                errors.append(
                    PluginError(ep.name, ep.value, origin, f"check id {c.id!r} is already provided by {seen[c.id]}")
                )
                continue
            seen[c.id] = f"{ep.name} ({origin})"
            loaded.append(LoadedCheck(c, ep.name, origin))
    return loaded, errors
