"""Where output goes: the process's own stdout, the one file asked for, the CI job summary.

Every file cdoctor writes or reads by name goes through here:

- `write_atomic(path, text)` (`--output`): the text is complete before the
  file is touched; it goes to a new file in the same directory, then
  `os.replace` puts it in place, so an existing file is either the old one or
  the new one, never half written, and untouched when the run fails. A path
  that is a symbolic link is refused: the user named the path, but a link in
  a shared directory (`/tmp/report.md` → `~/.bashrc`) is the classic way to
  make a tool overwrite something else, and replacing the link would silently
  change what the user's path means. Anything but a regular file (a FIFO, a
  device, a directory, a socket) is refused without opening it.
- `append_private(path, text)` (`$GITHUB_STEP_SUMMARY`): appended with
  O_APPEND | O_NOFOLLOW | O_NONBLOCK, and only to a regular file (checked on
  the open descriptor): nobody named this path on the command line, so no
  link is followed and no FIFO can block the run.
- `read_regular(path, limit)` (`explain --file`): opened with O_NONBLOCK and
  read only when it is a regular file; at most `limit` bytes.
- `stdout()`: the process's stdout as it was when the run began, so that a
  library that swaps `sys.stdout` in a worker thread cannot swallow the
  result; a closed or broken stdout (`>&-`, `| head -c 1`) ends the run
  quietly (`quiet_broken_pipe`).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import sys
from typing import TextIO


class SinkError(Exception):
    """A file cdoctor was asked to write or read cannot be: one line for the user."""


_PINNED: TextIO | None = None


def pin_streams() -> None:
    """Remember the real stdout now (call first thing in main, before any worker thread starts).

    A closed descriptor 0, 1 or 2 (`cdoctor >&-`) is pointed at /dev/null first: else the
    next file or socket cdoctor opens would get that number, and output meant for stdout
    would go into it.
    """
    global _PINNED
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
    if sys.stdout is None or _closed(sys.stdout):
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    if sys.stderr is None or _closed(sys.stderr):
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    _PINNED = sys.stdout


def _closed(stream: TextIO) -> bool:
    try:
        fd = stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return bool(getattr(stream, "closed", False))
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


def stdout() -> TextIO:
    return _PINNED if _PINNED is not None else sys.stdout


def quiet_broken_pipe() -> None:
    """stdout's reader went away: point fd 1 at /dev/null so that the exit flush says nothing."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ is not None else 1)
        os.close(devnull)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def write_atomic(path: str, text: str) -> None:
    """Replace (or create) `path` with `text`, all or nothing."""
    data = text.encode("utf-8", "replace")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise SinkError(f"cannot write {path}: {e.strerror}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        what = _kind(st.st_mode)
        why = "cdoctor does not write through links; name the file itself" if stat.S_ISLNK(st.st_mode) else ""
        raise SinkError(f"cannot write {path}: it is {what}" + (f" ({why})" if why else ""))
    directory = os.path.dirname(os.path.abspath(path))
    import tempfile  # only when writing a file: it imports shutil, random and more

    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    except OSError as e:
        raise SinkError(f"cannot write {path}: {e.strerror}") from None
    try:
        try:
            mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise SinkError(f"cannot write {path}: {e.strerror}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def append_private(path: str, text: str) -> None:
    """Append to a regular file that no one named on the command line (never through a link, never blocking)."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise SinkError(f"cannot append to {path}: it is a symbolic link") from None
        if e.errno == errno.ENXIO:
            raise SinkError(f"cannot append to {path}: it is a FIFO") from None
        raise SinkError(f"cannot append to {path}: {e.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise SinkError(f"cannot append to {path}: it is {_kind(mode)}")
        view = memoryview(text.encode("utf-8", "replace"))
        while view:
            view = view[os.write(fd, view) :]
    except OSError as e:
        raise SinkError(f"cannot append to {path}: {e.strerror}") from None
    finally:
        os.close(fd)


def read_regular(path: str, limit: int) -> bytes:
    """At most `limit` bytes of a regular file; anything else is refused without blocking."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise SinkError(f"cannot read {path}: {e.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise SinkError(f"cannot read {path}: it is {_kind(mode)} (give the text on stdin instead)")
        chunks: list[bytes] = []
        left = limit
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as e:
        raise SinkError(f"cannot read {path}: {e.strerror}") from None
    finally:
        os.close(fd)
