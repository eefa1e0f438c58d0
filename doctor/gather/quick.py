"""Quick local looks for the docker error hook: connect to unix sockets under a short deadline.

A connect says whether something listens (``ok``), nothing does (``refused``: a
stale socket file), the path is missing or this user may not open it. Before the
hook offers another socket, ``answering_sockets`` asks it ``GET /_ping``: a socket
that merely accepts connections (a wedged engine, containerd, anything else) is
not advice.
Used by ``docker-doctor docker-cli-plugin-hooks`` (doctor/commands/docker_plugin.py),
which must answer well under a second with the Python standard library alone.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterable

from doctor.knowledge import outcomes


def connect_unix(path: str, timeout: float) -> str:
    """The outcome of one connect to the unix socket ``path`` (doctor/outcomes.py names)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except TimeoutError:
        return outcomes.CONNECT_TIMEOUT
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            return outcomes.SOCKET_MISSING
        if e.errno in (errno.EACCES, errno.EPERM):
            return outcomes.PERMISSION_DENIED
        if e.errno in (errno.ECONNREFUSED, errno.ENOTSOCK):
            return outcomes.REFUSED
        return outcomes.INVALID
    finally:
        s.close()
    return outcomes.OK


def pings_docker(path: str, timeout: float) -> bool:
    """Whether the unix socket answers ``GET /_ping`` as the Docker API does: 200 and ``OK``.

    One request through cdoctor's bounded HTTP client: the whole exchange within ``timeout``.
    """
    from doctor.gather import http

    try:
        answer = http.get(http.Target("unix", path), "/_ping", timeout=timeout, limit=64)
    except (OSError, http.HTTPException):
        return False
    return answer.status == 200 and answer.body.strip() == b"OK"


def answering_sockets(patterns: Iterable[str], timeout: float, *, limit: int = 8) -> list[str]:
    """Of the socket paths (globs allowed) that exist, those that answer the Docker API's /_ping."""
    return listening_sockets(patterns, timeout, limit=limit, check=pings_docker)


def listening_sockets(
    patterns: Iterable[str], timeout: float, *, limit: int = 8, check: Callable[[str, float], bool] | None = None
) -> list[str]:
    """Of the socket paths (globs allowed) that exist, those that accept a connection, in order.

    The connects (or ``check``s) run in parallel threads; whatever has not finished by
    ``timeout`` (plus a few milliseconds) is left out.
    """
    paths: list[str] = []
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)) if "*" in pattern else [pattern]:
            with contextlib.suppress(OSError):
                if stat.S_ISSOCK(os.stat(path).st_mode) and path not in paths:
                    paths.append(path)
    paths = paths[:limit]
    results: dict[str, str] = {}

    def one(path: str) -> None:
        if check is None:
            results[path] = connect_unix(path, timeout)
        else:
            results[path] = outcomes.OK if check(path, timeout) else outcomes.NO_ANSWER

    threads = [threading.Thread(target=one, args=(p,), daemon=True) for p in paths]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout + 0.05
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    return [p for p in paths if results.get(p) == outcomes.OK]


def group_name(path: str) -> str | None:
    """The name of the group owning ``path``; None when it cannot be read."""
    import grp

    try:
        return grp.getgrgid(os.stat(path).st_gid).gr_name
    except (OSError, KeyError):
        return None


def which(binary: str) -> str | None:
    """``binary`` on PATH, or in the sbin/bin directories an engine is installed to."""
    import shutil

    extra = ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    return shutil.which(binary, path=os.environ.get("PATH", "") + extra)


def installed(binary: str) -> bool:
    return which(binary) is not None


def cli_version(docker: str, timeout: float = 5.0) -> tuple[int, int, int] | None:
    """The version ``docker --version`` prints (``Docker version 28.2.2, build e6534b4``)."""
    import re

    from doctor.gather import bounded

    try:
        # Bounded like every program cdoctor starts: a `docker` that prints without end costs 4 KiB.
        out = bounded.run([docker, "--version"], timeout=timeout, cap=4096).stdout.decode("utf-8", "replace")
    except (OSError, bounded.Timeout):
        return None
    m = re.search(r"version (\d+)\.(\d+)\.(\d+)", out)
    return (int(m[1]), int(m[2]), int(m[3])) if m else None
