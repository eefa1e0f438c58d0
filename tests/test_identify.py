"""Tests for doctor.knowledge.identify: recorded engines, path table, hostile input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doctor.knowledge.identify import (
    PRODUCTS,
    Identification,
    identify_from_api,
    is_rootless,
    product_from_path,
    start_command,
)

ENGINES = Path(__file__).parent / "data" / "engines"
FIXTURES = sorted(ENGINES.glob("*.json"))
FAKE_HOME = "/Users/jane"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _has_api(case: dict[str, Any]) -> bool:
    return any(case.get(k) for k in ("ping_headers", "version", "info"))


def test_enough_fixtures() -> None:
    assert len(FIXTURES) >= 20


# The fields each identification rule keys on (knowledge/identify.py, rule B). A
# reconstruction ("source-derived") must never carry one of them: it would test the
# rule against itself. Captures and mapped pastes may, as pasted.
_KEYED_INFO = ("Name", "OperatingSystem", "Labels", "SecurityOptions", "DockerRootDir", "KernelVersion", "NoProxy")


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_reconstructions_add_no_keyed_field(path: Path) -> None:
    case = _load(path)
    if case["kind"] != "source-derived":
        return
    for key in _KEYED_INFO:
        assert key not in (case.get("info") or {}), (path.name, key)
    assert not (case.get("version") or {}).get("Components"), path.name
    assert not (case.get("version") or {}).get("Platform"), path.name
    assert not case.get("ping_headers"), path.name


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_shape(path: Path) -> None:
    case = _load(path)
    assert case["source"] and all(isinstance(s, str) and "://" in s for s in case["source"])
    assert case["kind"] in ("api-json", "cli-text", "source-derived")
    assert isinstance(case["notes"], str) and case["notes"]
    assert case["expect"]["product"] in PRODUCTS


@pytest.mark.parametrize("path", [p for p in FIXTURES if _has_api(_load(p))], ids=lambda p: p.stem)
def test_identify_recorded_engine(path: Path) -> None:
    case = _load(path)
    got = identify_from_api(
        ping_headers=case.get("ping_headers"),
        version=case.get("version"),
        info=case.get("info"),
        endpoint=case.get("endpoint"),
        env=case.get("env") or {},
    )
    expect = case["expect"]
    if case.get("signals"):
        # The API answers of this paste do not name the product; other lines of the same
        # paste do (kept under "signals"). Say so: the API alone must not claim it...
        assert got.product != expect["product"], got.evidence
        assert got.confidence != "certain" or got.product == "unknown", got.evidence
        # ... and explain's reading of the whole paste (API fields + those lines) does.
        from doctor.reader.identify import from_paste

        facts = {"server_version": case["version"]["Version"], **case["signals"]}
        hint = from_paste(facts, "")
        assert hint is not None and hint.product == expect["product"], hint
        return
    assert got.product == expect["product"], got.evidence
    if "variant" in expect:
        assert got.variant == expect["variant"], got.evidence
    if "rootless" in expect:
        assert is_rootless(case.get("info")) is expect["rootless"]
    assert got.confidence in ("certain", "likely")
    assert got.evidence


@pytest.mark.parametrize(
    "path", [p for p in FIXTURES if not _has_api(_load(p))], ids=lambda p: p.stem
)
def test_recorded_dead_endpoint_by_path(path: Path) -> None:
    """Fixtures without API data record an endpoint that did not answer."""
    case = _load(path)
    got = product_from_path(
        case["endpoint"], home=None, uid=None, platform=case.get("platform", "linux")
    )
    if case["expect"]["product"] == "unknown":
        assert case["expect"]["cannot_tell"]  # the fixture says why nothing can be told
        assert got is None, got
        return
    assert got is not None
    assert got.product == case["expect"]["product"]
    if "variant" in case["expect"]:
        assert got.variant == case["expect"]["variant"]


# ---------------------------------------------------------------------------------------
# Rule B ordering and details
# ---------------------------------------------------------------------------------------


def ident(**kw: Any) -> Identification:
    args: dict[str, Any] = {
        "ping_headers": None,
        "version": None,
        "info": None,
        "endpoint": None,
        "env": {},
    }
    args.update(kw)
    return identify_from_api(**args)


def test_podman_header_case_insensitive() -> None:
    got = ident(ping_headers={"server": "Libpod/5.0.0 (linux)"})
    assert got.product == "podman"
    assert got.variant == "rootful"
    got = ident(ping_headers={"LIBPOD-API-VERSION": "4.9.3"})
    assert got.product == "podman"


def test_podman_wins_over_everything() -> None:
    got = ident(
        ping_headers={"Server": "Libpod/5.1.2 (linux)"},
        info={"Name": "docker-desktop", "OperatingSystem": "Docker Desktop"},
    )
    assert got.product == "podman"


def test_podman_machine_by_endpoint() -> None:
    got = ident(
        version={"Components": [{"Name": "Podman Engine"}]},
        endpoint="npipe:////./pipe/podman-machine-default",
    )
    assert (got.product, got.variant) == ("podman", "machine")


@pytest.mark.parametrize(
    ("info", "endpoint", "variant"),
    [
        (
            {
                "Labels": [
                    "com.docker.desktop.address=npipe://\\\\.\\pipe\\docker_cli",
                ]
            },
            None,
            "windows",
        ),
        (
            {
                "Labels": [
                    "com.docker.desktop.address=unix:///Users/u/Library/Containers/"
                    "com.docker.docker/Data/docker-cli.sock"
                ]
            },
            None,
            "macos",
        ),
        (
            {
                "Labels": [
                    "com.docker.desktop.address=unix:///home/u/.docker/desktop/docker-cli.sock"
                ]
            },
            None,
            "linux",
        ),
        ({"Name": "docker-desktop"}, "unix:///home/u/.docker/desktop/docker.sock", "linux"),
        (
            {
                "OperatingSystem": "Docker Desktop",
                "KernelVersion": "5.15.153.1-microsoft-standard-WSL2",
            },
            None,
            "windows",
        ),
        ({"OperatingSystem": "Docker Desktop", "OSType": "windows"}, None, "windows-containers"),
    ],
)
def test_docker_desktop_variants(info: dict[str, Any], endpoint: str | None, variant: str) -> None:
    got = ident(info=info, endpoint=endpoint)
    assert (got.product, got.variant) == ("docker-desktop", variant)


def test_orbstack_by_name_and_kernel() -> None:
    assert ident(info={"Name": "orbstack"}).product == "orbstack"
    got = ident(info={"KernelVersion": "6.17.8-orbstack-00308-g8f9c941121b1"})
    assert got.product == "orbstack"


def test_rancher_desktop_windows() -> None:
    got = ident(info={"OperatingSystem": "Rancher Desktop WSL Distribution"})
    assert (got.product, got.variant) == ("rancher-desktop", "wsl")


def test_minikube_before_linuxkit_kernel() -> None:
    got = ident(info={"Name": "minikube", "KernelVersion": "5.10.76-linuxkit"})
    assert got.product == "minikube"


def test_minikube_named_profile_by_label() -> None:
    got = ident(
        info={
            "Name": "dev",
            "Labels": ["provider=docker"],
            "NoProxy": "control-plane.minikube.internal",
        }
    )
    assert (got.product, got.variant) == ("minikube", "profile=dev")


def test_minikube_by_env_hint_is_likely() -> None:
    got = ident(info={"Name": "dev"}, env={"MINIKUBE_ACTIVE_DOCKERD": "dev"})
    assert (got.product, got.confidence) == ("minikube", "likely")


def test_colima_named_profile() -> None:
    got = ident(info={"Name": "colima-work"})
    assert (got.product, got.variant) == ("colima", "profile=work")


def test_rancher_desktop_before_lima() -> None:
    assert ident(info={"Name": "lima-rancher-desktop"}).product == "rancher-desktop"
    assert ident(info={"Name": "lima-default"}).variant == "instance=default"


def test_containerized_without_ci_hint() -> None:
    got = ident(info={"OperatingSystem": "Alpine Linux v3.18 (containerized)"})
    assert (got.product, got.variant) == ("dind", "containerized")
    got = ident(
        info={"OperatingSystem": "Alpine Linux v3.18 (containerized)"},
        endpoint="tcp://docker:2376",
    )
    assert (got.product, got.variant) == ("dind", "ci")


@pytest.mark.parametrize(
    ("version", "info", "variant"),
    [
        (
            {
                "Components": [
                    {
                        "Name": "Engine",
                        "Version": "24.0.7",
                        "Details": {"GitCommit": "24.0.7-0ubuntu2~22.04.1"},
                    }
                ]
            },
            None,
            "distro",
        ),
        ({"Version": "20.10.22+azure-1"}, None, "azure-moby"),
        ({"Platform": {"Name": "Docker Engine - Community"}}, None, "docker-ce"),
        (None, {"DockerRootDir": "/var/snap/docker/common/var-lib-docker"}, "snap"),
        (None, {"SecurityOptions": ["name=seccomp,profile=builtin", "name=rootless"]}, "rootless"),
        (
            None,
            {"ServerVersion": "26.1.3", "KernelVersion": "5.15.153.1-microsoft-standard-WSL2"},
            "wsl",
        ),
        (None, {"ServerVersion": "26.1.3", "KernelVersion": "6.10.2-linuxkit"}, "linuxkit"),
        (None, {"ServerVersion": "26.1.3", "OperatingSystem": "Ubuntu 22.04.4 LTS"}, None),
    ],
)
def test_engine_flavours(version: Any, info: Any, variant: str | None) -> None:
    got = ident(version=version, info=info)
    assert (got.product, got.variant) == ("docker-engine", variant)


# ---------------------------------------------------------------------------------------
# Hostile inputs
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"ping_headers": {}, "version": {}, "info": {}},
        {"info": {"Name": 42}},
        {"info": {"SecurityOptions": "name=rootless"}},
        {"info": {"Labels": {"com.docker.desktop.address": "npipe://x"}}},
        {"info": {"Name": None, "OperatingSystem": ["Docker Desktop"], "KernelVersion": 5}},
        {"version": {"Platform": "Docker Desktop", "Components": "Engine"}},
        {"version": {"Components": [None, 1, "x", {"Name": 3}]}},
        {"ping_headers": {1: "Libpod/1", "Server": None}},
        {"ping_headers": "Server: Libpod", "version": [], "info": "x", "endpoint": 5, "env": None},
    ],
)
def test_hostile_inputs_give_unknown(kw: dict[str, Any]) -> None:
    got = ident(**kw)
    assert got.product == "unknown"
    assert got.confidence == "guess"
    assert is_rootless(kw.get("info")) is False


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
keys = st.sampled_from(
    [
        "Name",
        "OperatingSystem",
        "KernelVersion",
        "Labels",
        "SecurityOptions",
        "DockerRootDir",
        "NoProxy",
        "OSType",
        "Rootless",
        "Platform",
        "Components",
        "Version",
        "GitCommit",
        "ServerVersion",
        "Server",
        "Libpod-API-Version",
    ]
) | st.text(max_size=10)
json_dicts = st.dictionaries(keys, json_values, max_size=8)


@settings(max_examples=300, deadline=None)
@given(
    ping=st.none() | json_dicts,
    version=st.none() | json_dicts,
    info=st.none() | json_dicts,
    endpoint=st.none() | st.text(max_size=40),
    env=st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
)
def test_identify_never_raises(
    ping: Any, version: Any, info: Any, endpoint: Any, env: dict[str, str]
) -> None:
    got = identify_from_api(
        ping_headers=ping, version=version, info=info, endpoint=endpoint, env=env
    )
    assert got.product in PRODUCTS
    assert got.confidence in ("certain", "likely", "guess")
    assert all(isinstance(e, str) for e in got.evidence)
    # identify_from_api turns a bug into this evidence line rather than raise: the
    # rules themselves must not get there on any input.
    assert not any(e.startswith("identification failed") for e in got.evidence), got.evidence


@settings(max_examples=300, deadline=None)
@given(path=st.text(max_size=60), home=st.none() | st.text(max_size=15))
def test_product_from_path_never_raises(path: str, home: str | None) -> None:
    got = product_from_path(path, home=home, uid=1000)
    assert got is None or got.product in PRODUCTS


# ---------------------------------------------------------------------------------------
# Rule C: product_from_path
# ---------------------------------------------------------------------------------------

MAC_HOME = "/Users/jane"
LINUX_HOME = "/home/jane"


@pytest.mark.parametrize(
    ("path", "platform", "product", "variant"),
    [
        # macOS
        ("unix:///Users/jane/.docker/run/docker.sock", "darwin", "docker-desktop", "macos"),
        ("~/.docker/run/docker.sock", "macos", "docker-desktop", "macos"),
        (
            "/Users/jane/Library/Containers/com.docker.docker/Data/docker.raw.sock",
            "darwin",
            "docker-desktop",
            "macos",
        ),
        ("/var/run/com.docker.vmnetd.sock", "darwin", "docker-desktop", "macos"),
        ("unix:///Users/jane/.rd/docker.sock", "darwin", "rancher-desktop", "lima"),
        ("unix:///Users/jane/.colima/default/docker.sock", "darwin", "colima", "profile=default"),
        ("~/.colima/work/docker.sock", "darwin", "colima", "profile=work"),
        ("/Users/jane/.colima/docker.sock", "darwin", "colima", "profile=default"),
        (
            "/Users/jane/.colima/work/containerd.sock",
            "darwin",
            "colima",
            "containerd-mode,profile=work",
        ),
        ("unix:///Users/jane/.orbstack/run/docker.sock", "darwin", "orbstack", None),
        ("~/.lima/docker/sock/docker.sock", "darwin", "lima", "instance=docker"),
        ("~/.lima/pm/sock/podman.sock", "darwin", "lima", "instance=pm,podman"),
        (
            "/var/folders/_2/6d3lm5mn3lvfh_80xk9lrj7m0000gp/T/podman/podman-machine-default-api.sock",
            "darwin",
            "podman",
            "machine",
        ),
        (
            "~/.local/share/containers/podman/machine/podman.sock",
            "darwin",
            "podman",
            "machine",
        ),
        (
            "~/.local/share/containers/podman/machine/qemu/podman.sock",
            "darwin",
            "podman",
            "machine",
        ),
        # Linux
        ("unix:///home/jane/.docker/run/docker.sock", "linux", "docker-engine", "rootless"),
        ("~/.docker/desktop/docker.sock", "linux", "docker-desktop", "linux"),
        ("unix:///home/jane/.rd/docker.sock", "linux", "rancher-desktop", "lima"),
        ("~/.config/colima/default/docker.sock", "linux", "colima", "profile=default"),
        ("unix:///run/user/1000/docker.sock", "linux", "docker-engine", "rootless"),
        ("/run/user/1000/podman/podman.sock", "linux", "podman", "rootless"),
        ("unix:///run/podman/podman.sock", "linux", "podman", "rootful"),
        ("/var/run/podman/podman.sock", "linux", "podman", "rootful"),
        ("/run/containerd/containerd.sock", "linux", "unknown", "containerd"),
        ("/var/run/containerd/containerd.sock", "linux", "unknown", "containerd"),
        ("/run/k3s/containerd/containerd.sock", "linux", "unknown", "containerd"),
        ("/var/snap/microk8s/common/run/containerd.sock", "linux", "unknown", "containerd"),
        ("/run/k0s/containerd.sock", "linux", "unknown", "containerd"),
        ("/var/run/crio/crio.sock", "linux", "unknown", "cri-o"),
        ("tcp://docker:2375", "linux", "dind", "ci"),
        ("tcp://docker:2376", "linux", "dind", "ci"),
        # WSL distro
        (
            "/mnt/wsl/docker-desktop/shared-sockets/guest-services/docker.proxy.sock",
            "linux",
            "docker-desktop",
            "wsl",
        ),
        ("/mnt/wsl/rancher-desktop/run/docker.sock", "linux", "rancher-desktop", "wsl"),
        (
            "/mnt/wsl/podman-sockets/podman-machine-default/podman-user.sock",
            "linux",
            "podman",
            "machine",
        ),
        # Windows pipes
        ("npipe:////./pipe/dockerDesktopLinuxEngine", "windows", "docker-desktop", "windows"),
        (
            "npipe:////./pipe/dockerDesktopWindowsEngine",
            "windows",
            "docker-desktop",
            "windows-containers",
        ),
        ("\\\\.\\pipe\\docker_engine_linux", "windows", "docker-desktop", "windows"),
        ("npipe:////./pipe/podman-machine-default", "windows", "podman", "machine"),
    ],
)
def test_product_from_path(path: str, platform: str, product: str, variant: str | None) -> None:
    home = MAC_HOME if platform in ("darwin", "macos") else LINUX_HOME
    got = product_from_path(path, home=home, uid=1000, platform=platform)
    assert got is not None, path
    assert (got.product, got.variant) == (product, variant)
    assert got.confidence == "likely"
    assert got.evidence


def test_docker_run_socket_depends_on_platform() -> None:
    mac = product_from_path("~/.docker/run/docker.sock", home=MAC_HOME, uid=501, platform="darwin")
    lin = product_from_path("~/.docker/run/docker.sock", home=LINUX_HOME, uid=1000)
    assert mac is not None and mac.product == "docker-desktop"
    assert lin is not None and (lin.product, lin.variant) == ("docker-engine", "rootless")


@pytest.mark.parametrize(
    "path",
    [
        "/var/run/docker.sock",
        "unix:///var/run/docker.sock",
        "/run/docker.sock",
        "npipe:////./pipe/docker_engine",
        "tcp://localhost:2375",
        "tcp://192.168.49.2:2376",
        "ssh://me@host",
        "",
        "relative/docker.sock",
    ],
)
def test_ambiguous_paths(path: str) -> None:
    assert product_from_path(path, home=LINUX_HOME, uid=1000) is None


def test_home_expansion_uses_given_home() -> None:
    got = product_from_path("~/.orbstack/run/docker.sock", home="/Users/x", uid=None)
    assert got is not None and got.product == "orbstack"
    got = product_from_path("/srv/jane/.rd/docker.sock", home="/srv/jane", uid=None)
    assert got is not None and got.product == "rancher-desktop"


def test_other_users_rootless_socket_noted() -> None:
    got = product_from_path("/run/user/1001/docker.sock", home=None, uid=1000)
    assert got is not None and "1001" in got.evidence[0]


# ---------------------------------------------------------------------------------------
# start_command
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "variant", "platform", "command"),
    [
        ("colima", "profile=default", "darwin", "colima start"),
        ("colima", "profile=work", "darwin", "colima start work"),
        ("colima", "containerd-mode,profile=work", "darwin", "colima start work"),
        ("colima", None, "linux", "colima start"),
        ("docker-desktop", "macos", "darwin", "open -a Docker"),
        ("docker-desktop", None, "darwin", "open -a Docker"),
        ("docker-desktop", "linux", "linux", "systemctl --user start docker-desktop"),
        ("docker-engine", None, "linux", "sudo systemctl start docker"),
        ("docker-engine", "docker-ce", "linux", "sudo systemctl start docker"),
        ("docker-engine", "rootless", "linux", "systemctl --user start docker"),
        ("docker-engine", "snap", "linux", "sudo snap start docker"),
        ("podman", "rootless", "linux", "systemctl --user start podman.socket"),
        ("podman", "rootful", "linux", "sudo systemctl start podman.socket"),
        ("podman", "machine", "darwin", "podman machine start"),
        ("lima", "instance=docker", "darwin", "limactl start docker"),
        ("orbstack", None, "darwin", "open -a OrbStack"),
        ("rancher-desktop", "lima", "darwin", "rdctl start"),
        ("minikube", "profile=minikube", "linux", "minikube start"),
        ("minikube", "profile=dev", "linux", "minikube start -p dev"),
    ],
)
def test_start_command(product: str, variant: str | None, platform: str, command: str) -> None:
    assert start_command(product, variant, platform=platform) == command


@pytest.mark.parametrize(
    ("path", "command"),
    [
        ("/home/u/.colima/$(id)/docker.sock", "colima start '$(id)'"),
        ("/home/u/.lima/a;rm -rf ~/sock/docker.sock", "limactl start 'a;rm -rf ~'"),
        ("/home/u/.lima/a;b/sock/docker.sock", "limactl start 'a;b'"),
    ],
)
def test_a_start_command_from_a_hostile_path_is_quoted_for_the_shell(path: str, command: str) -> None:
    # A context can point anywhere; the profile or instance in its path reaches a line a
    # person pastes, so it is one shell word whatever it holds.
    got = product_from_path(path, home="/home/u", uid=1000)
    assert got is not None
    assert start_command(got.product, got.variant, platform="linux") == command


def test_start_command_windows_desktop_and_unknown() -> None:
    assert "Docker Desktop.exe" in start_command("docker-desktop", "windows", platform="windows")
    assert start_command("unknown", "containerd", platform="linux") == ""


def test_every_product_has_a_start_command_or_none() -> None:
    for product in PRODUCTS:
        assert isinstance(start_command(product, None, platform="linux"), str)
