"""cdoctor's endpoint resolution against the real docker CLI, on generated configurations.

For every installed docker CLI (the machine image's /usr/local/bin/docker and
Debian's /usr/bin/docker, when present), hypothesis generates configurations:
a temporary HOME with contexts (good ones, odd casing, missing ones, broken
ones), config.json files (valid, invalid, currentContext set, missing, of the
wrong type), DOCKER_HOST/DOCKER_CONTEXT/DOCKER_CONFIG/DOCKER_TLS* set, empty or
unset, and docker's -H/--context/--config/--tls* flags. Every endpoint is dead
(a unix path that does not exist under a tmp dir, a closed loopback port), so
`docker ps` fails fast and says which endpoint it tried, or why it could not
resolve one. cdoctor resolves the same inputs through doctor/gather/local.py
(with PATH holding only that CLI, so CliFamily comes from its version) and
must name the same endpoint, or the same class of failure.

Run it alone: `pytest tests/test_differential.py -v -s` (prints the counts).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doctor.facts import Facts
from doctor.facts import keys as local
from doctor.knowledge import resolve
from doctor.run.context import RunContext

DATA = Path(__file__).parent / "data" / "resolution"
CA_PEM = (DATA / "ca.pem").read_bytes()
EXAMPLES = 200

# Read before the autouse fixture of conftest.py clears CI from the environment.
ON_CI = bool(os.environ.get("CI") or os.environ.get("GITHUB_ACTIONS") or os.environ.get("GITLAB_CI"))

CANDIDATES = ("/usr/local/bin/docker", "/usr/bin/docker")


def _cli_version(path: str) -> tuple[int, int, int] | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, timeout=10, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.match(rb"Docker version (\d+)\.(\d+)\.(\d+)", out)
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def _installed() -> list[tuple[str, tuple[int, int, int]]]:
    found = []
    for path in CANDIDATES:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            version = _cli_version(path)
            if version is not None:
                found.append((path, version))
    return found


INSTALLED = _installed()


def _port_closed(port: int) -> bool:
    for family, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            with contextlib.suppress(OSError):
                if s.connect_ex((addr, port)) == 0:
                    return False
    return True


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CLOSED = _closed_port()
# Hosts whose default ports (80/443 for a portless context, 2375/2376 by default)
# must be dead for the test to see the endpoint in the CLI's error.
DEFAULT_PORTS_DEAD = all(_port_closed(p) for p in (80, 443, 2375, 2376))
DEFAULT_SOCKET_LIVE = False
with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as _s:
    _s.settimeout(0.5)
    _s.connect("/var/run/docker.sock")
    DEFAULT_SOCKET_LIVE = True

# --- what gets generated ------------------------------------------------------

NAMES = ("a", "b-ctx", "Colima", "desktop-linux", "x.y", "default")


@dataclass(frozen=True)
class Ctx:
    name: str
    variant: str  # how its meta.json is written, see _meta_bytes
    dir_name: str | None = None  # write it under another name's directory (Name not checked)


@dataclass(frozen=True)
class ConfigDir:
    config_json: str | None  # a key of CONFIG_JSON, or None: no file
    contexts: tuple[Ctx, ...]
    ca_pem: bool


@dataclass(frozen=True)
class Scenario:
    home: ConfigDir  # $HOME/.docker
    env_cfg: ConfigDir  # the directory DOCKER_CONFIG may name
    flag_cfg: ConfigDir  # the directory --config may name
    docker_host: str | None
    docker_context: str | None
    docker_config: str | None  # None | "" | "env"
    tls_verify: str | None
    tls: str | None
    cert_path: str | None  # None | "" | "env" (the DOCKER_CONFIG dir) | "flag" (the --config dir)
    hosts: tuple[str, ...] | None
    context: str | None
    config_flag: str | None  # None | "" | "flag"
    flag_tls: bool
    flag_tlsverify: bool


def _config_json(name: str, current: str) -> bytes:
    cur = json.dumps(current)
    return {
        "valid": f'{{"auths": {{}}, "currentContext": {cur}}}',
        "odd-case": f'{{"CurrentContext": {cur}}}',
        "lower-case": f'{{"currentcontext": {cur}}}',
        "wrong-type": '{"currentContext": 5}',
        "other-wrong-type": f'{{"psFormat": 5, "currentContext": {cur}}}',
        "dup-then-wrong": f'{{"currentContext": {cur}, "currentContext": 5}}',
        "null-value": '{"currentContext": null}',
        "trailing-comma": f'{{"currentContext": {cur},}}',
        "truncated": f'{{"currentContext": {cur}',
        "bom": f'\ufeff{{"currentContext": {cur}}}',
        "garbage-after": f'{{"currentContext": {cur}}} trailing text',
        "empty": "",
        "blank": " \n",
        "null": "null",
        "array": "[]",
        "empty-current": '{"currentContext": ""}',
    }[name].encode()


CONFIG_JSON = (
    "valid",
    "odd-case",
    "lower-case",
    "wrong-type",
    "other-wrong-type",
    "dup-then-wrong",
    "null-value",
    "trailing-comma",
    "truncated",
    "bom",
    "garbage-after",
    "empty",
    "blank",
    "null",
    "array",
    "empty-current",
)

META_VARIANTS = (
    "unix",
    "unix",
    "tcp",
    "tcp-portless",
    "lower-keys",
    "no-docker",
    "Docker-key",
    "empty-host",
    "no-host",
    "host-number",
    "garbage-after",
    "empty-file",
    "bom",
    "skip-tls",
    "skip-tls-string",
    "ssh-password",
    "ssh-closed",
    "fd-empty",
    "npipe",
    "leading-space",
    "relative-unix",
    "docker-null",
    "endpoints-null",
    "metadata-number",
    "description-number",
    "two-endpoints",
    "not-a-url",
)


def _meta_bytes(variant: str, name: str, tmp: str) -> bytes:
    dead = f"unix://{tmp}/dead-{hashlib.sha256(name.encode()).hexdigest()[:6]}.sock"
    tcp = f"tcp://127.0.0.1:{CLOSED}"

    def doc(endpoint: object, **extra: object) -> bytes:
        return json.dumps({"Name": name, "Metadata": {}, "Endpoints": {"docker": endpoint}, **extra}).encode()

    match variant:
        case "unix":
            return doc({"Host": dead, "SkipTLSVerify": False})
        case "tcp":
            return doc({"Host": tcp})
        case "tcp-portless":
            return doc({"Host": "tcp://127.0.0.1"})
        case "lower-keys":
            return json.dumps({"name": name, "endpoints": {"docker": {"host": dead, "skiptlsverify": False}}}).encode()
        case "no-docker":
            return json.dumps({"Name": name, "Endpoints": {}}).encode()
        case "Docker-key":
            return json.dumps({"Name": name, "Endpoints": {"Docker": {"Host": dead}}}).encode()
        case "empty-host":
            return doc({"Host": ""})
        case "no-host":
            return doc({})
        case "host-number":
            return doc({"Host": 5})
        case "garbage-after":
            return doc({"Host": dead}) + b" trailing"
        case "empty-file":
            return b""
        case "bom":
            return b"\xef\xbb\xbf" + doc({"Host": dead})
        case "skip-tls":
            return doc({"Host": tcp, "SkipTLSVerify": True})
        case "skip-tls-string":
            return doc({"Host": tcp, "SkipTLSVerify": "yes"})
        case "ssh-password":
            return doc({"Host": "ssh://user:secret@127.0.0.1"})
        case "ssh-closed":
            return doc({"Host": f"ssh://user@127.0.0.1:{CLOSED}"})
        case "fd-empty":
            return doc({"Host": "fd://"})
        case "npipe":
            return doc({"Host": "npipe:////./pipe/docker_engine"})
        case "leading-space":
            return doc({"Host": " " + dead})
        case "relative-unix":
            return doc({"Host": "unix://relative/dead.sock"})
        case "docker-null":
            return doc(None)
        case "endpoints-null":
            return json.dumps({"Name": name, "Endpoints": None}).encode()
        case "metadata-number":
            return json.dumps({"Name": name, "Metadata": 5, "Endpoints": {"docker": {"Host": dead}}}).encode()
        case "description-number":
            return json.dumps({"Name": name, "Metadata": {"Description": 5}, "Endpoints": {"docker": {"Host": dead}}}).encode()
        case "two-endpoints":
            return (
                f'{{"Name": {json.dumps(name)}, "Endpoints": {{"docker": {{"Host": "{tcp}"}}}}, '
                f'"Endpoints": {{"other": {{}}}}}}'
            ).encode()
        case "not-a-url":
            return doc({"Host": f"127.0.0.1:{CLOSED}"})
    raise AssertionError(variant)


def _host_values(tmp_hint: str) -> list[str]:
    # `tmp_hint` is replaced by the example's tmp dir when the files are written.
    values = [
        f"unix://{tmp_hint}/dead-host.sock",
        f"tcp://127.0.0.1:{CLOSED}",
        f"127.0.0.1:{CLOSED}",
        f"  unix://{tmp_hint}/dead-trim.sock ",
        "tcp://",
        "",
        "http://127.0.0.1:2375",
        "tcp://[::1]",
        f"tcp://127.0.0.1:{CLOSED}/base",
        "tcp://h:abc",
        "unix://a://b",
        "unix://",
        "npipe://",
        "fd://",
        "ssh://user:pw@127.0.0.1",
        "ssh://127.0.0.1?x=1",
        f"ssh://user@127.0.0.1:{CLOSED}",
        f"unix://{tmp_hint}/a%zz",
    ]
    if DEFAULT_PORTS_DEAD:
        values += ["tcp://127.0.0.1", "localhost"]
    return values


TMP = "@TMP@"
HOSTS = _host_values(TMP)
CTX_NAMES = (*NAMES, "nope")


@st.composite
def config_dirs(draw: st.DrawFn) -> ConfigDir:
    contexts = []
    for n in NAMES:
        variant = draw(_weighted((8, None), *((1, v) for v in META_VARIANTS)))
        if variant is None:
            continue  # this context does not exist here
        if not DEFAULT_PORTS_DEAD and variant == "tcp-portless":
            variant = "tcp"
        other = draw(_weighted((6, None), (1, "elsewhere")))
        contexts.append(Ctx(n, str(variant), other and f"{n}-{other}"))
    return ConfigDir(
        config_json=draw(st.sampled_from((None, "valid", "valid", "odd-case", *CONFIG_JSON))),
        contexts=tuple(contexts),
        ca_pem=draw(st.booleans()),
    )


def _maybe(values: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.just(""), values)


def _weighted(*pairs: tuple[int, object]) -> st.SearchStrategy[object]:
    """Choose among values with these weights (st.one_of does not weigh its branches evenly)."""
    return st.sampled_from([v for w, v in pairs for _ in range(w)])


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    hosts_kind = draw(_weighted((6, "none"), (3, "one"), (1, "two")))
    hosts: tuple[str, ...] | None = None
    if hosts_kind == "one":
        hosts = (draw(st.sampled_from(HOSTS)),)
    elif hosts_kind == "two":
        hosts = (draw(st.sampled_from(HOSTS)), draw(st.sampled_from(HOSTS)))
    docker_host = draw(_weighted((5, None), (1, ""), (2, "value")))
    if docker_host == "value":
        docker_host = draw(st.sampled_from(HOSTS))
    return Scenario(
        home=draw(config_dirs()),
        env_cfg=draw(config_dirs()),
        flag_cfg=draw(config_dirs()),
        docker_host=docker_host,  # type: ignore[arg-type]
        docker_context=draw(_weighted((4, None), (1, ""), *((1, n) for n in CTX_NAMES))),  # type: ignore[arg-type]
        docker_config=draw(_weighted((3, None), (1, ""), (3, "env"))),  # type: ignore[arg-type]
        tls_verify=draw(_weighted((16, None), (1, ""), (1, "0"), (1, "1"))),  # type: ignore[arg-type]
        tls=draw(_weighted((16, None), (1, ""), (1, "1"))),  # type: ignore[arg-type]
        cert_path=draw(_weighted((4, None), (1, ""), (1, "env"), (1, "flag"))),  # type: ignore[arg-type]
        hosts=hosts,
        context=draw(_weighted((20, None), (1, ""), *((1, n) for n in CTX_NAMES))),  # type: ignore[arg-type]
        config_flag=draw(_weighted((4, None), (1, ""), (3, "flag"))),  # type: ignore[arg-type]
        flag_tls=draw(_weighted((20, False), (1, True))),  # type: ignore[arg-type]
        flag_tlsverify=draw(_weighted((20, False), (1, True))),  # type: ignore[arg-type]
    )


# --- building the files, running both sides ---------------------------------


@dataclass(frozen=True)
class Built:
    env: dict[str, str]
    argv: list[str]
    flags: resolve.Flags
    tmp: str


def _write_dir(path: Path, spec: ConfigDir, current: str, tmp: str) -> None:
    path.mkdir(parents=True)
    if spec.config_json is not None:
        (path / "config.json").write_bytes(_config_json(spec.config_json, current))
    if spec.ca_pem:
        (path / "ca.pem").write_bytes(CA_PEM)
    for ctx in spec.contexts:
        d = path / "contexts" / "meta" / hashlib.sha256((ctx.dir_name or ctx.name).encode()).hexdigest()
        d.mkdir(parents=True)
        (d / "meta.json").write_bytes(_meta_bytes(ctx.variant, ctx.name, tmp))


def _build(sc: Scenario, tmp: str, current: str) -> Built:
    base = Path(tmp)
    home = base / "h"
    home.mkdir()
    _write_dir(home / ".docker", sc.home, current, tmp)
    _write_dir(base / "e", sc.env_cfg, current, tmp)
    _write_dir(base / "f", sc.flag_cfg, current, tmp)

    def sub(value: str) -> str:
        return value.replace(TMP, tmp)

    env = {"HOME": str(home), "DOCKER_CLI_HINTS": "false"}
    if sc.docker_host is not None:
        env["DOCKER_HOST"] = sub(sc.docker_host)
    if sc.docker_context is not None:
        env["DOCKER_CONTEXT"] = sc.docker_context
    if sc.docker_config is not None:
        env["DOCKER_CONFIG"] = "" if sc.docker_config == "" else str(base / "e")
    if sc.tls_verify is not None:
        env["DOCKER_TLS_VERIFY"] = sc.tls_verify
    if sc.tls is not None:
        env["DOCKER_TLS"] = sc.tls
    if sc.cert_path is not None:
        env["DOCKER_CERT_PATH"] = {"": "", "env": str(base / "e"), "flag": str(base / "f")}[sc.cert_path]
    argv: list[str] = []
    hosts = tuple(sub(h) for h in sc.hosts) if sc.hosts is not None else None
    for h in hosts or ():
        argv += ["-H", h]
    if sc.context is not None:
        argv += ["--context", sc.context]
    config_dir = None
    if sc.config_flag is not None:
        config_dir = "" if sc.config_flag == "" else str(base / "f")
        argv += ["--config", config_dir]
    if sc.flag_tls:
        argv.append("--tls")
    if sc.flag_tlsverify:
        argv.append("--tlsverify")
    flags = resolve.Flags(
        hosts=hosts,
        context=sc.context,
        config_dir=config_dir,
        tls=sc.flag_tls,
        tlsverify=sc.flag_tlsverify,
    )
    return Built(env=env, argv=argv, flags=flags, tmp=tmp)


@dataclass(frozen=True)
class Outcome:
    kind: str  # connect | answered | context-not-found | invalid-host | … (see _classify_cli)
    detail: str | None = None  # the endpoint tried, or the missing context's name

    def __str__(self) -> str:
        return self.kind if self.detail is None else f"{self.kind} {self.detail!r}"


_CONNECT = (
    re.compile(r"Cannot connect to the Docker daemon at (.+?)\. Is the docker daemon running\?"),
    re.compile(r"failed to connect to the docker API at (.+?)(?:; check|: )"),
    re.compile(r"permission denied while trying to connect to the Docker daemon socket at (\S+?):", re.I),
)


def _classify_cli(stderr: str, rc: int) -> Outcome:
    lines = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("WARNING:")]
    text = "\n".join(lines)
    low = text.lower()
    if rc == 0:
        return Outcome("answered")
    if text.startswith("panic:"):
        return Outcome("crash")
    if "conflicting options" in low:
        return Outcome("conflicting-options")
    if "only one -h" in low:
        return Outcome("multiple-hosts")
    m = re.search(r'context "(.*)"(?:: context not found| does not exist)', text) or re.search(
        r'Current context "(.*)" is not found on the file system', text
    )
    if m:
        return Outcome("context-not-found", m[1])
    if "ca.pem: no such file or directory" in text:
        return Outcome("tls-ca-missing")
    if "cannot find docker endpoint in context" in text or "is not of type EndpointMeta" in text:
        return Outcome("no-docker-endpoint")
    if "ssh host connection is not valid" in text:
        return Outcome("invalid-ssh-url")
    if "protocol not available" in text:
        return Outcome("protocol-not-available")
    if re.search(r"invalid bind address format|invalid proto|unable to parse docker host|(?:^|: )parse \"", text, re.I | re.M):
        return Outcome("invalid-host")
    if "unable to resolve docker endpoint" in text:
        return Outcome("meta-invalid")
    for pattern in _CONNECT:
        m = pattern.search(text)
        if m:
            return Outcome("connect", m[1])
    if "error during connect" in text:
        return Outcome("connect")  # ssh/fd: the message does not name the host
    return Outcome("unknown", text[-300:])


def _classify_cdoctor(res: resolve.Resolution) -> Outcome:
    if res.error is None:
        return Outcome("connect", res.host)
    msg = res.error.message
    match res.error.cause:
        case "conflicting-options":
            return Outcome("conflicting-options")
        case "context-not-found":
            return Outcome("context-not-found", res.context)
        case "tls-error":
            if msg.startswith("error during connect"):
                return Outcome("connect")  # the CLI gets this far, then cannot dial
            return Outcome("tls-ca-missing")
        case "invalid-config":
            if "crashes" in msg:
                return Outcome("crash")
            if "cannot find docker endpoint" in msg or "not of type EndpointMeta" in msg:
                return Outcome("no-docker-endpoint")
            return Outcome("meta-invalid")
        case "invalid-docker-host":
            if "only one -H" in msg:
                return Outcome("multiple-hosts")
            if msg.startswith("ssh host connection"):
                return Outcome("invalid-ssh-url")
            if msg == "protocol not available":
                return Outcome("protocol-not-available")
            return Outcome("invalid-host")
    return Outcome("unknown", f"{res.error.cause}: {msg}")


def _same(cli: Outcome, doc: Outcome) -> bool:
    if cli.kind == "answered":
        # Only the default socket can be alive here; everything generated is dead.
        return doc == Outcome("connect", "unix:///var/run/docker.sock") and DEFAULT_SOCKET_LIVE
    if cli == Outcome("connect") and doc == Outcome("connect"):
        return True
    if cli == Outcome("connect") and doc.kind == "connect":
        # An ssh:// or fd:// endpoint: the error does not name it.
        return (doc.detail or "").partition("://")[0] in ("ssh", "fd")
    return cli == doc


@pytest.fixture(scope="module")
def scratch() -> Iterator[str]:
    d = tempfile.mkdtemp(prefix="cdx-", dir="/tmp")  # short: unix socket paths stay < 108 bytes
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _bin_dir(scratch: str, cli: str) -> str:
    """A PATH directory holding only this CLI, so cdoctor's gatherer finds it."""
    d = os.path.join(scratch, "bin-" + hashlib.sha256(cli.encode()).hexdigest()[:8])
    if not os.path.isdir(d):
        os.makedirs(d)
        os.symlink(cli, os.path.join(d, "docker"))
    return d


def _check(
    cli: str, version: tuple[int, int, int], bin_dir: str, scratch: str, sc: Scenario, current: str
) -> tuple[Outcome, Outcome]:
    # Each example gets its own directory; the module fixture removes them all at
    # the end (one rmtree per example costs more than the CLI run).
    tmp = tempfile.mkdtemp(dir=scratch)
    built = _build(sc, tmp, current)
    # ssh must not find a user config or agent of the machine; PATH has ssh for ssh:// hosts.
    env = {**built.env, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    proc: subprocess.CompletedProcess[str] | None = None
    try:
        proc = subprocess.run(
            ["timeout", "-k", "2", "8", cli, *built.argv, "ps"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp,
            stdin=subprocess.DEVNULL,
            timeout=15,
            check=False,
        )
        cli_out = _classify_cli(proc.stderr, proc.returncode)
    except subprocess.TimeoutExpired:
        cli_out = Outcome("timeout")
    facts = Facts(RunContext(flags=built.flags, env=env), timeout=10)
    res = facts.get(local.RESOLUTION)
    # The family must come from the CLI on PATH even when the configuration breaks
    # `docker --version` itself (20.10 resolves eagerly; 28 panics on some meta.json).
    assert res.cli.version == version, "cdoctor did not find the CLI under test on PATH"
    doc_out = _classify_cdoctor(res)
    # config.json: the CLI warns exactly when cdoctor sees a problem in it.
    if proc is not None and cli_out.kind not in ("crash", "conflicting-options"):
        warned = "WARNING: Error" in proc.stderr and "config file" in proc.stderr
        has_problem = facts.get(local.CONFIG).problem is not None
        assert warned == has_problem, f"config.json warning: CLI {warned}, cdoctor {has_problem}\n{proc.stderr}"
    return cli_out, doc_out


COUNTS: dict[str, int] = {}


@pytest.mark.cli
@pytest.mark.slow
@pytest.mark.parametrize(("cli", "version"), INSTALLED, ids=[f"{p}-{'.'.join(map(str, v))}" for p, v in INSTALLED])
def test_resolution_matches_the_docker_cli(cli: str, version: tuple[int, int, int], scratch: str) -> None:
    bin_dir = _bin_dir(scratch, cli)
    seen: list[Outcome] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(sc=scenarios(), current=st.sampled_from(CTX_NAMES))
    def run(sc: Scenario, current: str) -> None:
        cli_out, doc_out = _check(cli, version, bin_dir, scratch, sc, current)
        seen.append(cli_out)
        assert cli_out.kind not in ("unknown", "timeout"), f"unrecognised CLI output: {cli_out}"
        assert _same(cli_out, doc_out), f"{cli} {'.'.join(map(str, version))}: CLI {cli_out}, cdoctor {doc_out}\n{sc}"

    run()
    COUNTS[cli] = len(seen)
    kinds = sorted({o.kind for o in seen})
    tally = Counter(o.kind for o in seen)
    print(f"\n{cli} ({'.'.join(map(str, version))}): {len(seen)} generated configurations agree; outcomes {dict(tally)}")
    assert len(seen) >= EXAMPLES
    # The generator must reach the interesting classes, or the comparison proves little.
    assert {"connect", "context-not-found", "invalid-host", "meta-invalid"} <= set(kinds)


def test_a_docker_cli_is_exercised() -> None:
    """On CI, at least one docker CLI must be compared (.ci/run installs docker.io); anywhere,
    a docker CLI that is there must be recognised, or its comparison is skipped in silence."""
    present = [p for p in CANDIDATES if os.path.isfile(p) and os.access(p, os.X_OK)]
    compared = {p for p, _v in INSTALLED}
    assert [p for p in present if p not in compared] == [], f"present {present}, compared {sorted(compared)}"
    if not INSTALLED:
        if ON_CI:
            pytest.fail(f"no docker CLI at {' or '.join(CANDIDATES)}: the differential test compared nothing")
        pytest.skip(f"no docker CLI at {' or '.join(CANDIDATES)}")
