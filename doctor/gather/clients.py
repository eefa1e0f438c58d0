"""What the other clients of the engine are and what they would use.

- every `docker` on PATH (not only the first) with its version, since an
  engine's API floor refuses old CLIs (Debian's 20.10 speaks API 1.41);
- the version of the docker-py installed beside cdoctor (read from its
  metadata, not imported);
- the settings files other clients read: `~/.testcontainers.properties`,
  `~/.docker-java.properties`, the Compose project's `.env` in the working
  directory, and what sudo keeps of the environment (`env_keep` in sudoers,
  when sudoers can be read).

Files are read with a size cap; programs are run only as `docker --version`
with the fact's deadline.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Mapping

from doctor.facts import Facts
from doctor.facts.keys import CLIENT_SETTINGS, DOCKER_BINARY, DOCKER_CLIS, ENVIRONMENT
from doctor.facts.types import ClientSettings, DockerBinary, DockerCLI, Setting
from doctor.gather import bounded
from doctor.gather.local import read_capped
from doctor.gather.threads import map_threads
from doctor.run.context import RunContext

MAX_BYTES = 256 * 1024
MAX_CLIS = 6
_VERSION_RE = re.compile(rb"version (\d+)\.(\d+)(?:\.(\d+))?")


def _ctx(facts: Facts) -> RunContext:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    return ctx


# --- docker CLIs on PATH -------------------------------------------------------




def docker_candidates(path_env: str) -> list[tuple[str, str]]:
    """(path, realpath) of each distinct `docker` executable on PATH, in PATH order."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for d in path_env.split(os.pathsep):
        cand = os.path.join(d or ".", "docker")
        if not (os.path.isfile(cand) and os.access(cand, os.X_OK)):
            continue
        real = os.path.realpath(cand)
        if real in seen:
            continue
        seen.add(real)
        out.append((cand, real))
        if len(out) >= MAX_CLIS:
            break
    return out


def _version_of(real: str, env: Mapping[str, str], timeout: float) -> tuple[tuple[int, int, int] | None, str, str | None]:
    try:
        with open(real, "rb") as f:
            if f.read(2) == b"#!":
                return None, "", "a script, not the Docker CLI: not run"
    except OSError as e:
        return None, "", f"cannot read: {e.strerror}"
    try:
        proc = bounded.run([real, "--version"], timeout=timeout, cap=4096,
                           env={**env, "DOCKER_CONFIG": "/nonexistent/cdoctor-version-probe", "DOCKER_CLI_HINTS": "false"})  # fmt: skip
    except bounded.Timeout:
        return None, "", "`--version` did not answer within the deadline"
    except OSError as e:
        return None, "", f"cannot run: {e.strerror}"
    out = proc.stdout[:4096]
    m = _VERSION_RE.search(out)
    text = out.decode("utf-8", "replace").strip().splitlines()[0][:200] if out.strip() else ""
    if not out.startswith(b"Docker version") or m is None:
        return None, text, "not the Docker CLI"
    return (int(m[1]), int(m[2]), int(m[3] or 0)), text, None


def _asked_already(first: DockerBinary, path: str, real: str) -> DockerCLI | None:
    """The first docker on PATH as DOCKER_BINARY found it, when that fact asked this very binary."""
    if first.realpath == real and first.kind == "docker-cli" and first.version:
        return DockerCLI(path, real, True, first.version, first.version_text or "")
    if first.realpath == real and first.error:
        # Asked already and it failed (it did not answer in time): do not ask twice.
        return DockerCLI(path, real, True, None, "", first.error)
    return None


def _gather_clis(facts: Facts) -> tuple[DockerCLI, ...]:
    """Each docker on PATH with its version: the first from DOCKER_BINARY (asked by that fact), the
    others asked in parallel with it, each within the fact's deadline."""
    ctx = _ctx(facts)
    env = {k: v for k, v in ctx.env.items() if not k.startswith("DOCKER_")}
    found = docker_candidates(ctx.env.get("PATH", os.defpath))
    if not found:
        return ()

    def ask(item: tuple[int, tuple[str, str]]) -> DockerCLI:
        i, (path, real) = item
        known = _asked_already(facts.get(DOCKER_BINARY), path, real) if i == 0 else None
        if known is not None:
            return known
        version, text, error = _version_of(real, env, facts.budget(DOCKER_CLIS))
        return DockerCLI(path, real, i == 0, version, text, error)

    return tuple(map_threads(ask, list(enumerate(found)), MAX_CLIS))




def _gather_docker_py(facts: Facts) -> str | None:
    """docker-py's version, from its .dist-info (pip) or .egg-info (Debian's python3-docker) directory's
    name on sys.path: what importlib.metadata would find first, without importing it (~90 ms here)
    or reading every installed distribution's metadata on each run."""
    import sys

    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("docker-") and name.endswith(".dist-info"):
                return name[len("docker-") : -len(".dist-info")]
            if name.startswith("docker-") and name.endswith(".egg-info"):
                return name[len("docker-") : -len(".egg-info")].split("-py", 1)[0]
    from importlib import metadata  # a zipped egg or another layout: ask the slow, general way

    try:
        return metadata.version("docker")
    except metadata.PackageNotFoundError:
        return None


# --- settings files other clients read -------------------------------------------






_PROP_RE = re.compile(r"^\s*([^#!=:\s][^=:\s]*)\s*[=:]\s*(.*?)\s*$")
_ENV_RE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")

TESTCONTAINERS_KEYS = ("docker.host", "tc.host", "docker.client.strategy", "docker.tls.verify", "docker.cert.path")
DOCKER_JAVA_KEYS = ("DOCKER_HOST", "api.version", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONFIG")
COMPOSE_DOTENV_KEYS = ("DOCKER_HOST", "DOCKER_CONTEXT", "COMPOSE_PROJECT_NAME", "COMPOSE_FILE", "COMPOSE_PROFILES")


def parse_properties(text: str, keys: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """(key, value, line) of the wanted keys in a Java .properties file (the simple forms)."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        m = _PROP_RE.match(line)
        if m and m[1] in keys:
            out.append((m[1], m[2], n))
    return out


def parse_dotenv(text: str, keys: tuple[str, ...]) -> list[tuple[str, str, int]]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        m = _ENV_RE.match(line)
        if m and m[1] in keys:
            value = m[2]
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            out.append((m[1], value, n))
    return out


def sudo_policy(texts: list[tuple[str, str]]) -> tuple[bool, str]:
    """Whether sudo keeps DOCKER_HOST, from sudoers files (name, text): env_reset is the default."""
    for name, text in texts:
        for n, line in enumerate(text.splitlines(), 1):
            s = line.split("#", 1)[0].strip()
            if not s.startswith("Defaults"):
                continue
            if "!env_reset" in s:
                return True, f"{name}:{n}: {s}"
            if "env_keep" in s and "DOCKER_HOST" in s:
                return True, f"{name}:{n}: {s}"
    return False, "sudoers: env_reset (the default) and no env_keep for DOCKER_HOST"


_ENV_PREFIXES = ("TESTCONTAINERS_", "COMPOSE_", "SUDO_")
_ENV_NAMES = ("container", "SSH_CONNECTION", "XDG_RUNTIME_DIR", "XDG_SESSION_TYPE")


def _read(path: str, problems: list[str]) -> str | None:
    try:
        return read_capped(path, MAX_BYTES).decode("utf-8", "replace")
    except FileNotFoundError:
        return None
    except OSError as e:
        problems.append(f"{path}: {e.strerror or e}")
        return None


def _gather_settings(facts: Facts) -> ClientSettings:
    ctx = _ctx(facts)
    home = facts.get(ENVIRONMENT).user.home
    problems: list[str] = []
    settings: list[Setting] = []
    if home:
        path = os.path.join(home, ".testcontainers.properties")
        text = _read(path, problems)
        if text is not None:
            settings += [Setting("testcontainers", k, v, path, n) for k, v, n in parse_properties(text, TESTCONTAINERS_KEYS)]
        path = os.path.join(home, ".docker-java.properties")
        text = _read(path, problems)
        if text is not None:
            settings += [Setting("docker-java", k, v, path, n) for k, v, n in parse_properties(text, DOCKER_JAVA_KEYS)]
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = ""
    if cwd:
        path = os.path.join(cwd, ".env")
        text = _read(path, problems)
        if text is not None:
            settings += [Setting("compose", k, v, path, n) for k, v, n in parse_dotenv(text, COMPOSE_DOTENV_KEYS)]
    env = {k: v for k, v in ctx.env.items() if k.startswith(_ENV_PREFIXES) or k in _ENV_NAMES}
    keeps: bool | None = None
    evidence = ""
    texts: list[tuple[str, str]] = []
    for path in ["/etc/sudoers", *sorted(glob.glob("/etc/sudoers.d/*"))[:50]]:
        try:
            texts.append((path, read_capped(path, MAX_BYTES).decode("utf-8", "replace")))
        except FileNotFoundError:
            continue
        except OSError as e:
            evidence = f"{path}: {e.strerror or e} (sudo's policy for DOCKER_HOST is not known)"
            texts = []
            break
    if texts:
        keeps, evidence = sudo_policy(texts)
    settings = [_probed(s, facts) for s in settings]
    return ClientSettings(tuple(settings), env, cwd, keeps, evidence, tuple(problems))


ENDPOINT_KEYS = frozenset({"docker.host", "tc.host", "DOCKER_HOST"})
_LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


def _probed(s: Setting, facts: Facts) -> Setting:
    """Ping what an endpoint setting names, if it is local (a unix socket or a loopback port)."""
    v = s.value
    local = v.startswith("unix:///") or (v.startswith("tcp://") and v[6:].split("/")[0].rsplit(":", 1)[0] in _LOOPBACK)
    if s.key not in ENDPOINT_KEYS or not local:
        return s
    from doctor.facts.record import replace
    from doctor.gather import dockerapi as api
    from doctor.knowledge.resolve import TLSSettings

    try:
        probe = api.ping(v, v, TLSSettings(), facts.budget(CLIENT_SETTINGS))
    except Exception:
        return replace(s, answers=False)
    return replace(s, answers=probe.answered)


