"""Where containers and images are: every engine's counts, the image store in use and the
one left behind, and containerd's namespaces.

"docker ps shows nothing" is often the right engine with another store (Engine 29 and
Docker Desktop ≥ 4.34 default to the containerd image store: images pulled with the
graph driver stay in `<DockerRootDir>/image/<driver>/`), another engine, or
containers in a containerd namespace docker never shows (`k8s.io`, `default`).
Counts come from each engine's GET /info, from `repositories.json` of the
inactive graph store, and from `ctr` (run with the fact's deadline, read-only
`ls` commands) against each containerd socket found.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from doctor.facts import Facts, FactUnavailable
from doctor.facts.keys import ENGINE, PROCESSES, RESOLUTION, SOCKETS, STORES
from doctor.facts.types import ContainerdCounts, EngineCounts, NamespaceCounts, SocketInfo, Stores
from doctor.gather import bounded, http
from doctor.gather import dockerapi as api
from doctor.gather.local import read_capped
from doctor.gather.threads import map_threads, which
from doctor.run.context import RunContext

MAX_NAMESPACES = 8
MAX_SOCKETS = 6


def counts_from_info(host: str, info: Mapping[str, Any]) -> EngineCounts:
    status = info.get("DriverStatus") or []
    snap = any(
        isinstance(r, list) and len(r) == 2 and r[0] == "driver-type" and "snapshotter" in str(r[1]) for r in status
    )

    def num(key: str) -> int | None:
        v = info.get(key)
        return v if isinstance(v, int) else None

    return EngineCounts(host, num("Containers"), num("ContainersRunning"), num("Images"),
                        str(info.get("Driver") or "") or None, snap, str(info.get("DockerRootDir") or "") or None)  # fmt: skip


def graph_tags(text: str) -> int:
    """Tagged images in a graph driver's repositories.json ({"Repositories": {repo: {tag: id}}})."""
    try:
        data = json.loads(text)
    except ValueError:
        return 0
    repos = data.get("Repositories") if isinstance(data, dict) else None
    if not isinstance(repos, dict):
        return 0
    # Each repository maps "name:tag" and "name@sha256:…" references to image ids: count the tags.
    return sum(1 for refs in repos.values() if isinstance(refs, dict) for ref in refs if "@" not in ref)


def _ctr(ctr: str, sock: str, args: list[str], deadline: float) -> list[str] | str:
    remaining = deadline - time.monotonic()
    if remaining <= 0.05:
        return "not asked: the deadline passed"
    try:
        p = bounded.run([ctr, "--address", sock, "--timeout", f"{max(1, int(remaining))}s", *args],
                        timeout=remaining, cap=1_000_000)  # fmt: skip
    except bounded.Timeout:
        return "ctr did not answer within the deadline"
    except OSError as e:
        return f"cannot run ctr: {e.strerror}"
    if p.returncode != 0:
        return p.stderr[:200].decode("utf-8", "replace").strip() or f"ctr exited with {p.returncode}"
    return [line for line in p.stdout[:1_000_000].decode("utf-8", "replace").splitlines() if line.strip()]


def count_namespaces(ctr: str, sockets: list[str], deadline: float) -> list[ContainerdCounts]:
    """Containers and images per namespace of each containerd: every `ctr … ls` in parallel."""
    names = dict(
        zip(sockets, map_threads(lambda s: _ctr(ctr, s, ["namespaces", "ls", "-q"], deadline), sockets, 8), strict=True)
    )
    jobs = [(s, ns, kind) for s, n in names.items() if isinstance(n, list) for ns in n[:MAX_NAMESPACES]
            for kind in ("containers", "images")]  # fmt: skip
    results = map_threads(lambda j: _ctr(ctr, j[0], ["-n", j[1], j[2], "ls", "-q"], deadline), jobs, 8)
    got = {j: (len(r) if isinstance(r, list) else None) for j, r in zip(jobs, results, strict=True)}
    out = []
    for s, n in names.items():
        if isinstance(n, str):
            out.append(ContainerdCounts(s, error=n))
            continue
        out.append(ContainerdCounts(s, tuple(NamespaceCounts(ns, got.get((s, ns, "containers")), got.get((s, ns, "images")))
                                             for ns in n[:MAX_NAMESPACES])))  # fmt: skip
    return out


def _gather(facts: Facts) -> Stores:
    deadline = time.monotonic() + facts.budget(STORES)
    own = facts.get(RESOLUTION).host or ""
    try:
        sockets = facts.get(SOCKETS)
    except FactUnavailable:
        sockets = ()
    engine = facts.get(ENGINE)
    first = [counts_from_info(engine.host, engine.info)] if engine is not None and engine.info else []
    if first:
        # containerd is asked after the engine docker uses alone: the other engines' /info meanwhile.
        jobs: list[Callable[[], Any]] = [lambda: _other_engines(sockets, own, deadline),
                                         lambda: _containerd_counts(facts, sockets, first, deadline)]  # fmt: skip
        others, ctrs = map_threads(lambda job: job(), jobs, 2)
        engines: list[EngineCounts] = first + others
    else:
        engines = _other_engines(sockets, own, deadline)
        ctrs = _containerd_counts(facts, sockets, engines, deadline)
    inactive = _inactive_images(engines[0]) if engines and own.startswith("unix://") else {}
    return Stores(tuple(engines), inactive, tuple(ctrs))


def _other_engines(sockets: tuple[SocketInfo, ...], own: str, deadline: float) -> list[EngineCounts]:
    """What GET /info counts on every other engine that answers here (all asked at once)."""
    seen = {own, own.removeprefix("unix://")}
    paths: list[str] = []
    for s in sockets:
        if s.kind != "docker" or s.probe is None or not s.probe.answered or s.path in seen:
            continue
        if s.link_chain and s.link_chain[-1] in seen:
            continue
        seen.add(s.path)
        paths.append(s.path)
    found = map_threads(lambda path: _info_counts(path, deadline), paths, 8)
    return [c for c in found if c is not None]


def _info_counts(path: str, deadline: float) -> EngineCounts | None:
    host = "unix://" + path
    try:
        resp = http.get(http.Target("unix", path), f"/v{api.CLIENT_API_VERSION}/info",
                        timeout=max(0.05, deadline - time.monotonic()), limit=api.JSON_BODY_LIMIT)  # fmt: skip
        info = json.loads(resp.body) if resp.status == 200 else None
    except Exception as e:
        return EngineCounts(host, None, None, None, None, False, None, f"{type(e).__name__}: {e}"[:200])
    return counts_from_info(host, info) if isinstance(info, dict) else None


def _inactive_images(first: EngineCounts) -> dict[str, int]:
    """Images left in the graph driver's store while the containerd store is on."""
    inactive: dict[str, int] = {}
    if not (first.containerd_store and first.root_dir):
        return inactive
    base = os.path.join(first.root_dir, "image")
    try:
        drivers = sorted(os.listdir(base))[:8]
    except OSError:
        drivers = []
    for d in drivers:
        path = os.path.join(base, d, "repositories.json")
        try:
            n = graph_tags(read_capped(path, 16 * 1024 * 1024).decode("utf-8", "replace"))
        except OSError:
            continue
        if n:
            inactive[path] = n
    return inactive


def _containerd_counts(
    facts: Facts, sockets: tuple[SocketInfo, ...], engines: list[EngineCounts], deadline: float
) -> list[ContainerdCounts]:
    """containerd namespaces, through ctr: one thread per socket, the calls of a socket in parallel."""
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    ctr = which("ctr", path=ctx.env.get("PATH", os.defpath) + ":/usr/sbin:/sbin")
    targets = [s.path for s in sockets if s.kind == "containerd" and s.file_type == "socket" and s.probe is not None
               and s.probe.outcome == "listening" and not s.path.endswith("crio.sock")][:MAX_SOCKETS]  # fmt: skip
    # A program per call is not free: ask only where containers may hide. A containerd that backs a
    # dockerd holds that dockerd's containers (namespace moby, counted by /info) — asked only when the
    # engine docker uses shows nothing, or when shims run in other namespaces; a standalone
    # containerd (k3s, nerdctl, a Kubernetes node) is always asked.
    try:
        procs = facts.get(PROCESSES).items
    except FactUnavailable:
        procs = ()
    backing = {p.containerd_address for p in procs if p.name.startswith("dockerd") and p.containerd_address}
    foreign = any(p.namespace not in (None, "moby") for p in procs if p.name.startswith("containerd-shim"))
    shows_nothing = not engines or (not engines[0].containers and not engines[0].images)
    if not (shows_nothing or foreign):
        targets = [t for t in targets if t not in backing]
    if not targets:
        return []
    if ctr is None:
        return [ContainerdCounts(t, error="ctr is not installed: namespaces not counted") for t in targets]
    return count_namespaces(ctr, targets, deadline)
