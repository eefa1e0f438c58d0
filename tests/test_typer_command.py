"""doctor/commands/options.typer_command: a command's options are one record, typer still sees each."""

from __future__ import annotations

from typing import Annotated

import typer
from typer.testing import CliRunner

from doctor.commands.options import typer_command
from doctor.facts.record import record


@record
class Opts:
    name: Annotated[str, typer.Argument(help="Whom to greet.")] = "world"
    loud: Annotated[bool, typer.Option("--loud", help="Shout.")] = False
    times: Annotated[int, typer.Option("--times", "-n")] = 1


seen: list[Opts] = []


@typer_command(Opts)
def greet(ctx: typer.Context, opts: Opts) -> None:
    """Say hello."""
    seen.append(opts)


def test_each_field_is_an_option_and_the_command_gets_the_record() -> None:
    app = typer.Typer()
    app.command()(greet)
    app.command("other")(lambda: None)  # two commands: typer then wants the command's name
    result = CliRunner().invoke(app, ["greet", "you", "--loud", "-n", "3"])
    assert result.exit_code == 0, result.output
    assert seen[-1] == Opts("you", True, 3)
    help_text = CliRunner().invoke(app, ["greet", "--help"]).output
    assert "Say hello." in help_text and "--loud" in help_text and "--times" in help_text


def test_the_commands_with_many_options_are_records() -> None:
    """check, explain and report declare their options as records (one parameter for typer each)."""
    from doctor.commands import explain, preflight, report

    for command, options in ((preflight.preflight, preflight.PreflightOptions), (explain.explain, explain.ExplainOptions),
                             (report.report, report.ReportOptions)):  # fmt: skip
        import inspect

        names = list(inspect.signature(command).parameters)
        assert names[0] == "ctx" and len(names) > 1
        from dataclasses import fields

        assert names[1:] == [f.name for f in fields(options)]  # type: ignore[arg-type]
