"""`cdoctor explain`: read an error a docker command printed, then diagnose where it happened."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from doctor.commands.common import CdoctorError, Look, emit, secrets
from doctor.commands.diagnose import DiagnoseOptions, execute
from doctor.commands.options import ColorOpt, FormatOpt, TimeoutOpt, flags_of, typer_command
from doctor.facts.record import record
from doctor.run.context import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from doctor.reader import ErrorReading, PasteReading


@record
class ExplainOptions:
    text: Annotated[list[str] | None, typer.Argument(help="The error text (default: read stdin).")] = None
    file: Annotated[str | None, typer.Option("--file", help="Read the text from this file.")] = None
    offline: Annotated[bool, typer.Option("--offline", help="Probe nothing: what the text alone establishes.")] = False
    fmt: FormatOpt = "human"
    timeout: TimeoutOpt = DEFAULT_TIMEOUT
    color: ColorOpt = "auto"
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False


@typer_command(ExplainOptions)
def explain(ctx: typer.Context, opts: ExplainOptions) -> None:
    """Explain an error a docker command printed: `docker ps 2>&1 | cdoctor explain`."""
    from doctor.run.pipeline import explain_reading

    reading, paste = explain_reading(read_input(opts.text, opts.file))
    look = DiagnoseOptions(fmt=opts.fmt, timeout=opts.timeout, color=opts.color, verbose=opts.verbose)
    if opts.offline:
        raise typer.Exit(_offline(reading, paste, look))
    from doctor.run.pipeline import explain_section, product_hint

    # The product the TEXT names (its paths, pipes, contexts, kernel ... for the client OS it
    # shows), as --offline reports it; what that endpoint's path is on THIS machine is a
    # separate, separately labelled fact (the text may come from another machine).
    local = product_hint(reading.endpoint, os.environ.get("HOME"), os.getuid())
    endpoint = reading.endpoint
    live = replace(
        look,
        focus=endpoint if endpoint and not endpoint.startswith("npipe") else None,
        explain=explain_section(reading, paste, local_product_hint=local),
    )
    raise typer.Exit(execute(flags_of(ctx), live))


def _offline(reading: ErrorReading, paste: PasteReading, opts: DiagnoseOptions) -> int:
    """`explain --offline`: the text alone, through the same document builder; exit 1 when it names a cause."""
    from doctor.run.document import build_document
    from doctor.run.pipeline import offline_result
    from doctor.run.sections import Redaction

    result = offline_result(reading, paste, timeout=opts.timeout)
    doc = build_document(result, redaction=Redaction(secrets=secrets()))
    emit(doc, Look(opts.fmt, verbose=opts.verbose, color=opts.color))
    return 1 if result.diagnosis.primary_cause else 0


MAX_INPUT = 64 * 1024 * 1024


def read_input(text: list[str] | None, file: str | None) -> str:
    if text:
        return " ".join(text)
    if file:
        from doctor import output

        # A FIFO or a device is refused without blocking; a regular file is read up to the cap.
        try:
            data = output.read_regular(file, MAX_INPUT)
        except output.SinkError as e:
            raise CdoctorError(str(e)) from None
    else:
        if sys.stdin is None or sys.stdin.isatty():
            raise CdoctorError(
                "give the error text as an argument, with --file, or on stdin: docker ps 2>&1 | cdoctor explain"
            )
        data = sys.stdin.buffer.read(MAX_INPUT)
    return data.decode("utf-8", errors="replace")
