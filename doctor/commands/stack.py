"""`cdoctor stack`: the chain `docker ps` travels on this machine, layer by layer."""

from __future__ import annotations

import typer

from doctor.commands.diagnose import DiagnoseOptions, execute
from doctor.commands.options import ColorOpt, FormatOpt, TimeoutOpt, flags_of
from doctor.run.context import DEFAULT_TIMEOUT


def stack(
    ctx: typer.Context,
    fmt: FormatOpt = "human",
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    color: ColorOpt = "auto",
) -> None:
    """The chain `docker ps` travels on this machine, with what each layer does."""
    raise typer.Exit(execute(flags_of(ctx), DiagnoseOptions(fmt=fmt, layer_roles=True, timeout=timeout, color=color)))
