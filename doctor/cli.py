"""The typer app: docker's global options, the `diagnose` signature, and the wiring of doctor/commands.

doctor/main.py is the entry point; it comes here for everything but the common
invocation, which it parses from doctor/commands/grammar.py without typer.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from doctor import __version__
from doctor.commands import checks_list, diagnose, docker_plugin, explain, fix, preflight, report, stack
from doctor.commands.common import CdoctorError
from doctor.commands.options import (
    ActivationOpt,
    ColorOpt,
    FormatOpt,
    OnlyOpt,
    SkipOpt,
    StrictOpt,
    TimeoutOpt,
    flags_of,
    typer_command,
)
from doctor.facts.record import record
from doctor.knowledge.resolve import Flags
from doctor.run.context import DEFAULT_TIMEOUT
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


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cdoctor {__version__}")
        raise typer.Exit(0)


@record
class GlobalArgs:
    """docker's global options, as typer reads them (options.typer_command)."""

    host: Annotated[
        list[str] | None, typer.Option("--host", "-H", help="Daemon socket to connect to, as `docker -H`.")
    ] = None
    context: Annotated[
        str | None, typer.Option("--context", "-c", help="Docker context to use, as `docker --context`.")
    ] = None
    config: Annotated[str | None, typer.Option("--config", help="Docker config directory, as `docker --config`.")] = (
        None
    )
    tls: Annotated[bool, typer.Option("--tls", help="Use TLS, as `docker --tls`.")] = False
    tlsverify: Annotated[
        bool, typer.Option("--tlsverify", help="Use TLS and verify the remote, as `docker --tlsverify`.")
    ] = False
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False


@app.callback(invoke_without_command=True)
@typer_command(GlobalArgs)
def _global(ctx: typer.Context, args: GlobalArgs) -> None:
    """Docker's global options are taken the way docker takes them: `cdoctor -H URL`, `cdoctor -c NAME`."""
    if args.context and args.host is not None:
        raise CdoctorError("conflicting options: cannot specify both --host and --context (docker refuses them too)")
    ctx.obj = Flags(
        hosts=tuple(args.host) if args.host is not None else None,
        context=args.context or None,
        config_dir=args.config,
        tls=args.tls,
        tlsverify=args.tlsverify,
    )
    if ctx.invoked_subcommand is None:
        raise typer.Exit(diagnose.execute(ctx.obj, diagnose.DiagnoseOptions()))


@record
class DiagnoseArgs:
    """`cdoctor diagnose`'s options, as typer reads them (options.typer_command)."""

    fmt: FormatOpt = "human"
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every check with its timing.")] = False
    layer_roles: Annotated[bool, typer.Option("--explain", help="Say what each layer of the chain does.")] = False
    only: OnlyOpt = None
    skip: SkipOpt = None
    timeout: TimeoutOpt = DEFAULT_TIMEOUT
    strict: StrictOpt = False
    allow_activation: ActivationOpt = False
    color: ColorOpt = "auto"


@typer_command(DiagnoseArgs)
def diagnose_command(ctx: typer.Context, args: DiagnoseArgs) -> None:
    """Which stack answers `docker`, by what path, and why it fails (the default command)."""
    raise typer.Exit(
        diagnose.execute(
            flags_of(ctx),
            diagnose.DiagnoseOptions(
                fmt=args.fmt,
                verbose=args.verbose,
                layer_roles=args.layer_roles,
                only=tuple(args.only or ()),
                skip=tuple(args.skip or ()),
                timeout=args.timeout,
                strict=args.strict,
                allow_activation=args.allow_activation,
                color=args.color,
            ),
        )
    )


# One module per command (doctor/commands); registered here, imported when the module is.
app.command("diagnose", epilog=EXIT_CODES_HELP)(diagnose_command)
app.command(epilog=EXIT_CODES_HELP)(stack.stack)
app.command("checks")(checks_list.list_checks)
app.command(epilog=EXIT_CODES_HELP)(explain.explain)
app.command(epilog=EXIT_CODES_HELP)(report.report)
app.command("check", epilog=EXIT_CODES_HELP)(preflight.preflight)
app.command("fix", epilog=EXIT_CODES_HELP)(fix.fix_command)
app.add_typer(docker_plugin.typer_app(), name="docker-plugin")


def run_app(args: list[str]) -> int:
    """Parse `args` with typer and run the command; typer's own exits and usage errors become exit codes.

    Anything else propagates to doctor.main.main, which turns it into one line and exit 3."""
    from doctor.render.boundary import text as safe

    try:
        rc = app(args=args, prog_name="cdoctor", standalone_mode=False)
    except typer.Exit as e:
        return int(e.exit_code)
    except click_exc.UsageError as e:
        sys.stderr.write(f"cdoctor: {safe(' '.join(e.format_message().split()))}\n")
        if e.ctx is not None:
            sys.stderr.write(f"Try '{safe(e.ctx.command_path)} --help'.\n")
        return int(ExitCode.INTERNAL)
    except typer.Abort:
        sys.stderr.write("cdoctor: interrupted\n")
        return 130
    except click_exc.ClickException as e:
        sys.stderr.write(f"cdoctor: {safe(e.format_message())}\n")
        return int(ExitCode.INTERNAL)
    return rc if isinstance(rc, int) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point (doctor/main.py); here too for callers that import it from the typer module."""
    from doctor.main import main as entry

    return entry(argv)
