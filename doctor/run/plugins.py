"""Finding, loading and validating checks: the built-ins and the entry-point group `cdoctor.checks`.

Finding is separate from loading (as in flake8): `discover()` lists entry
points, `load()` imports each and validates what it names. A plugin that
fails to import, or names something that is not a valid sequence of `Check`,
is reported as a `PluginError`; the run goes on without it.

Built-in checks are listed here (`BUILTIN`, the same entry points
pyproject.toml registers; a test keeps the two equal), so finding them reads
no package metadata. Third-party checks are found through the entry-point
group: only the `entry_points.txt` of each installed distribution is read,
and a distribution's metadata only when it provides a check.

The contract a plugin meets (validated here and in the runner):
- each check id is kebab-case (`^[a-z0-9]+(-[a-z0-9]+)*$`) and unique;
- `requires`/`optional` hold `Fact` keys only;
- the runner sets each finding's `check` to the id of the check that made it;
- a plugin's cause ids are namespaced by its entry-point name (`name/cause`),
  and rank after every built-in cause (doctor/run/verdict.py, docs/causes.md).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from doctor.facts import Fact
from doctor.facts.record import record
from doctor.run.check import Check

if TYPE_CHECKING:
    from importlib import metadata

GROUP = "cdoctor.checks"

# The built-in checks: the entry points pyproject.toml registers (tests/test_plugins.py
# keeps them equal), loaded without reading any distribution's metadata.
BUILTIN = {
    "api_floor": "checks.api_floor:CHECKS",
    "buildx": "checks.buildx:CHECKS",
    "clients": "checks.clients:CHECKS",
    "connection": "checks.connection:CHECKS",
    "credentials": "checks.credentials:CHECKS",
    "in_container": "checks.in_container:CHECKS",
    "partial_api": "checks.partial_api:CHECKS",
    "requirements": "checks.requirements:CHECKS",
    "resolution": "checks.resolution:CHECKS",
    "rootless": "checks.rootless:CHECKS",
    "sdk": "checks.sdk:CHECKS",
    "stack": "checks.stack:CHECKS",
    "stores": "checks.stores:CHECKS",
}


@cache
def _kebab() -> re.Pattern[str]:
    return re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def valid_id(text: str) -> bool:
    """A check id (or a plugin's namespace): kebab-case, a-z 0-9 and single dashes."""
    return bool(_kebab().match(text))


def namespace(plugin: str) -> str:
    """The prefix of a plugin's cause ids: its entry-point name, in kebab-case."""
    return re.sub(r"[^a-z0-9]+", "-", plugin.lower()).strip("-") or "plugin"


class EntryPoint(Protocol):
    """What loading needs of an entry point (importlib.metadata.EntryPoint is one)."""

    @property
    def name(self) -> str: ...

    @property
    def value(self) -> str: ...

    def load(self) -> Any: ...


@record
class BuiltinEntryPoint:
    """A built-in entry point: what pyproject.toml registers, without package metadata."""

    name: str
    value: str

    def load(self) -> Any:
        module, _, attr = self.value.partition(":")
        obj: Any = importlib.import_module(module)
        for part in attr.split(".") if attr else ():
            obj = getattr(obj, part)
        return obj


@record
class PluginError:
    name: str
    value: str
    origin: str
    reason: str


@record
class LoadedCheck:
    check: Check
    plugin: str  # entry-point name
    origin: str  # the distribution that provides it ("cdoctor 0.1.0", …)
    builtin: bool = False


def _builtin_origin() -> str:
    from doctor import __version__

    return f"cdoctor {__version__}"


def _dist_name(entry: str) -> str:
    """`Foo_Bar-1.0.dist-info` -> `foo-bar` (the normalised name importlib.metadata dedupes by)."""
    stem = entry.rsplit(".", 1)[0]
    name = stem.split("-", 1)[0] if entry.endswith(".dist-info") else stem.rsplit("-py", 1)[0].split("-", 1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _providers() -> Iterator[str]:
    """Metadata directories on sys.path whose entry_points.txt has the group (first of each name)."""
    seen: set[str] = set()
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            dist = _dist_name(name)
            if dist in seen:
                continue
            seen.add(dist)
            path = os.path.join(entry or ".", name)
            try:
                with open(os.path.join(path, "entry_points.txt"), encoding="utf-8") as f:
                    text = f.read(1024 * 1024)
            except OSError:
                continue
            if _names_a_plugin(text):
                yield path


def _names_a_plugin(entry_points_txt: str) -> bool:
    """Whether the file's `[cdoctor.checks]` section names anything but the built-ins
    (an installed cdoctor lists them too: no need to read its metadata for those)."""
    section = False
    builtin = set(BUILTIN.values())
    for raw in entry_points_txt.splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line == f"[{GROUP}]"
        elif section and "=" in line and line.split("=", 1)[1].strip() not in builtin:
            return True
    return False


def third_party() -> list[metadata.EntryPoint]:
    """Entry points of the group in installed distributions (their metadata read only for these)."""
    providers = list(_providers())
    if not providers:
        return []
    from importlib import metadata
    from pathlib import Path

    builtin = set(BUILTIN.values())
    found: list[metadata.EntryPoint] = []
    for path in providers:
        dist = metadata.PathDistribution(Path(path))
        found.extend(ep for ep in dist.entry_points.select(group=GROUP) if ep.value not in builtin)
    return sorted(found, key=lambda e: (e.name, e.value))


def builtin_entry_points() -> list[EntryPoint]:
    return [BuiltinEntryPoint(name, value) for name, value in sorted(BUILTIN.items())]


def discover() -> list[EntryPoint]:
    """The built-ins first, then third-party checks (the order the runner runs them in)."""
    return [*builtin_entry_points(), *third_party()]


def _origin(ep: EntryPoint) -> str:
    if isinstance(ep, BuiltinEntryPoint):
        return _builtin_origin()
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "(no distribution)"
    return f"{dist.metadata['Name']} {dist.version}"


def _problem(c: Check, seen: dict[str, str]) -> str | None:
    """Why a check cannot be loaded, or None."""
    if not valid_id(c.id):
        return f"check id {c.id!r} is not kebab-case (a-z, 0-9 and single dashes)"
    if c.id in seen:
        return f"check id {c.id!r} is already provided by {seen[c.id]}"
    if not all(isinstance(f, Fact) for f in (*c.requires, *c.optional)):
        return f"check {c.id!r} declares something that is not a fact key in requires= or optional="
    return None


def _checks_of(ep: EntryPoint) -> tuple[Check, ...] | str:
    """The checks an entry point names, or why it names none."""
    try:
        obj = ep.load()
    except Exception as e:  # any import-time failure of a plugin is a finding, not a crash
        return f"cannot be imported: {type(e).__name__}: {e}"
    items = (obj,) if isinstance(obj, Check) else obj
    if not isinstance(items, list | tuple) or not items or not all(isinstance(c, Check) for c in items):
        return "does not name a Check or a non-empty sequence of Check objects"
    return tuple(items)


def load(eps: Sequence[EntryPoint] | None = None) -> tuple[list[LoadedCheck], list[PluginError]]:
    loaded: list[LoadedCheck] = []
    errors: list[PluginError] = []
    seen: dict[str, str] = {}
    for ep in discover() if eps is None else eps:
        origin = _origin(ep)
        checks = _checks_of(ep)
        if isinstance(checks, str):
            errors.append(PluginError(ep.name, ep.value, origin, checks))
            continue
        for c in checks:
            problem = _problem(c, seen)
            if problem is not None:
                errors.append(PluginError(ep.name, ep.value, origin, problem))
                continue
            seen[c.id] = f"{ep.name} ({origin})"
            loaded.append(LoadedCheck(c, ep.name, origin, builtin=isinstance(ep, BuiltinEntryPoint)))
    return loaded, errors
