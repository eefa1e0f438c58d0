"""`docker doctor`: cdoctor as a Docker CLI plugin, with an error hook.

The protocol, as docker/cli defines it (commit 28f756087eea5fa301f3fbf12b01ae62f91521c2,
master after v29.7.2; the same at v28.2.2 and v20.10.24 where noted):

* Discovery: an executable ``docker-<name>`` in ``<config dir>/cli-plugins`` (and the
  system dirs); ``<name>`` must match ``^[a-z][a-z0-9]*$`` (cli-plugins/manager/plugin.go,
  ``isValidPluginName``). The CLI runs ``docker-doctor docker-cli-plugin-metadata`` and
  reads ``{"SchemaVersion": "0.1.0", "Vendor": ..., ...}``; an empty Vendor is an error
  (manager/plugin.go ``newPlugin``; metadata/metadata.go ``Metadata``; manager/candidate.go).
* Running: ``docker [global options] doctor [args]`` executes the plugin with the CLI's
  *full original* arguments, ``exec(path, os.Args[1:]...)`` (manager/manager.go
  ``PluginRunCommand``: "This uses the full original args ... global options which we must
  propagate"), so argv is ``docker-doctor --context X doctor --format json``, with
  ``DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND`` (metadata.ReexecEnvvar) and, on 28.x,
  ``DOCKER_CLI_PLUGIN_SOCKET`` in the environment. Observed with both CLIs on this
  machine (28.2.2 and Debian's 20.10.24): tests/test_docker_plugin.py.
* Hooks: after a command, the CLI calls ``exec(path, "doctor", "docker-cli-plugin-hooks",
  <hooks.Request JSON>)`` (manager/plugin.go ``RunHook``; the plugin's *name* comes
  first — the issue text omits it) and expects ``{"Type": 0, "Template": "..."}`` on stdout
  (hooks/hook_types.go ``Response``, ``NextSteps = 0``). The Template is a Go
  text/template (hooks/template.go ``ParseTemplate``: parsed when it contains ``{{``
  since 29.x, always on 28.x) split on newlines, at most 10 newlines since v29.5.0
  (``maxMessages``, commit b7ab63387a). A plugin that fails, exits non-zero or prints
  something else is skipped silently (manager/hooks.go ``invokeAndCollectHooks``).
* Which hooks run: config.json ``plugins.<name>`` is ``map[string]string``
  (cli/config/configfile/file.go); ``"error-hooks"`` (comma-separated command prefixes)
  fire only when the command failed — docker/cli v29.3.0 (commit 830d05d16e, "error-hooks
  approach"); ``"hooks"`` fire after every matched command, success or failure, since
  v26.1.0 (commit c5016c6d5b; the error text is passed since 43cb06e1ae, also v26.1.0).
  Hooks run only when stdout is a terminal and ``DOCKER_CLI_HOOKS`` (or the legacy
  ``DOCKER_CLI_HINTS``) parses true, or config.json ``features.hooks`` does
  (cli/command/cli.go ``HooksEnabled``; cmd/docker/docker.go ``runDocker``).

The issue says only CLIs >= 29.3 call the hook. The source says more: 26.1 to 29.2 call a
plugin declared under ``"hooks"`` after *every* matched command (CommandError set when it
failed). ``install --hooks`` declares ``error-hooks`` only (free when commands succeed);
``--legacy-hooks`` also declares ``hooks`` for those older CLIs, at the cost of one plugin
run after each matched command.
"""

# No `from __future__ import annotations`: typer reads the annotations of the commands
# defined inside _typer_app (typer is imported there, to keep the hook path light).
import contextlib
import json
import os
import re
import shlex
import stat
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from doctor import __version__
from doctor.knowledge import outcomes
from doctor.knowledge.outcomes import SYMPTOMS

PLUGIN_NAME = "doctor"
EXECUTABLE = "docker-" + PLUGIN_NAME
METADATA_SUBCOMMAND = "docker-cli-plugin-metadata"  # metadata/metadata.go MetadataSubcommandName
HOOK_SUBCOMMAND = "docker-cli-plugin-hooks"  # metadata/metadata.go HookSubcommandName
REEXEC_ENV = "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND"  # metadata/metadata.go ReexecEnvvar
MARKER = "# cdoctor-docker-plugin"  # identifies a docker-doctor that cdoctor wrote
BACKUP_SUFFIX = ".cdoctor-backup"
METADATA: dict[str, str] = {
    "SchemaVersion": "0.1.0",
    "Vendor": "cdoctor",
    "Version": __version__,
    "ShortDescription": "Which Docker-API stack answers, by what path, and why docker failed",
}
# The metadata's optional URL: the project names no home page yet (pyproject has no
# [project.urls]); Go's omitempty leaves an empty one out, and so do we.
PROJECT_URL = ""
if PROJECT_URL:
    METADATA["URL"] = PROJECT_URL
# Commands that talk to the engine: a failure of these may be about reaching it.
# Prefix match on command tokens (manager/hooks.go hookMatch): "container" covers
# "container ls", "compose" covers "compose up", "buildx build" only that.
HOOK_COMMANDS: tuple[str, ...] = (
    "ps", "run", "pull", "push", "build", "buildx build", "compose", "info", "version", "exec",
    "logs", "images", "start", "stop", "restart", "create", "rm", "rmi", "kill", "inspect",
    "attach", "cp", "stats", "top", "events", "login", "container", "image", "volume", "network",
    "system", "builder",
)  # fmt: skip
# The CLI versions that call hooks (see the module docstring for the commits).
ERROR_HOOKS_SINCE = (29, 3, 0)
HOOKS_SINCE = (26, 1, 0)
HOOK_BUDGET = 0.8  # seconds: the hook prints nothing rather than answer later
PROBE_DEADLINE = 0.3  # seconds for each local connect/ping the hook makes
MAX_REQUEST = 1 << 20
MAX_TEMPLATE_NEWLINES = 10  # hooks/template.go maxMessages (v29.5.0+)


class PluginError(Exception):
    """An expected failure of install/uninstall: one line, nothing changed."""


# ---------------------------------------------------------------------------------------------
# The plugin executable


def plugin_main(argv: Sequence[str]) -> int:
    """Entry point of the generated ``docker-doctor``: argv is what the docker CLI passed."""
    args = list(argv)
    if args[:1] == [METADATA_SUBCOMMAND]:
        sys.stdout.write(json.dumps(METADATA) + "\n")
        return 0
    # RunHook passes (p.Name, HookSubcommandName, json); the name-less form the issue
    # describes is accepted too.
    if args[:2] == [PLUGIN_NAME, HOOK_SUBCOMMAND]:
        return run_hook(args[2] if len(args) > 2 else "")
    if args[:1] == [HOOK_SUBCOMMAND]:
        return run_hook(args[1] if len(args) > 1 else "")
    translated = translate_argv(args)
    # Diagnose with the rules of the docker CLI that runs the plugin (os.Args[0], e.g.
    # /usr/bin/docker), not of whichever docker comes first on PATH.
    cli = os.environ.get(REEXEC_ENV, "")
    if os.sep in cli and os.path.basename(cli) == "docker":
        os.environ["PATH"] = os.path.dirname(os.path.abspath(cli)) + os.pathsep + os.environ.get("PATH", "")
    for note in translated.notes:
        sys.stderr.write(f"docker doctor: {note}\n")
    os.environ.update(translated.env)
    from doctor.main import main

    return main(translated.args)


@dataclass(frozen=True)
class Translated:
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# The docker CLI's global options (cli/flags/options.go InstallFlags) and what cdoctor does with them.
_VALUE_FLAGS = {
    "host": "H",
    "context": "c",
    "config": "",
    "log-level": "l",
    "tlscacert": "",
    "tlscert": "",
    "tlskey": "",
}
_BOOL_FLAGS = {"debug": "D", "tls": "", "tlsverify": ""}
_SHORT = {v: k for k, v in {**_VALUE_FLAGS, **_BOOL_FLAGS}.items() if v}
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}  # Go strconv.ParseBool


def translate_argv(argv: Sequence[str]) -> Translated:
    """``--context X doctor --format json`` -> cdoctor's ``--context X --format json``.

    The docker CLI parses its global options with pflag, interspersed off: they come
    before the plugin's name (``-H x``, ``-Hx``, ``-H=x``, ``--host x``, ``--host=x``,
    stacked booleans ``-D``). -H/-c/--config/--tls/--tlsverify map to cdoctor's own
    global options; --debug sets CDOCTOR_DEBUG; --log-level has no counterpart;
    --tlscacert/--tlscert/--tlskey become DOCKER_CERT_PATH when they name ca.pem,
    cert.pem and key.pem of one directory (where cdoctor reads TLS files).
    """
    args = list(argv)
    values: list[tuple[str, str | None]] = []
    notes: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            i += 1
            break
        if arg.startswith("--"):
            i = _long_option(args, i, values, notes)
        elif arg.startswith("-") and len(arg) > 1:
            i = _short_options(args, i, values, notes)
        else:
            break  # the plugin's name: everything after it is cdoctor's
    rest = args[i:]
    if rest[:1] == [PLUGIN_NAME]:
        rest = rest[1:]
    elif rest[:2] == ["help", PLUGIN_NAME]:  # `docker help doctor [command]` runs the plugin with these args
        rest = [*rest[2:], "--help"]
    out, env, tls_files = _as_cdoctor(values)
    if tls_files:
        _cert_path(tls_files, env, notes)
    return Translated([*out, *rest], env, notes)


def _long_option(args: list[str], i: int, values: list[tuple[str, str | None]], notes: list[str]) -> int:
    """``--name``, ``--name=value`` or ``--name value`` at ``args[i]``; the index after it."""
    name, eq, inline = args[i][2:].partition("=")
    if name in _VALUE_FLAGS:
        if eq:
            values.append((name, inline))
        elif i + 1 < len(args):
            i += 1
            values.append((name, args[i]))
        else:
            values.append((name, None))
    elif name in _BOOL_FLAGS:
        values.append((name, inline if eq else "true"))
    else:
        notes.append(f"ignoring the docker option --{name} (cdoctor does not know it)")
    return i + 1


def _short_options(args: list[str], i: int, values: list[tuple[str, str | None]], notes: list[str]) -> int:
    """Stacked short options at ``args[i]`` (``-D``, ``-Hx``, ``-H=x``, ``-H x``); the index after them."""
    arg = args[i]
    j = 1
    while j < len(arg):
        short = arg[j]
        name = _SHORT.get(short, "")
        if name in _BOOL_FLAGS:
            if arg[j + 1 : j + 2] == "=":
                values.append((name, arg[j + 2 :]))
                break
            values.append((name, "true"))
            j += 1
            continue
        if name in _VALUE_FLAGS:
            attached = arg[j + 1 :]
            if attached:
                values.append((name, attached[1:] if attached.startswith("=") else attached))
            elif i + 1 < len(args):
                i += 1
                values.append((name, args[i]))
            else:
                values.append((name, None))
            break
        notes.append(f"ignoring the docker option -{short} (cdoctor does not know it)")
        break
    return i + 1


#: docker's global options that are cdoctor's too, by their long name.
_SAME_OPTION = {"host": "-H", "context": "--context", "config": "--config"}


def _as_cdoctor(values: list[tuple[str, str | None]]) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """(cdoctor's options, environment, the TLS files named) for docker's global options."""
    out: list[str] = []
    env: dict[str, str] = {}
    tls_files: dict[str, str] = {}
    for name, value in values:
        if value is None:
            continue
        if name in _SAME_OPTION:
            out += [_SAME_OPTION[name], value]
        elif name in ("tls", "tlsverify"):
            if value in _TRUE:
                out.append("--" + name)
        elif name == "debug":
            if value in _TRUE:
                env["CDOCTOR_DEBUG"] = "1"
        elif name in ("tlscacert", "tlscert", "tlskey"):
            tls_files[name] = value
    return out, env, tls_files


def _cert_path(tls_files: dict[str, str], env: dict[str, str], notes: list[str]) -> None:
    """DOCKER_CERT_PATH when the TLS files are ca.pem, cert.pem and key.pem of one directory."""
    wanted = {"tlscacert": "ca.pem", "tlscert": "cert.pem", "tlskey": "key.pem"}
    dirs = {os.path.dirname(v) for v in tls_files.values()}
    if len(dirs) == 1 and all(os.path.basename(v) == wanted[k] for k, v in tls_files.items()):
        env["DOCKER_CERT_PATH"] = dirs.pop() or "."
    else:
        notes.append(
            "cdoctor reads TLS files as ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH: "
            "--tlscacert/--tlscert/--tlskey naming other files are not used"
        )


# ---------------------------------------------------------------------------------------------
# The error hook

# Symptoms (causes.md) that are about reaching the engine: the hook speaks only for these.
ENGINE_SYMPTOMS = frozenset(s for s, m in SYMPTOMS.items() if m.engine)


def clean(text: str, limit: int = 200) -> str:
    """One line of the verdict: redacted and made safe for a terminal by the render boundary.

    (doctor/render/boundary.py: no control, escape or bidi character; a workflow
    command cannot start.) Line breaks become spaces: the CLI splits the Template on them.
    """
    from doctor.render import boundary

    text = boundary.text(text, "terminal").replace("\n", " ").replace("\t", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def go_template_literal(text: str) -> str:
    """``text`` as a Go text/template that prints it verbatim: every ``{{`` becomes ``{{"{{"}}``.

    Outside actions only ``{{`` is special (text/template/parse/lex.go: leftDelim);
    ``}}`` in text is printed as it is.
    """
    return text.replace("{{", '{{"{{"}}')


def hook_response(request: str, *, env: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The hooks.Response for one hooks.Request (JSON text); None to print nothing."""
    if len(request) > MAX_REQUEST:
        return None
    data = json.loads(request)
    if not isinstance(data, dict):
        return None
    error = data.get("CommandError")
    if not isinstance(error, str) or not error.strip():
        return None  # a "hooks" (not "error-hooks") call after a command that succeeded
    lines = verdict(error, os.environ if env is None else env)
    if not lines:
        return None
    text = "\n".join(clean(line) for line in lines[: MAX_TEMPLATE_NEWLINES + 1])
    return {"Type": 0, "Template": go_template_literal(text)}


def run_hook(request: str) -> int:
    """Answer the CLI within HOOK_BUDGET, or print nothing; always exit 0."""
    timer = threading.Timer(HOOK_BUDGET, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    try:
        response = hook_response(request)
        if response is not None:
            out = json.dumps(response) + "\n"
            timer.cancel()
            sys.stdout.write(out)
            sys.stdout.flush()
    except Exception:  # never break the user's command: say nothing
        if os.environ.get("CDOCTOR_DEBUG"):
            import traceback

            traceback.print_exc(limit=5)
    return 0


def verdict(error: str, env: Mapping[str, str]) -> list[str]:
    """A few lines for the user whose command failed with ``error``; [] when it is not about the engine.

    Reads the text with cdoctor's explain reader (offline), then looks at the named
    unix socket (stat + one ping, PROBE_DEADLINE) and, when nothing answers there, at
    the sockets other stacks are known to use. Nothing else: no process scan.
    """
    from doctor.reader import read_error

    reading = read_error(error)
    if reading.symptom not in ENGINE_SYMPTOMS:
        return []
    endpoint = reading.endpoint
    lines: list[str] = []
    fixes: list[str] = []
    if endpoint and endpoint.startswith("unix://"):
        lines, fixes = _local_socket(endpoint, env)
    if not lines:
        from doctor.run.pipeline import _symptom_title, offline_fixes

        lines = [_symptom_title(reading) + (f" (cause: {reading.cause})" if reading.cause else "")]
        fixes = [f for f in offline_fixes(reading) if not f.startswith("cdoctor")]
    out = ["cdoctor: " + lines[0], *("  " + line for line in lines[1:])]
    out += [f"  fix:  {f}" for f in fixes[:2]]
    out.append("  more: docker doctor    # which engine answers here, by what path, and why")
    return out


def _local_socket(endpoint: str, env: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """What one connect to the named socket, and to the other stacks' known sockets, shows."""
    from doctor.gather import quick
    from doctor.knowledge import identify

    path = endpoint[len("unix://") :]
    outcome = quick.connect_unix(path, PROBE_DEADLINE)
    ident = identify.product_from_path(endpoint, home=env.get("HOME"), uid=os.getuid(), platform=sys.platform)
    product, variant = (ident.product, ident.variant) if ident and ident.product != "unknown" else (None, None)
    via = " (DOCKER_HOST points there)" if env.get("DOCKER_HOST") == endpoint else ""
    if outcome == outcomes.OK:
        return [f"{endpoint} accepts connections now{via}: the engine was starting, or the failure is elsewhere"], []
    if outcome == outcomes.PERMISSION_DENIED:
        group = quick.group_name(path)
        return (
            [
                f"{endpoint}: permission denied{via}",
                f"the socket belongs to group {group!r}, whose members control the engine as root"
                if group
                else "this user may not open the socket",
            ],
            ["docker doctor    # the socket's owner, and the ways in (rootless Docker, a context)"],
        )
    if outcome == outcomes.SOCKET_MISSING:
        what = f"nothing at {endpoint}: {outcomes.outcome_words(outcome)}{via}"
    elif outcome == outcomes.REFUSED:  # a unix socket: its engine stopped and left it behind
        what = f"nothing listens at {endpoint}: a stale socket, its engine stopped{via}"
    else:
        what = f"{endpoint} does not answer ({outcome}){via}"
    if product is None and path in ("/var/run/docker.sock", "/run/docker.sock") and quick.installed("dockerd"):
        product = "docker-engine"
    lines = [what]
    if product:
        lines.append(f"it is the socket of {product}{f' ({variant})' if variant else ''}, which is not running")
    fixes: list[str] = []
    # Offered only when it answers /_ping: a socket that merely accepts connections is no fix.
    alive = [p for p in quick.answering_sockets(_known_docker_sockets(env), PROBE_DEADLINE) if p != path]
    if alive:
        target = shlex.quote("unix://" + alive[0])
        lines.append(f"but unix://{alive[0]} answers the Docker API")
        fixes.append(
            f"export DOCKER_HOST={target}"
            if via
            else f"docker context create other --docker host={target} && docker context use other"
        )
    start = identify.start_command(product, variant, platform=sys.platform) if product else ""
    if start:
        fixes.append(start)
    return lines, fixes


def _known_docker_sockets(env: Mapping[str, str]) -> list[str]:
    """The Docker-API socket paths every stack is known to use (the catalogue in knowledge/socket_paths.py)."""
    from doctor.knowledge.socket_paths import known_socket_paths

    known = known_socket_paths(env.get("HOME", ""), os.getuid(), env.get("XDG_RUNTIME_DIR"))
    return [path for path, kind, _ in known if kind == "docker"]


# ---------------------------------------------------------------------------------------------
# install / uninstall / status


def config_dir(config: str | None, env: Mapping[str, str]) -> str:
    """The docker config directory as the CLI chooses it: --config, DOCKER_CONFIG, ~/.docker."""
    from doctor.knowledge.resolve import Flags
    from doctor.knowledge.resolve import config_dir as resolve_config_dir

    home = env.get("HOME") or os.path.expanduser("~")
    return resolve_config_dir(Flags(config_dir=config), env, home)


def plugin_script(python: str, root: str) -> str:
    """The ``docker-doctor`` executable: metadata from the shell, everything else from this cdoctor.

    ``python`` (the interpreter running cdoctor) and ``root`` (the directory holding the
    ``doctor`` package that ran the install) are absolute and shell-quoted; the
    arguments from docker go through ``"$@"`` untouched. ``-P`` keeps the current
    directory off sys.path (docker runs in any directory: a ``json.py`` there must not
    be imported); the hook runs with ``-I -S`` — isolated, no site-packages — as it
    needs the standard library alone and starts several times faster so.
    """
    entry = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); "
        "from doctor.commands.docker_plugin import plugin_main; raise SystemExit(plugin_main(sys.argv[1:]))"
    )
    meta = json.dumps(METADATA)
    py, code, where = shlex.quote(python), shlex.quote(entry), shlex.quote(root)
    return (
        "#!/bin/sh\n"
        f"{MARKER} {__version__}: the Docker CLI plugin of cdoctor (`docker doctor`).\n"
        "# Written by `cdoctor docker-plugin install`; `cdoctor docker-plugin uninstall` removes it.\n"
        f'if [ "$1" = {METADATA_SUBCOMMAND} ] && [ "$#" -eq 1 ]; then\n'
        f"  printf '%s\\n' {shlex.quote(meta)}\n"
        "  exit 0\n"
        "fi\n"
        f'if [ "$1" = {PLUGIN_NAME} ] && [ "$2" = {HOOK_SUBCOMMAND} ]; then\n'
        f'  exec {py} -I -S -c {code} {where} "$@"\n'
        "fi\n"
        f'exec {py} -P -c {code} {where} "$@"\n'
    )


def this_installation() -> tuple[str, str]:
    """(absolute interpreter, directory holding the ``doctor`` package) of the running cdoctor."""
    import doctor

    python = os.path.abspath(sys.executable)
    root = os.path.dirname(os.path.dirname(os.path.abspath(doctor.__file__)))
    return python, root


def _go_escape(text: str) -> str:
    # encoding/json escapes <, > and & (HTMLEscape) and U+2028/U+2029; Python does not.
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def go_json(obj: object) -> bytes:
    """config.json as the docker CLI writes it: ``json.MarshalIndent(c, "", "\\t")``, no final newline.

    (cli/config/configfile/file.go SaveToWriter.) Key order is kept as read: the CLI's
    own order depends on its struct, which we do not imitate; only whitespace and escaping
    follow it.
    """
    return _go_escape(json.dumps(obj, indent="\t", ensure_ascii=False)).encode("utf-8")


def _read_config(path: str) -> tuple[bytes | None, dict[str, Any]]:
    try:
        with open(path, "rb") as f:
            raw = f.read(16 << 20)
    except FileNotFoundError:
        return None, {}
    except OSError as e:
        raise PluginError(f"cannot read {path}: {e.strerror}") from None
    if not raw.strip():
        return raw, {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise PluginError(f"{path} is not valid JSON ({e}): not changed; fix it first (`cdoctor` says where)") from None
    if not isinstance(data, dict):
        raise PluginError(f"{path} is not a JSON object: not changed")
    return raw, data


def _real_path(path: str) -> str:
    # configfile.Save follows a symlinked config.json (filepath.EvalSymlinks) and writes the target.
    return os.path.realpath(path)


def atomic_write(path: str, data: bytes, *, like: os.stat_result | None, mode: int = 0o600) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``.

    The new file takes the old one's mode and owner (as configfile.Save's
    copyFilePermissions does); a new file gets ``mode``.
    """
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, stat.S_IMODE(like.st_mode) if like is not None else mode)
        if like is not None and (like.st_uid != os.geteuid() or like.st_gid != os.getegid()):
            with contextlib.suppress(PermissionError):
                os.chown(tmp, like.st_uid, like.st_gid)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _hook_keys(legacy: bool) -> dict[str, str]:
    value = ",".join(HOOK_COMMANDS)
    return {"error-hooks": value, "hooks": value} if legacy else {"error-hooks": value}


@dataclass
class Change:
    """What install/uninstall did, in words for the user."""

    lines: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)


def install(directory: str, *, hooks: bool, legacy_hooks: bool, force: bool = False) -> Change:
    change = Change()
    python, root = this_installation()
    plugins_dir = os.path.join(directory, "cli-plugins")
    exe = os.path.join(plugins_dir, EXECUTABLE)
    if os.path.lexists(exe) and not _is_ours(exe) and not force:
        raise PluginError(f"{exe} exists and was not written by cdoctor: not replaced (use --force to replace it)")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        os.makedirs(plugins_dir, mode=0o755, exist_ok=True)
        atomic_write(exe, plugin_script(python, root).encode("utf-8"), like=None, mode=0o755)
    except OSError as e:
        raise PluginError(f"cannot write {exe}: {e.strerror}") from None
    change.say(f"wrote {exe}: `docker doctor` runs cdoctor {__version__} with {python} (from {root})")
    if hooks or legacy_hooks:
        _install_hooks(directory, legacy_hooks, change)
    return change


def _install_hooks(directory: str, legacy: bool, change: Change) -> None:
    path = _real_path(os.path.join(directory, "config.json"))
    raw, data = _read_config(path)
    before = json.loads(json.dumps(data))
    plugins = data.get("plugins")
    if plugins is None:
        plugins = data["plugins"] = {}
    if not isinstance(plugins, dict):
        raise PluginError(f'{path}: "plugins" is not an object: not changed')
    section = plugins.get(PLUGIN_NAME)
    if section is None:
        section = plugins[PLUGIN_NAME] = {}
    if not isinstance(section, dict):
        raise PluginError(f'{path}: "plugins.{PLUGIN_NAME}" is not an object: not changed')
    features = data.get("features")
    if features is None:
        features = data["features"] = {}
    if not isinstance(features, dict):
        raise PluginError(f'{path}: "features" is not an object: not changed')
    for key, value in _hook_keys(legacy).items():
        if section.get(key) != value:
            section[key] = value
            change.say(f"config.json: plugins.{PLUGIN_NAME}.{key} = the engine commands ({len(HOOK_COMMANDS)})")
    if features.get("hooks") != "true":
        was = features.get("hooks")
        features["hooks"] = "true"
        change.say(f'config.json: features.hooks = "true" (was {json.dumps(was) if was is not None else "unset"})')
    if data == before:
        change.say(f"{path} already declares the hooks: not changed")
        return
    backup = path + BACKUP_SUFFIX
    try:
        st = os.stat(path) if raw is not None else None
        if raw is not None and not os.path.exists(backup):
            atomic_write(backup, raw, like=st)
            change.say(f"backup of the previous config.json: {backup}")
        atomic_write(path, go_json(data), like=st)
    except OSError as e:
        raise PluginError(f"cannot write {path}: {e.strerror}") from None
    change.say(f"rewrote {path} (every other key kept; mode and owner kept)")


def _is_ours(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return MARKER.encode() in head


def _obj(parent: Mapping[str, Any] | None, key: str) -> dict[str, Any]:
    value = parent.get(key) if parent is not None else None
    return value if isinstance(value, dict) else {}


def _without_hooks(data: dict[str, Any], original: dict[str, Any] | None) -> dict[str, Any]:
    """``data`` with cdoctor's keys set back to what ``original`` had (absent when it had none)."""
    out: dict[str, Any] = json.loads(json.dumps(data))
    orig = original or {}
    orig_plugins = _obj(orig, "plugins")
    orig_section = _obj(orig_plugins, PLUGIN_NAME)
    plugins = out.get("plugins")
    if isinstance(plugins, dict) and isinstance(plugins.get(PLUGIN_NAME), dict):
        section = plugins[PLUGIN_NAME]
        for key in ("error-hooks", "hooks"):
            if key in orig_section:
                section[key] = orig_section[key]
            else:
                section.pop(key, None)
        if not section and PLUGIN_NAME not in orig_plugins:
            del plugins[PLUGIN_NAME]
        if not plugins and "plugins" not in orig:
            del out["plugins"]
    features = out.get("features")
    if isinstance(features, dict):
        orig_features = _obj(orig, "features")
        if "hooks" in orig_features:
            features["hooks"] = orig_features["hooks"]
        elif features.get("hooks") == "true":
            features.pop("hooks", None)
        if not features and "features" not in orig:
            del out["features"]
    return out


def uninstall(directory: str) -> Change:
    change = Change()
    exe = os.path.join(directory, "cli-plugins", EXECUTABLE)
    if os.path.lexists(exe):
        if not _is_ours(exe):
            change.say(f"{exe} was not written by cdoctor: left in place")
        else:
            try:
                os.unlink(exe)
            except OSError as e:
                raise PluginError(f"cannot remove {exe}: {e.strerror}") from None
            change.say(f"removed {exe}")
    else:
        change.say(f"no {exe}")
    path = _real_path(os.path.join(directory, "config.json"))
    backup = path + BACKUP_SUFFIX
    raw, data = _read_config(path)
    braw, bdata = _read_config(backup) if os.path.exists(backup) else (None, None)
    if raw is None:
        change.say(f"no {path}: nothing to undo")
        return change
    restored = _without_hooks(data, bdata)
    try:
        if restored == data:
            change.say(f"{path} has no cdoctor hooks: not changed")
        elif braw is not None and restored == bdata:
            atomic_write(path, braw, like=os.stat(path))
            change.say(f"restored {path} from {backup}, byte for byte")
        elif braw is None and not restored:
            os.unlink(path)
            change.say(f"removed {path} (cdoctor created it for the hooks; nothing else is in it)")
        else:
            atomic_write(path, go_json(restored), like=os.stat(path))
            change.say(f"removed the hooks from {path} (other keys kept, formatted as the docker CLI writes it)")
        if braw is not None:
            os.unlink(backup)
            change.say(f"removed {backup}")
    except OSError as e:
        raise PluginError(f"cannot write {path}: {e.strerror}") from None
    return change


def status(directory: str, docker: str | None, env: Mapping[str, str]) -> dict[str, Any]:
    """What is installed under ``directory`` and whether ``docker`` runs the hook."""
    exe = os.path.join(directory, "cli-plugins", EXECUTABLE)
    python, root = _installed_interpreter(exe)
    path = os.path.join(directory, "config.json")
    try:
        _, data = _read_config(path)
        problem = None
    except PluginError as e:
        data, problem = {}, str(e)
    plugins = data.get("plugins")
    section = plugins.get(PLUGIN_NAME) if isinstance(plugins, dict) else None
    section = section if isinstance(section, dict) else {}
    enabled, enabled_by = _hooks_enabled(data, env)
    from doctor.gather.quick import cli_version

    version = cli_version(docker) if docker else None
    return {
        "config_dir": directory,
        "plugin": {
            "path": exe,
            "installed": os.path.lexists(exe),
            "ours": _is_ours(exe),
            "python": python,
            "python_exists": bool(python and os.access(python, os.X_OK)),
            "package_dir": root,
        },
        "hooks": {
            "error-hooks": bool(section.get("error-hooks")),
            "hooks": bool(section.get("hooks")),
            "enabled": enabled,
            "enabled_by": enabled_by,
            "config_problem": problem,
        },
        "cli": {
            "path": docker,
            "version": ".".join(map(str, version)) if version else None,
            "runs": _hook_calls(docker, version, section),
            "error_hooks_since": ".".join(map(str, ERROR_HOOKS_SINCE)),
            "hooks_since": ".".join(map(str, HOOKS_SINCE)),
        },
    }


def _installed_interpreter(exe: str) -> tuple[str | None, str | None]:
    """(python, package dir) that the plugin cdoctor wrote runs; (None, None) for another file."""
    if not _is_ours(exe):
        return None, None
    with open(exe, encoding="utf-8", errors="replace") as f:
        text = f.read(8192)
    m = re.search(r"^exec (.+)$", text, re.M)  # the last line: exec PYTHON -P -c CODE ROOT "$@"
    if m:
        with contextlib.suppress(ValueError):
            parts = shlex.split(m[1])
            return parts[0], parts[4]
    return None, None


def _hooks_enabled(data: Mapping[str, Any], env: Mapping[str, str]) -> tuple[bool, str]:
    """Whether the CLI calls hooks at all, and what says so (a variable, config.json, the default)."""
    for var in ("DOCKER_CLI_HOOKS", "DOCKER_CLI_HINTS"):
        if env.get(var):
            return env[var] in _TRUE, f"{var}={env[var]}"
    features = data.get("features") if isinstance(data.get("features"), dict) else {}
    value = features.get("hooks") if isinstance(features, dict) else None
    enabled = value in _TRUE if isinstance(value, str) else False
    return enabled, f'config.json features.hooks = "{value}"' if value is not None else "default (off)"


def _hook_calls(docker: str | None, version: tuple[int, ...] | None, section: Mapping[str, Any]) -> str:
    """Which hook calls this docker CLI makes, given what config.json declares."""
    if version is None:
        return "unknown (no docker CLI found)" if not docker else "unknown (docker --version did not say)"
    if version >= HOOKS_SINCE and section.get("hooks"):
        # pluginMatch tries "hooks" first: with both declared, every matched command calls the plugin.
        return "hooks (after every matched command; the hook speaks only after a failure)"
    if version >= ERROR_HOOKS_SINCE:
        return "error-hooks (after a failed command)" if section.get("error-hooks") else "none declared"
    if version >= HOOKS_SINCE:
        return "none: this CLI ignores error-hooks (install --legacy-hooks)"
    return "none: this CLI has no hooks (docker/cli 26.1.0 added them)"


def status_lines(doc: Mapping[str, Any]) -> list[str]:
    p, h, c = doc["plugin"], doc["hooks"], doc["cli"]
    lines = [f"config dir: {doc['config_dir']}"]
    if p["ours"]:
        ok = "" if p["python_exists"] else "  ✗ that interpreter is gone: run install again"
        lines.append(f"✓ docker doctor: {p['path']} runs {p['python']} (cdoctor from {p['package_dir']}){ok}")
    elif p["installed"]:
        lines.append(f"! {p['path']} exists but cdoctor did not write it")
    else:
        lines.append(f"✗ docker doctor is not installed: cdoctor docker-plugin install (writes {p['path']})")
    declared = [k for k in ("error-hooks", "hooks") if h[k]]
    if declared:
        lines.append(f"✓ config.json declares plugins.{PLUGIN_NAME}: {', '.join(declared)}")
    else:
        lines.append("✗ no hook declared: cdoctor docker-plugin install --hooks")
    lines.append(f"{'✓' if h['enabled'] else '✗'} hooks {'on' if h['enabled'] else 'off'}: {h['enabled_by']}")
    if h["config_problem"]:
        lines.append(f"! {h['config_problem']}")
    lines.append(
        f"docker CLI: {c['path'] or 'not found'}"
        + (f" {c['version']}" if c["version"] else "")
        + f"; hook calls: {c['runs']}"
        + f" (error-hooks since {c['error_hooks_since']}, hooks since {c['hooks_since']}; only when stdout is a terminal)"
    )
    return lines


# ---------------------------------------------------------------------------------------------
# The `cdoctor docker-plugin` commands (wired into the CLI by doctor/cli.py: app.add_typer(typer_app()))


def typer_app() -> Any:
    import typer

    sub = typer.Typer(
        name="docker-plugin",
        help="`docker doctor`: install cdoctor as a Docker CLI plugin, with an optional error hook.",
        no_args_is_help=True,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    def _dir(ctx: typer.Context) -> str:
        flags = ctx.find_root().obj
        return config_dir(getattr(flags, "config_dir", None), os.environ)

    def _report(change: Change) -> None:
        for line in change.lines:
            typer.echo(line)

    @sub.command("install")
    def install_command(
        ctx: typer.Context,
        hooks: bool = typer.Option(
            False,
            "--hooks",
            help="Also declare the error hook in config.json (plugins.doctor.error-hooks) and set features.hooks "
            "to true: after a failed engine command, docker prints cdoctor's verdict. Backs config.json up first.",
        ),
        legacy_hooks: bool = typer.Option(
            False,
            "--legacy-hooks",
            help="Also declare plugins.doctor.hooks, which docker CLIs 26.1 to 29.2 call after every matched "
            "command (the hook stays silent when it succeeded). Implies --hooks.",
        ),
        force: bool = typer.Option(False, "--force", help="Replace a docker-doctor that cdoctor did not write."),
    ) -> None:
        """Write docker-doctor into the docker config directory's cli-plugins/ (--config, DOCKER_CONFIG, ~/.docker)."""
        try:
            _report(install(_dir(ctx), hooks=hooks, legacy_hooks=legacy_hooks, force=force))
        except PluginError as e:
            typer.echo(f"cdoctor: {e}", err=True)
            raise typer.Exit(3) from None

    @sub.command("uninstall")
    def uninstall_command(ctx: typer.Context) -> None:
        """Remove docker-doctor and cdoctor's hook keys; config.json is restored from the backup when it can be."""
        try:
            _report(uninstall(_dir(ctx)))
        except PluginError as e:
            typer.echo(f"cdoctor: {e}", err=True)
            raise typer.Exit(3) from None

    @sub.command("status")
    def status_command(
        ctx: typer.Context,
        docker: str | None = typer.Option(
            None, "--docker", help="The docker CLI to ask (default: the one running the plugin, else docker on PATH)."
        ),
        fmt: str = typer.Option("human", "--format", "-f", help="human or json."),
    ) -> None:
        """Is `docker doctor` installed, is the hook declared and on, and does this docker CLI call it?"""
        from doctor.gather.quick import which

        cli = docker or os.environ.get(REEXEC_ENV) or which("docker")
        if cli and os.sep not in cli:
            cli = which(cli) or cli
        doc = status(_dir(ctx), cli, os.environ)
        if fmt == "json":
            typer.echo(json.dumps(doc, indent=2))
        else:
            for line in status_lines(doc):
                typer.echo(line)

    return sub
