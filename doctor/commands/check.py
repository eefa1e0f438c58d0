"""`cdoctor check`: a CI preflight — is Docker usable here, as this pipeline needs it?"""

from __future__ import annotations

import os
import sys
import time
from typing import Annotated, Any

import typer

from doctor.commands.common import CdoctorError, run_context, secrets, use_color, write
from doctor.commands.options import ColorOpt, OnlyOpt, SkipOpt, StrictOpt, TimeoutOpt, flags_of
from doctor.knowledge.resolve import Flags
from doctor.render import boundary
from doctor.run.context import DEFAULT_TIMEOUT


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


def check_command(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="human, json or junit.")] = "human",
    wait: Annotated[
        str | None,
        typer.Option(
            "--wait", help="Wait until the endpoint answers /_ping (60s, 2m, 90), then check; exit 4 on the deadline."
        ),
    ] = None,
    require_api: Annotated[str | None, typer.Option("--require-api", help="Minimum API version, e.g. 1.44.")] = None,
    require_server: Annotated[
        str | None, typer.Option("--require-server", help="Minimum engine version, e.g. 24.0.")
    ] = None,
    require_product: Annotated[
        list[str] | None, typer.Option("--require-product", help="Accepted products, e.g. docker-engine,podman.")
    ] = None,
    require_rootless: Annotated[bool, typer.Option("--require-rootless", help="The engine must run rootless.")] = False,
    require_rootful: Annotated[bool, typer.Option("--require-rootful", help="The engine must run as root.")] = False,
    require_containerd: Annotated[
        str | None, typer.Option("--require-containerd", help="Minimum containerd version the engine reports.")
    ] = None,
    require_runtime: Annotated[
        list[str] | None, typer.Option("--require-runtime", help="OCI runtimes the engine must offer, e.g. runc,runsc.")
    ] = None,
    require_cgroup: Annotated[str | None, typer.Option("--require-cgroup", help="cgroup version: 1 or 2.")] = None,
    require_os: Annotated[str | None, typer.Option("--require-os", help="Container OS: linux or windows.")] = None,
    require_arch: Annotated[
        str | None, typer.Option("--require-arch", help="Engine architecture: amd64 or arm64.")
    ] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write the output to this file.")] = None,
    only: OnlyOpt = None,
    skip: SkipOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    strict: StrictOpt = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="The full diagnosis even when healthy.")] = False,
    color: ColorOpt = "auto",
) -> None:
    """A CI preflight: is Docker usable here, as this pipeline needs it? Quiet when it is.

    On GitHub Actions it also writes annotations and the job summary ($GITHUB_STEP_SUMMARY).
    """
    from doctor.gather.wait import parse_duration
    from doctor.knowledge.requirements import Stated, parse_requirements

    if fmt not in ("human", "json", "junit"):
        raise CdoctorError(f"unknown format {fmt!r}: use human, json or junit")
    try:
        reqs = parse_requirements(
            Stated(
                api=require_api,
                server=require_server,
                products=require_product or (),
                rootless=require_rootless,
                rootful=require_rootful,
                containerd=require_containerd,
                runtimes=require_runtime or (),
                cgroup=require_cgroup,
                os_type=require_os,
                arch=require_arch,
            )
        )
        deadline = parse_duration(wait) if wait is not None else None
    except ValueError as e:
        raise CdoctorError(str(e)) from None
    raise typer.Exit(
        execute(
            flags_of(ctx),
            fmt=fmt,
            reqs=reqs,
            deadline=deadline,
            output=output,
            only=only or [],
            skip=skip or [],
            timeout=timeout,
            strict=strict,
            verbose=verbose,
            color=color,
        )
    )


def execute(
    flags: Flags,
    *,
    fmt: str,
    reqs: tuple[Any, ...],
    deadline: float | None,
    output: str | None,
    only: list[str],
    skip: list[str],
    timeout: float,
    strict: bool,
    verbose: bool,
    color: str,
) -> int:
    import io

    from doctor.run.document import build_document
    from doctor.run.exitcodes import exit_code
    from doctor.run.pipeline import run_diagnosis
    from doctor.run.sections import CheckSection, Redaction, Sections, WaitSection

    ctx = run_context(flags, timeout, inventory=False, requirements=reqs)
    wait: WaitSection | None = None
    timed_out = False
    if deadline is not None:
        from doctor.gather.wait import ping_endpoint, wait_until_ready

        progress = WaitProgress(deadline)
        try:
            result = wait_until_ready(
                lambda t: ping_endpoint(ctx, t), deadline, probe_timeout=timeout, on_attempt=progress
            )
        finally:
            progress.done()
        timed_out = not result.ready
        wait = WaitSection(
            deadline=deadline,
            ready=result.ready,
            seconds=result.seconds,
            attempts=result.attempts,
            endpoint=result.last.endpoint if result.last else None,
            last_outcome=result.last.outcome if result.last else None,
        )
        from dataclasses import replace

        # The checks' probe deadlines count from now, not from the process start: a wait
        # longer than --timeout must not leave them with no time (diagnosis-incomplete).
        ctx = replace(ctx, started=time.monotonic())
        if timed_out:
            ctx = replace(ctx, timeout=min(timeout, AFTER_WAIT_TIMEOUT))
    rep = run_diagnosis(ctx, only=only, skip=skip)
    code = exit_code(rep.diagnosis, rep.findings, strict=strict, wait_timed_out=timed_out)
    check_section = CheckSection(exit_code=int(code), strict=strict, requirements=tuple(r.label for r in reqs))
    doc = build_document(rep, Sections(wait=wait, check=check_section), Redaction(secrets=secrets()))
    wait_doc = doc.get("wait")
    # What this command writes itself (the verdict line, the wait line) is terminal text too.
    shown = boundary.sanitise(doc, "terminal")
    buf = io.StringIO()
    if fmt == "json":
        from doctor.render import json as render_json

        render_json.render(doc, buf)
    elif fmt == "junit":
        from doctor.render import junit

        junit.render(doc, buf, strict=strict)
    # The verdict for people: alone with --format human; next to a JSON/JUnit document
    # written to --output, so that a CI log still says what happened.
    text = io.StringIO()
    if fmt == "human" or output is not None:
        if code == 0 and not verbose:
            waited = f" (answered after {wait_doc['seconds']}s)" if wait_doc else ""
            warn = sum(1 for f in doc["findings"] if f["severity"] == "warning")
            text.write(f"✓ {shown['diagnosis']['summary']}{waited}" + (f"; {warn} warning(s)" if warn else "") + "\n")
        else:
            from doctor.render import human

            waited_doc = shown.get("wait")
            if timed_out and waited_doc is not None:
                text.write(
                    f"✗ cdoctor: {waited_doc['endpoint'] or 'the endpoint'} did not answer within {deadline:g}s "
                    f"({waited_doc['attempts']} attempts, last: {waited_doc['last_outcome']})\n\n"
                )
            to_tty = output is None or fmt != "human"
            human.render(doc, text, color=to_tty and use_color(color, sys.stdout), verbose=verbose or code != 0)
    notes = _github(doc, strict=strict) if os.environ.get("GITHUB_ACTIONS") == "true" else ""
    if fmt == "human":
        if output is None:
            write(text.getvalue() + notes, None)
        else:
            write(text.getvalue(), output)
            write(notes, None)
    elif output is not None:
        write(buf.getvalue(), output)
        write(text.getvalue() + notes, None)
    else:
        # stdout carries the document: the workflow commands go to stderr.
        write(buf.getvalue(), None)
        if notes:
            sys.stderr.write(notes)
            sys.stderr.flush()
    return int(code)


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
