"""`docker doctor`: the Docker CLI plugin, its error hook, install/uninstall/status (issue 15).

The protocol these tests follow is docker/cli's, read at commit
28f756087eea5fa301f3fbf12b01ae62f91521c2 (master after v29.7.2), v28.2.2 and v20.10.24:

* metadata: cli-plugins/manager/candidate.go (`docker-doctor docker-cli-plugin-metadata`),
  cli-plugins/manager/plugin.go newPlugin + validateSchemaVersion, cli-plugins/metadata/metadata.go;
* running: cli-plugins/manager/manager.go PluginRunCommand (`exec(path, os.Args[1:]...)`);
* hooks: cli-plugins/manager/plugin.go RunHook (`exec(path, "doctor", "docker-cli-plugin-hooks", json)`),
  cli-plugins/manager/hooks.go invokeAndCollectHooks/pluginMatch, cli-plugins/hooks/hook_types.go
  (Request, Response, NextSteps = 0), cli-plugins/hooks/template.go ParseTemplate (Go text/template,
  at most 10 newlines since v29.5.0), cli/command/cli.go HooksEnabled, cmd/docker/docker.go runDocker.

No docker CLI >= 29.3 (the first with "error-hooks") is installable here: the hook is
called here exactly as RunHook calls it and its answer parsed as invokeAndCollectHooks
does. The real 28.2.2 CLI runs the very same hook through the older "hooks" key
(`install --legacy-hooks`), which renders our Template with Go's own text/template.
"""

from __future__ import annotations

import json
import os
import re
import select
import shlex
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from doctor import __version__
from doctor.commands import docker_plugin as dp
from tests.conftest import ROOT, cdoctor

CLIS = ["/usr/local/bin/docker", "/usr/bin/docker"]
DEAD_ERROR = "Cannot connect to the Docker daemon at unix://{path}. Is the docker daemon running?"


def _cli(path: str) -> str:
    if not os.access(path, os.X_OK):
        pytest.skip(f"needs the docker CLI {path}")
    return path


def _env(home: Path, config: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "PYTHON"))}
    env.update(HOME=str(home), DOCKER_CONFIG=str(config), **extra)
    return env


def _docker(cli: str, *args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([cli, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    d = tmp_path / "docker-config"
    d.mkdir()
    return d


def _install(config: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    r = cdoctor("--config", str(config), "docker-plugin", "install", *flags)
    assert r.returncode == 0, r.stderr
    return r


def _call_hook(
    plugin: Path, request: dict[str, object], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], float]:
    """As RunHook does: exec(p.Path, p.Name, HookSubcommandName, json.Marshal(hookData)), stdout captured."""
    started = time.monotonic()
    r = subprocess.run(
        [str(plugin), "doctor", "docker-cli-plugin-hooks", json.dumps(request)],
        capture_output=True,
        text=True,
        env={**env, "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND": "/usr/local/bin/docker"},
        timeout=30,
        check=False,
    )
    return r, time.monotonic() - started


_ACTION = re.compile(r"\{\{(.*?)\}\}", re.S)


def render_like_the_cli(stdout: str) -> list[str]:
    """invokeAndCollectHooks + hooks.ParseTemplate, for the templates cdoctor may send.

    json.Unmarshal into hooks.Response; Type must be NextSteps (0); the Template is a
    Go text/template: the only actions allowed are string constants ({{"{{"}}), anything
    else would reach a template function and is rejected here; more than 10 newlines is
    an error (maxMessages). Returns the lines PrintNextSteps would print.
    """
    message = json.loads(stdout)
    assert message["Type"] == 0
    template = message.get("Template", "")
    assert isinstance(template, str)

    def action(m: re.Match[str]) -> str:
        body = m.group(1)
        literal = json.loads(body)  # a Go string constant; json.loads refuses anything else
        assert isinstance(literal, str)
        return literal

    out = _ACTION.sub(action, template) if "{{" in template else template
    assert "{{" not in _ACTION.sub("", template), "an unterminated action would fail to parse"
    assert out.count("\n") <= 10
    return out.split("\n")


# --- metadata, discovery, running ---------------------------------------------------------------


def test_metadata_answers_the_protocol(config: Path) -> None:
    _install(config)
    plugin = config / "cli-plugins" / "docker-doctor"
    assert plugin.stat().st_mode & stat.S_IXUSR
    out = subprocess.run([str(plugin), "docker-cli-plugin-metadata"], capture_output=True, text=True, check=True)
    meta = json.loads(out.stdout)
    # newPlugin: SchemaVersion "0.1.0" (validateSchemaVersion), a Vendor, the optional fields.
    assert meta["SchemaVersion"] == "0.1.0"
    assert meta["Vendor"] == "cdoctor"
    assert meta["Version"] == __version__ and meta["ShortDescription"]
    assert meta.get("URL", "https://").startswith("https://")  # optional; none until the project has a home page
    assert set(meta) <= {"SchemaVersion", "Vendor", "Version", "ShortDescription", "URL", "Hidden"}


@pytest.mark.cli
@pytest.mark.parametrize("cli", CLIS)
def test_docker_help_lists_doctor(cli: str, config: Path, home: Path) -> None:
    _cli(cli)
    _install(config)
    r = _docker(cli, "help", env=_env(home, config))
    assert re.search(r"^\s+doctor\*?\s+Which Docker-API stack answers", r.stdout, re.M), r.stdout + r.stderr


@pytest.mark.cli
@pytest.mark.parametrize("cli", CLIS)
def test_config_flag_finds_the_plugin_and_reaches_cdoctor(cli: str, config: Path, home: Path) -> None:
    """`docker --config DIR doctor`: the CLI looks in DIR/cli-plugins; cdoctor reads DIR too."""
    _cli(cli)
    _install(config)
    env = _env(home, config)
    del env["DOCKER_CONFIG"]
    r = _docker(cli, "--config", str(config), "doctor", "--format", "json", env=env)
    doc = json.loads(r.stdout)
    assert doc["endpoint"]["config_dir"] == str(config), r.stderr


def test_argv_as_the_cli_passes_it() -> None:
    """PluginRunCommand passes os.Args[1:]: global options (pflag forms), the name, then ours."""
    t = dp.translate_argv(["--context", "labx", "doctor", "--format", "json"])
    assert t.args == ["--context", "labx", "--format", "json"]
    t = dp.translate_argv(["-H", "unix:///a.sock", "-Hunix:///b.sock", "--host=tcp://c:2375", "doctor", "report"])
    assert t.args == ["-H", "unix:///a.sock", "-H", "unix:///b.sock", "-H", "tcp://c:2375", "report"]
    t = dp.translate_argv(["-c=labx", "-D", "-l", "debug", "--tlsverify", "--tls=false", "doctor"])
    assert t.args == ["--context", "labx", "--tlsverify"] and t.env == {"CDOCTOR_DEBUG": "1"}
    t = dp.translate_argv(["-Dc", "labx", "doctor", "stack"])
    assert t.args == ["--context", "labx", "stack"]
    t = dp.translate_argv(
        ["--config", "/cfg", "--tlscacert", "/c/ca.pem", "--tlscert", "/c/cert.pem", "--tlskey", "/c/key.pem", "doctor"]
    )
    assert t.args == ["--config", "/cfg"] and t.env == {"DOCKER_CERT_PATH": "/c"}
    t = dp.translate_argv(["--tlscacert", "/x/my-ca.crt", "doctor"])
    assert "DOCKER_CERT_PATH" not in t.env and t.notes
    assert dp.translate_argv(["help", "doctor"]).args == ["--help"]
    assert dp.translate_argv(["-c", "x", "help", "doctor", "check"]).args == ["--context", "x", "check", "--help"]
    # Arguments after the plugin's name are cdoctor's, even when they look like docker's.
    t = dp.translate_argv(["doctor", "-H", "x", "--context", "y"])
    assert t.args == ["-H", "x", "--context", "y"]


@pytest.mark.cli
@pytest.mark.engine
@pytest.mark.parametrize("cli", CLIS)
def test_docker_context_doctor_diagnoses_that_context(cli: str, config: Path, home: Path, real_dockerd: object) -> None:
    from tests.engines import write_context

    _cli(cli)
    _install(config)
    host = real_dockerd.host  # type: ignore[attr-defined]
    write_context(config, "labx", host)
    r = _docker(cli, "--context", "labx", "doctor", "--format", "json", env=_env(home, config))
    doc = json.loads(r.stdout)
    assert doc["endpoint"]["host"] == host and doc["endpoint"]["context"] == "labx", r.stderr
    assert doc["diagnosis"]["status"] == "ok" and doc["engine"]["product"] == "docker-engine"
    assert r.returncode == 0
    # The rules of the CLI that ran the plugin (DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND), not PATH's first docker.
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout.split()[2]
    assert doc["endpoint"]["cli_rules"].startswith(f"docker CLI {version.rstrip(',').split('+')[0]}"), doc["endpoint"]


@pytest.mark.cli
@pytest.mark.parametrize("cli", CLIS)
def test_docker_host_doctor_report(cli: str, config: Path, home: Path, tmp_path: Path) -> None:
    _cli(cli)
    _install(config)
    dead = f"unix://{tmp_path}/dead.sock"
    r = _docker(cli, "-H", dead, "doctor", "report", "--format", "json", env=_env(home, config))
    doc = json.loads(r.stdout)
    assert doc["endpoint"]["host"] == dead and doc["endpoint"]["source"] == "flag", doc["endpoint"]
    assert doc["diagnosis"]["primary_cause"] and r.returncode == 1


def test_script_quotes_paths(tmp_path: Path) -> None:
    """The interpreter and package paths are shell-quoted: spaces, quotes and $ stay themselves."""
    weird = tmp_path / 'it\'s a $HOME `dir` "x"'
    weird.mkdir()
    fake = weird / "python"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do printf "[%s]\\n" "$a"; done\n')
    fake.chmod(0o755)
    script = tmp_path / "docker-doctor"
    script.write_text(dp.plugin_script(str(fake), str(weird)))
    script.chmod(0o755)
    out = subprocess.run(
        [str(script), "doctor", "a b", "$(id)", "--format=json"], capture_output=True, text=True, check=True
    ).stdout
    args = re.findall(r"^\[(.*)\]$", out, re.M)
    assert args[0] == "-P" and args[1] == "-c" and args[3] == str(weird)
    assert args[4:] == ["doctor", "a b", "$(id)", "--format=json"]
    hook = subprocess.run(
        [str(script), "doctor", "docker-cli-plugin-hooks", "{}"], capture_output=True, text=True, check=True
    ).stdout
    assert re.findall(r"^\[(.*)\]$", hook, re.M)[:3] == ["-I", "-S", "-c"]


def test_plugin_runs_this_installation_without_pythonpath(config: Path, home: Path) -> None:
    _install(config)
    text = (config / "cli-plugins" / "docker-doctor").read_text()
    assert f"exec {sys.executable} -P -c" in text and str(ROOT) in text
    env = _env(home, config)
    r = subprocess.run(
        [str(config / "cli-plugins" / "docker-doctor"), "doctor", "--version"],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(home),
        check=False,
    )
    assert r.stdout.strip() == "cdoctor 0.1.0", r.stderr


def test_a_json_py_in_the_working_directory_is_not_imported(config: Path, home: Path) -> None:
    _install(config)
    (home / "json.py").write_text("raise SystemExit('imported from the working directory')\n")
    plugin = config / "cli-plugins" / "docker-doctor"
    for argv in (["doctor", "--version"], ["doctor", "docker-cli-plugin-hooks", "{}"]):
        r = subprocess.run(
            [str(plugin), *argv], capture_output=True, text=True, env=_env(home, config), cwd=str(home), check=False
        )
        assert "working directory" not in r.stderr and r.returncode == 0, r.stderr


# --- the hook --------------------------------------------------------------------------------------


@pytest.fixture
def plugin(config: Path) -> Path:
    _install(config, "--hooks")
    return config / "cli-plugins" / "docker-doctor"


def test_hook_names_cause_and_fix_for_a_missing_socket(plugin: Path, home: Path, config: Path, tmp_path: Path) -> None:
    path = tmp_path / "run" / "docker.sock"
    r, seconds = _call_hook(
        plugin,
        {"RootCmd": "ps", "Flags": {"all": "true"}, "CommandError": DEAD_ERROR.format(path=path)},
        _env(home, config),
    )
    assert r.returncode == 0 and r.stderr == ""
    lines = render_like_the_cli(r.stdout)
    assert lines[0] == f"cdoctor: nothing at unix://{path}: the socket does not exist"
    assert lines[-1].startswith("  more: docker doctor")
    assert seconds < 3.0  # measured ~0.25 s on an idle machine; the hook's own watchdog is HOOK_BUDGET


class _PingServer:
    """A unix socket that answers GET /_ping as the Docker API does (or accepts and stays silent)."""

    def __init__(self, path: Path, *, answers: bool) -> None:
        import threading

        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(str(path))
        self.sock.listen(8)
        self.answers = answers
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if not self.answers:
                self.held.append(conn)  # accepted, never answered: a wedged engine
                continue
            with conn:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK")

    def close(self) -> None:
        self.sock.close()
        for c in self.held:
            c.close()


def _stale(path: Path) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()


def _hook_beside_colima(
    plugin: Path, home: Path, config: Path, tmp_path: Path, *, answers: bool
) -> tuple[Path, Path, list[str], float]:
    """The hook after `docker ps` failed on a stale DOCKER_HOST socket, while Colima's known
    socket listens (answering /_ping, or silent): (stale, colima dir, hook lines, seconds)."""
    stale = tmp_path / "stale.sock"
    _stale(stale)
    colima_dir = home / ".colima" / "default"
    colima_dir.mkdir(parents=True)
    server = _PingServer(colima_dir / "docker.sock", answers=answers)
    try:
        env = _env(home, config, DOCKER_HOST=f"unix://{stale}")
        started = time.monotonic()
        r, _ = _call_hook(plugin, {"RootCmd": "ps", "CommandError": DEAD_ERROR.format(path=stale)}, env)
        seconds = time.monotonic() - started
    finally:
        server.close()
    return stale, colima_dir, render_like_the_cli(r.stdout), seconds


def test_hook_finds_the_stale_socket_and_the_engine_that_answers(
    plugin: Path, home: Path, config: Path, tmp_path: Path
) -> None:
    """A socket file nobody listens on is 'stale'; a known socket that answers /_ping is offered."""
    stale, alive_dir, lines, _ = _hook_beside_colima(plugin, home, config, tmp_path, answers=True)
    assert (
        lines[0] == f"cdoctor: nothing listens at unix://{stale}: a stale socket, its engine stopped "
        "(DOCKER_HOST points there)"
    )
    assert f"  but unix://{alive_dir}/docker.sock answers the Docker API" in lines
    assert f"  fix:  export DOCKER_HOST=unix://{alive_dir}/docker.sock" in lines


def test_hook_offers_no_socket_that_only_accepts_connections(
    plugin: Path, home: Path, config: Path, tmp_path: Path
) -> None:
    """A known socket that accepts and never answers (a wedged engine) is not a fix: the hook
    gives the product's start command and `docker doctor`, not `export DOCKER_HOST=` to it."""
    _, _, lines, seconds = _hook_beside_colima(plugin, home, config, tmp_path, answers=False)
    out = "\n".join(lines)
    assert "nothing listens at" in out
    assert "DOCKER_HOST=" not in out and "context create" not in out, out
    assert seconds < 5, seconds


def test_hook_permission_denied_names_the_group_and_no_group_fix(
    plugin: Path, home: Path, config: Path, engine_dir: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to make a socket another user cannot open")
    os.chmod(engine_dir, 0o755)  # nobody may walk to the socket and the plugin, not open the socket
    d = engine_dir / "locked"
    d.mkdir(mode=0o755)
    # The venv's interpreter lives under /root: run this tree with Debian's python3 as nobody.
    if not os.access("/usr/bin/python3", os.X_OK):
        pytest.skip("needs /usr/bin/python3")
    shutil.copytree(ROOT / "doctor", engine_dir / "pkg" / "doctor")
    os.chmod(engine_dir / "pkg", 0o755)
    copy = engine_dir / "docker-doctor"
    copy.write_text(dp.plugin_script("/usr/bin/python3", str(engine_dir / "pkg")))
    copy.chmod(0o755)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(d / "docker.sock"))
    sock.listen(1)
    os.chmod(d / "docker.sock", 0o660)
    request = json.dumps(
        {
            "RootCmd": "ps",
            "CommandError": (
                f"permission denied while trying to connect to the Docker daemon socket at unix://{d}/docker.sock: "
                f'Get "http://%2F{d}%2Fdocker.sock/v1.47/containers/json": dial unix {d}/docker.sock: '
                "connect: permission denied"
            ),
        }
    )
    try:
        r = subprocess.run(
            [str(copy), "doctor", "docker-cli-plugin-hooks", request],
            capture_output=True,
            text=True,
            env={**_env(home, config), "HOME": "/nonexistent"},
            user=65534,
            group=65534,
            extra_groups=[],
            timeout=30,
            check=False,
            cwd="/",
        )
    finally:
        sock.close()
    lines = render_like_the_cli(r.stdout)
    assert lines[0] == f"cdoctor: unix://{d}/docker.sock: permission denied", r.stdout + r.stderr
    assert lines[1] == "  the socket belongs to group 'root', whose members control the engine as root"
    assert "usermod" not in r.stdout  # never advise joining a root-equivalent group


@pytest.mark.parametrize(
    "error",
    [
        "Error response from daemon: No such container: web",
        "Error: No such object: foo",
        "unknown flag: --frobnicate\nSee 'docker ps --help'.",
        "exited with code 1",
    ],
)
def test_hook_is_silent_when_the_error_is_not_about_the_engine(
    plugin: Path, home: Path, config: Path, error: str
) -> None:
    r, _ = _call_hook(plugin, {"RootCmd": "ps", "CommandError": error}, _env(home, config))
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_hook_is_silent_after_success_and_on_garbage(plugin: Path, home: Path, config: Path) -> None:
    """A "hooks" call after a command that succeeded has no CommandError (omitzero); bad input says nothing."""
    env = _env(home, config)
    for request in (
        '{"RootCmd": "ps", "Flags": {}}',
        "not json",
        "[1, 2]",
        '{"CommandError": 42}',
        "",
        '{"CommandError": "' + "x" * 120_000 + '"}',
    ):  # an argument is at most 128 KiB (Linux)
        r = subprocess.run(
            [str(plugin), "doctor", "docker-cli-plugin-hooks", request],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
            check=False,
        )
        assert (r.returncode, r.stdout, r.stderr) == (0, "", ""), request[:40]
    r = subprocess.run(
        [str(plugin), "doctor", "docker-cli-plugin-hooks"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert (r.returncode, r.stdout) == (0, "")
    assert dp.hook_response(json.dumps({"CommandError": DEAD_ERROR.format(path="/x.sock") * 30_000})) is None


def test_hook_output_is_sanitised_and_template_safe(tmp_path: Path) -> None:
    """Hostile error text: terminal escapes never pass; `{{` prints as itself through Go's template."""
    hostile = (
        'Cannot connect to the Docker daemon at tcp://evil\x1b]0;pwned\x07\x1b[31m{{template "x"}}\u202e:2375. '
        "Is the docker daemon running?"
    )
    response = dp.hook_response(json.dumps({"CommandError": hostile}), env={"HOME": str(tmp_path)})
    assert response is not None
    text = json.dumps(response)
    assert "\\u001b" not in text and "\\u0007" not in text and "\\u202e" not in text
    lines = render_like_the_cli(text)
    assert all(ch.isprintable() for line in lines for ch in line)
    # A literal `{{` in a line survives the template as `{{`.
    assert render_like_the_cli(json.dumps({"Type": 0, "Template": dp.go_template_literal("a {{b}} }} {{{")})) == [
        "a {{b}} }} {{{"
    ]


def test_hook_never_breaks_the_command_when_it_fails(config: Path, home: Path) -> None:
    """An exception inside the hook: nothing on stdout (the CLI then prints nothing), exit 0."""
    _install(config, "--hooks")
    script = (config / "cli-plugins" / "docker-doctor").read_text()
    # Break this copy of cdoctor for the hook: point it at an empty package directory.
    empty = home / "broken"
    (empty / "doctor").mkdir(parents=True)
    (empty / "doctor" / "__init__.py").write_text("raise RuntimeError('broken install')\n")
    broken = config / "cli-plugins" / "docker-doctor"
    broken.write_text(script.replace(str(ROOT), str(empty)))
    r, _ = _call_hook(broken, {"CommandError": DEAD_ERROR.format(path="/nonexistent/docker.sock")}, _env(home, config))
    assert r.stdout == ""  # the CLI skips a plugin whose hook fails (invokeAndCollectHooks)


def _in_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run argv with stdout and stderr on a pty (runDocker runs hooks only for a terminal)."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
        os.close(slave)
        out = b""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        rc = proc.wait(10)
    finally:
        os.close(master)
    return rc, out.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.mark.cli
def test_the_real_28_cli_runs_the_hook_and_prints_the_verdict(config: Path, home: Path, tmp_path: Path) -> None:
    """End to end with docker 28.2.2: `install --legacy-hooks` declares "hooks", which 26.1–29.2 run.

    The CLI parses our Template with Go's text/template (v28 always does) and prints it
    under "What's next:" — only when stdout is a terminal (runDocker), hence the pty.
    """
    cli = _cli("/usr/local/bin/docker")
    _install(config, "--legacy-hooks")
    dead = tmp_path / "nowhere" / "docker.sock"
    rc, text = _in_a_terminal([cli, "ps"], _env(home, config, DOCKER_HOST=f"unix://{dead}"))
    assert rc == 1
    assert "What's next:" in text, text
    assert f"    cdoctor: nothing at unix://{dead}: the socket does not exist (DOCKER_HOST points there)\n" in text
    assert "      more: docker doctor" in text
    assert f"Cannot connect to the Docker daemon at unix://{dead}" in text
    # Hooks off (DOCKER_CLI_HOOKS=0 wins over features.hooks): the CLI's error alone.
    rc, text = _in_a_terminal([cli, "ps"], _env(home, config, DOCKER_HOST=f"unix://{dead}", DOCKER_CLI_HOOKS="0"))
    assert rc == 1 and "cdoctor" not in text and "Cannot connect" in text


@pytest.mark.cli
def test_go_text_template_prints_the_escaped_text_verbatim(config: Path, home: Path) -> None:
    """go_template_literal through the real CLI's Go text/template: `{{` and `}}` come out as written."""
    cli = _cli("/usr/local/bin/docker")
    _install(config, "--legacy-hooks")
    tricky = 'a {{b}} }} {{{ {{"x"}} {{.Name}} {{flag . "all"}}'
    stub = config / "cli-plugins" / "docker-doctor"
    response = json.dumps({"Type": 0, "Template": dp.go_template_literal(tricky)})
    stub.write_text(
        "#!/bin/sh\n"
        f"{dp.MARKER}\n"
        'if [ "$1" = docker-cli-plugin-metadata ]; then echo \'{"SchemaVersion":"0.1.0","Vendor":"t"}\'; exit 0; fi\n'
        f"printf '%s\\n' {shlex.quote(response)}\n"
    )
    _, text = _in_a_terminal([cli, "ps"], _env(home, config, DOCKER_HOST="unix:///nonexistent/docker.sock"))
    assert f"    {tricky}\n" in text, text
    assert render_like_the_cli(response) == [tricky]


# --- install / uninstall / status -----------------------------------------------------------------

ORIGINAL = (
    '{\n\t"auths": {\n\t\t"registry.example": {\n\t\t\t"auth": "dXNlcjpwYXNz"\n\t\t}\n\t},\n'
    '\t"psFormat": "table {{.ID}}\\t{{.Names}}",\n\t"currentContext": "default",\n'
    '\t"plugins": {\n\t\t"other": {\n\t\t\t"hooks": "ps"\n\t\t}\n\t},\n'
    '\t"features": {\n\t\t"hooks": "false"\n\t},\n\t"x-unknown": [1, 2.50, "ü"]\n}\n'
)


def test_install_hooks_edits_config_json_keeping_everything_else(config: Path) -> None:
    cfg = config / "config.json"
    cfg.write_text(ORIGINAL)
    os.chmod(cfg, 0o640)
    if os.geteuid() == 0:
        os.chown(cfg, 65534, 65534)
    r = _install(config, "--hooks")
    assert 'features.hooks = "true" (was "false")' in r.stdout and "backup" in r.stdout
    data = json.loads(cfg.read_text())
    assert data["plugins"]["doctor"] == {"error-hooks": ",".join(dp.HOOK_COMMANDS)}
    assert data["plugins"]["other"] == {"hooks": "ps"} and data["features"] == {"hooks": "true"}
    assert data["auths"] == {"registry.example": {"auth": "dXNlcjpwYXNz"}} and data["x-unknown"] == [1, 2.5, "ü"]
    assert list(data)[:4] == ["auths", "psFormat", "currentContext", "plugins"]
    st = cfg.stat()
    assert stat.S_IMODE(st.st_mode) == 0o640
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (65534, 65534)
    assert (config / "config.json.cdoctor-backup").read_text() == ORIGINAL
    assert sorted(p.name for p in config.iterdir()) == ["cli-plugins", "config.json", "config.json.cdoctor-backup"]
    # map[string]string everywhere the CLI expects it: both CLIs still load the file.
    for cli in CLIS:
        if os.access(cli, os.X_OK):
            r2 = _docker(cli, "--config", str(config), "context", "ls", "-q", env=_env(Path("/"), config))
            assert "WARNING" not in r2.stderr and r2.returncode == 0, r2.stderr
    # Installing twice changes nothing and keeps the first backup.
    again = _install(config, "--hooks")
    assert "already declares the hooks" in again.stdout
    assert (config / "config.json.cdoctor-backup").read_text() == ORIGINAL


def test_uninstall_restores_config_json_byte_for_byte(config: Path) -> None:
    cfg = config / "config.json"
    cfg.write_text(ORIGINAL)
    os.chmod(cfg, 0o600)
    _install(config, "--legacy-hooks")
    r = cdoctor("--config", str(config), "docker-plugin", "uninstall")
    assert r.returncode == 0 and "byte for byte" in r.stdout, r.stdout + r.stderr
    assert cfg.read_bytes() == ORIGINAL.encode()
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert not (config / "cli-plugins" / "docker-doctor").exists()
    assert not (config / "config.json.cdoctor-backup").exists()


def test_uninstall_keeps_later_changes_and_formats_like_the_cli(config: Path) -> None:
    cfg = config / "config.json"
    cfg.write_text(ORIGINAL)
    _install(config, "--hooks")
    data = json.loads(cfg.read_text())
    data["currentContext"] = "labx"  # the user switched context after the install
    cfg.write_text(json.dumps(data))
    assert cdoctor("--config", str(config), "docker-plugin", "uninstall").returncode == 0
    after = json.loads(cfg.read_text())
    expected = json.loads(ORIGINAL)
    expected["currentContext"] = "labx"
    assert after == expected  # features.hooks back to "false", plugins.doctor gone, plugins.other kept
    assert cfg.read_bytes() == dp.go_json(expected)


def test_a_config_json_cdoctor_created_is_removed_again(config: Path) -> None:
    _install(config, "--hooks")
    assert json.loads((config / "config.json").read_text())["features"] == {"hooks": "true"}
    assert cdoctor("--config", str(config), "docker-plugin", "uninstall").returncode == 0
    assert not (config / "config.json").exists()


@pytest.mark.cli
def test_go_json_writes_what_the_docker_cli_writes(config: Path, home: Path) -> None:
    """configfile.Save: MarshalIndent(c, "", "\\t"). Let the 28.2.2 CLI write a config; re-encode it."""
    cli = _cli("/usr/local/bin/docker")
    (config / "config.json").write_text(
        json.dumps(
            {
                "auths": {"r.example": {"auth": "dXNlcjpwYXNz"}},
                "psFormat": "<b>{{.ID}}</b> & ü",
                "currentContext": "labx",
                "plugins": {"doctor": {"error-hooks": "ps,run"}},
                "features": {"hooks": "true"},
            }
        )
    )
    r = _docker(cli, "context", "use", "default", env=_env(home, config))
    assert r.returncode == 0, r.stderr
    written = (config / "config.json").read_bytes()
    assert b"\\u003cb\\u003e" in written  # Go's HTML escaping
    assert dp.go_json(json.loads(written)) == written


def test_install_refuses_a_broken_config_and_a_foreign_plugin(config: Path) -> None:
    cfg = config / "config.json"
    cfg.write_text('{"auths": {}, ')
    r = cdoctor("--config", str(config), "docker-plugin", "install", "--hooks")
    assert r.returncode == 3 and "not valid JSON" in r.stderr
    assert cfg.read_text() == '{"auths": {}, ' and not (config / "config.json.cdoctor-backup").exists()
    cfg.unlink()
    foreign = config / "cli-plugins" / "docker-doctor"
    foreign.write_text("#!/bin/sh\necho someone else\n")
    r = cdoctor("--config", str(config), "docker-plugin", "install")
    assert r.returncode == 3 and "not written by cdoctor" in r.stderr
    assert foreign.read_text() == "#!/bin/sh\necho someone else\n"
    r = cdoctor("--config", str(config), "docker-plugin", "uninstall")
    assert "left in place" in r.stdout and foreign.exists()


def test_symlinked_config_json_is_edited_at_its_target(config: Path, tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "docker.json"
    target.parent.mkdir()
    target.write_text('{"auths": {}}')
    (config / "config.json").symlink_to(target)
    _install(config, "--hooks")
    assert (config / "config.json").is_symlink()
    assert json.loads(target.read_text())["features"] == {"hooks": "true"}
    assert cdoctor("--config", str(config), "docker-plugin", "uninstall").returncode == 0
    assert target.read_text() == '{"auths": {}}' and (config / "config.json").is_symlink()


def test_docker_config_env_is_honoured(tmp_path: Path, home: Path) -> None:
    d = tmp_path / "from-env"
    r = cdoctor("docker-plugin", "install", env={"DOCKER_CONFIG": str(d)})
    assert r.returncode == 0 and (d / "cli-plugins" / "docker-doctor").exists()
    assert not (home / ".docker").exists()


def _fake_docker(tmp_path: Path, version: str) -> str:
    fake = tmp_path / f"docker-{version}"
    fake.write_text(f"#!/bin/sh\necho 'Docker version {version}, build abc'\n")
    fake.chmod(0o755)
    return str(fake)


@pytest.mark.parametrize(
    ("version", "legacy", "runs"),
    [
        ("29.3.0", False, "error-hooks (after a failed command)"),
        ("29.7.2", True, "hooks (after every matched command; the hook speaks only after a failure)"),
        ("29.2.1", False, "none: this CLI ignores error-hooks (install --legacy-hooks)"),
        ("26.1.0", True, "hooks (after every matched command; the hook speaks only after a failure)"),
        ("26.0.2", True, "none: this CLI has no hooks (docker/cli 26.1.0 added them)"),
    ],
)
def test_status_says_whether_this_cli_runs_the_hook(
    config: Path, tmp_path: Path, version: str, legacy: bool, runs: str
) -> None:
    _install(config, "--legacy-hooks" if legacy else "--hooks")
    r = cdoctor(
        "--config",
        str(config),
        "docker-plugin",
        "status",
        "--format",
        "json",
        "--docker",
        _fake_docker(tmp_path, version),
    )
    doc = json.loads(r.stdout)
    assert doc["cli"]["version"] == version and doc["cli"]["runs"] == runs
    assert doc["plugin"]["ours"] and doc["plugin"]["python"] == sys.executable
    assert doc["hooks"]["enabled"] and doc["hooks"]["error-hooks"]


def _hooks_of(cli: str) -> str:
    """What status must say of a real CLI with `--hooks` installed, from its version (the table
    above): Debian 12's docker.io is 20.10, Debian 13's 26.1, the image's own CLI 28 or later."""
    out = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=30, check=False).stdout
    m = re.search(r"version (\d+)\.(\d+)\.(\d+)", out)
    assert m, out
    version = tuple(int(p) for p in m.groups())
    if version < (26, 1, 0):
        return "has no hooks"
    return "ignores error-hooks" if version < (29, 3, 0) else "error-hooks (after a failed command)"


@pytest.mark.cli
@pytest.mark.parametrize("cli", ["/usr/local/bin/docker", "/usr/bin/docker"])
def test_status_with_the_real_clis(config: Path, home: Path, cli: str) -> None:
    runs = _hooks_of(_cli(cli))
    _install(config, "--hooks")
    r = cdoctor("--config", str(config), "docker-plugin", "status", "--docker", cli, env={"DOCKER_CLI_HOOKS": "0"})
    assert runs in r.stdout and "hooks off: DOCKER_CLI_HOOKS=0" in r.stdout, r.stdout


def test_status_and_the_hook_write_nothing(config: Path, home: Path, tmp_path: Path) -> None:
    _install(config, "--hooks")

    def tree() -> list[tuple[str, float]]:
        return sorted((str(p), p.stat().st_mtime) for base in (config, home) for p in base.rglob("*"))

    before = tree()
    cdoctor("--config", str(config), "docker-plugin", "status")
    _call_hook(
        config / "cli-plugins" / "docker-doctor",
        {"CommandError": DEAD_ERROR.format(path=tmp_path / "x.sock")},
        _env(home, config),
    )
    assert tree() == before


def test_hook_commands_match_like_the_cli() -> None:
    """manager/hooks.go hookMatch: token prefixes, so "compose" covers "compose up -d"."""

    def hook_match(hook_cmd: str, sub_cmd: str) -> bool:
        h, s = hook_cmd.split(" "), sub_cmd.split(" ")
        return len(h) <= len(s) and all(a == b for a, b in zip(h, s, strict=False))

    for command in ("ps", "compose up -d", "buildx build .", "container ls", "image pull x", "info", "run"):
        assert any(hook_match(h, command) for h in dp.HOOK_COMMANDS), command
    for command in ("context ls", "login2", "help"):
        assert not any(hook_match(h, command) for h in dp.HOOK_COMMANDS), command
    assert all("," not in h for h in dp.HOOK_COMMANDS)


def test_no_python_module_outside_the_standard_library_on_the_hook_path() -> None:
    """The hook runs with `python -I -S`: site-packages (typer, docker, psutil) are not importable there."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from doctor.commands import docker_plugin as d; "
        "d.verdict('Cannot connect to the Docker daemon at unix:///nonexistent/docker.sock. "
        "Is the docker daemon running?', {'HOME': '/nonexistent'}); "
        "bad = [m for m in ('typer', 'docker', 'psutil', 'tabulate', 'click') if m in sys.modules]; "
        "raise SystemExit(str(bad) if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(ROOT)], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
