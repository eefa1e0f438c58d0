"""`cdoctor diagnose` (the default command): which stack answers `docker`, by what path, why it fails.

No typer here: the common invocation runs this straight from doctor/main.py's fast path; the
typer signature of the command is in doctor/cli.py, beside docker's global options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from doctor.commands.common import CdoctorError, Look, Progress, emit, run_context, secrets
from doctor.facts.record import record
from doctor.knowledge.resolve import Flags
from doctor.run.context import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from doctor.run.sections import ExplainSection


@record
class DiagnoseOptions:
    """What a diagnosis is asked for (diagnose, stack and the live explain share it)."""

    fmt: str = "human"
    verbose: bool = False
    layer_roles: bool = False
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT
    strict: bool = False
    allow_activation: bool = False
    color: str = "auto"
    focus: str | None = None  # explain: the endpoint the error text names
    explain: ExplainSection | None = None


def execute(flags: Flags, opts: DiagnoseOptions) -> int:
    from doctor.run.document import build_document
    from doctor.run.exitcodes import exit_code
    from doctor.run.pipeline import run_diagnosis
    from doctor.run.sections import Redaction

    if opts.fmt not in ("human", "json", "markdown"):
        raise CdoctorError(f"unknown format {opts.fmt!r}: use human, json or markdown")
    ctx = run_context(flags, opts.timeout, allow_activation=opts.allow_activation, focus_endpoint=opts.focus)
    with Progress("cdoctor: probing the container stack"):
        result = run_diagnosis(ctx, only=opts.only, skip=opts.skip, explain=opts.explain)
    doc = build_document(result, redaction=Redaction(secrets=secrets()))
    emit(doc, Look(opts.fmt, opts.verbose, opts.layer_roles, opts.color))
    return int(exit_code(result.diagnosis, result.findings, strict=opts.strict))


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
        DiagnoseOptions(
            fmt=str(values["fmt"]),
            verbose=bool(values["verbose"]),
            layer_roles=bool(values["layer_roles"]),
            only=tuple(values["only"]),
            skip=tuple(values["skip"]),
            timeout=float(values["timeout"]),
            strict=bool(values["strict"]),
            allow_activation=bool(values["allow_activation"]),
            color=str(values["color"]),
        ),
    )
