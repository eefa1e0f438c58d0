"""`cdoctor checks`: every check that would run, and the plugin that provides it."""

from __future__ import annotations

import sys

import typer

from doctor.commands.options import FormatOpt


def list_checks(fmt: FormatOpt = "human") -> None:
    """List every check: id, title, category and the package it comes from."""
    from tabulate import tabulate

    from doctor.run.plugins import load

    loaded, errors = load()
    from doctor.render import boundary

    if fmt == "json":
        sys.stdout.write(
            boundary.json_dumps(
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
                }
            )
            + "\n"
        )
    else:
        # Plugin ids, titles and origins come from installed packages: terminal text like any other.
        safe = boundary.terminal
        rows = [tuple(safe(str(x)) for x in (c.check.id, c.check.title, c.check.category, c.origin)) for c in loaded]
        typer.echo(tabulate(rows, headers=["id", "title", "category", "from"], tablefmt="simple"))
        for e in errors:
            typer.echo(safe(f"! plugin {e.name} ({e.value}, {e.origin}) {e.reason}"))
    raise typer.Exit(0)
