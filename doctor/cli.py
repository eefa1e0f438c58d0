"""The `cdoctor` command: argument parsing, stdin/stdout, files asked for. Nothing else.

`main(argv) -> int` never raises: usage errors and internal errors exit 3
with one clear line (internal errors add a paste-ready report on stderr).
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from typing import Annotated, Any, TextIO

import typer

from doctor import STARTED, __version__
from doctor.knowledge.resolve import Flags
from doctor.run.context import DEFAULT_TIMEOUT, RunContext
from doctor.run.exitcodes import EXIT_CODES_HELP, ExitCode


def _click_exceptions() -> Any:
    """click's exception module: typer >= 0.2x vendors click (``typer._click``) and no
    longer installs the ``click`` package; older typers raise the ``click`` package's own.

    Imported by name so that the code type-checks with either typer installed.
    """
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError("neither typer._click nor click is installed")


click_exc = _click_exceptions()

app = typer.Typer(
    name="cdoctor",
    help=(
        "A container-runtime doctor: which Docker-API stack answers here, by what path, "
        "and why `docker` failed — with the fix as a command to paste.\n\n" + EXIT_CODES_HELP
    ),
    add_completion=True,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class CdoctorError(Exception):
    """An expected failure of cdoctor itself: one line, exit 3."""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cdoctor {__version__}")
        raise typer.Exit(0)


@app.callback(invoke_without_command=True)
def _global(
    ctx: typer.Context,
    host: Annotated[
        list[str] | None, typer.Option("--host", "-H", help="Daemon socket to connect to, as `docker -H`.")
    ] = None,
    context: Annotated[
        str | None, typer.Option("--context", "-c", help="Docker context to use, as `docker --context`.")
    ] = None,
    config: Annotated[
        str | None, typer.Option("--config", help="Docker config directory, as `docker --config`.")
    ] = None,
    tls: Annotated[bool, typer.Option("--tls", help="Use TLS, as `docker --tls`.")] = False,
    tlsverify: Annotated[
        bool, typer.Option("--tlsverify", help="Use TLS and verify the remote, as `docker --tlsverify`.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Docker's global options are taken the way docker takes them: `cdoctor -H URL`, `cdoctor -c NAME`."""
    if context and host is not None:
        raise CdoctorError("conflicting options: cannot specify both --host and --context (docker refuses them too)")
    ctx.obj = Flags(
        hosts=tuple(host) if host is not None else None,
        context=context or None,
        config_dir=config,
        tls=tls,
        tlsverify=tlsverify,
    )
    if ctx.invoked_subcommand is None:
        raise typer.Exit(
            _diagnose(
                ctx.obj,
                fmt="human",
                verbose=False,
                explain_layers=False,
                only=[],
                skip=[],
                timeout=DEFAULT_TIMEOUT,
                strict=False,
                allow_activation=False,
                color="auto",
            )
        )


def _flags(ctx: typer.Context) -> Flags:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Flags) else Flags()


FormatOpt = Annotated[str, typer.Option("--format", "-f", help="human, json or markdown.")]
TimeoutOpt = Annotated[
    float, typer.Option("--timeout", "-t", min=0.1, max=120.0, help="Deadline of each probe, in seconds.")
]
OnlyOpt = Annotated[list[str] | None, typer.Option("--only", help="Run only these checks (id or category).")]
SkipOpt = Annotated[list[str] | None, typer.Option("--skip", help="Skip these checks (id or category).")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Exit 2 when there are warnings.")]
ColorOpt = Annotated[str, typer.Option("--color", help="auto, always or never (NO_COLOR is honoured).")]
ActivationOpt = Annotated[
    bool, typer.Option("--allow-activation", help="Connect to systemd-activated sockets (this starts the daemon).")
]


def _use_color(choice: str, stream: TextIO) -> bool:
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


def _secrets() -> tuple[str, ...]:
    from doctor.redact import secret_values

    return secret_values(os.environ)


_first_run = True


def _run_context(flags: Flags, timeout: float, **kw: Any) -> RunContext:
    # The first run of the process counts its deadline from the process's start (a
    # person waits for that); later runs in the same process (tests) from now.
    global _first_run
    started = STARTED if _first_run else time.monotonic()
    _first_run = False
    return RunContext(flags=flags, env=dict(os.environ), timeout=timeout, started=started, **kw)


def _diagnose(
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
    from doctor.redact import scrub
    from doctor.run.exitcodes import exit_code
    from doctor.run.pipeline import run_diagnosis

    if fmt not in ("human", "json", "markdown"):
        raise CdoctorError(f"unknown format {fmt!r}: use human, json or markdown")
    ctx = _run_context(flags, timeout, allow_activation=allow_activation, focus_endpoint=focus)
    with Progress("cdoctor: probing the container stack"):
        report = run_diagnosis(ctx, only=only, skip=skip, explain=explain)
    from doctor.run.document import to_document

    doc = scrub(to_document(report), secrets=_secrets())
    _emit(doc, fmt, verbose=verbose, explain_layers=explain_layers, color=color)
    return int(exit_code(report.diagnosis, report.findings, strict=strict))


def _emit(
    doc: dict[str, Any],
    fmt: str,
    *,
    verbose: bool = False,
    explain_layers: bool = False,
    color: str = "auto",
    out: TextIO | None = None,
) -> None:
    stream = out or sys.stdout
    if fmt == "json":
        from doctor.render import json as render_json

        render_json.render(doc, stream)
    elif fmt == "markdown":
        from doctor.render import markdown

        markdown.render(doc, stream, title="cdoctor explain" if doc.get("explain") else "cdoctor report")
    else:
        from doctor.render import human

        human.render(doc, stream, color=_use_color(color, stream), verbose=verbose, explain_layers=explain_layers)


@app.command(epilog=EXIT_CODES_HELP)
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
        _diagnose(
            _flags(ctx),
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


@app.command(epilog=EXIT_CODES_HELP)
def stack(
    ctx: typer.Context,
    fmt: FormatOpt = "human",
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    color: ColorOpt = "auto",
) -> None:
    """The chain `docker ps` travels on this machine, with what each layer does."""
    raise typer.Exit(
        _diagnose(
            _flags(ctx),
            fmt=fmt,
            verbose=False,
            explain_layers=True,
            only=[],
            skip=[],
            timeout=timeout,
            strict=False,
            allow_activation=False,
            color=color,
        )
    )


@app.command("checks")
def list_checks(fmt: FormatOpt = "human") -> None:
    """List every check: id, title, category and the package it comes from."""
    from tabulate import tabulate

    from doctor.run.plugins import load

    loaded, errors = load()
    if fmt == "json":
        import json

        json.dump(
            {
                "checks": [
                    {
                        "id": c.check.id,
                        "title": c.check.title,
                        "category": c.check.category,
                        "plugin": c.plugin,
                        "origin": c.origin,
                    }
                    for c in loaded
                ],
                "errors": [
                    {"plugin": e.name, "value": e.value, "origin": e.origin, "reason": e.reason} for e in errors
                ],
            },
            sys.stdout,
            indent=2,
        )
        sys.stdout.write("\n")
    else:
        rows = [(c.check.id, c.check.title, c.check.category, c.origin) for c in loaded]
        typer.echo(tabulate(rows, headers=["id", "title", "category", "from"], tablefmt="simple"))
        for e in errors:
            typer.echo(f"! plugin {e.name} ({e.value}, {e.origin}) {e.reason}")
    raise typer.Exit(0)


@app.command(epilog=EXIT_CODES_HELP)
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

    raw = _read_input(text, file)
    reading, paste = explain_reading(raw)
    if offline:
        doc = explain_offline(reading, paste, timeout=timeout)
        from doctor.redact import scrub

        _emit(scrub(doc, secrets=_secrets()), fmt, color=color, verbose=verbose)
        raise typer.Exit(1 if doc["diagnosis"]["primary_cause"] else 0)
    explain_doc = {
        "symptom": reading.symptom,
        "endpoint": reading.endpoint,
        "client": reading.client,
        "product_hint": None,
        "cli_version_hint": reading.cli_version_hint,
        "text_cause": reading.cause,
        "evidence": list(reading.evidence),
    }
    from doctor.run.pipeline import product_hint

    explain_doc["product_hint"] = product_hint(reading.endpoint, os.environ.get("HOME"), os.getuid())
    raise typer.Exit(
        _diagnose(
            _flags(ctx),
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


def _write(text: str, output: str | None) -> None:
    """stdout, or the one file the user asked for (`--output`): the only file cdoctor writes."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise CdoctorError(f"cannot write {output}: {e.strerror}") from None


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


def _versions(doc: dict[str, Any]) -> dict[str, Any]:
    import platform

    cli = next((c for c in doc.get("chain") or [] if c.get("layer") == "cli" and c.get("seen")), None)
    engine = doc.get("engine") or {}
    return {
        "cdoctor": doc["tool"]["version"],
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
        "cli": (cli or {}).get("version") or (cli or {}).get("label"),
        "engine": engine.get("server_version"),
        "engine_api": engine.get("api_version"),
        "engine_product": engine.get("product"),
    }


@app.command(epilog=EXIT_CODES_HELP)
def report(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="markdown (default) or json.")] = "markdown",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write the report to this file instead of stdout.")
    ] = None,
    anonymize: Annotated[
        bool, typer.Option("--anonymize", help="Also replace user name, home, host name and IP addresses.")
    ] = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    allow_activation: ActivationOpt = False,
) -> None:
    """A redacted report to paste into an issue or a support ticket (Markdown, or --format json).

    Secrets are always removed; --anonymize also replaces identities with placeholders.
    """
    from doctor.redact import scrub
    from doctor.run.exitcodes import exit_code
    from doctor.run.pipeline import run_diagnosis

    if fmt not in ("markdown", "json"):
        raise CdoctorError(f"unknown format {fmt!r}: use markdown or json")
    run = _run_context(_flags(ctx), timeout, allow_activation=allow_activation)
    with Progress("cdoctor: collecting the report"):
        rep = run_diagnosis(run)
    from doctor.run.document import to_document

    raw = to_document(rep)
    raw["report"] = {"versions": _versions(raw)}
    anon = _anonymizer() if anonymize else None
    doc = scrub(raw, anon, secrets=_secrets())
    # What kinds were replaced is known only after scrubbing; the values never are.
    doc["report"]["redaction"] = {
        "secrets": "always removed",
        "anonymize": anonymize,
        "anonymized": sorted(anon.replaced) if anon is not None else [],
    }
    import io

    buf = io.StringIO()
    if fmt == "json":
        from doctor.render import json as render_json

        render_json.render(doc, buf)
    else:
        from doctor.render import markdown

        markdown.render(doc, buf)
    _write(buf.getvalue(), output)
    if output:
        sys.stderr.write(f"cdoctor: report written to {output}\n")
    raise typer.Exit(int(exit_code(rep.diagnosis, rep.findings)))


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
        from doctor.redact import scrub_text

        where = scrub_text(last.endpoint or "the endpoint")
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


@app.command("check", epilog=EXIT_CODES_HELP)
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
    from doctor.knowledge.requirements import parse_requirements

    if fmt not in ("human", "json", "junit"):
        raise CdoctorError(f"unknown format {fmt!r}: use human, json or junit")
    try:
        reqs = parse_requirements(
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
        deadline = parse_duration(wait) if wait is not None else None
    except ValueError as e:
        raise CdoctorError(str(e)) from None
    raise typer.Exit(
        _check(
            _flags(ctx),
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


def _check(
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
    import json

    from doctor.redact import scrub
    from doctor.run.document import to_document
    from doctor.run.exitcodes import exit_code
    from doctor.run.pipeline import run_diagnosis

    ctx = _run_context(flags, timeout, inventory=False, requirements=reqs)
    wait_doc: dict[str, Any] | None = None
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
        wait_doc = {
            "deadline": deadline,
            "ready": result.ready,
            "seconds": round(result.seconds, 2),
            "attempts": result.attempts,
            "endpoint": result.last.endpoint if result.last else None,
            "last_outcome": result.last.outcome if result.last else None,
        }
        if timed_out:
            from dataclasses import replace

            ctx = replace(ctx, timeout=min(timeout, AFTER_WAIT_TIMEOUT))
    rep = run_diagnosis(ctx, only=only, skip=skip)
    code = exit_code(rep.diagnosis, rep.findings, strict=strict, wait_timed_out=timed_out)
    raw = to_document(rep)
    if wait_doc is not None:
        raw["wait"] = wait_doc
    raw["check"] = {
        "exit_code": int(code),
        "strict": strict,
        "requirements": [r.label for r in reqs],
    }
    doc = scrub(raw, secrets=_secrets())
    buf = io.StringIO()
    if fmt == "json":
        json.dump(doc, buf, indent=2, ensure_ascii=False)
        buf.write("\n")
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
            text.write(f"✓ {doc['diagnosis']['summary']}{waited}" + (f"; {warn} warning(s)" if warn else "") + "\n")
        else:
            from doctor.render import human

            if timed_out and wait_doc is not None:
                text.write(
                    f"✗ cdoctor: {wait_doc['endpoint'] or 'the endpoint'} did not answer within {deadline:g}s "
                    f"({wait_doc['attempts']} attempts, last: {wait_doc['last_outcome']})\n\n"
                )
            to_tty = output is None or fmt != "human"
            human.render(doc, text, color=to_tty and _use_color(color, sys.stdout), verbose=verbose or code != 0)
    notes = _github(doc, strict=strict) if os.environ.get("GITHUB_ACTIONS") == "true" else ""
    if fmt == "human":
        if output is None:
            _write(text.getvalue() + notes, None)
        else:
            _write(text.getvalue(), output)
            _write(notes, None)
    elif output is not None:
        _write(buf.getvalue(), output)
        _write(text.getvalue() + notes, None)
    else:
        # stdout carries the document: the workflow commands go to stderr.
        _write(buf.getvalue(), None)
        sys.stderr.write(notes)
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
        try:
            with open(path, "a", encoding="utf-8") as f:
                f.write(github.summary(doc))
        except OSError as e:
            sys.stderr.write(f"cdoctor: cannot append the job summary to {path}: {e.strerror}\n")
    return "".join(line + "\n" for line in lines)


MAX_INPUT = 64 * 1024 * 1024


def _read_input(text: list[str] | None, file: str | None) -> str:
    if text:
        return " ".join(text)
    if file:
        try:
            with open(file, "rb") as f:
                data = f.read(MAX_INPUT)
        except OSError as e:
            raise CdoctorError(f"cannot read {file}: {e.strerror}") from None
    else:
        if sys.stdin is None or sys.stdin.isatty():
            raise CdoctorError(
                "give the error text as an argument, with --file, or on stdin: docker ps 2>&1 | cdoctor explain"
            )
        data = sys.stdin.buffer.read(MAX_INPUT)
    return data.decode("utf-8", errors="replace")


_FAST_GLOBAL_VALUE = {"-H": "host", "--host": "host", "-c": "context", "--context": "context", "--config": "config"}
_FAST_GLOBAL_FLAG = {"--tls": "tls", "--tlsverify": "tlsverify"}
_FAST_VALUE = {"--format": "fmt", "-f": "fmt", "--timeout": "timeout", "-t": "timeout", "--color": "color"}
_FAST_VALUE_LIST = {"--only": "only", "--skip": "skip"}
_FAST_FLAG = {
    "--verbose": "verbose",
    "-v": "verbose",
    "--explain": "explain_layers",
    "--strict": "strict",
    "--allow-activation": "allow_activation",
}


def _fast_diagnose(args: list[str]) -> int | None:
    """`cdoctor [global options] [diagnose [options]]` without typer; None for anything else.

    Typer (>= 0.2x) builds a pydantic validator for every option it parses, which
    costs more than the whole diagnosis of a healthy engine (bench/bench.py). The
    common invocations are parsed here with the same meaning; help, other commands,
    unknown or malformed options go through typer, which words the errors.
    """
    opts: dict[str, Any] = {"host": [], "only": [], "skip": []}
    i, sub = 0, False
    while i < len(args):
        arg = args[i]
        name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if arg == "diagnose" and not sub:
            sub = True
        elif name in _FAST_GLOBAL_FLAG and not sub and not eq:
            opts[_FAST_GLOBAL_FLAG[name]] = True
        elif name in _FAST_FLAG and sub and not eq:
            opts[_FAST_FLAG[name]] = True
        elif (name in _FAST_GLOBAL_VALUE and not sub) or (sub and (name in _FAST_VALUE or name in _FAST_VALUE_LIST)):
            if eq:
                value = inline
            elif i + 1 < len(args) and not args[i + 1].startswith("-"):
                i += 1
                value = args[i]
            else:
                return None
            key = _FAST_GLOBAL_VALUE.get(name) or _FAST_VALUE.get(name) or _FAST_VALUE_LIST[name]
            if isinstance(opts.get(key), list):
                opts[key].append(value)
            elif key in opts:
                return None  # given twice: typer's rules decide
            else:
                opts[key] = value
        else:
            return None
        i += 1
    try:
        timeout = float(opts.get("timeout", DEFAULT_TIMEOUT))
    except ValueError:
        return None
    if not 0.1 <= timeout <= 120.0 or opts.get("fmt", "human") not in ("human", "json"):
        return None
    if opts.get("color", "auto") not in ("auto", "always", "never") or (opts.get("context") and opts["host"]):
        return None
    flags = Flags(
        hosts=tuple(opts["host"]) if opts["host"] else None,
        context=opts.get("context") or None,
        config_dir=opts.get("config"),
        tls=bool(opts.get("tls")),
        tlsverify=bool(opts.get("tlsverify")),
    )
    return _diagnose(
        flags,
        fmt=opts.get("fmt", "human"),
        verbose=bool(opts.get("verbose")),
        explain_layers=bool(opts.get("explain_layers")),
        only=opts["only"],
        skip=opts["skip"],
        timeout=timeout,
        strict=bool(opts.get("strict")),
        allow_activation=bool(opts.get("allow_activation")),
        color=opts.get("color", "auto"),
    )


COMMANDS = frozenset({"diagnose", "stack", "checks", "explain", "report", "check"})
_TOP_LEVEL_ONLY = frozenset({"--help", "-h", "--version", "--install-completion", "--show-completion"})


def default_to_diagnose(args: list[str]) -> list[str]:
    """`cdoctor -v`, `cdoctor --format json`: options after docker's global ones belong to `diagnose`.

    docker's global options (-H, -c, --config, --tls, --tlsverify) come first, as
    with docker itself; the first thing after them that is not a command starts
    diagnose's own options, so bare `cdoctor` takes them as a person expects.
    """
    i = 0
    while i < len(args):
        arg = args[i]
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if arg in _TOP_LEVEL_ONLY or arg in COMMANDS:
            return args
        if name in _FAST_GLOBAL_VALUE:
            i += 1 if "=" in arg else 2
        elif name in _FAST_GLOBAL_FLAG:
            i += 1
        else:
            return [*args[:i], "diagnose", *args[i:]]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run cdoctor; return the exit code (docs/output-contract.md)."""
    args = default_to_diagnose(list(sys.argv[1:] if argv is None else argv))
    try:
        fast = _fast_diagnose(args)
        if fast is not None:
            return fast
        rc = app(args=args, prog_name="cdoctor", standalone_mode=False)
    except typer.Exit as e:
        return int(e.exit_code)
    except click_exc.UsageError as e:
        sys.stderr.write(f"cdoctor: {e.format_message()}\n")
        if e.ctx is not None:
            sys.stderr.write(f"Try '{e.ctx.command_path} --help'.\n")
        return int(ExitCode.INTERNAL)
    except typer.Abort:
        sys.stderr.write("cdoctor: interrupted\n")
        return 130
    except CdoctorError as e:
        sys.stderr.write(f"cdoctor: {e}\n")
        return int(ExitCode.INTERNAL)
    except click_exc.ClickException as e:
        sys.stderr.write(f"cdoctor: {e.format_message()}\n")
        return int(ExitCode.INTERNAL)
    except KeyboardInterrupt:
        sys.stderr.write("cdoctor: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:
        # A bug in cdoctor: one line by default; the traceback only when asked for.
        sys.stderr.write(f"cdoctor: internal error: {type(e).__name__}: {str(e)[:300]}\n")
        if os.environ.get("CDOCTOR_DEBUG"):
            sys.stderr.write(
                f"```\ncdoctor {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n"
                + "".join(traceback.format_exception(e))[-4000:]
                + "```\n"
            )
        else:
            sys.stderr.write("Run again with CDOCTOR_DEBUG=1 for a report to paste into an issue.\n")
        return int(ExitCode.INTERNAL)
    return rc if isinstance(rc, int) else 0
