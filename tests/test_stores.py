"""Where containers and images are: engines, image stores, containerd namespaces."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from checks.stores import stores
from doctor.api import STORES, Stores
from doctor.facts import Facts
from doctor.gather.stores import counts_from_info, graph_tags
from tests.conftest import cdoctor

# Reconstructed from moby daemon/info.go (containerd image store: DriverStatus is
# [["driver-type", "io.containerd.snapshotter.v1"]]) and the `docker info` pastes of Docker
# Desktop ≥ 4.34 ("Storage Driver: overlayfs, driver-type: io.containerd.snapshotter.v1"); counts as after docker/for-mac#7435 ("update erases all images").
ENGINE29_INFO = {
    "Containers": 0, "ContainersRunning": 0, "Images": 0, "Driver": "overlayfs",
    "DriverStatus": [["driver-type", "io.containerd.snapshotter.v1"]], "DockerRootDir": "/var/lib/docker",
}  # fmt: skip
# The graph driver's reference store (moby reference/store.go writes this shape), left behind.
REPOSITORIES_JSON = json.dumps({"Repositories": {
    "postgres": {"postgres:16": "sha256:aa", "postgres@sha256:11": "sha256:aa"},
    "myapp": {"myapp:latest": "sha256:bb", "myapp:v1": "sha256:cc"},
}})  # fmt: skip


def test_images_left_in_the_graph_store_answer_docker_shows_nothing() -> None:
    assert graph_tags(REPOSITORIES_JSON) == 3
    mine = counts_from_info("unix:///var/run/docker.sock", ENGINE29_INFO)
    assert mine.containerd_store and mine.images == 0
    st = Stores((mine,), {"/var/lib/docker/image/overlay2/repositories.json": graph_tags(REPOSITORIES_JSON)})
    [f] = stores.run(Facts.from_values({STORES: st}))
    assert f.id == "stores-elsewhere" and f.severity.value == "warning"
    assert f.title.startswith("docker shows no containers or images here, but there are 3 images in the inactive")
    assert any("containerd-snapshotter" in x for x in f.fix)


@pytest.mark.engine
def test_containers_in_other_containerd_namespaces_are_counted(real_dockerd: object, engine_dir: Path) -> None:
    from tests.engines import Containerd

    tar = engine_dir / "busybox.tar"
    dockerd = real_dockerd
    assert dockerd.docker("save", "-o", str(tar), dockerd.import_busybox()).returncode == 0  # type: ignore[attr-defined]
    with Containerd(engine_dir / "k8s") as ctrd:
        # A Kubernetes node's containerd and a nerdctl user: images and containers docker never lists.
        for ns in ("k8s.io", "default"):
            for args in (["images", "import", "--snapshotter", "native", str(tar)],
                         ["containers", "create", "--snapshotter", "native", "docker.io/library/busybox:cdoctor", f"c-{ns}"]):  # fmt: skip
                subprocess.run(["ctr", "--address", ctrd.socket, "-n", ns, *args], check=True, capture_output=True)
        # ctr is a program per call: give a loaded machine the time to run them.
        out = cdoctor("--format", "json", "--timeout", "10", env={"DOCKER_HOST": dockerd.host})  # type: ignore[attr-defined]
        doc = json.loads(out.stdout)
    [f] = [f for f in doc["findings"] if f["check"] == "stores"]
    assert f["id"] == "stores-elsewhere"
    assert "1 container and 1 image in containerd namespace 'k8s.io' (Kubernetes)" in f["title"]
    assert "1 container and 1 image in containerd namespace 'default' (nerdctl/ctr)" in f["title"]
    assert any("the engine your docker uses: 1 container (1 running)" in e for e in f["evidence"])
    assert any(f"ctr --address {ctrd.socket} -n k8s.io containers ls" in x for x in f["fix"])


def test_every_other_engine_is_counted_at_once_in_socket_order(tmp_path: Path) -> None:
    """The /info of each other engine answering here is asked in parallel; the order stays the sockets'."""
    import time

    from doctor.facts.types import SocketInfo
    from doctor.gather.stores import _other_engines
    from doctor.knowledge.outcomes import ProbeResult
    from tests.fakeengine import FakeEngine

    def sock(path: str, answered: bool = True) -> SocketInfo:
        probe = ProbeResult("unix://" + path, path, "ok" if answered else "refused", status=200 if answered else None)
        return SocketInfo(path, ("test",), "docker", "socket", probe=probe)

    a, b = str(tmp_path / "a.sock"), str(tmp_path / "b.sock")
    with FakeEngine(a), FakeEngine(b):
        assert sock(a).probe is not None and sock(a).probe.answered  # type: ignore[union-attr]
        got = _other_engines((sock(b), sock(a), sock(str(tmp_path / "own.sock"))), f"unix://{tmp_path}/own.sock",
                             time.monotonic() + 3)  # fmt: skip
    assert [e.host for e in got] == [f"unix://{b}", f"unix://{a}"]
