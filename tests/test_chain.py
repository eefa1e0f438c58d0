"""The chain as data (knowledge/chain.build_chain) and as text (render.human), from recorded answers.

The engine answers come from tests/data/engines (each file names its public source);
the CLI, resolution, processes and sockets are built here as plain values.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from doctor.api import Processes, ProcessInfo, SocketInfo
from doctor.gather.processes import describe_process
from doctor.knowledge import identify
from doctor.knowledge.chain import ChainFacts, component_version
from doctor.knowledge.chain import build_chain as _build_chain
from doctor.knowledge.outcomes import EngineAnswers, ProbeResult
from doctor.render.human import WIDTH, chain_lines, layer_parts

DATA = Path(__file__).parent / "data" / "engines"

CLI = SimpleNamespace(
    path="/usr/bin/docker", realpath="/usr/bin/docker", kind="docker-cli", version=(28, 2, 2), version_text="28.2.2"
)


def build_chain(*args: Any) -> list[dict[str, Any]]:
    """The chain from the facts in ChainFacts' order (binary, resolution, probe, engine, answers, …)."""
    return _build_chain(ChainFacts(*args))


def res(host: str, source: str = "config", context: str = "colima") -> Any:
    return SimpleNamespace(host=host, dial=host, source=source, context=context, error=None)


def recorded(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / name).read_text())
    return doc


def engine_dict(version: Any, info: Any, headers: Any) -> dict[str, Any]:
    ident = identify.identify_from_api(ping_headers=headers or {}, version=version, info=info, endpoint=None, env={})
    return {
        "product": ident.product,
        "variant": ident.variant,
        "server_version": (version or {}).get("Version"),
        "api_version": (version or {}).get("ApiVersion"),
        "platform": ((version or {}).get("Platform") or {}).get("Name"),
        "containers_running": (info or {}).get("ContainersRunning"),
    }


def test_component_version() -> None:
    assert component_version("runc version 1.1.5+ds1\ncommit: x\nspec: 1.0.2-dev") == "1.1.5+ds1"
    assert component_version("conmon version 2.1.6, commit: unknown") == "2.1.6"
    assert component_version("crun version 1.14.1\ncommit: de537a7") == "1.14.1"
    assert component_version("1.7.22") == "1.7.22"
    assert component_version(None) is None and component_version("") is None


def test_dockerd_chain_from_processes_and_version() -> None:
    host = "unix:///home/me/.colima/default/docker.sock"
    version = {
        "Version": "27.3.1",
        "ApiVersion": "1.47",
        "Components": [
            {"Name": "Engine", "Version": "27.3.1"},
            {"Name": "containerd", "Version": "1.7.22"},
            {"Name": "runc", "Version": "1.1.14"},
            {"Name": "docker-init", "Version": "0.19.0"},
        ],
    }
    info = {"ContainersRunning": 3, "Containers": 5, "Name": "colima"}
    procs = Processes(
        (
            describe_process(ProcessInfo(40, "dockerd", None, ("dockerd", "--containerd=/run/containerd/containerd.sock"), "root", 1)),
            describe_process(ProcessInfo(30, "containerd", None, ("containerd",), "root", 1)),
            *(
                describe_process(ProcessInfo(
                    50 + i, "containerd-shim-runc-v2", None,
                    ("shim", "-namespace", "moby", "-address", "/run/containerd/containerd.sock"), "root", 30,
                ))
                for i in range(3)
            ),
            # k3s's containers on another containerd: not this engine's shims.
            describe_process(ProcessInfo(
                90, "containerd-shim-runc-v2", None,
                ("shim", "-namespace", "k8s.io", "-address", "/run/k3s/containerd/containerd.sock"), "root", 1,
            )),
        ),
        scanned=100,
        denied=0,
        vanished=0,
    )
    sock = SocketInfo("/home/me/.colima/default/docker.sock", ("x",), "docker", "socket", listeners=((40, "dockerd"),))
    probe = ProbeResult(host, host, "ok")
    answers = EngineAnswers(host, version=version, info=info)
    chain = build_chain(CLI, res(host), probe, engine_dict(version, info, {}), answers, procs, (sock,), None, "/home/me")
    by = {x["layer"]: x for x in chain}
    assert [x["layer"] for x in chain] == ["cli", "endpoint", "api-server", "containerd", "runtime", "containers"]
    assert by["api-server"]["pid"] == 40 and by["api-server"]["product"] == "colima"
    assert by["containerd"] == {
        "layer": "containerd", "seen": True, "version": "1.7.22", "address": "/run/containerd/containerd.sock",
        "pid": 30,
    }
    assert by["runtime"]["shims"] == 3 and by["runtime"]["namespaces"] == ["moby"]
    assert by["containers"]["running"] == 3 and by["containers"]["total"] == 5
    lines = chain_lines({"chain": chain})
    assert all(len(line) <= WIDTH for line in lines), lines
    assert lines[1].split()[2:] == ["unix:///home/me/.colima/default/docker.sock"]
    assert "← context 'colima' (currentContext in config.json)" in "\n".join(lines)
    assert "3 running (5 in all)" in lines[-1]


# GET /v1.41/version of `podman system service` from Debian 12's podman package (4.3.1),
# captured with curl on a Debian 12 development machine of this project (tests/engines.py
# PodmanService); Components as Podman sends them, with the multi-line runtime version.
PODMAN_431_VERSION = {
    "Platform": {"Name": "linux/amd64/debian-12"},
    "Components": [
        {"Name": "Podman Engine", "Version": "4.3.1", "Details": {"APIVersion": "4.3.1", "MinAPIVersion": "4.0.0"}},
        {"Name": "Conmon", "Version": "conmon version 2.1.6, commit: unknown",
         "Details": {"Package": "conmon_2.1.6+ds1-1_amd64"}},
        {"Name": "OCI Runtime (runc)",
         "Version": "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\n"
         "libseccomp: 2.5.4", "Details": {"Package": "runc_1.1.5+ds1-1+deb12u1_amd64"}},
    ],
    "Version": "4.3.1",
    "ApiVersion": "1.41",
    "MinAPIVersion": "1.24",
    "Os": "linux",
}


def test_podman_chain_from_recorded_answers() -> None:
    rec = recorded("podman-rootless-ubuntu.json")
    rec["version"] = PODMAN_431_VERSION  # the public paste has no Conmon/OCI Runtime components
    host = "unix:///run/user/1000/podman/podman.sock"
    probe = ProbeResult(host, host, "ok", headers=rec["ping_headers"])
    answers = EngineAnswers(host, version=rec["version"], info=rec["info"])
    chain = build_chain(
        CLI, res(host, "env:DOCKER_HOST", "default"), probe, engine_dict(rec["version"], rec["info"],
        rec["ping_headers"]), answers, None, None, None, "/home/me",
    )
    layers = [x["layer"] for x in chain]
    assert "containerd" not in layers and "conmon" in layers
    runtime = next(x for x in chain if x["layer"] == "runtime")
    oci = next(c for c in rec["version"]["Components"] if c["Name"].startswith("OCI Runtime"))
    assert oci["Name"] == f"OCI Runtime ({runtime['name']})"
    assert runtime["version"] == "1.1.5+ds1" and runtime["name"] == "runc"
    conmon = next(x for x in chain if x["layer"] == "conmon")
    assert conmon["seen"] is True and conmon["version"] == "2.1.6"
    text = "\n".join(chain_lines({"chain": chain}))
    assert "Docker-compatible" in text and "← set by DOCKER_HOST" in text


@pytest.mark.parametrize(
    ("outcome", "hint", "expected"),
    [("socket-missing", "rancher-desktop", "expected: rancher-desktop"), ("refused", None, "(refused)")],
)
def test_unseen_layers_say_why(outcome: str, hint: str | None, expected: str) -> None:
    host = "unix:///var/run/docker.sock"
    probe = ProbeResult(host, host, outcome, errno_name="ENOENT")
    sock = SocketInfo("/var/run/docker.sock", ("x",), "docker", "missing", ("/home/me/.rd/docker.sock",), True)
    chain = build_chain(
        CLI, res(host, "default", "default"), probe, None, None, None, (sock,),
        SimpleNamespace(product=hint) if hint else None, "/home/me",
    )
    api = chain[-1]
    assert api["layer"] == "api-server" and api["seen"] is False and api["why"]
    endpoint = chain[1]
    assert endpoint["target"] == "~/.rd/docker.sock" and endpoint["dangling"] is True
    text = "\n".join(chain_lines({"chain": chain}))
    assert expected in text and "✗ " + outcome in text
    assert "→ ~/.rd/docker.sock (dangling)" in text


def test_activation_is_not_an_error_in_the_chain() -> None:
    host = "unix:///run/docker.sock"
    probe = ProbeResult(host, host, "not-probed", "systemd socket activation: connecting would start the daemon")
    chain = build_chain(CLI, res(host, "flag", "default"), probe, None, None, None, None, None, "/root")
    assert "socket activation" in chain[-1]["why"]


def test_no_docker_on_path_and_unresolved_endpoint() -> None:
    missing = SimpleNamespace(path=None, realpath=None, kind="missing", version=None, version_text=None)
    bad = SimpleNamespace(host=None, error=SimpleNamespace(message='context "gone": context not found'))
    chain = build_chain(missing, bad, None, None, None, None, None, None, "/home/me")
    assert chain == [
        {"layer": "cli", "seen": False, "why": "no docker on PATH"},
        {"layer": "endpoint", "seen": False, "why": 'context "gone": context not found'},
    ]


def test_cli_shim_label() -> None:
    shim = SimpleNamespace(
        path="/usr/bin/docker", realpath="/usr/bin/podman-docker", kind="podman-docker", version=None,
        version_text=None,
    )
    chain = build_chain(shim, None, None, None, None, None, None, None, "/")
    assert chain[0]["shim"] is True
    assert "podman" in " ".join(layer_parts(chain[0]))


def test_long_parts_wrap_under_the_text_column() -> None:
    host = "unix:///home/a-rather-long-user-name/.local/share/containers/podman/machine/qemu/podman.sock"
    layer = {"layer": "endpoint", "seen": True, "host": host, "source": "config", "provenance":
             "currentContext in config.json", "context": "podman-machine-default", "reachable": False,
             "outcome": "refused", "errno": "ECONNREFUSED"}
    lines = chain_lines({"chain": [layer]})
    assert lines[0].endswith(host)  # a part longer than the line is never cut
    assert all(line.startswith(" " * 17) for line in lines[1:])
    assert all(len(line) <= WIDTH for line in lines[1:])


def test_layers_missing_because_the_engine_did_not_answer_say_so() -> None:
    host = "unix:///run/podman/podman.sock"
    probe = ProbeResult(host, host, "ok", headers={"Server": "Libpod/4.3.1 (linux)", "Api-Version": "1.41"})
    answers = EngineAnswers(host, errors={"/version": "no-answer: within 0.6s", "/info": "no-answer: within 0.6s"})
    engine = {"product": "podman", "variant": None, "containers_running": None}
    chain = build_chain(CLI, res(host, "flag", "default"), probe, engine, answers, None, None, None, "/")
    by = {x["layer"]: x for x in chain}
    assert by["runtime"]["why"].startswith("/version did not answer")
    assert by["conmon"]["why"].startswith("/version did not answer")
    assert by["containers"]["why"].startswith("/info did not answer")


def _chain_links_outside(root: Path) -> list[str]:
    """Dict literals with a "layer" key (a chain link) anywhere but doctor/knowledge/chain.py."""
    import ast

    found = []
    for path in sorted([*root.glob("doctor/**/*.py"), *root.glob("checks/**/*.py")]):
        if path.relative_to(root).as_posix() == "doctor/knowledge/chain.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Dict) and any(
                isinstance(k, ast.Constant) and k.value == "layer" for k in node.keys
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_the_chain_is_built_in_one_place() -> None:
    """doctor/run/result.py assembles the chain from the facts; only knowledge/chain.py makes links."""
    root = Path(__file__).resolve().parent.parent
    assert _chain_links_outside(root) == []


def test_the_one_place_test_can_fail(tmp_path: Path) -> None:
    (tmp_path / "doctor").mkdir()
    (tmp_path / "doctor" / "report.py").write_text('LINK = {"layer": "cli", "seen": False}\n')
    assert _chain_links_outside(tmp_path) == ["doctor/report.py:1"]


def test_an_unanswered_endpoint_is_named_by_its_path_else_its_link() -> None:
    """knowledge/identify.product_of_endpoint: one rule for the chain's expected product and the check's hint."""
    from doctor.knowledge.identify import product_of_endpoint

    by_link = product_of_endpoint(
        "unix:///var/run/docker.sock", "/home/me/.rd/docker.sock", home="/home/me", uid=1000, platform="linux"
    )
    assert by_link is not None and by_link.product == "rancher-desktop"
    own = product_of_endpoint(
        "unix:///home/me/.colima/default/docker.sock", "/home/me/.rd/docker.sock", home="/home/me", uid=1000
    )
    assert own is not None and own.product == "colima"
    assert product_of_endpoint("unix:///var/run/docker.sock", None, home="/home/me", uid=1000) is None
