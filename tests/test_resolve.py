"""Endpoint resolution (research R1–R5) from recorded inputs and recorded CLI answers.

tests/data/resolution/cases.json holds the inputs (HOME/.docker files, the
environment, docker's flags) with the rule each one exercises;
recorded.json holds what `docker ps` printed for each, per CLI version
(docker CLI 28.2.2 and 20.10.24, re-recorded with record.py). cdoctor must
name the same endpoint, or print the same resolution error, word for word, for
the CLI family of that version. tests/test_differential.py does the same live
on generated inputs; these keep working on machines without a docker CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from doctor.knowledge import resolve
from doctor.knowledge.dockerconfig import ContextStore, context_id, parse_config, parse_meta

DATA = Path(__file__).parent / "data" / "resolution"
CASES = {c["id"]: c for c in json.loads((DATA / "cases.json").read_text())}
RECORDED: dict[str, dict[str, str]] = {
    k: v for k, v in json.loads((DATA / "recorded.json").read_text()).items() if not k.startswith("_")
}
HOME = "/home/u"


def _version(text: str) -> tuple[int, int, int]:
    a, b, c = (int(x) for x in text.split("."))
    return a, b, c


def _flags(argv: list[str]) -> resolve.Flags:
    hosts: list[str] | None = None
    kw: dict[str, Any] = {}
    it = iter(argv)
    for arg in it:
        if arg == "-H":
            hosts = [*(hosts or []), next(it)]
        elif arg == "--context":
            kw["context"] = next(it)
        elif arg == "--config":
            kw["config_dir"] = next(it)
        elif arg == "--tls":
            kw["tls"] = True
        elif arg == "--tlsverify":
            kw["tlsverify"] = True
        else:
            raise AssertionError(arg)
    return resolve.Flags(hosts=tuple(hosts) if hosts is not None else None, **kw)


def inputs(case: dict[str, Any], version: tuple[int, int, int] | None) -> resolve.Inputs:
    """The Inputs gather/local.py would build for this HOME, environment and argv."""

    def sub(v: str) -> str:
        return v.replace("{home}", HOME)

    env = {k: sub(v) for k, v in case.get("env", {}).items()}
    flags = _flags([sub(a) for a in case.get("argv", [])])
    cfg_dir = resolve.config_dir(flags, env, HOME)
    on_disk = cfg_dir == f"{HOME}/.docker"  # the recorded files are all in ~/.docker
    raw = case.get("config_json")
    config = parse_config(f"{cfg_dir}/config.json", raw.encode() if raw is not None and on_disk else None)
    contexts = {}
    for name, meta in case.get("contexts", {}).items() if on_disk else ():
        cid = context_id(name)
        path = f"{cfg_dir}/contexts/meta/{cid}/meta.json"
        contexts[cid] = parse_meta(cid, path, sub(meta).encode())
    cert_files = frozenset({"ca.pem"}) if case.get("ca_pem") and resolve.cert_dir(env, HOME) == f"{HOME}/.docker" else frozenset()
    return resolve.Inputs(
        flags=flags,
        env=env,
        home=HOME,
        config=config,
        store=ContextStore(root=f"{cfg_dir}/contexts", contexts=contexts),
        cli=resolve.CliFamily(version),
        cert_dir_files=cert_files,
    )


RECORDED_PAIRS = [(cid, v) for cid, per in RECORDED.items() for v in per]


def test_every_case_was_recorded() -> None:
    assert set(CASES) == set(RECORDED)
    assert all(c["rule"].startswith("R") for c in CASES.values())


@pytest.mark.parametrize(("case_id", "version"), RECORDED_PAIRS, ids=[f"{c}@{v}" for c, v in RECORDED_PAIRS])
def test_resolution_matches_the_recorded_cli(case_id: str, version: str) -> None:
    said = RECORDED[case_id][version].replace("{home_q}", quote(HOME, safe="")).replace("{home}", HOME)
    res = resolve.resolve(inputs(CASES[case_id], _version(version)))
    if said.startswith("Cannot connect to the Docker daemon at "):
        host = said.removeprefix("Cannot connect to the Docker daemon at ").removesuffix(". Is the docker daemon running?")
        assert res.error is None, res.error
        assert res.host == host
    elif said.startswith("panic:"):
        assert res.error is not None and "crashes" in res.error.message
    elif said.startswith("error during connect:") and res.error is None:
        # 20.10 takes `fd://` and fails at the dial; the message names no host.
        assert res.host == "fd://"
    else:
        assert res.error is not None, f"cdoctor resolved {res.host}; the CLI said {said}"
        if said.startswith("error during connect:"):
            assert said.endswith(res.error.message.rsplit(": ", 2)[-2] + ": " + res.error.message.rsplit(": ", 1)[-1])
        else:
            assert res.error.message == said.removeprefix("Failed to initialize: ")


# --- rules the recordings cannot show -------------------------------------------


def _res(version: tuple[int, int, int] | None = (28, 2, 2), **case: Any) -> resolve.Resolution:
    return resolve.resolve(inputs(case, version))


A = json.dumps({"Name": "a", "Endpoints": {"docker": {"Host": "unix:///run/a.sock"}}})


def test_provenance_names_the_winner_and_every_input_it_overrode() -> None:
    res = _res(
        env={"DOCKER_HOST": "unix:///run/env.sock", "DOCKER_CONTEXT": "a"},
        config_json='{"currentContext": "a"}',
        contexts={"a": A},
    )
    assert (res.source, res.context, res.host) == ("env:DOCKER_HOST", "default", "unix:///run/env.sock")
    assert [o.input for o in res.overridden] == ["env:DOCKER_CONTEXT", "config"]
    assert all("DOCKER_HOST takes precedence" in o.reason for o in res.overridden)


def test_a_context_with_no_host_is_the_client_default_whatever_docker_host_says() -> None:
    meta = json.dumps({"Endpoints": {"docker": {}}})
    res = _res(argv=["--context", "a"], env={"DOCKER_HOST": "tcp://10.0.0.1:2375"}, contexts={"a": meta})
    assert res.error is None and res.host == "unix:///var/run/docker.sock"
    assert any("no docker Host" in w for w in res.warnings)


@pytest.mark.parametrize(("skip", "dial"), [(False, "tcp://127.0.0.1:80"), (True, "tcp://127.0.0.1:443")])
def test_a_portless_context_host_dials_80_or_443(skip: bool, dial: str) -> None:
    meta = json.dumps({"Endpoints": {"docker": {"Host": "tcp://127.0.0.1", "SkipTLSVerify": skip}}})
    res = _res(env={"DOCKER_CONTEXT": "a"}, contexts={"a": meta})
    assert res.host == "tcp://127.0.0.1" and res.dial == dial  # R5.5: the host is shown raw
    assert res.tls.enabled is skip


def test_named_contexts_ignore_the_tls_environment() -> None:
    # R1.9: DOCKER_TLS_VERIFY/DOCKER_CERT_PATH only apply to the default context.
    meta = json.dumps({"Endpoints": {"docker": {"Host": "tcp://127.0.0.1:1"}}})
    res = _res(env={"DOCKER_CONTEXT": "a", "DOCKER_TLS_VERIFY": "1"}, contexts={"a": meta})
    assert res.error is None and not res.tls.enabled


def test_tls_settings_of_the_default_context() -> None:
    res = _res(env={"DOCKER_TLS": "1", "DOCKER_HOST": "tcp://h:2376"}, ca_pem=True)
    assert res.tls.enabled and not res.tls.verify  # DOCKER_TLS alone: TLS without verification
    assert res.tls.ca == f"{HOME}/.docker/ca.pem" and res.tls.cert is None
    res = _res(env={"DOCKER_TLS_VERIFY": "", "DOCKER_HOST": "tcp://h:2376"})
    assert res.error is None and not res.tls.enabled  # empty is unset
    res = _res(env={"DOCKER_CERT_PATH": "/certs", "DOCKER_HOST": "tcp://h:2376"})
    assert res.error is None and not res.tls.enabled  # R4.3: the cert path alone does not enable TLS


def test_the_cert_dir_comes_from_the_environment_not_from_config_flag() -> None:
    assert resolve.cert_dir({}, HOME) == f"{HOME}/.docker"
    assert resolve.cert_dir({"DOCKER_CONFIG": "/cfg"}, HOME) == "/cfg"
    assert resolve.cert_dir({"DOCKER_CERT_PATH": "/c", "DOCKER_CONFIG": "/cfg"}, HOME) == "/c"
    res = _res(argv=["--config", "/elsewhere", "--tls"])
    assert res.error is not None and res.error.message.endswith(f"open {HOME}/.docker/ca.pem: no such file or directory")


def test_config_dir_precedence() -> None:
    assert resolve.config_dir(resolve.Flags(), {}, HOME) == f"{HOME}/.docker"
    assert resolve.config_dir(resolve.Flags(), {"DOCKER_CONFIG": ""}, HOME) == f"{HOME}/.docker"
    assert resolve.config_dir(resolve.Flags(), {"DOCKER_CONFIG": "/c/"}, HOME) == "/c"
    assert resolve.config_dir(resolve.Flags(config_dir="/f/./x/.."), {"DOCKER_CONFIG": "/c"}, HOME) == "/f"
    assert resolve.config_dir(resolve.Flags(config_dir=""), {"DOCKER_CONFIG": "/c"}, HOME) == "/c"


@pytest.mark.parametrize(
    ("version", "legacy", "label"),
    [
        ((20, 10, 24), True, "19.03–20.10"),
        ((23, 0, 0), False, "23.0 and later"),
        ((28, 2, 2), False, "23.0 and later"),
        (None, False, "no docker CLI found"),
    ],
)
def test_the_cli_family_is_said(version: tuple[int, int, int] | None, legacy: bool, label: str) -> None:
    fam = resolve.CliFamily(version)
    assert fam.legacy is legacy and label in fam.label
    assert _res(version).cli == fam


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ((20, 10, 24), "Conflicting options: either specify --host or --context, not both"),
        ((26, 1, 5), "conflicting options: either specify --host or --context, not both"),
        ((28, 2, 2), "conflicting options: cannot specify both --host and --context"),
    ],
)
def test_conflicting_options_wording_per_version(version: tuple[int, int, int], message: str) -> None:
    res = _res(version, argv=["-H", "", "--context", "a"])
    assert res.error is not None and res.error.cause == "conflicting-options" and res.error.message == message


@pytest.mark.parametrize("version", [(20, 10, 24), (26, 1, 5), (28, 1, 1)])
def test_unix_host_with_tls_on_cli_before_28_2_cannot_connect(version: tuple[int, int, int]) -> None:
    # No isSocket check before docker/cli v28.2.0 (20.10.24 and Debian 13's 26.1.5 verified):
    # TLS on + unix socket dials the path as a TCP host.
    case = {"env": {"DOCKER_TLS": "1", "DOCKER_HOST": "unix:///run/x.sock"}, "ca_pem": True}
    old = _res(version, **case)
    assert old.error is not None and old.error.cause == "tls-error" and "lookup /run/x.sock" in old.error.message
    assert "before 28.2" in old.error.hint


@pytest.mark.parametrize("version", [(28, 2, 0), (28, 2, 2), None])
def test_unix_host_with_tls_on_cli_28_2_ignores_tls(version: tuple[int, int, int] | None) -> None:
    case = {"env": {"DOCKER_TLS": "1", "DOCKER_HOST": "unix:///run/x.sock"}, "ca_pem": True}
    assert _res(version, **case).error is None


def test_windows_defaults_and_protocols() -> None:
    inp = inputs({}, (28, 2, 2))
    win = resolve.Inputs(**{**{f: getattr(inp, f) for f in inp.__dataclass_fields__}, "platform": "win32"})
    res = resolve.resolve(win)
    assert res.error is None and res.host == "npipe:////./pipe/docker_engine"  # R4.2
    tls = resolve.Inputs(**{**{f: getattr(win, f) for f in win.__dataclass_fields__}, "env": {"DOCKER_TLS": "1"}})
    assert resolve.resolve(tls).host == "tcp://127.0.0.1:2376"
    unix = resolve.Inputs(**{**{f: getattr(win, f) for f in win.__dataclass_fields__}, "env": {"DOCKER_HOST": "unix:///x"}})
    assert resolve.resolve(unix).error == resolve.ResolutionError("invalid-docker-host", "protocol not available")


@pytest.mark.cli
@pytest.mark.parametrize(
    ("env", "cli"),
    [
        ({"DOCKER_TLS_VERIFY": "0"}, "/usr/local/bin/docker"),  # R4.3: "0" enables TLS; ca.pem is missing
        ({"DOCKER_TLS": "1", "DOCKER_HOST": "unix:///run/cdoctor-none.sock"}, "/usr/bin/docker"),  # < 28.2: TLS on a socket
    ],
)
def test_a_tls_resolution_error_is_the_primary_cause(env: dict[str, str], cli: str, home: Path, tmp_path: Path) -> None:
    from tests.conftest import cdoctor

    if not Path(cli).exists():
        pytest.skip(f"needs {cli}")
    if env.get("DOCKER_TLS") and not resolve.CliFamily(_cli_version(cli)).tls_on_sockets:
        pytest.skip(f"{cli} is docker CLI 28.2 or later: no TLS on a socket")
    (home / ".docker").mkdir(exist_ok=True)
    if env.get("DOCKER_TLS"):
        (home / ".docker" / "ca.pem").write_bytes((DATA / "ca.pem").read_bytes())
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").symlink_to(cli)
    r = cdoctor("diagnose", "--format", "json", "--timeout", "5", env={**env, "PATH": f"{bin_dir}:/usr/bin:/bin"})
    doc = json.loads(r.stdout)
    assert r.returncode == 1, r.stderr
    assert doc["diagnosis"]["primary_cause"] == "tls-error"


def _cli_version(cli: str) -> tuple[int, int, int] | None:
    import re
    import subprocess

    out = subprocess.run([cli, "--version"], capture_output=True, text=True, check=False, timeout=10).stdout
    m = re.match(r"Docker version (\d+)\.(\d+)\.(\d+)", out)
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def test_a_bad_host_in_a_context_is_blamed_on_the_context(home: Path) -> None:
    from tests.conftest import cdoctor

    d = home / ".docker" / "contexts" / "meta" / context_id("a")
    d.mkdir(parents=True)
    (d / "meta.json").write_text(json.dumps({"Endpoints": {"docker": {"Host": " unix:///x"}}}))
    r = cdoctor("diagnose", "--format", "json", "--timeout", "1", env={"DOCKER_CONTEXT": "a"})
    doc = json.loads(r.stdout)
    assert r.returncode == 1, r.stderr
    assert doc["diagnosis"]["primary_cause"] == "invalid-docker-host"
    assert "Context 'a'" in doc["diagnosis"]["summary"] and "DOCKER_HOST" not in doc["diagnosis"]["summary"]
