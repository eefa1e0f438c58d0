"""The example plugin (examples/cdoctor-example) installed for real by pip and run through cdoctor.

It proves the plugin contract end to end: found through the entry-point group,
importing only doctor.api, its finding's check id set by the runner, its cause
namespaced by the entry-point name and allowed by the JSON schema.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT, cdoctor

EXAMPLE = ROOT / "examples" / "cdoctor-example"


def _install_by_hand(target: Path) -> None:
    """What pip would leave behind, from the example's own pyproject.toml: the package and a
    .dist-info with METADATA and entry_points.txt (where pip cannot build: no wheel package)."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    shutil.copytree(EXAMPLE / "cdoctor_example", target / "cdoctor_example")
    info = target / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    lines = []
    for group, eps in project["entry-points"].items():
        lines.append(f"[{group}]")
        lines.extend(f"{name} = {value}" for name, value in eps.items())
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pip install the example into a directory of its own (no network: no dependencies, no build
    isolation); where pip cannot build it here, the same files written from its pyproject.toml."""
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    r = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(EXAMPLE)],
        capture_output=True, text=True, timeout=300, check=False, cwd=str(build),
    )
    if r.returncode != 0:
        # No build backend in this venv: Python 3.12+ venvs have no setuptools (pip 25 says
        # "Cannot import 'setuptools.build_meta'"); an older setuptools lacks bdist_wheel.
        reasons = ("bdist_wheel", "No module named", "Cannot import 'setuptools")
        assert any(reason in r.stderr for reason in reasons), r.stderr
        shutil.rmtree(target)
        target.mkdir()
        _install_by_hand(target)
    assert list(target.glob("cdoctor_example-0.1.0.dist-info/entry_points.txt"))
    return target


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_example_plugin_is_listed(installed: Path) -> None:
    r = cdoctor("checks", "--format", "json", env={"PYTHONPATH": str(installed)})
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["errors"] == []
    [mine] = [c for c in doc["checks"] if c["id"] == "plain-tcp-endpoint"]
    assert mine["plugin"] == "example" and mine["origin"] == "cdoctor-example 0.1.0"
    # the built-ins still come first, requirements among them
    ids = [c["id"] for c in doc["checks"]]
    assert ids.index("requirements") < ids.index("plain-tcp-endpoint")


def test_example_plugin_runs_through_cdoctor(installed: Path) -> None:
    host = f"tcp://127.0.0.1:{closed_port()}"
    r = cdoctor("-H", host, "diagnose", "--format", "json", "--timeout", "1", env={"PYTHONPATH": str(installed)})
    doc = json.loads(r.stdout)
    [finding] = [f for f in doc["findings"] if f["check"] == "plain-tcp-endpoint"]
    assert finding["id"] == "plain-tcp" and finding["severity"] == "warning"
    assert finding["cause"] == "example/plain-tcp"  # namespaced by the entry-point name
    # the built-in cause along the way wins: the plugin's warning never hides it
    # (tcp-unreachable, or endpoint-mismatch where another engine answers on this machine)
    assert doc["diagnosis"]["primary_cause"] in ("tcp-unreachable", "endpoint-mismatch")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "doctor" / "schema" / "diagnosis-1.json").read_text())
    jsonschema.validate(doc, schema)
