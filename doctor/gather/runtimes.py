"""The OCI runtimes a local dockerd is configured with: is each binary there and executable?

Only for an engine that runs on this machine (a dockerd process serves the
endpoint's socket): a VM's or a remote engine's paths mean nothing here.
"""

from __future__ import annotations

import os

from doctor.facts import Facts, FactUnavailable
from doctor.facts.keys import ENDPOINT_PROBE, ENGINE, PROCESSES
from doctor.facts.types import LocalEngine, ProcessInfo, RuntimeBinary

# dockerd looks a runtime's bare name up in its own PATH; these are where packages put them.
SEARCH_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def _resolve(path: str, search: tuple[str, ...]) -> str | None:
    if "/" in path:
        return path if os.path.lexists(path) else None
    for d in search:
        candidate = f"{d}/{path}"
        if os.path.exists(candidate):
            return candidate
    return None


def endpoint_server(procs: tuple[ProcessInfo, ...], dial: str) -> ProcessInfo | None:
    """The dockerd that serves a unix endpoint (by -H or by the sockets it holds)."""
    if not dial.startswith("unix://"):
        return None
    path = dial.removeprefix("unix://")
    real = os.path.realpath(path)
    for p in procs:
        if not p.name.startswith("dockerd"):
            continue
        served = {s.removeprefix("unix://") for s in (*p.serves, *p.listening)}
        if path in served or real in served:
            return p
    return None


def _gather(facts: Facts) -> LocalEngine | None:
    probe = facts.get(ENDPOINT_PROBE).result
    if probe is None or not probe.answered:
        return None
    try:
        procs = facts.get(PROCESSES).items
    except FactUnavailable:
        return None
    server = endpoint_server(procs, probe.dial)
    if server is None:
        return None
    answers = facts.get(ENGINE)
    info = answers.info if answers is not None else None
    if not isinstance(info, dict):
        return LocalEngine(server, ())
    runtimes = info.get("Runtimes")
    default = info.get("DefaultRuntime")
    env_path = tuple(p for p in os.environ.get("PATH", "").split(":") if p.startswith("/"))
    search = SEARCH_PATH + tuple(p for p in env_path if p not in SEARCH_PATH)
    out: list[RuntimeBinary] = []
    if isinstance(runtimes, dict):
        for name, spec in list(runtimes.items())[:20]:
            path = spec.get("path") if isinstance(spec, dict) else None
            if not isinstance(name, str) or not isinstance(path, str) or not path:
                continue
            found = _resolve(path, search)
            executable = bool(found) and os.access(found or "", os.X_OK) and os.path.isfile(found or "")
            out.append(RuntimeBinary(name, path, found, executable, name == default))
    return LocalEngine(server, tuple(out))
