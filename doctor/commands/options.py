"""The options several commands spell alike, as typer declares them (doctor/commands/grammar.py is
the same grammar as data, for the fast path; a test keeps the two equal)."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from doctor.commands.grammar import COLORS, MAX_TIMEOUT, MIN_TIMEOUT
from doctor.knowledge.resolve import Flags


def flags_of(ctx: typer.Context) -> Flags:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Flags) else Flags()


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
