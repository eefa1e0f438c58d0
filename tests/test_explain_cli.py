"""`cdoctor explain` as a command: the corpus through the CLI, input paths, offline means offline."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import typer

from doctor.cli import app, main
from tests.conftest import ROOT, assert_could_not_run, cdoctor

SCHEMA = json.loads((ROOT / "doctor" / "schema" / "diagnosis-1.json").read_text())
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)  # checked once, not per document
CORPUS = json.loads((ROOT / "tests" / "data" / "explain" / "corpus" / "seed.json").read_text(encoding="utf-8"))


def _offline(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, command: Any) -> tuple[int, dict[str, Any]]:
    f = tmp_path / "error.txt"
    f.write_text(text, encoding="utf-8")
    # The click command `cdoctor` runs, built once: typer rebuilds it on every main() call (~0.2 s).
    rc = command.main(["explain", "--offline", "--format", "json", "--file", str(f)], "cdoctor", standalone_mode=False)
    out = capsys.readouterr().out
    return int(rc or 0), json.loads(out)


def test_corpus_through_the_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Every corpus text, read by `cdoctor explain --offline --format json` (in-process for speed)."""
    command = typer.main.get_command(app)
    assert main(["explain", "--offline", "--format", "json", CORPUS[0]["text"]]) in (0, 1)  # main() itself too
    capsys.readouterr()
    wrong = []
    for e in CORPUS:
        rc, doc = _offline(capsys, tmp_path, e["text"], command)
        VALIDATOR.validate(doc)
        got = {
            "symptom": doc["explain"]["symptom"],
            "cause": doc["diagnosis"]["primary_cause"],
            "endpoint": doc["explain"]["endpoint"],
            "client": doc["explain"]["client"],
            "product": doc["explain"]["product_hint"],
        }
        want = {k: e[k] for k in got}
        if got != want:
            wrong.append((e["source"], want, got))
        assert rc == (1 if e["cause"] else 0)
        assert doc["tool"]["offline"] is True and doc["chain"] == []
        assert (doc["diagnosis"]["status"] == "ok") == (e["symptom"] == "unknown")
    assert not wrong, json.dumps(wrong[:5], indent=1)


def test_offline_through_a_pipe_and_as_an_argument() -> None:
    text = 'Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json": dial unix /var/run/docker.sock: connect: permission denied'
    piped = cdoctor("explain", "--offline", "--format", "json", input=text)
    argued = cdoctor("explain", "--offline", "--format", "json", text)
    for r in (piped, argued):
        assert r.returncode == 1, r.stderr
        doc = json.loads(r.stdout)
        jsonschema.validate(doc, SCHEMA)
        assert doc["explain"]["symptom"] == "permission-denied"
        assert doc["explain"]["endpoint"] == "unix:///var/run/docker.sock"
        assert doc["explain"]["client"] == "docker-cli"
        assert doc["diagnosis"]["primary_cause"] == "permission-denied"
    human = cdoctor("explain", "--offline", "--color", "never", input=text)
    assert human.returncode == 1
    first = human.stdout.splitlines()[0]
    assert first.startswith("✗") and "permission denied" in first.lower()


def test_offline_names_the_product_the_path_belongs_to(home: Path) -> None:
    text = f"Cannot connect to the Docker daemon at unix://{home}/.colima/default/docker.sock. Is the docker daemon running?"
    r = cdoctor("explain", "--offline", "--format", "json", input=text, env={"HOME": str(home)})
    doc = json.loads(r.stdout)
    assert doc["explain"]["product_hint"] == "colima"
    assert doc["explain"]["symptom"] == "daemon-not-running" and doc["diagnosis"]["primary_cause"] is None


def test_offline_probes_nothing(tmp_path: Path) -> None:
    """A live listener at the endpoint the text names: --offline must not connect to it."""
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="cdx4o-", dir="/tmp"))
    path = str(d / "docker.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(8)
    srv.settimeout(0.1)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        text = f"Cannot connect to the Docker daemon at unix://{path}. Is the docker daemon running?"
        r = cdoctor("explain", "--offline", "--format", "json", input=text, env={"DOCKER_HOST": "unix://" + path})
        assert r.returncode == 0 or r.returncode == 1, r.stderr
        time.sleep(0.2)
        assert accepted == [], "explain --offline connected to the endpoint"
        # Without --offline it does look (the control: the test can fail).
        cdoctor("explain", "--format", "json", "--timeout", "0.5", input=text, env={"DOCKER_HOST": "unix://" + path})
        time.sleep(0.2)
        assert accepted, "explain did not probe the endpoint the text names"
    finally:
        stop.set()
        t.join(1)
        for c in accepted:
            c.close()
        srv.close()
        import shutil

        shutil.rmtree(d, ignore_errors=True)


def test_explain_diagnoses_the_endpoint_the_text_names(tmp_path: Path) -> None:
    """Not offline: the machine is diagnosed, focused on the endpoint of the text."""
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="cdx4e-", dir="/tmp"))
    try:
        gone = f"unix://{d}/docker.sock"
        text = f"Cannot connect to the Docker daemon at {gone}. Is the docker daemon running?"
        r = cdoctor("explain", "--format", "json", "--timeout", "1", input=text, env={"DOCKER_HOST": gone})
        assert r.returncode == 1, r.stderr
        doc = json.loads(r.stdout)
        jsonschema.validate(doc, SCHEMA)
        assert doc["explain"]["endpoint"] == gone and doc["explain"]["symptom"] == "daemon-not-running"
        assert doc["diagnosis"]["primary_cause"] is not None
        probe = next(f for f in doc["findings"] if f["check"] == "endpoint-connection" and f["severity"] == "error")
        assert any(gone in e for e in probe["evidence"])
        human = cdoctor("explain", "--color", "never", "--timeout", "1", input=text, env={"DOCKER_HOST": gone})
        lines = human.stdout.splitlines()
        assert lines[0].startswith("✗")  # the verdict first
        assert "The error text" in human.stdout and "daemon-not-running" in human.stdout
        assert human.stdout.index("Why") < human.stdout.index("Fix")
    finally:
        import shutil

        shutil.rmtree(d, ignore_errors=True)


def test_live_explain_names_the_texts_product_not_this_machines(tmp_path: Path) -> None:
    """The live explain reports the product the TEXT names (a macOS Docker Desktop socket), as
    --offline does, and what that path is on THIS (Linux) machine separately."""
    text = (
        "Cannot connect to the Docker daemon at unix:///Users/me/.docker/run/docker.sock. "
        "Is the docker daemon running?"
    )
    env = {"DOCKER_HOST": f"unix://{tmp_path}/gone.sock", "HOME": str(tmp_path)}
    r = cdoctor("explain", "--format", "json", "--timeout", "1", input=text, env=env)
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, SCHEMA)
    ex = doc["explain"]
    offline = json.loads(cdoctor("explain", "--offline", "--format", "json", input=text, env=env).stdout)["explain"]
    assert ex["product_hint"] == offline["product_hint"] == "docker-desktop"
    assert ex["product_confidence"] == offline["product_confidence"]
    assert ex["product_signals"] and ex["product_signals"] == offline["product_signals"]
    assert "local_product_hint" in ex and ex["local_product_hint"] is None  # on Linux that path is nobody's
    human = cdoctor("explain", "--color", "never", "--timeout", "1", input=text, env=env).stdout
    assert "product docker-desktop" in human


def test_verbose_shows_every_check_with_its_timing(tmp_path: Path) -> None:
    r = cdoctor(
        "diagnose", "-v", "--color", "never", "--timeout", "1", env={"DOCKER_HOST": f"unix://{tmp_path}/x.sock"}
    )
    assert "Checks" in r.stdout
    checks = json.loads(cdoctor("checks", "--format", "json").stdout)["checks"]
    for c in checks:
        if c["id"] in r.stdout:
            continue
        pytest.fail(f"verbose output does not list check {c['id']}")
    assert " ms" in r.stdout


def test_no_input_is_a_usage_error() -> None:
    r = cdoctor("explain", "--file", "/nonexistent/error.txt")
    assert_could_not_run(r, "cannot read", "/nonexistent/error.txt")


def test_offline_gives_the_fix_the_text_supports() -> None:
    """Offline, the fix names what the text establishes, then asks for a real diagnosis."""
    text = ('Failed to initialize: unable to resolve docker endpoint: context "colima": context not found: '
            "open /home/me/.docker/contexts/meta/x/meta.json: no such file or directory")
    r = cdoctor("explain", "--offline", "--format", "json", input=text)
    finding = json.loads(r.stdout)["findings"][0]
    assert finding["cause"] == "context-not-found"
    assert any("docker context use default" in f for f in finding["fix"])
    assert finding["fix"][-1].startswith("cdoctor")
