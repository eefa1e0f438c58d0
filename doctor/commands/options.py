"""The options several commands spell alike, as typer declares them (doctor/commands/grammar.py is
the same grammar as data, for the fast path; a test keeps the two equal)."""

from __future__ import annotations

import inspect
import math
import typing
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from doctor.commands.grammar import COLORS, MAX_TIMEOUT, MIN_TIMEOUT
from doctor.knowledge.resolve import Flags

Opts = TypeVar("Opts")


def flags_of(ctx: typer.Context) -> Flags:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Flags) else Flags()


def typer_command(options: type[Opts]) -> Callable[[Callable[[typer.Context, Opts], None]], Callable[..., None]]:
    """A typer command whose options are the fields of the record `options`, in their order.

    typer reads a command's options from its function's parameters, one each; a command
    with many options would have as many parameters. Here they are one value: typer sees
    the signature made from the record's fields (each annotated `Annotated[T, typer.Option]`
    with its default), and the command receives `(ctx, options(**values))`. The command's
    docstring is its help.
    """
    from dataclasses import fields

    hints = typing.get_type_hints(options, include_extras=True)
    params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)]
    params += [
        inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=hints[f.name])
        for f in fields(options)  # type: ignore[arg-type]
    ]

    def wrap(run: Callable[[typer.Context, Opts], None]) -> Callable[..., None]:
        def command(ctx: typer.Context, **values: Any) -> None:
            run(ctx, options(**values))

        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        command.__name__, command.__qualname__ = run.__name__, run.__qualname__
        command.__doc__, command.__module__ = run.__doc__, run.__module__
        return command

    return wrap


FormatOpt = Annotated[str, typer.Option("--format", "-f", help="human, json or markdown.")]


def timeout_value(value: float) -> float:
    """--timeout: a finite number of seconds in [0.1, 120] (nan, inf and negatives are usage errors)."""
    if not math.isfinite(value) or not MIN_TIMEOUT <= value <= MAX_TIMEOUT:
        raise typer.BadParameter(f"must be a number of seconds from {MIN_TIMEOUT:g} to {MAX_TIMEOUT:g}, not {value}")
    return value


def color_value(value: str) -> str:
    if value not in COLORS:
        raise typer.BadParameter(f"must be one of {', '.join(COLORS)}, not {value!r}")
    return value


TimeoutOpt = Annotated[
    float, typer.Option("--timeout", "-t", callback=timeout_value, help="Deadline of each probe, in seconds (0.1–120).")
]
OnlyOpt = Annotated[list[str] | None, typer.Option("--only", help="Run only these checks (id or category).")]
SkipOpt = Annotated[list[str] | None, typer.Option("--skip", help="Skip these checks (id or category).")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Exit 2 when there are warnings.")]
ColorOpt = Annotated[
    str, typer.Option("--color", callback=color_value, help="auto, always or never (NO_COLOR is honoured).")
]
ActivationOpt = Annotated[
    bool, typer.Option("--allow-activation", help="Connect to systemd-activated sockets (this starts the daemon).")
]
