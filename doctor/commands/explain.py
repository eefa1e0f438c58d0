"""`cdoctor explain`: read an error a docker command printed, then diagnose where it happened."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from doctor.commands.common import CdoctorError, emit, secrets
from doctor.commands.diagnose import execute
from doctor.commands.options import ColorOpt, FormatOpt, TimeoutOpt, flags_of
from doctor.run.context import DEFAULT_TIMEOUT


def explain(
    ctx: typer.Context,
    text: Annotated[list[str] | None, typer.Argument(help="The error text (default: read stdin).")] = None,
    file: Annotated[str | None, typer.Option("--file", help="Read the text from this file.")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Probe nothing: what the text alone establishes.")] = False,
    fmt: FormatOpt = "human",
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    color: ColorOpt = "auto",
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Explain an error a docker command printed: `docker ps 2>&1 | cdoctor explain`."""
    from doctor.run.pipeline import explain_offline, explain_reading

    raw = read_input(text, file)
    reading, paste = explain_reading(raw)
    if offline:
        doc = explain_offline(reading, paste, timeout=timeout)
        from doctor.render import boundary

        emit(boundary.redacted(doc, secrets=secrets()), fmt, color=color, verbose=verbose)
        raise typer.Exit(1 if doc["diagnosis"]["primary_cause"] else 0)
    from doctor.run.pipeline import product_hint, text_product

    # The product the TEXT names (its paths, pipes, contexts, kernel ... for the client OS it
    # shows), as --offline reports it; what that endpoint's path is on THIS machine is a
    # separate, separately labelled fact (the text may come from another machine).
    named = text_product(reading, paste)
    explain_doc = {
        "symptom": reading.symptom,
        "endpoint": reading.endpoint,
        "client": reading.client,
        "product_hint": named.product if named else None,
        "product_confidence": named.confidence if named else None,
        "product_signals": list(named.signals) if named else [],
        "local_product_hint": product_hint(reading.endpoint, os.environ.get("HOME"), os.getuid()),
        "cli_version_hint": reading.cli_version_hint,
        "text_cause": reading.cause,
        "evidence": list(reading.evidence),
    }
    raise typer.Exit(
        execute(
            flags_of(ctx),
            fmt=fmt,
            verbose=verbose,
            explain_layers=False,
            only=[],
            skip=[],
            timeout=timeout,
            strict=False,
            allow_activation=False,
            color=color,
            focus=reading.endpoint if reading.endpoint and not reading.endpoint.startswith("npipe") else None,
            explain=explain_doc,
        )
    )


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
