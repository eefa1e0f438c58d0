"""The argument grammar of the common invocation, as data: docker's global options and diagnose's.

`cdoctor [global options] [diagnose [options]]` is what people (and hooks) run
most; parsing it with typer costs more than the diagnosis of a healthy engine,
so `parse_fast` reads it from these declarations without importing typer, and
returns None for anything else (help, other commands, unknown or malformed
options), which typer then parses and words the errors for. The typer
signatures in doctor/cli.py declare the same options;
tests/test_cli.py::test_fast_path_grammar_is_typers proves that they agree on
every option (names, kind, default) and that both parse the same argv alike.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from doctor.facts.record import record
from doctor.run.context import DEFAULT_TIMEOUT

MIN_TIMEOUT = 0.1
MAX_TIMEOUT = 120.0
COLORS = ("auto", "always", "never")

Kind = Literal["flag", "value", "list"]


@record
class Option:
    dest: str  # the parameter name of the typer function
    names: tuple[str, ...]  # "--long", "-s"
    kind: Kind  # flag: no value; value: one value; list: repeatable
    default: object = None
    # Values the fast path accepts; anything else goes to typer (which validates and words the error).
    accept: tuple[str, ...] = ()


# docker's global options: before any command, as `docker -H URL ps`.
GLOBAL: tuple[Option, ...] = (
    Option("host", ("--host", "-H"), "list"),
    Option("context", ("--context", "-c"), "value"),
    Option("config", ("--config",), "value"),
    Option("tls", ("--tls",), "flag", False),
    Option("tlsverify", ("--tlsverify",), "flag", False),
)

# `diagnose`, the default command.
DIAGNOSE: tuple[Option, ...] = (
    Option("fmt", ("--format", "-f"), "value", "human", accept=("human", "json")),
    Option("verbose", ("--verbose", "-v"), "flag", False),
    Option("layer_roles", ("--explain",), "flag", False),
    Option("only", ("--only",), "list"),
    Option("skip", ("--skip",), "list"),
    Option("timeout", ("--timeout", "-t"), "value", DEFAULT_TIMEOUT),
    Option("strict", ("--strict",), "flag", False),
    Option("allow_activation", ("--allow-activation",), "flag", False),
    Option("color", ("--color",), "value", "auto", accept=COLORS),
)

COMMANDS = frozenset({"diagnose", "stack", "checks", "explain", "report", "check", "fix", "docker-plugin"})
TOP_LEVEL_ONLY = frozenset({"--help", "-h", "--version", "--install-completion", "--show-completion"})


def _by_name(options: tuple[Option, ...]) -> dict[str, Option]:
    return {name: o for o in options for name in o.names}


def _timeout(text: object) -> float | None:
    try:
        value = float(str(text))
    except ValueError:
        return None
    return value if math.isfinite(value) and MIN_TIMEOUT <= value <= MAX_TIMEOUT else None


class _NotFast(Exception):
    """The arguments are not a plain diagnose: typer reads them (and says what is wrong)."""


def parse_fast(args: list[str]) -> dict[str, Any] | None:
    """Every option's value by dest for `[global options] [diagnose [options]]`; None for anything else."""
    try:
        values = _read(args)
    except _NotFast:
        return None
    timeout = _timeout(values["timeout"])
    if timeout is None or (values["context"] and values["host"]):
        return None
    values["timeout"] = timeout
    return values


def _read(args: list[str]) -> dict[str, Any]:
    glob, diag = _by_name(GLOBAL), _by_name(DIAGNOSE)
    values: dict[str, Any] = {o.dest: ([] if o.kind == "list" else o.default) for o in (*GLOBAL, *DIAGNOSE)}
    given: set[str] = set()
    i, sub = 0, False
    while i < len(args):
        arg = args[i]
        name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if arg == "diagnose" and not sub:
            sub = True
            i += 1
            continue
        option = (diag if sub else glob).get(name)
        if option is None or (option.kind == "flag" and eq):
            raise _NotFast
        if option.kind == "flag":
            values[option.dest] = True
        else:
            value, i = _value(args, i, inline if eq else None)
            _store(values, given, option, value)
        given.add(option.dest)
        i += 1
    return values


def _value(args: list[str], i: int, inline: str | None) -> tuple[str, int]:
    """An option's value (`--name=value` or the next argument) and the index of the last argument read."""
    if inline is not None:
        return inline, i
    if i + 1 < len(args) and not args[i + 1].startswith("-"):
        return args[i + 1], i + 1
    raise _NotFast


def _store(values: dict[str, Any], given: set[str], option: Option, value: str) -> None:
    if option.kind == "list":
        values[option.dest].append(value)
    elif option.dest in given:
        raise _NotFast  # given twice: typer's rules decide
    elif option.accept and value not in option.accept:
        raise _NotFast
    else:
        values[option.dest] = value


def default_to_diagnose(args: list[str]) -> list[str]:
    """`cdoctor -v`, `cdoctor --format json`: options after docker's global ones belong to `diagnose`.

    docker's global options (-H, -c, --config, --tls, --tlsverify) come first, as
    with docker itself; the first thing after them that is not a command starts
    diagnose's own options, so bare `cdoctor` takes them as a person expects.
    """
    glob = _by_name(GLOBAL)
    i = 0
    while i < len(args):
        arg = args[i]
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if arg in TOP_LEVEL_ONLY or arg in COMMANDS:
            return args
        option = glob.get(name)
        if option is None:
            return [*args[:i], "diagnose", *args[i:]]
        i += 1 if option.kind == "flag" or "=" in arg else 2
    return args
