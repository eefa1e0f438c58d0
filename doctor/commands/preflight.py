"""`cdoctor check`: a CI preflight — is Docker usable here, as this pipeline needs it?"""

from __future__ import annotations

import os
import sys
import time
from typing import Annotated, Any

import typer

from doctor.commands.common import CdoctorError, run_context, secrets, use_color, write
from doctor.commands.options import ColorOpt, OnlyOpt, SkipOpt, StrictOpt, TimeoutOpt, flags_of, typer_command
from doctor.facts.record import record
from doctor.knowledge.resolve import Flags
from doctor.render import boundary
from doctor.run.context import DEFAULT_TIMEOUT, RunContext
from doctor.run.sections import WaitSection


def _ci() -> bool:
    return any(os.environ.get(v) for v in ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL"))


class WaitProgress:
    """One status line on stderr while waiting: only on a terminal, never in pipes or CI logs."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.enabled = sys.stderr.isatty() and not _ci()
        self.shown = False

    def __call__(self, attempt: int, elapsed: float, last: Any) -> None:
        if not self.enabled or last.ready:
            return
        where = boundary.text(last.endpoint or "the endpoint")
        sys.stderr.write(
            f"\rwaiting for {where}: {last.outcome} ({elapsed:.0f}s of {self.deadline:.0f}s, attempt {attempt})\x1b[K"
        )
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


# After a passed wait deadline the diagnosis runs with at most this probe deadline,
# so that exit 4 comes within a small constant of the deadline asked for.
AFTER_WAIT_TIMEOUT = 1.5


@record
class PreflightOptions:
    fmt: Annotated[str, typer.Option("--format", "-f", help="human, json or junit.")] = "human"
    wait: Annotated[
        str | None,
        typer.Option(
            "--wait", help="Wait until the endpoint answers /_ping (60s, 2m, 90), then check; exit 4 on the deadline."
        ),
    ] = None
    require_api: Annotated[str | None, typer.Option("--require-api", help="Minimum API version, e.g. 1.44.")] = None
    require_server: Annotated[
        str | None, typer.Option("--require-server", help="Minimum engine version, e.g. 24.0.")
    ] = None
    require_product: Annotated[
        list[str] | None, typer.Option("--require-product", help="Accepted products, e.g. docker-engine,podman.")
    ] = None
    require_rootless: Annotated[bool, typer.Option("--require-rootless", help="The engine must run rootless.")] = False
    require_rootful: Annotated[bool, typer.Option("--require-rootful", help="The engine must run as root.")] = False
    require_containerd: Annotated[
        str | None, typer.Option("--require-containerd", help="Minimum containerd version the engine reports.")
    ] = None
    require_runtime: Annotated[
        list[str] | None, typer.Option("--require-runtime", help="OCI runtimes the engine must offer, e.g. runc,runsc.")
    ] = None
    require_cgroup: Annotated[str | None, typer.Option("--require-cgroup", help="cgroup version: 1 or 2.")] = None
    require_os: Annotated[str | None, typer.Option("--require-os", help="Container OS: linux or windows.")] = None
    require_arch: Annotated[str | None, typer.Option("--require-arch", help="Engine architecture: amd64 or arm64.")] = (
        None
    )
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write the output to this file.")] = None
    only: OnlyOpt = None
    skip: SkipOpt = None
    timeout: TimeoutOpt = DEFAULT_TIMEOUT
    strict: StrictOpt = False
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="The full diagnosis even when healthy.")] = False
    color: ColorOpt = "auto"


@record
class _Stated:
    """The command line's values, checked: the requirements and the wait deadline in seconds."""

    reqs: tuple[Any, ...]
    deadline: float | None


@record
class _Waited:
    """How the wait went (None without --wait), and the run context the checks then use."""

    ctx: Any
    section: WaitSection | None = None
    timed_out: bool = False


@typer_command(PreflightOptions)
def preflight(ctx: typer.Context, opts: PreflightOptions) -> None:
    """A CI preflight: is Docker usable here, as this pipeline needs it? Quiet when it is.

    On GitHub Actions it also writes annotations and the job summary ($GITHUB_STEP_SUMMARY).
    """
    if opts.fmt not in ("human", "json", "junit"):
        raise CdoctorError(f"unknown format {opts.fmt!r}: use human, json or junit")
    raise typer.Exit(execute(flags_of(ctx), opts, _stated(opts)))


def _stated(opts: PreflightOptions) -> _Stated:
    from doctor.gather.wait import parse_duration
    from doctor.knowledge.requirements import Stated, parse_requirements

    stated = Stated(
        api=opts.require_api,
        server=opts.require_server,
        products=opts.require_product or (),
        rootless=opts.require_rootless,
        rootful=opts.require_rootful,
        containerd=opts.require_containerd,
        runtimes=opts.require_runtime or (),
        cgroup=opts.require_cgroup,
        os_type=opts.require_os,
        arch=opts.require_arch,
    )
    try:
        return _Stated(parse_requirements(stated), parse_duration(opts.wait) if opts.wait is not None else None)
    except ValueError as e:
        raise CdoctorError(str(e)) from None


def _wait(ctx: RunContext, deadline: float | None) -> _Waited:
    """--wait: ping until the endpoint answers or the deadline passes; then the checks' deadlines count from now."""
    if deadline is None:
        return _Waited(ctx)
    from dataclasses import replace

    from doctor.gather.wait import ping_endpoint, wait_until_ready

    progress = WaitProgress(deadline)
    try:
        result = wait_until_ready(
            lambda t: ping_endpoint(ctx, t), deadline, probe_timeout=ctx.timeout, on_attempt=progress
        )
    finally:
        progress.done()
    section = WaitSection(
        deadline=deadline,
        ready=result.ready,
        seconds=result.seconds,
        attempts=result.attempts,
        endpoint=result.last.endpoint if result.last else None,
        last_outcome=result.last.outcome if result.last else None,
    )
    # The checks' probe deadlines count from now, not from the process start: a wait
    # longer than --timeout must not leave them with no time (diagnosis-incomplete).
    after = replace(ctx, started=time.monotonic())
    if not result.ready:
        after = replace(after, timeout=min(ctx.timeout, AFTER_WAIT_TIMEOUT))
    return _Waited(after, section, not result.ready)


def execute(flags: Flags, opts: PreflightOptions, stated: _Stated) -> int:
    from doctor.run.document import build_document
    from doctor.run.exitcodes import exit_code
    from doctor.run.pipeline import run_diagnosis
    from doctor.run.sections import CheckSection, Redaction, Sections

    ctx = run_context(flags, opts.timeout, inventory=False, requirements=stated.reqs)
    waited = _wait(ctx, stated.deadline)
    rep = run_diagnosis(waited.ctx, only=opts.only or (), skip=opts.skip or ())
    code = int(exit_code(rep.diagnosis, rep.findings, strict=opts.strict, wait_timed_out=waited.timed_out))
    section = CheckSection(exit_code=code, strict=opts.strict, requirements=tuple(r.label for r in stated.reqs))
    doc = build_document(rep, Sections(wait=waited.section, check=section), Redaction(secrets=secrets()))
    _write(opts, _document_text(doc, opts), _verdict(doc, opts, code, waited.timed_out), doc)
    return code


def _document_text(doc: dict[str, Any], opts: PreflightOptions) -> str:
    """--format json or junit: the document itself ("" with --format human)."""
    import io

    buf = io.StringIO()
    if opts.fmt == "json":
        from doctor.render import json as render_json

        render_json.render(doc, buf)
    elif opts.fmt == "junit":
        from doctor.render import junit

        junit.render(doc, buf, strict=opts.strict)
    return buf.getvalue()


def _verdict(doc: dict[str, Any], opts: PreflightOptions, code: int, timed_out: bool) -> str:
    """The verdict for people: alone with --format human; next to a JSON/JUnit document
    written to --output, so that a CI log still says what happened."""
    import io

    if opts.fmt != "human" and opts.output is None:
        return ""
    # What this command writes itself (the verdict line, the wait line) is terminal text too.
    shown = boundary.sanitise(doc, "terminal")
    wait = shown.get("wait")
    if code == 0 and not opts.verbose:
        waited = f" (answered after {wait['seconds']}s)" if wait else ""
        warn = sum(1 for f in doc["findings"] if f["severity"] == "warning")
        return f"✓ {shown['diagnosis']['summary']}{waited}" + (f"; {warn} warning(s)" if warn else "") + "\n"
    from doctor.render import human

    text = io.StringIO()
    if timed_out and wait is not None:
        text.write(
            f"✗ cdoctor: {wait['endpoint'] or 'the endpoint'} did not answer within {wait['deadline']:g}s "
            f"({wait['attempts']} attempts, last: {wait['last_outcome']})\n\n"
        )
    to_tty = opts.output is None or opts.fmt != "human"
    human.render(doc, text, color=to_tty and use_color(opts.color, sys.stdout), verbose=opts.verbose or code != 0)
    return text.getvalue()


def _write(opts: PreflightOptions, document: str, verdict: str, doc: dict[str, Any]) -> None:
    """Where each part goes: the document to --output or stdout, the verdict and the workflow
    commands beside it (to stderr when stdout carries the document)."""
    notes = _github(doc, strict=opts.strict) if os.environ.get("GITHUB_ACTIONS") == "true" else ""
    if opts.fmt == "human":
        if opts.output is None:
            write(verdict + notes, None)
        else:
            write(verdict, opts.output)
            write(notes, None)
    elif opts.output is not None:
        write(document, opts.output)
        write(verdict + notes, None)
    else:
        write(document, None)
        if notes:
            sys.stderr.write(notes)
            sys.stderr.flush()


def _github(doc: dict[str, Any], *, strict: bool) -> str:
    """The annotations (returned, to print) and the job summary (appended to $GITHUB_STEP_SUMMARY).

    GitHub documents workflow commands on stdout; the runner also acts on them on
    stderr (observed: overengineeringstudio/effect-utils#969), which is where they go
    when stdout carries a JSON or JUnit document."""
    from doctor.render import github

    lines = github.annotation_lines(doc, strict=strict)
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        from doctor import output

        # Nobody named this file on the command line: appended only to a regular file, never
        # through a link, never blocking on a FIFO (doctor/output.py).
        try:
            output.append_private(path, github.summary(doc))
        except output.SinkError as e:
            sys.stderr.write(f"cdoctor: {boundary.text(str(e))}\n")
    return "".join(line + "\n" for line in lines)
