"""An endpoint that answers /_ping and refuses the rest: docker-socket-proxy (HAProxy 403) and a
partial implementation (404), served by tests/fakeengine.py as the real ones answer (sources there)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import cdoctor
from tests.fakeengine import FakeEngine

# docker-socket-proxy's defaults (its Dockerfile): EVENTS=1 PING=1 VERSION=1, everything else 0.
PROXY_DEFAULTS = frozenset({"_ping", "version", "events"})


def _doc(host: str) -> dict[str, object]:
    return json.loads(cdoctor("--format", "json", env={"DOCKER_HOST": host}).stdout)  # type: ignore[no-any-return]


def _finding(doc: dict[str, object], fid: str) -> dict[str, object]:
    [f] = [f for f in doc["findings"] if f["id"] == fid]  # type: ignore[union-attr]
    return f  # type: ignore[no-any-return]


def test_socket_proxy_is_named_with_what_it_refuses(engine_dir: Path) -> None:
    with FakeEngine(str(engine_dir / "proxy.sock"), api="1.51", min_api="1.24", version="28.5.1",
                    proxy_allow=PROXY_DEFAULTS) as proxy:  # fmt: skip
        real = subprocess.run(["docker", "-H", proxy.host, "ps"], capture_output=True, text=True, timeout=20)
        assert "403 Forbidden" in real.stderr and "Request forbidden by administrative rules" in real.stderr
        doc = _doc(proxy.host)
    assert doc["diagnosis"]["status"] == "broken" and doc["diagnosis"]["primary_cause"] == "partial-api"  # type: ignore[index]
    f = _finding(doc, "partial-api")
    assert "docker-socket-proxy" in f["title"]  # type: ignore[operator]
    assert "/containers" in f["title"] and "/version" not in f["title"]  # type: ignore[operator]
    assert "docker ps" in f["detail"]  # type: ignore[operator]
    assert any("CONTAINERS=1" in x and "INFO=1" in x for x in f["fix"])  # type: ignore[union-attr]


def test_partial_implementation_missing_images_is_a_warning(engine_dir: Path) -> None:
    with FakeEngine(str(engine_dir / "part.sock"), api="1.41", min_api="1.24", version="20.10.0",
                    missing=frozenset({"images", "volumes"})) as part:  # fmt: skip
        real = subprocess.run(["docker", "-H", part.host, "images"], capture_output=True, text=True, timeout=20)
        assert real.returncode != 0 and "page not found" in real.stderr
        doc = _doc(part.host)
    f = _finding(doc, "partial-api")
    assert f["severity"] == "warning" and f["cause"] is None
    assert "partial Docker-API implementation" in f["title"] and "/images" in f["title"]  # type: ignore[operator]
    assert "docker pull" in f["detail"]  # type: ignore[operator]


@pytest.mark.engine
def test_a_real_engine_answers_every_call(real_dockerd: object) -> None:
    doc = _doc(real_dockerd.host)  # type: ignore[attr-defined]
    assert _finding(doc, "partial-api-none")["severity"] == "ok"
