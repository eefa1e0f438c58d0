"""`cdoctor report`: a redacted report to paste into an issue or a support ticket."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from doctor.commands.common import CdoctorError, Progress, run_context, secrets, write
from doctor.commands.options import ActivationOpt, TimeoutOpt, flags_of, typer_command
from doctor.facts.record import record
from doctor.run.context import DEFAULT_TIMEOUT


def _anonymizer() -> Any:
    import pwd
    import socket

    from doctor.redact import Anonymizer

    try:
        entry = pwd.getpwuid(os.getuid())
        user, home = entry.pw_name, entry.pw_dir
    except KeyError:
        user, home = os.environ.get("USER", ""), ""
    return Anonymizer(
        user=user or os.environ.get("USER"),
        home=os.environ.get("HOME") or home or None,
        hostname=socket.gethostname() or None,
        extra_names=tuple(n for n in {os.environ.get("USER", ""), os.environ.get("LOGNAME", "")} if n and n != user),
    )


@record
class ReportOptions:
    fmt: Annotated[str, typer.Option("--format", "-f", help="markdown (default) or json.")] = "markdown"
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write the report to this file instead of stdout.")
    ] = None
    anonymize: Annotated[
        bool, typer.Option("--anonymize", help="Also replace user name, home, host name and IP addresses.")
    ] = False
    timeout: TimeoutOpt = DEFAULT_TIMEOUT
    allow_activation: ActivationOpt = False


@typer_command(ReportOptions)
def report(ctx: typer.Context, opts: ReportOptions) -> None:
    """A redacted report to paste into an issue or a support ticket (Markdown, or --format json).

    Secrets are always removed; --anonymize also replaces identities with placeholders.
    """
    from doctor.run.document import build_document
    from doctor.run.exitcodes import exit_code
    from doctor.run.pipeline import run_diagnosis
    from doctor.run.sections import Redaction, ReportSection, Sections

    fmt, output, anonymize = opts.fmt, opts.output, opts.anonymize
    if fmt not in ("markdown", "json"):
        raise CdoctorError(f"unknown format {fmt!r}: use markdown or json")
    run = run_context(flags_of(ctx), opts.timeout, allow_activation=opts.allow_activation)
    with Progress("cdoctor: collecting the report"):
        result = run_diagnosis(run)
    redaction = Redaction(secrets=secrets(), anonymizer=_anonymizer() if anonymize else None)
    doc = build_document(result, Sections(report=ReportSection(anonymize=anonymize)), redaction)
    import io

    buf = io.StringIO()
    if fmt == "json":
        from doctor.render import json as render_json

        render_json.render(doc, buf)
    else:
        from doctor.render import markdown

        markdown.render(doc, buf)
    write(buf.getvalue(), output)
    if output:
        from doctor.render.boundary import text as safe

        sys.stderr.write(f"cdoctor: report written to {safe(output)}\n")
    raise typer.Exit(int(exit_code(result.diagnosis, result.findings)))
