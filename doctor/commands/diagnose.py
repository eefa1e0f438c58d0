"""`cdoctor diagnose` (the default command): which stack answers `docker`, by what path, why it fails."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from doctor.commands.common import (
    ActivationOpt,
    CdoctorError,
    ColorOpt,
    FormatOpt,
    OnlyOpt,
    Progress,
    SkipOpt,
    StrictOpt,
    TimeoutOpt,
    emit,
    flags_of,
    run_context,
    secrets,
)
from doctor.knowledge.resolve import Flags
from doctor.run.context import DEFAULT_TIMEOUT


def execute(
    flags: Flags,
    *,
    fmt: str,
    verbose: bool,
    explain_layers: bool,
    only: list[str],
    skip: list[str],
    timeout: float,
    strict: bool,
    allow_activation: bool,
    color: str,
    focus: str | None = None,
    explain: dict[str, Any] | None = None,
) -> int:
    from doctor.render.boundary import redacted
    from doctor.run.exitcodes import exit_code
    from doctor.run.pipeline import run_diagnosis

    if fmt not in ("human", "json", "markdown"):
        raise CdoctorError(f"unknown format {fmt!r}: use human, json or markdown")
    ctx = run_context(flags, timeout, allow_activation=allow_activation, focus_endpoint=focus)
    with Progress("cdoctor: probing the container stack"):
        report = run_diagnosis(ctx, only=only, skip=skip, explain=explain)
    from doctor.run.document import to_document

    doc = redacted(to_document(report), secrets=secrets())
    emit(doc, fmt, verbose=verbose, explain_layers=explain_layers, color=color)
    return int(exit_code(report.diagnosis, report.findings, strict=strict))


def diagnose(
    ctx: typer.Context,
    fmt: FormatOpt = "human",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every check with its timing.")] = False,
    explain_layers: Annotated[bool, typer.Option("--explain", help="Say what each layer of the chain does.")] = False,
    only: OnlyOpt = None,
    skip: SkipOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    strict: StrictOpt = False,
    allow_activation: ActivationOpt = False,
    color: ColorOpt = "auto",
) -> None:
    """Which stack answers `docker`, by what path, and why it fails (the default command)."""
    raise typer.Exit(
        execute(
            flags_of(ctx),
            fmt=fmt,
            verbose=verbose,
            explain_layers=explain_layers,
            only=only or [],
            skip=skip or [],
            timeout=timeout,
            strict=strict,
            allow_activation=allow_activation,
            color=color,
        )
    )
