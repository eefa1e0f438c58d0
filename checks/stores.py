"""Where are my containers and images? Every engine, image store and containerd namespace, with counts.

Answers "docker ps shows nothing" when the containers exist elsewhere: another engine
on this machine, the image store that was switched away from (the containerd image
store, default for fresh Engine 29 installs and Docker Desktop ≥ 4.34; docker/for-mac#7435,
skiffos/SkiffOS#313), or a containerd namespace docker never lists (`k8s.io` for
Kubernetes, `default` for nerdctl/ctr; containerd/nerdctl#329, rancher-desktop#1266).
"""

from __future__ import annotations

from collections.abc import Iterator

from doctor.api import (
    STORES,
    ContainerdCounts,
    EngineCounts,
    Facts,
    Finding,
    Severity,
    Stores,
    check,
)
from doctor.knowledge.hosts import redact_url

CHECK_ID = "stores"


def _n(v: int | None, word: str) -> str:
    return f"? {word}s" if v is None else f"{v} {word}{'' if v == 1 else 's'}"


def _engine_line(e: EngineCounts, yours: bool) -> str:
    if e.error:
        return f"{redact_url(e.host)}: not counted ({e.error})"
    store = ("containerd image store (driver-type io.containerd.snapshotter.v1)" if e.containerd_store
             else f"graph driver {e.driver}" if e.driver else "store unknown")  # fmt: skip
    running = f" ({e.running} running)" if e.running is not None else ""
    return (f"{redact_url(e.host)}{' — the engine your docker uses' if yours else ''}: "
            f"{_n(e.containers, 'container')}{running}, {_n(e.images, 'image')}; {store}")  # fmt: skip


@check(id=CHECK_ID, title="Where containers and images are (engines, image stores, containerd namespaces)",
       category="stack", requires=(STORES,))  # fmt: skip
def stores(facts: Facts) -> Iterator[Finding]:
    """Counts per engine (GET /info), images left in the inactive image store, and containers and
    images per containerd namespace: so that 'docker ps shows nothing' is answered."""
    st = facts.get(STORES)
    lines: list[str] = []
    elsewhere: list[str] = []
    mine = st.engines[0] if st.engines else None
    for i, e in enumerate(st.engines):
        lines.append(_engine_line(e, i == 0))
        if i > 0 and (e.containers or e.images):
            elsewhere.append(
                f"{_n(e.containers, 'container')} and {_n(e.images, 'image')} in the engine at {redact_url(e.host)}"
            )
    for path, n in st.inactive_graph_images.items():
        lines.append(f"{path}: {_n(n, 'tagged image')} in the graph driver's store, invisible while the containerd "
                     "image store is on")  # fmt: skip
        elsewhere.append(f"{_n(n, 'image')} in the inactive graph-driver store")
    for c in st.containerd:
        _namespaces(c, lines, elsewhere)
    if not lines:
        return
    empty = mine is not None and not mine.containers and not mine.images
    if not elsewhere:
        yield Finding(id="stores-one", check=CHECK_ID, severity=Severity.OK,
                      title="containers and images: " + lines[0], evidence=tuple(lines))  # fmt: skip
        return
    yield Finding(
        id="stores-elsewhere",
        check=CHECK_ID,
        severity=Severity.WARNING if empty else Severity.INFO,
        title=(
            "docker shows no containers or images here, but there are "
            if empty
            else "Besides the engine docker uses, there are "
        )
        + "; ".join(elsewhere),
        evidence=tuple(lines),
        fix=_where_to_look(st),
        data={"elsewhere": elsewhere},
    )


def _namespaces(c: ContainerdCounts, lines: list[str], elsewhere: list[str]) -> None:
    """One containerd's namespaces as evidence lines; those docker does not show, also as places elsewhere."""
    if c.error:
        lines.append(f"containerd {c.socket}: {c.error}")
        return
    for ns in c.namespaces:
        note = " (dockerd's own namespace)" if ns.namespace == "moby" else " (docker does not show these)"
        lines.append(f"containerd {c.socket}, namespace {ns.namespace}: {_n(ns.containers, 'container')}, "
                     f"{_n(ns.images, 'image')}{note}")  # fmt: skip
        if ns.namespace != "moby" and (ns.containers or ns.images):
            hint = (
                "nerdctl/ctr"
                if ns.namespace == "default"
                else "Kubernetes"
                if ns.namespace == "k8s.io"
                else "another tool"
            )
            elsewhere.append(f"{_n(ns.containers, 'container')} and {_n(ns.images, 'image')} in containerd "
                             f"namespace {ns.namespace!r} ({hint})")  # fmt: skip


def _where_to_look(st: Stores) -> tuple[str, ...]:
    """The commands that list what is elsewhere: other namespaces, other engines, the inactive store."""
    fix: list[str] = []
    for c in st.containerd:
        for ns in c.namespaces:
            if ns.namespace != "moby" and (ns.containers or ns.images):
                fix.append(
                    f"sudo ctr --address {c.socket} -n {ns.namespace} containers ls    # or: nerdctl -n {ns.namespace} ps -a"
                )
    for e in st.engines[1:]:
        if e.containers or e.images:
            fix.append(f"docker -H {e.host} ps -a    # the other engine's containers")
    if st.inactive_graph_images:
        fix.append('# to see the old images again: set "features": {"containerd-snapshotter": false} in daemon.json '
                   "and restart the engine (or docker save/load them across)")  # fmt: skip
    return tuple(fix)


CHECKS = (stores,)
