"""The current buildx builder, read from buildx's own files (docker/buildx store/store.go:
`current` = {"Key","Name","Global"}, `instances/NAME` = {"Name","Driver","Nodes":[{"Name","Endpoint"}]}).
The files are written as buildx writes them (reconstructed from that source: no buildx binary here)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import cdoctor


def _builder(home: Path, key: str, name: str, endpoint: str, *, glob: bool = False, driver: str = "docker-container") -> None:
    root = home / ".docker" / "buildx"
    (root / "instances").mkdir(parents=True)
    (root / "current").write_text(json.dumps({"Key": key, "Name": name, "Global": glob}))
    node = {"Name": name + "0", "Endpoint": endpoint, "Platforms": None, "Flags": None, "DriverOpts": None, "Files": None}
    (root / "instances" / name).write_text(json.dumps({"Name": name, "Driver": driver, "Nodes": [node], "Dynamic": False}))


def _doc(host: str) -> dict[str, object]:
    return json.loads(cdoctor("--format", "json", env={"DOCKER_HOST": host}).stdout)  # type: ignore[no-any-return]


def _finding(doc: dict[str, object], prefix: str) -> dict[str, object]:
    [f] = [f for f in doc["findings"] if f["check"] == "buildx-builder"]  # type: ignore[union-attr,index]
    assert f["id"].startswith(prefix), f  # type: ignore[union-attr]
    return f  # type: ignore[no-any-return]


@pytest.fixture
def dead_socket(engine_dir: Path) -> str:
    """A socket file nothing listens on any more (a removed OrbStack/Colima)."""
    path = str(engine_dir / "orbstack.sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.close()
    return path


@pytest.fixture
def hung_socket(engine_dir: Path) -> Iterator[str]:
    """Accepts connections (the kernel's backlog) and never answers: a wedged VM."""
    path = str(engine_dir / "hung.sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.listen(8)
    yield path
    s.close()


@pytest.mark.engine
def test_global_builder_on_a_dead_socket_fails_builds(real_dockerd: object, home: Path, dead_socket: str) -> None:
    host = real_dockerd.host  # type: ignore[attr-defined]
    _builder(home, "unix:///gone.sock", "orbbuilder", "unix://" + dead_socket, glob=True)
    doc = _doc(host)
    f = _finding(doc, "buildx-builder-unreachable")
    assert "unreachable" in f["title"] and "orbbuilder" in f["title"]  # type: ignore[operator]
    assert doc["diagnosis"]["status"] == "degraded"  # type: ignore[index]
    assert doc["diagnosis"]["primary_cause"] == "buildx-builder-unreachable"  # type: ignore[index]
    assert f["fix"][0].startswith("docker buildx use default")  # type: ignore[index]


@pytest.mark.engine
def test_builder_that_hangs_is_named_hanging(real_dockerd: object, home: Path, hung_socket: str) -> None:
    host = real_dockerd.host  # type: ignore[attr-defined]
    _builder(home, host, "wedged", "unix://" + hung_socket)
    f = _finding(_doc(host), "buildx-builder-unreachable")
    assert "hanging" in f["title"] and "hang" in f["title"]  # type: ignore[operator]


@pytest.mark.engine
def test_builder_for_another_endpoint_does_not_apply(real_dockerd: object, home: Path, dead_socket: str) -> None:
    _builder(home, "unix:///some/other.sock", "other", "unix://" + dead_socket)
    _finding(_doc(real_dockerd.host), "buildx-default")  # type: ignore[attr-defined]


@pytest.mark.engine
def test_builder_on_the_live_engine_is_fine(real_dockerd: object, home: Path) -> None:
    host = real_dockerd.host  # type: ignore[attr-defined]
    _builder(home, host, "live", host)
    assert _finding(_doc(host), "buildx-builder-ok")["severity"] == "ok"
