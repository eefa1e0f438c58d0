"""`cdoctor`'s entry point: argv in, exit code out (docs/output-contract.md). Never raises.

The common invocation, `cdoctor [global options] [diagnose [options]]`, is parsed
from the declarations in doctor/commands/grammar.py and run without importing
typer (which costs more than the diagnosis of a healthy engine); everything
else goes to the typer app in doctor/cli.py. Usage errors and internal errors
exit 3 with one clear line (internal errors add a paste-ready report on stderr).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def _run(args: list[str]) -> int:
    from doctor.commands import grammar

    if args == ["--version"]:  # typer's --version says the same (tests/test_cli.py)
        from doctor import __version__

        sys.stdout.write(f"cdoctor {__version__}\n")
        return 0
    fast = grammar.parse_fast(args)
    if fast is not None:
        from doctor.commands import diagnose

        return diagnose.execute_fast(fast)
    from doctor.cli import run_app

    return run_app(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run cdoctor; return the exit code."""
    from doctor import output
    from doctor.commands.common import CdoctorError
    from doctor.commands.grammar import default_to_diagnose
    from doctor.run.exitcodes import ExitCode

    output.pin_streams()
    args = default_to_diagnose(list(sys.argv[1:] if argv is None else argv))
    # Every message below may quote what the user or the system gave (a path, an option's value):
    # it goes through the terminal boundary like everything else cdoctor writes.
    try:
        return _run(args)
    except CdoctorError as e:
        _usage_error(e)
        return int(ExitCode.INTERNAL)
    except KeyboardInterrupt:
        sys.stderr.write("cdoctor: interrupted\n")
        return 130
    except BrokenPipeError:
        output.quiet_broken_pipe()
        return 0
    except Exception as e:
        from doctor.run.pipeline import UnknownSelector

        if isinstance(e, UnknownSelector):
            _usage_error(e)
        else:
            _internal_error(e)
        return int(ExitCode.INTERNAL)


def _usage_error(e: Exception) -> None:
    from doctor.render.boundary import text as safe

    sys.stderr.write(f"cdoctor: {safe(str(e))}\n")


def _internal_error(e: Exception) -> None:
    """A bug in cdoctor: one line by default; the traceback only when asked for."""
    import os
    import traceback

    from doctor import __version__
    from doctor.render.boundary import text as safe

    sys.stderr.write(f"cdoctor: internal error: {type(e).__name__}: {safe(str(e)[:300])}\n")
    if os.environ.get("CDOCTOR_DEBUG"):
        sys.stderr.write(
            f"```\ncdoctor {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n"
            + safe("".join(traceback.format_exception(e))[-4000:])
            + "```\n"
        )
    else:
        sys.stderr.write("Run again with CDOCTOR_DEBUG=1 for a report to paste into an issue.\n")


if __name__ == "__main__":
    sys.exit(main())
