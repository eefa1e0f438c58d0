"""Causes this machine cannot host, from recorded facts: Windows named pipes, WSL,
Docker Desktop's own states (macOS, Desktop for Linux).

Each tests/data/causes/*.json records one machine state from a public report
(its "source"; "what" says which parts are the report's and which are the
product's documented layout). The facts are built with Facts.from_values: no
gatherer runs, nothing on this machine is read. The real pure code then runs:
the resolver (doctor/knowledge/resolve.py), the checks, the cause order, and `explain`'s
reading of the error text the report quotes. Both must name the same cause.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checks import connection, stack
from doctor.api import (
    CONFIG,
    CONTEXT_PROBES,
    CONTEXT_STORE,
    DOCKER_BINARY,
    ENDPOINT_PROBE,
    ENVIRONMENT,
    INSTALLED,
    PROCESSES,
    RESOLUTION,
    RESOLUTION_INPUTS,
    SOCKETS,
    DockerBinary,
    EndpointProbe,
    Environment,
    Installed,
    Processes,
    SocketInfo,
    UserInfo,
)
from doctor.facts import Fact, Facts
from doctor.knowledge.dockerconfig import ConfigFile, ContextMeta, ContextStore, context_id
from doctor.knowledge.outcomes import OK, ProbeResult
from doctor.knowledge.resolve import CliFamily, Flags, Inputs, resolve
from doctor.run import verdict
from doctor.run.context import RunContext
from doctor.run.model import Finding
from doctor.run.pipeline import explain_offline, explain_reading

DATA = Path(__file__).parent / "data" / "causes"
RECORDS = sorted(DATA.glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    rec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return rec


def facts_from(rec: dict[str, Any], overrides: dict[Fact[Any], object] | None = None) -> Facts:
    """The facts of a recorded machine, as the gatherers would have produced them.

    ``overrides`` replaces some facts (a gatherer's failure, say) and keeps the rest.
    """
    u = rec["user"]
    home = u["home"]
    env = Environment(
        values=dict(rec["env"]),
        user=UserInfo(u["uid"], u["uid"], u["name"], home, "HOME", frozenset({u["uid"]}), frozenset()),
        platform=rec["platform"],
        wsl=bool(rec.get("wsl")),
        kernel="recorded",
        init=rec.get("init", "systemd"),
    )
    root = f"{home}/.docker/contexts"
    metas = {
        context_id(name): ContextMeta(
            context_id(name), f"{root}/meta/{context_id(name)}/meta.json", name, host=host, has_docker_endpoint=True
        )
        for name, host in rec["contexts"].items()
    }
    store = ContextStore(root=root, contexts=metas)
    config = ConfigFile(path=f"{home}/.docker/config.json", exists=True, current_context=rec["current_context"])
    inputs = Inputs(
        flags=Flags(),
        env=rec["env"],
        home=home,
        config=config,
        store=store,
        cli=CliFamily((28, 2, 2)),
        platform=rec["platform"],
    )
    res = resolve(inputs)
    assert res.host is not None, res
    p = rec["probe"]
    probe = ProbeResult(res.host, res.dial or res.host, p["outcome"], p["detail"], p.get("errno"))
    socks = []
    for s in rec.get("sockets", []):
        answer = ProbeResult("unix://" + s["path"], "unix://" + s["path"], OK if s["answers"] else "refused")
        socks.append(SocketInfo(s["path"], tuple(s["reasons"]), s["kind"], s.get("file_type", "socket"), probe=answer))
    inst = rec.get("installed", {})
    binary = rec.get("docker_binary")
    values: dict[Fact[Any], object] = {
        ENVIRONMENT: env,
        CONFIG: config,
        CONTEXT_STORE: store,
        RESOLUTION: res,
        RESOLUTION_INPUTS: inputs,
        ENDPOINT_PROBE: EndpointProbe(probe),
        SOCKETS: tuple(socks),
        CONTEXT_PROBES: {},
        PROCESSES: Processes((), 0, 0, 0),
        INSTALLED: Installed(
            dict(inst.get("binaries", {})), tuple(inst.get("units", ())), dict(inst.get("product_dirs", {}))
        ),
        DOCKER_BINARY: DockerBinary(
            binary["path"], binary["realpath"], binary["kind"], evidence=tuple(binary.get("evidence", ()))
        )
        if binary
        else DockerBinary("/usr/bin/docker", "/usr/bin/docker", "docker-cli", (28, 2, 2), "Docker version 28.2.2"),
    }
    values.update(overrides or {})
    return Facts.from_values(values, RunContext(env=rec["env"]))


def findings_of(facts: Facts) -> list[Finding]:
    out: list[Finding] = []
    for c in (connection.endpoint_connection, stack.cli_shim):
        out.extend(c.run(facts))
    return out


def test_records_cite_a_public_source() -> None:
    assert len(RECORDS) >= 5
    for path in RECORDS:
        rec = _load(path)
        assert rec["source"].startswith("https://github.com/"), path.name
        assert rec["what"] and rec["error_text"], path.name


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_recorded_cause(path: Path) -> None:
    rec = _load(path)
    exp = rec["expect"]
    found = findings_of(facts_from(rec))
    top = verdict.primary(found)
    assert top is not None and top.cause == exp["cause"], [(f.id, f.title) for f in found]
    assert exp["title_contains"] in top.title, top.title
    fix = "\n".join(top.fix)
    for name in exp["fix_contains"]:
        assert name in fix, fix


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_explain_reads_the_recorded_text_the_same_way(path: Path) -> None:
    """What the pasted text alone says agrees with the machine's cause where the text can tell."""
    rec = _load(path)
    exp = rec["expect"]
    reading, paste = explain_reading(rec["error_text"])
    doc = explain_offline(reading, paste, timeout=1.0)
    assert doc["explain"]["symptom"] == exp["symptom"]
    assert doc["diagnosis"]["primary_cause"] == exp["text_cause"]
    if exp["text_cause"] is None:
        # The text alone cannot tell (the generic "Cannot connect"): the machine decides.
        assert doc["diagnosis"]["status"] == "broken"
    else:
        assert exp["text_cause"] == exp["cause"]
    if exp["product_hint"]:
        assert doc["explain"]["product_hint"] == exp["product_hint"], doc["explain"]


def test_pipe_owner_unknown_names_both_owners() -> None:
    """//./pipe/docker_engine with no Docker Desktop installed: Desktop or the dockerd service."""
    rec = _load(DATA / "windows-docker-engine-pipe.json")
    rec["installed"] = {}
    top = verdict.primary(findings_of(facts_from(rec)))
    assert top is not None and top.cause == "named-pipe-missing"
    assert any("Start-Service docker" in f for f in top.fix) and any("Docker Desktop.exe" in f for f in top.fix)
