"""`cdoctor fix`: the verified fixes for this machine as a plan, applied after confirmation.

What it may apply itself is only the user's own docker configuration: the
current context (config.json `currentContext`), a context's host (its
meta.json), an unparsable config.json rewritten (the old file kept as a
backup). Environment changes cannot reach the calling shell from a child
process: they are printed as shell lines (`eval "$(cdoctor fix --shell
bash)"`). An identified product's engine is started with the product's own
command only when the user agrees. Nothing runs `sudo`, nothing joins a group:
those fixes are printed for the user to run. After applying, the machine is
diagnosed again and the exit code is that verdict's.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Annotated, Any, TextIO, cast

import typer

from doctor.commands.common import Look, emit, run_context, secrets
from doctor.commands.options import ColorOpt, TimeoutOpt, flags_of, typer_command
from doctor.facts.record import record
from doctor.knowledge import fixes as fx
from doctor.run.context import DEFAULT_TIMEOUT

SHELLS = ("bash", "zsh", "fish", "sh")
MAX_STEPS = 6
_USER_CHANGES = frozenset({fx.CONTEXT_USE, fx.CONTEXT_HOST, fx.CONFIG_REWRITE})
_SHELL_CHANGES = frozenset({fx.ENV_SET, fx.ENV_UNSET})


@record
class Step:
    """One fix of the plan and what cdoctor may do with it."""

    finding: str  # finding id
    title: str
    fix: fx.Fix
    action: str  # "apply" (cdoctor writes the user's docker config) | "shell" | "start" | "yourself"

    @property
    def label(self) -> str:
        return {
            "apply": "cdoctor can apply it (your docker configuration)",
            "shell": 'your shell: eval "$(cdoctor fix --shell bash)"',
            "start": "starts the engine (only if you agree)",
            "yourself": "run it yourself (needs root or the engine's owner)",
        }[self.action]


def _action(f: fx.Fix) -> str:
    kinds = {c.kind for c in f.changes}
    if kinds and kinds <= _USER_CHANGES:
        return "apply"
    if kinds and kinds <= _SHELL_CHANGES:
        return "shell"
    if kinds == {fx.ENGINE_START} and f.lines and not f.lines[0].startswith("sudo "):
        return "start"
    return "yourself"


def plan(doc: dict[str, Any]) -> list[Step]:
    """The verified fixes of a diagnosis, the primary finding's first (from each finding's data.fixes)."""
    primary = (doc.get("diagnosis") or {}).get("primary_cause")
    findings = [f for f in doc.get("findings") or [] if f.get("severity") in ("error", "warning")]
    findings.sort(key=lambda f: (f.get("cause") != primary or primary is None, f.get("severity") != "error"))
    steps: list[Step] = []
    for f in findings:
        data = f.get("data") or {}
        for raw in data.get("fixes") or []:
            fix = fx.Fix.from_dict(raw)
            if fix.checked is False or not fx.safe(fix):
                continue
            steps.append(Step(str(f.get("id")), str(f.get("title")), fix, _action(fix)))
    return steps[:MAX_STEPS]


def shell_text(steps: list[Step], shell: str) -> str:
    """The environment changes of the first shell fix, for eval."""
    for s in steps:
        if s.action == "shell":
            lines = fx.shell_lines(s.fix.changes, "fish" if shell == "fish" else "bash")
            return "\n".join(lines) + "\n"
    return ""


# --- applying: only the user's own docker configuration ----------------------------------------------


def _backup(path: str) -> str:
    backup = f"{path}.cdoctor-backup-{time.strftime('%Y%m%d-%H%M%S')}"
    with open(path, "rb") as src, open(backup, "xb") as dst:
        dst.write(src.read())
    return backup


def _write_json(path: str, data: dict[str, Any]) -> None:
    """Write like the docker CLI: tab-indented, via a temporary file renamed over the old one."""
    tmp = f"{path}.cdoctor-tmp"
    mode = 0o600
    with contextlib.suppress(OSError):
        mode = os.stat(path).st_mode & 0o777
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent="\t")
    os.replace(tmp, path)


def _config_dir(env: dict[str, str], home: str, flag: str | None) -> str:
    return flag or env.get("DOCKER_CONFIG") or os.path.join(home, ".docker")


def apply_change(change: fx.Change, config_dir: str, out: TextIO) -> None:
    """Apply one user-scope change; raises OSError/ValueError with the reason."""
    cfg = os.path.join(config_dir, "config.json")
    if change.kind == fx.CONTEXT_USE:
        data: dict[str, Any] = {}
        if os.path.exists(cfg):
            with open(cfg, encoding="utf-8") as f:
                loaded = json.load(f)
            if not isinstance(loaded, dict):
                raise ValueError(f"{cfg} is not a JSON object")
            data = loaded
            out.write(f"  backup: {_backup(cfg)}\n")
        else:
            os.makedirs(config_dir, mode=0o700, exist_ok=True)
        if change.name == "default":
            data.pop("currentContext", None)
        else:
            data["currentContext"] = change.name
        _write_json(cfg, data)
        out.write(f"  {cfg}: currentContext = {change.name!r}\n")
    elif change.kind == fx.CONTEXT_HOST:
        import hashlib

        meta = os.path.join(
            config_dir, "contexts", "meta", hashlib.sha256(change.name.encode()).hexdigest(), "meta.json"
        )
        with open(meta, encoding="utf-8") as f:
            data = json.load(f)
        docker = ((data.get("Endpoints") or {}).get("docker")) if isinstance(data, dict) else None
        if not isinstance(docker, dict):
            raise ValueError(f"{meta} has no docker endpoint")
        out.write(f"  backup: {_backup(meta)}\n")
        docker["Host"] = change.value
        _write_json(meta, data)
        out.write(f"  {meta}: Endpoints.docker.Host = {change.value!r}\n")
    elif change.kind == fx.CONFIG_REWRITE:
        out.write(f"  backup: {_backup(cfg)}\n")
        _write_json(cfg, {})
        out.write(f"  {cfg}: rewritten as an empty configuration\n")
    else:
        raise ValueError(f"cdoctor does not apply {change.kind} itself")


# --- the command ----------------------------------------------------------------------------------------


@record
class FixOptions:
    """What the user asked of `cdoctor fix`."""

    yes: bool = False  # apply without asking
    dry_run: bool = False  # show the plan only
    shell: str | None = None  # print the environment fix for this shell's eval, nothing else
    start: bool = False  # offer to start the identified product's engine
    config_flag: str | None = None  # --config: the docker configuration directory


@record
class Console:
    """Where the plan and the new verdict go, and how the user is asked."""

    render: Callable[[dict[str, Any]], None]  # shows the diagnosis after the fix
    out: TextIO
    err: TextIO
    ask: Callable[[str], bool] | None = None  # None: ask on the terminal


def run(diagnose: Callable[[], dict[str, Any]], options: FixOptions, console: Console) -> int:
    """Plan, confirm, apply, diagnose again. Returns the exit code of the last verdict."""
    doc = diagnose()
    steps = plan(doc)
    status = (doc.get("diagnosis") or {}).get("status")
    if options.shell is not None:
        return _shell_only(steps, options.shell, status, console)
    if status == "ok" and not steps:
        console.out.write("✓ nothing to fix: " + str((doc.get("diagnosis") or {}).get("summary") or "") + "\n")
        return 0
    _write_plan(doc, steps, console.out)
    if not steps or options.dry_run:
        if steps:
            console.out.write("--dry-run: nothing was changed.\n")
        return 0 if status == "ok" else 1
    applied = _apply_first(steps, options, console)
    if applied is None:
        return 1
    if not applied and options.start:
        applied = _start_engine(steps, options, console)
    if not applied:
        _write_what_is_left(steps, console.out)
        return 0 if status == "ok" else 1
    console.out.write("\nafter the fix:\n")
    again = diagnose()
    console.render(again)
    return 0 if (again.get("diagnosis") or {}).get("status") == "ok" else 1


def _shell_only(steps: list[Step], shell: str, status: object, console: Console) -> int:
    """--shell: only the environment changes, as lines for `eval`."""
    if shell not in SHELLS:
        console.err.write(f"cdoctor: unknown shell {shell!r}: use bash, zsh or fish\n")
        return 3
    text = shell_text(steps, shell)
    console.out.write(text)
    if not text:
        console.err.write("cdoctor fix: no change of the environment is needed here\n")
    return 0 if status == "ok" or text else 1


def _write_plan(doc: dict[str, Any], steps: list[Step], out: TextIO) -> None:
    status = (doc.get("diagnosis") or {}).get("status")
    out.write("cdoctor fix — the plan for this machine (each fix checked by cdoctor's model first)\n")
    out.write(f"  {'✗' if status == 'broken' else '!'} {(doc.get('diagnosis') or {}).get('summary')}\n\n")
    if not steps:
        out.write("  No fix cdoctor can check here; see `cdoctor diagnose` for what to do.\n")
        return
    for i, s in enumerate(steps, 1):
        verdict = "checked" if s.fix.checked else "not checked"
        out.write(f"  {i}. [{s.label}] ({verdict}{': ' + s.fix.note if s.fix.note else ''})\n")
        for line in s.fix.lines:
            out.write(f"       {line}\n" if line.startswith("#") else f"       $ {line}\n")
    out.write("\n")


def _apply_first(steps: list[Step], options: FixOptions, console: Console) -> bool | None:
    """Apply the first fix cdoctor may apply itself, if the user agrees: applied, or None when it failed."""
    applicable = [s for s in steps if s.action == "apply"]
    if not applicable:
        return False
    s = applicable[0]
    number = steps.index(s) + 1
    ask = console.ask or _ask
    if not (options.yes or ask(f"Apply fix {number} ({' ; '.join(s.fix.lines)})?")):
        return False
    env = dict(os.environ)
    cdir = _config_dir(env, env.get("HOME") or os.path.expanduser("~"), options.config_flag)
    console.out.write(f"applying fix {number}:\n")
    try:
        for c in s.fix.changes:
            apply_change(c, cdir, console.out)
    except (OSError, ValueError) as e:
        console.err.write(f"cdoctor fix: could not apply it: {e}\n")
        return None
    return True


def _start_engine(steps: list[Step], options: FixOptions, console: Console) -> bool:
    """--start: run the product's own start command, if the user agrees. Whether it ran."""
    startable = [s for s in steps if s.action == "start"]
    if not startable:
        return False
    cmd = startable[0].fix.lines[0].split("    #")[0].strip()
    ask = console.ask or _ask
    if not (options.yes or ask(f"Start the engine with `{cmd}`?")):
        return False
    console.out.write(f"running: {cmd}\n")
    try:
        subprocess.run(shlex.split(cmd), check=False, timeout=300, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        console.err.write(f"cdoctor fix: {cmd} failed: {e}\n")
        return False
    return True


def _write_what_is_left(steps: list[Step], out: TextIO) -> None:
    if any(s.action == "shell" for s in steps):
        out.write('For your shell: eval "$(cdoctor fix --shell bash)"   (zsh: --shell zsh, fish: --shell fish)\n')
    if not any(s.action == "apply" for s in steps):
        out.write("Nothing cdoctor may apply itself; run the fix above.\n")


def _ask(question: str) -> bool:
    from doctor.render.boundary import terminal

    if not sys.stdin.isatty():
        sys.stderr.write(f"{terminal(question)} [y/N] no (not a terminal: use --yes)\n")
        return False
    sys.stderr.write(f"{terminal(question)} [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


@record
class FixArgs:
    """`cdoctor fix`'s options, as typer reads them (options.typer_command)."""

    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking (for scripts).")] = False
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan only; change nothing.")] = False
    shell: Annotated[
        str | None,
        typer.Option(
            "--shell", help='Print the environment fix for eval: eval "$(cdoctor fix --shell bash)" (bash, zsh, fish).'
        ),
    ] = None
    start: Annotated[
        bool, typer.Option("--start", help="Offer to start the identified product's engine with its own command.")
    ] = False
    timeout: TimeoutOpt = DEFAULT_TIMEOUT
    color: ColorOpt = "auto"


@typer_command(FixArgs)
def fix_command(ctx: typer.Context, args: FixArgs) -> None:
    """The verified fixes for this machine as a plan; applies those that change only your docker configuration."""
    from doctor.run.document import build_document
    from doctor.run.pipeline import run_diagnosis
    from doctor.run.sections import Redaction

    flags = flags_of(ctx)

    def diagnose_once() -> dict[str, Any]:
        result = run_diagnosis(run_context(flags, args.timeout))
        return build_document(result, redaction=Redaction(secrets=secrets()))

    out = sys.stderr if args.shell is not None else sys.stdout
    options = FixOptions(
        yes=args.yes, dry_run=args.dry_run, shell=args.shell, start=args.start, config_flag=flags.config_dir
    )
    console = Console(
        render=lambda doc: emit(doc, Look(color=args.color), out),
        # The plan quotes fix lines and summaries built from paths and names found on this
        # machine: they pass the terminal boundary like every other output.
        out=cast(TextIO, _TerminalSafe(sys.stdout)),
        err=cast(TextIO, _TerminalSafe(sys.stderr)),
    )
    raise typer.Exit(run(diagnose_once, options, console))


class _TerminalSafe:
    """A text stream whose every write passes the terminal boundary (doctor/render/boundary.py)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from doctor.render.boundary import terminal

        return self._stream.write(terminal(text))

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()
