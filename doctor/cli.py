"""The `cdoctor` command: argument parsing, stdin/stdout, files asked for. Nothing else.

`main(argv) -> int` never raises: usage errors and internal errors exit 3
with one clear line (internal errors add a paste-ready report on stderr).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from typing import Annotated, Any, TextIO

import typer

try:  # typer >= 0.2x vendors click and raises its own copies of click's exceptions
    from typer._click import exceptions as click_exc
except ImportError:  # older typer uses the click package
    from click import exceptions as click_exc  # type: ignore[no-redef]


from doctor import __version__
from doctor.context import DEFAULT_TIMEOUT, RunContext
from doctor.exitcodes import EXIT_CODES_HELP, ExitCode
from doctor.resolve import Flags

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


FormatOpt = Annotated[str, typer.Option("--format", "-f", help="human or json.")]
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


def _run_context(flags: Flags, timeout: float, **kw: Any) -> RunContext:
    return RunContext(flags=flags, env=dict(os.environ), timeout=timeout, **kw)


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
    from doctor.app import run_diagnosis
    from doctor.exitcodes import exit_code
    from doctor.redact import scrub

    if fmt not in ("human", "json"):
        raise CdoctorError(f"unknown format {fmt!r}: use human or json")
    ctx = _run_context(flags, timeout, allow_activation=allow_activation, focus_endpoint=focus)
    with Progress("cdoctor: probing the container stack"):
        report = run_diagnosis(ctx, only=only, skip=skip, explain=explain)
    from doctor.render.document import to_document

    doc = scrub(to_document(report))
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

    from doctor.plugins import load

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
    from doctor.app import explain_offline, explain_reading

    raw = _read_input(text, file)
    reading, paste = explain_reading(raw)
    if offline:
        doc = explain_offline(reading, paste, timeout=timeout)
        from doctor.redact import scrub

        _emit(scrub(doc), fmt, color=color, verbose=verbose)
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
    from doctor.app import product_hint

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


def main(argv: Sequence[str] | None = None) -> int:
    """Run cdoctor; return the exit code (docs/output-contract.md)."""
    args = list(sys.argv[1:] if argv is None else argv)
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
