"""The chain `docker ps` travels, against real engines from Debian's packages.

dockerd + containerd + runc with a real container running; `podman system service`;
containerd alone; dockerd and podman at once. Versions are compared with what
`docker version` says against the same engine, pids with the processes the tests
started: no version string of one Debian release is written down here.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.conftest import cdoctor
from tests.engines import which

pytestmark = pytest.mark.engine


def diagnose(host: str, *extra: str) -> dict[str, Any]:
    r = cdoctor("-H", host, "diagnose", "--format", "json", *extra)
    assert r.returncode in (0, 1, 2), r.stderr
    doc: dict[str, Any] = json.loads(r.stdout)
    return doc


def layer(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found = [x for x in doc["chain"] if x["layer"] == name]
    assert found, f"no {name} layer in {[x['layer'] for x in doc['chain']]}"
    return found[0]


def docker_version(host: str) -> dict[str, Any]:
    """`docker version` of the docker CLI on PATH, against `host`."""
    r = subprocess.run(
        [which("docker"), "-H", host, "version", "--format", "{{json .}}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    out: dict[str, Any] = json.loads(r.stdout)
    return out


def component(version: dict[str, Any], prefix: str) -> dict[str, Any]:
    for c in version["Server"]["Components"]:
        if c["Name"].startswith(prefix):
            return dict(c)
    raise AssertionError(f"no component {prefix} in {[c['Name'] for c in version['Server']['Components']]}")


def first_version(text: str) -> str:
    """"runc version 1.1.5+ds1\\ncommit: …" → "1.1.5+ds1"; "1.1.5+ds1" stays."""
    words = text.splitlines()[0].replace(",", " ").split()
    return words[words.index("version") + 1] if "version" in words else words[0]


def containerd_socket_of(dockerd: Any) -> str:
    argv = dockerd.process.argv
    return str(argv[argv.index("--containerd") + 1])


def test_dockerd_with_a_container(real_dockerd: Any) -> None:
    host = real_dockerd.host
    doc = diagnose(host)
    ver = docker_version(host)
    assert doc["diagnosis"]["status"] in ("ok", "degraded")

    api = layer(doc, "api-server")
    assert api["product"] == "docker-engine"
    assert api["version"] == ver["Server"]["Version"]
    assert api["api_version"] == ver["Server"]["ApiVersion"]
    assert api["pid"] == real_dockerd.pid and api["process"] == "dockerd"
    if "+dfsg" in ver["Server"]["Version"] or "deb" in ver["Server"]["Version"]:
        assert api["variant"] == "distro"  # Debian's docker.io

    cd = layer(doc, "containerd")
    assert cd["seen"] is True
    assert cd["version"] == component(ver, "containerd")["Version"]
    assert cd["address"] == containerd_socket_of(real_dockerd)
    # The pid is the containerd that serves that socket (the test started it).
    procs = {p["pid"]: p for p in doc["inventory"]["processes"]}
    assert cd["pid"] in procs and containerd_socket_of(real_dockerd) in procs[cd["pid"]]["serves"]

    rt = layer(doc, "runtime")
    assert rt["name"] == "runc"
    assert rt["version"] == first_version(component(ver, "runc")["Version"])
    running = real_dockerd.docker("ps", "-q").stdout.split()
    assert rt["shims"] >= len(running) >= 1  # one shim per container (runc v2 may group them)
    assert "moby" in rt["namespaces"]

    containers = layer(doc, "containers")
    assert containers["running"] == len(running)

    # The shim is in the process inventory, serving our containerd in namespace moby.
    shims = [p for p in doc["inventory"]["processes"] if p["name"].startswith("containerd-shim")]
    assert any(p["containerd"] == containerd_socket_of(real_dockerd) and p["namespace"] == "moby" for p in shims)

    # The endpoint's socket: who holds it, and that it answered exactly once (reused probe).
    sock = next(s for s in doc["inventory"]["sockets"] if s["path"] == host.removeprefix("unix://"))
    assert {"pid": real_dockerd.pid, "name": "dockerd"} in sock["listeners"]
    assert sock["probe"]["outcome"] == "ok" and sock["may_connect"] is True


def test_dockerd_human_chain_fits_80_columns(real_dockerd: Any) -> None:
    r = cdoctor("-H", real_dockerd.host)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("docker ps"))
    chain = lines[start : start + 12]
    for label in ("↓ endpoint", "↓ API server", "↓ containerd", "↓ runtime", "→ containers"):
        assert any(line.lstrip().startswith(label) for line in chain), (label, chain)
    assert all(len(line) <= 80 for line in chain), chain
    assert any("shim" in line and "moby" in line for line in chain)


def test_stack_command_explains_each_layer(real_dockerd: Any) -> None:
    r = cdoctor("-H", real_dockerd.host, "stack")
    assert r.returncode == 0, r.stderr
    text = r.stdout
    for words in ("only a client", "high-level runtime", "namespaces and cgroups"):
        assert words in " ".join(text.split()), words
    assert all(len(line) <= 80 for line in text.splitlines() if not line.startswith(("  $", "      $")))


def test_podman_service(real_podman: Any) -> None:
    host = real_podman.host
    doc = diagnose(host)
    ver = docker_version(host)
    assert doc["engine"]["product"] == "podman"
    api = layer(doc, "api-server")
    assert api["product"] == "podman" and api["docker_compatible"] is True
    assert api["version"] == ver["Server"]["Version"]
    assert api["pid"] == real_podman.pid
    # Podman's own components instead of containerd and shims.
    assert not [x for x in doc["chain"] if x["layer"] == "containerd"]
    conmon = layer(doc, "conmon")
    assert conmon["version"] == first_version(component(ver, "Conmon")["Version"])
    rt = layer(doc, "runtime")
    oci = component(ver, "OCI Runtime")
    assert oci["Name"] == f"OCI Runtime ({rt['name']})"
    assert rt["version"] == first_version(oci["Version"])
    assert "\n" not in rt["version"]


def test_containerd_alone(real_containerd: Any, engine_dir: Any) -> None:
    """No Docker API anywhere at the endpoint; the chain still shows the containerd that runs."""
    doc = diagnose(f"unix://{engine_dir}/docker.sock")
    api = layer(doc, "api-server")
    assert api["seen"] is False
    cd = layer(doc, "containerd")
    assert cd["standalone"] is True
    assert any(i["pid"] == real_containerd.pid for i in cd["instances"])
    sock = next(s for s in doc["inventory"]["sockets"] if s["path"] == real_containerd.socket)
    assert sock["kind"] == "containerd"
    assert sock["probe"]["outcome"] == "listening"  # connected, nothing sent: it is not a Docker API
    assert {"pid": real_containerd.pid, "name": "containerd"} in sock["listeners"]
    r = cdoctor("-H", f"unix://{engine_dir}/docker.sock")
    assert "no Docker API in front of it" in r.stdout


def test_two_engines_at_once(real_dockerd: Any, real_podman: Any) -> None:
    """Both answer: multiple-engines lists both and says which one the CLI gets."""
    for cli_host, other in ((real_dockerd.host, real_podman.host), (real_podman.host, real_dockerd.host)):
        doc = diagnose(cli_host)
        f = next(x for x in doc["findings"] if x["id"] == "multiple-engines")
        urls = f["data"]["endpoints"]
        assert cli_host in urls and other in urls
        assert f["data"]["cli"] == cli_host
        labels = {e["url"]: e["label"] for e in f["data"]["engines"]}
        assert labels[real_podman.host].startswith("podman ")
        assert labels[real_dockerd.host].startswith("Docker Engine ")
        assert any(e.endswith("← the docker CLI") and cli_host in e for e in f["evidence"])
        human = cdoctor("-H", cli_host).stdout
        tail = human[human.index("Also answering here") :]
        assert other in tail
