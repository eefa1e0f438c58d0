"""What every command shares: the run context, progress, output (no typer: the fast path uses it)."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any, TextIO

from doctor import STARTED
from doctor.facts.record import record
from doctor.knowledge.resolve import Flags
from doctor.run.context import RunContext


class CdoctorError(Exception):
    """An expected failure of cdoctor itself: one line, exit 3."""


def use_color(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


class Progress:
    """A quiet spinner on stderr for runs that take more than a second (TTY only, never in CI)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.shown = False

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        if self._stop.wait(1.0):
            return
        frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
        started = time.monotonic()
        i = 0
        while not self._stop.wait(0.1):
            self.shown = True
            sys.stderr.write(f"\r{frames[i % len(frames)]} {self.label} ({time.monotonic() - started + 1:.0f}s)\x1b[K")
            sys.stderr.flush()
            i += 1

    def update(self, label: str) -> None:
        self.label = label

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(0.5)
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def secrets() -> tuple[str, ...]:
    from doctor.redact import secret_values

    return secret_values(os.environ)


_first_run = True


def run_context(flags: Flags, timeout: float, **kw: Any) -> RunContext:
    # The first run of the process counts its deadline from the process's start (a
    # person waits for that); later runs in the same process (tests) from now.
    global _first_run
    started = STARTED if _first_run else time.monotonic()
    _first_run = False
    return RunContext(flags=flags, env=dict(os.environ), timeout=timeout, started=started, **kw)


@record
class Look:
    """How a document is shown: its format, and for people, how much and in colour or not."""

    fmt: str = "human"
    verbose: bool = False
    layer_roles: bool = False
    color: str = "auto"


def emit(doc: dict[str, Any], look: Look, out: TextIO | None = None) -> None:
    from doctor import output

    stream = out or output.stdout()
    try:
        _render(doc, look, stream)
        stream.flush()
    except BrokenPipeError:
        output.quiet_broken_pipe()  # `| head -c 1`: the reader left; the exit code still counts


def _render(doc: dict[str, Any], look: Look, stream: TextIO) -> None:
    if look.fmt == "json":
        from doctor.render import json as render_json

        render_json.render(doc, stream)
    elif look.fmt == "markdown":
        from doctor.render import markdown

        markdown.render(doc, stream, title="cdoctor explain" if doc.get("explain") else "cdoctor report")
    else:
        from doctor.render import human

        color = use_color(look.color, stream)
        human.render(doc, stream, color=color, verbose=look.verbose, layer_roles=look.layer_roles)


def write(text: str, output: str | None) -> None:
    """stdout, or the one file the user asked for (`--output`): the only file cdoctor writes.

    The file is written whole or not at all (doctor/output.py): a FIFO, a device or
    a symbolic link is refused, an existing file is replaced only by a complete one.
    """
    from doctor import output as sink

    if output is None or output == "-":
        stream = sink.stdout()
        try:
            stream.write(text)
            stream.flush()
        except BrokenPipeError:
            sink.quiet_broken_pipe()  # `| head -c 1`: the reader left; the exit code still counts
        return
    try:
        sink.write_atomic(output, text)
    except sink.SinkError as e:
        raise CdoctorError(str(e)) from None
