"""Settings other clients read (testcontainers, docker-java, Compose's .env) and what sudo, cron
and systemd units get of DOCKER_HOST."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from doctor.gather.clients import parse_dotenv, parse_properties, sudo_policy
from tests.conftest import ROOT, cdoctor, need_root
from tests.fakeengine import FakeEngine
from tests.test_sockets import isolated_cdoctor

# Debian's default /etc/sudoers (sudo package, debian/sudoers; https://salsa.debian.org/sudo-team/sudo),
# captured: env_reset and no env_keep.
DEBIAN_SUDOERS = """#
# This file MUST be edited with the 'visudo' command as root.
Defaults\tenv_reset
Defaults\tmail_badpass
Defaults\tsecure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
Defaults\tuse_pty
root\tALL=(ALL:ALL) ALL
%sudo\tALL=(ALL:ALL) ALL
@includedir /etc/sudoers.d
"""


def test_parsers() -> None:
    text = "# comment\ndocker.client.strategy=org.testcontainers.dockerclient.UnixSocketClientProviderStrategy\n" \
           "tc.host = tcp://127.0.0.1:64155\n  docker.host: unix:///x.sock\n"  # fmt: skip
    got = parse_properties(text, ("tc.host", "docker.host"))
    assert got == [("tc.host", "tcp://127.0.0.1:64155", 3), ("docker.host", "unix:///x.sock", 4)]
    assert parse_dotenv('export DOCKER_HOST="unix:///a.sock"\nCOMPOSE_PROJECT_NAME=demo\n', ("DOCKER_HOST",)) == [
        ("DOCKER_HOST", "unix:///a.sock", 1)
    ]
    assert sudo_policy([("/etc/sudoers", DEBIAN_SUDOERS)])[0] is False
    kept = DEBIAN_SUDOERS + 'Defaults env_keep += "DOCKER_HOST DOCKER_CONTEXT"\n'
    keeps, why = sudo_policy([("/etc/sudoers.d/docker", kept)])
    assert keeps and "env_keep" in why


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


def _run(cwd: Path, env: dict[str, str]) -> dict[str, object]:
    full = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "doctor", "--format", "json"], capture_output=True, text=True,
                          env=full, cwd=str(cwd), timeout=60, check=False)  # fmt: skip
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


@pytest.mark.engine
def test_stale_testcontainers_tc_host_is_a_warning_with_file_and_line(real_dockerd: object, home: Path) -> None:
    host = real_dockerd.host  # type: ignore[attr-defined]
    props = home / ".testcontainers.properties"
    # What Testcontainers Desktop leaves behind when it is quit (testcontainers-node#913).
    props.write_text(f"#Testcontainers\ndocker.client.strategy=x\ntc.host=tcp://127.0.0.1:{_closed_port()}\n")
    (home / ".docker-java.properties").write_text(f"api.version=1.41\nDOCKER_HOST={host}\n")
    doc = json.loads(cdoctor("--format", "json", env={"DOCKER_HOST": host}).stdout)
    stale = [f for f in doc["findings"] if f["id"] == "client-setting-stale"]
    assert len(stale) == 1 and stale[0]["severity"] == "warning"
    assert "~/.testcontainers.properties line 3: tc.host=" in stale[0]["title"]
    assert "at nothing that answers" in stale[0]["title"]
    same = [f for f in doc["findings"] if f["id"] == "client-setting-same"]
    assert same and "docker-java.properties line 2" in same[0]["title"]
    # The SDK table follows testcontainers' own order: tc.host first.
    sdk = [f for f in doc["findings"] if f["check"] == "sdk-endpoint"]
    assert any("testcontainers-java" in e and "tc.host" in e for f in sdk for e in f["evidence"])
    # The fix deletes exactly that line.
    subprocess.run(shlex.split(stale[0]["fix"][0].split("    #")[0]), check=True)
    assert props.read_text() == "#Testcontainers\ndocker.client.strategy=x\n"


def test_compose_dotenv_docker_host_is_ignored_by_compose(engine_dir: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text("COMPOSE_PROJECT_NAME=demo\nDOCKER_HOST=unix:///run/user/1000/docker.sock\n")
    with FakeEngine(str(engine_dir / "e.sock"), min_api="1.24") as e:
        doc = _run(project, {"DOCKER_HOST": e.host})
    [f] = [f for f in doc["findings"] if f["id"] == "compose-dotenv-ignored"]  # type: ignore[union-attr]
    assert f["severity"] == "warning" and ".env line 2" in f["title"] and "no effect" in f["title"]


def test_docker_host_set_only_in_the_shell_is_lost_under_sudo_cron_systemd(engine_dir: Path, tmp_path: Path) -> None:
    need_root()  # it runs cdoctor as another user (nobody)
    os.chmod(engine_dir, 0o755)
    with FakeEngine(str(engine_dir / "e.sock"), min_api="1.24") as e:
        os.chmod(e.path, 0o666)
        home = tmp_path / "nobody"
        home.mkdir()
        os.chown(home, 65534, 65534)
        proc, _ = isolated_cdoctor("--format", "json", home=home, user=(65534, 65534),
                                   before=f"export DOCKER_HOST={e.host}")  # fmt: skip
    doc = json.loads(proc.stdout)
    [f] = [f for f in doc["findings"] if f["id"] == "docker-host-not-inherited"]
    assert "sudo docker" in f["title"] and "unix:///var/run/docker.sock" in f["title"]
    assert any("--preserve-env=DOCKER_HOST" in x for x in f["fix"])
