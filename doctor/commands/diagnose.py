"""`cdoctor diagnose` (the default command): which stack answers `docker`, by what path, why it fails.

No typer here: the common invocation runs this straight from doctor/main.py's fast path; the
typer signature of the command is in doctor/cli.py, beside docker's global options."""

from __future__ import annotations

from typing import Any

from doctor.commands.common import CdoctorError, Progress, emit, run_context, secrets
from doctor.knowledge.resolve import Flags


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


def execute_fast(values: dict[str, Any]) -> int:
    """Run what doctor.commands.grammar.parse_fast read (`cdoctor [global options] [diagnose [options]]`)."""
    flags = Flags(
        hosts=tuple(values["host"]) if values["host"] else None,
        context=str(values["context"]) if values["context"] else None,
        config_dir=str(values["config"]) if values["config"] is not None else None,
        tls=bool(values["tls"]),
        tlsverify=bool(values["tlsverify"]),
    )
    return execute(
        flags,
        fmt=str(values["fmt"]),
        verbose=bool(values["verbose"]),
        explain_layers=bool(values["explain_layers"]),
        only=list(values["only"]),
        skip=list(values["skip"]),
        timeout=float(values["timeout"]),
        strict=bool(values["strict"]),
        allow_activation=bool(values["allow_activation"]),
        color=str(values["color"]),
    )
