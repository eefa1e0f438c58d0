"""The current buildx builder and whether its endpoints answer — from files, never `docker buildx`.

buildx keeps `<config dir>/buildx/current` = `{"Key": …, "Name": …, "Global": …}`
and one JSON file per builder in `instances/` (`{"Name", "Driver", "Nodes":
[{"Name", "Endpoint", …}]}`) (docker/buildx `store/store.go`). The current builder
applies when `Global` is true, or when `Key` is the CLI's current endpoint key (the
context name, or the default context's host). A node endpoint is a context name or
an address. A builder on a dead socket makes `docker build` / `compose build` fail
or hang while `docker ps` works (alphaonedev/ai-memory-mcp#924, abiosoft/colima#1309).
Each endpoint is probed with the run's deadline; nothing is run.
"""

from __future__ import annotations

import json
import os
from typing import Any

from doctor.facts import Facts
from doctor.facts.keys import BUILDX, CONTEXT_STORE, RESOLUTION
from doctor.facts.record import replace
from doctor.facts.types import BuilderNode, Buildx
from doctor.gather import dockerapi as api
from doctor.gather.local import read_capped
from doctor.knowledge import outcomes
from doctor.knowledge.dockerconfig import ContextStore
from doctor.knowledge.resolve import TLSSettings

MAX_BYTES = 256 * 1024
MAX_INSTANCES = 64


def _gather(facts: Facts) -> Buildx:
    current = _current(facts)
    return _with_instance(facts, current) if current.applies else current


def _current(facts: Facts) -> Buildx:
    """buildx's `current` file: the builder it selects, and whether that applies to the CLI's endpoint."""
    res = facts.get(RESOLUTION)
    root = os.path.join(res.config_dir, "buildx")
    cli_key = res.context if res.context and res.context != "default" else (res.host or "")
    path = os.path.join(root, "current")
    try:
        cur = json.loads(read_capped(path, MAX_BYTES))
    except FileNotFoundError:
        return Buildx(root, cli_key=cli_key)
    except (OSError, ValueError) as e:
        return Buildx(root, path, cli_key=cli_key, problem=f"{path}: {e}")
    if not isinstance(cur, dict) or not isinstance(cur.get("Name"), str) or not cur.get("Name"):
        return Buildx(root, path, cli_key=cli_key)
    name, key, glob_ = str(cur["Name"]), str(cur.get("Key") or ""), bool(cur.get("Global"))
    return Buildx(root, path, name, key, glob_, cli_key, glob_ or key == cli_key)


def _with_instance(facts: Facts, current: Buildx) -> Buildx:
    """The selected builder's instance file: its driver and nodes, each node probed."""
    ipath = os.path.join(current.dir, "instances", (current.current_name or "").lower())
    try:
        ng = json.loads(read_capped(ipath, MAX_BYTES))
    except FileNotFoundError:
        return replace(current, missing_instance=True)
    except (OSError, ValueError) as e:
        return replace(current, problem=f"{ipath}: {e}")
    if not isinstance(ng, dict):
        return current
    driver = str(ng.get("Driver") or "")
    store = facts.get(CONTEXT_STORE)
    raw_nodes = ng.get("Nodes") if isinstance(ng.get("Nodes"), list) else []
    nodes = tuple(
        _node(facts, raw, driver, store)
        for raw in raw_nodes[:MAX_INSTANCES]  # type: ignore[index]
        if isinstance(raw, dict)
    )
    return replace(current, driver=driver, nodes=nodes)


def _node(facts: Facts, raw: dict[str, Any], driver: str, store: ContextStore) -> BuilderNode:
    endpoint = str(raw.get("Endpoint") or "")
    if "://" in endpoint:
        host: str | None = endpoint
    elif endpoint == "default":
        host = "unix:///var/run/docker.sock"
    else:
        meta = store.by_name(endpoint)
        host = meta.host if meta is not None else None
    probe = None
    if host and host.startswith(("unix://", "tcp://")):
        timeout = facts.budget(BUILDX)
        # A remote buildkitd speaks gRPC, not the Docker API: see only whether it accepts a connection.
        probe = _connect(host, timeout) if driver == "remote" else api.ping(host, host, TLSSettings(), timeout)
    return BuilderNode(str(raw.get("Name") or ""), endpoint, host, probe)


def _connect(host: str, timeout: float) -> outcomes.ProbeResult:
    import socket
    import time

    started = time.monotonic()
    try:
        if host.startswith("unix://"):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.connect(host[len("unix://") :])
        else:
            hp = host[len("tcp://") :].split("/", maxsplit=1)[0]
            h, _, p = hp.rpartition(":")
            s = socket.create_connection((h.strip("[]"), int(p or 1234)), timeout=timeout)
        s.close()
    except (OSError, ValueError) as e:
        outcome, err = api.classify(e) if isinstance(e, OSError) else (outcomes.INVALID, None)
        return outcomes.ProbeResult(host, host, outcome, str(e)[:200], err, time.monotonic() - started)
    return outcomes.ProbeResult(host, host, outcomes.OK, "accepts connections", seconds=time.monotonic() - started)
