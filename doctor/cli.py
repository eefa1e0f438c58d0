"""The `cdoctor` command: the typer app wiring doctor/commands, the fast path, main(). Nothing else.

`main(argv) -> int` never raises: usage errors and internal errors exit 3
with one clear line (internal errors add a paste-ready report on stderr).
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from doctor import __version__
from doctor.commands import check, checks_list, diagnose, docker_plugin, explain, fix, report, stack
from doctor.commands.common import CdoctorError
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
            diagnose.execute(
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


# One module per command (doctor/commands); registered here, imported when the module is.
app.command(epilog=EXIT_CODES_HELP)(diagnose.diagnose)
app.command(epilog=EXIT_CODES_HELP)(stack.stack)
app.command("checks")(checks_list.list_checks)
app.command(epilog=EXIT_CODES_HELP)(explain.explain)
app.command(epilog=EXIT_CODES_HELP)(report.report)
app.command("check", epilog=EXIT_CODES_HELP)(check.check_command)
app.command("fix", epilog=EXIT_CODES_HELP)(fix.fix_command)
app.add_typer(docker_plugin.typer_app(), name="docker-plugin")


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
    return diagnose.execute(
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


COMMANDS = frozenset({"diagnose", "stack", "checks", "explain", "report", "check", "fix", "docker-plugin"})
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
    from doctor import output
    from doctor.render.boundary import text as safe
    from doctor.run.pipeline import UnknownSelector

    output.pin_streams()
    args = default_to_diagnose(list(sys.argv[1:] if argv is None else argv))
    try:
        fast = _fast_diagnose(args)
        if fast is not None:
            return fast
        rc = app(args=args, prog_name="cdoctor", standalone_mode=False)
    except typer.Exit as e:
        return int(e.exit_code)
    # Every message below may quote what the user or the system gave (a path, an option's value):
    # it goes through the terminal boundary like everything else cdoctor writes.
    except click_exc.UsageError as e:
        sys.stderr.write(f"cdoctor: {safe(' '.join(e.format_message().split()))}\n")
        if e.ctx is not None:
            sys.stderr.write(f"Try '{safe(e.ctx.command_path)} --help'.\n")
        return int(ExitCode.INTERNAL)
    except UnknownSelector as e:
        sys.stderr.write(f"cdoctor: {safe(str(e))}\n")
        return int(ExitCode.INTERNAL)
    except typer.Abort:
        sys.stderr.write("cdoctor: interrupted\n")
        return 130
    except CdoctorError as e:
        sys.stderr.write(f"cdoctor: {safe(str(e))}\n")
        return int(ExitCode.INTERNAL)
    except click_exc.ClickException as e:
        sys.stderr.write(f"cdoctor: {safe(e.format_message())}\n")
        return int(ExitCode.INTERNAL)
    except KeyboardInterrupt:
        sys.stderr.write("cdoctor: interrupted\n")
        return 130
    except BrokenPipeError:
        output.quiet_broken_pipe()
        return 0
    except Exception as e:
        # A bug in cdoctor: one line by default; the traceback only when asked for.
        sys.stderr.write(f"cdoctor: internal error: {type(e).__name__}: {safe(str(e)[:300])}\n")
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
