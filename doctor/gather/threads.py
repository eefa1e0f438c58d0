"""Small helpers that the standard library has in heavier modules (imported on every run).

- `map_threads`: `ThreadPoolExecutor.map` without concurrent.futures, which imports
  logging, queue and traceback (~25 ms at start-up on a 2-core machine);
- `which`: `shutil.which` without shutil, which imports bz2, lzma and fnmatch.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

A = TypeVar("A")
R = TypeVar("R")


def map_threads(fn: Callable[[A], R], items: Sequence[A], max_workers: int) -> list[R]:
    """`fn` of each item on at most `max_workers` threads; the results in order.

    As `ThreadPoolExecutor.map`: every call runs to its end, then the first exception
    (in item order) is raised."""
    results: list[tuple[bool, object]] = [(False, None)] * len(items)
    lock = threading.Lock()
    todo = iter(range(len(items)))

    def work() -> None:
        while True:
            with lock:
                i = next(todo, None)
            if i is None:
                return
            try:
                results[i] = (True, fn(items[i]))
            except BaseException as e:  # handed to the caller, as a future does
                results[i] = (False, e)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(min(max_workers, len(items)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out: list[R] = []
    for ok, value in results:
        if not ok:
            assert isinstance(value, BaseException)
            raise value
        out.append(value)  # type: ignore[arg-type]
    return out


def which(name: str, path: str | None = None) -> str | None:
    """`shutil.which(name, path=path)` on POSIX: the first executable file `name` in `path`."""
    if sys.platform == "win32":  # PATHEXT and the current directory first: shutil knows them
        import shutil

        return shutil.which(name, path=path)

    def usable(candidate: str) -> bool:
        return os.path.exists(candidate) and os.access(candidate, os.F_OK | os.X_OK) and not os.path.isdir(candidate)

    if os.path.dirname(name):
        return name if usable(name) else None
    if path is None:
        path = os.environ.get("PATH", None)
        if path is None:
            try:
                path = os.confstr("CS_PATH")
            except (AttributeError, ValueError):
                path = os.defpath
    if not path:
        return None
    seen: set[str] = set()
    for directory in os.fsdecode(path).split(os.pathsep):
        if directory in seen:
            continue
        seen.add(directory)
        candidate = os.path.join(directory, name)
        if usable(candidate):
            return candidate
    return None
