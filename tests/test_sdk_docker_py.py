"""docker-py, asked directly: what `docker.from_env()` would reach here, without connecting."""

from __future__ import annotations

import json
from pathlib import Path

import docker

from doctor.api import PYTHON_SDK
from doctor.facts import Facts
from doctor.gather.sdk import normalise
from doctor.run.context import RunContext
from tests.engines import write_context


def view(env: dict[str, str]):  # type: ignore[no-untyped-def]
    return Facts(RunContext(env=env)).get(PYTHON_SDK)


def test_docker_host_wins(home: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.0.0.7:2375")
    v = view({"HOME": str(home), "DOCKER_HOST": "tcp://10.0.0.7:2375"})
    assert v.endpoint == "tcp://10.0.0.7:2375" and v.source == "DOCKER_HOST" and v.error is None
    assert v.version == docker.__version__


def test_current_context_is_followed_by_docker_py_7_2(home: Path) -> None:
    config = home / ".docker"
    write_context(config, "colima", "unix:///Users/me/.colima/default/docker.sock")
    (config / "config.json").write_text(json.dumps({"currentContext": "colima"}))
    v = view({"HOME": str(home)})
    assert v.reads_contexts  # the declared floor, docker 7.2, reads contexts
    assert v.endpoint == "unix:///Users/me/.colima/default/docker.sock" and v.source == "context colima"


def test_nothing_set_is_the_default_socket(home: Path) -> None:
    v = view({"HOME": str(home)})
    assert v.endpoint == "unix:///var/run/docker.sock"


def test_refused_tls_material_is_an_error_not_a_crash(home: Path, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # docker-py needs cert.pem and key.pem where the CLI only needs ca.pem (research R9.2).
    env = {"HOME": str(home), "DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1",
           "DOCKER_CERT_PATH": str(tmp_path / "no-certs")}
    v = view(env)
    assert v.endpoint is None and v.error and "TLS" in v.error


def test_normalise_docker_py_spellings() -> None:
    assert normalise("http+unix://var/run/docker.sock") == "unix:///var/run/docker.sock"
    assert normalise("unix:///run/user/1000/docker.sock") == "unix:///run/user/1000/docker.sock"
    assert normalise("https://h:2376") == "tcp://h:2376"
    assert normalise("ssh://me@h") == "ssh://me@h"
