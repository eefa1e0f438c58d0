"""Bounded everything (issue 11, Why 8 and 9): time of the scrub, number of contexts, programs' output.

The scrub's worst cases are timed here; `python -m tests.test_hostile_bounds`
prints the times for the lead's report.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from doctor import redact
from doctor.facts import Facts
from doctor.facts.keys import CONTEXT_STORE, RESOLUTION
from doctor.gather import local
from doctor.knowledge.resolve import Flags
from doctor.render import boundary
from doctor.run.context import RunContext
from tests.hostile_doc import document

# Generous for a busy 2-core machine: measured in milliseconds (see worst_cases()).
SCRUB_LIMIT = 1.0


def worst_cases() -> dict[str, str]:
    return {
        "1 MB of repeated BEGIN PRIVATE KEY (Why 8)": "-----BEGIN PRIVATE KEY-----" * (1_000_000 // 27),
        "1 MB of BEGIN PRIVATE KEY / END pairs": "-----BEGIN PRIVATE KEY-----x-----END PRIVATE KEY-----" * 19_000,
        "200 KB pasted line (Why 8)": "error: " + "tcp://u:p@" * 20_000,
        "200 KB of a:b@": "a:b@" * 50_000,
        "200 KB of NAME_TOKEN=": "NAME_TOKEN=" * 18_000,
        "200 KB of ghp_": "ghp_" * 50_000,
        "200 KB of eyJ.": "eyJaaaaa." * 22_000,
        "200 KB of IPv6-like colons": "1:" * 100_000,
        "1 MB mixed, one line": ("x" * 100 + " PASSWORD=" + "y" * 5000 + " https://u:p@h ") * 200,
        "1 MB of ://": "://" * 333_000,
    }


def time_scrub(text: str) -> float:
    started = time.perf_counter()
    redact.scrub_text(text)
    redact.Anonymizer()(text)
    for fmt in boundary.FORMATS:
        boundary.sanitise(text, fmt)
    return time.perf_counter() - started


@pytest.mark.parametrize("name", sorted(worst_cases()))
def test_worst_case_scrub_is_fast(name: str) -> None:
    seconds = min(time_scrub(worst_cases()[name]) for _ in range(3))  # the best of 3: the machine is shared
    assert seconds < SCRUB_LIMIT, f"{name}: {seconds:.2f} s"


def test_pem_blocks_are_removed_to_their_end() -> None:
    text = "a -----BEGIN RSA PRIVATE KEY-----\nSECRET1\n-----END RSA PRIVATE KEY----- b -----BEGIN PRIVATE KEY-----\nSECRET2"
    out = redact.scrub_text(text)
    assert "SECRET1" not in out and "SECRET2" not in out and out.startswith("a <redacted> b")


def test_a_whole_document_with_a_1mb_warning_renders_in_time() -> None:
    """Why 8: the run's time includes rendering and redaction: one huge engine warning costs little."""
    huge = "-----BEGIN PRIVATE KEY-----" * (1_000_000 // 27)
    doc = document(lambda i: huge if i == 5 else "x")
    started = time.perf_counter()
    bounded = boundary.bound(doc, "terminal", secrets=("some-secret-value",))
    for fmt in boundary.FORMATS:
        boundary.render_ready(bounded, fmt)
    assert time.perf_counter() - started < SCRUB_LIMIT
    assert len(json.dumps(bounded)) < 200_000  # capped: no one string is written whole


def _store(home: Path, count: int, current: str) -> None:
    meta = home / ".docker" / "contexts" / "meta"
    for name in [*(f"c{i}" for i in range(count)), current]:
        d = meta / hashlib.sha256(name.encode()).hexdigest()
        d.mkdir(parents=True, exist_ok=True)
        doc = {"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": f"unix:///nowhere/{name}.sock"}}}
        (d / "meta.json").write_text(json.dumps(doc))
    (home / ".docker" / "config.json").write_text(json.dumps({"currentContext": current}))


@pytest.mark.parametrize("how", ["config", "env", "flag"])
def test_the_context_in_use_is_found_past_the_store_limit(
    home: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """Why 9: past MAX_CONTEXTS the context the CLI resolves was reported as not existing."""
    _store(home, 30, "wanted")
    monkeypatch.setattr(local, "MAX_CONTEXTS", 0)  # every listed context is past the limit
    env = {"HOME": str(home)}
    flags = Flags()
    if how == "env":
        env["DOCKER_CONTEXT"] = "wanted"
    if how == "flag":
        flags = Flags(context="wanted")
    facts = Facts(RunContext(flags=flags, env=env, timeout=2.0), timeout=2.0)
    res = facts.get(RESOLUTION)
    assert res.error is None, res.error
    assert res.host == "unix:///nowhere/wanted.sock"
    store = facts.get(CONTEXT_STORE)
    assert store.truncated


def test_a_truncated_store_is_a_finding(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checks.resolution import config_file

    _store(home, 5, "wanted")
    monkeypatch.setattr(local, "MAX_CONTEXTS", 2)
    facts = Facts(RunContext(env={"HOME": str(home)}, timeout=2.0), timeout=2.0)
    ids = {f.id for f in config_file.run(facts)}
    assert "context-store-truncated" in ids


if __name__ == "__main__":
    for case, text in worst_cases().items():
        best = min(time_scrub(text) for _ in range(3))
        print(f"{best * 1000:8.1f} ms  {len(text):>9,} chars  {case}")


def test_a_docker_that_prints_forever_costs_a_cap_not_memory(home: Path, tmp_path: Path) -> None:
    """Why 9: a `docker` on PATH that prints without end took 1 GB; now its output is capped at 4 KiB.

    The run's peak memory (ru_maxrss of the child) stays that of a normal run. (An address-space
    limit would also catch it, but a 1 GB one leaves no room for the run's threads.)"""
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("needs a C compiler for the endless docker")
    src = tmp_path / "docker.c"
    src.write_text(
        '#include <string.h>\n#include <unistd.h>\n'
        'int main(void){static char b[1<<16]; memset(b,\'x\',sizeof b); for(;;) write(1,b,sizeof b);}\n'
    )
    bindir = tmp_path / "bin"
    bindir.mkdir()
    subprocess.run([cc, "-O2", "-o", str(bindir / "docker"), str(src)], check=True, timeout=120)

    # ru_maxrss of RUSAGE_CHILDREN is the largest child the process ever waited for: a
    # fresh parent around cdoctor alone, or an earlier test's big child is measured.
    alone = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True); "
        "sys.stdout.buffer.write(r.stdout); sys.stderr.buffer.write(r.stderr); "
        "sys.stderr.write('\\nmaxrss-kb %d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "sys.exit(r.returncode)"
    )
    started = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-c", alone, sys.executable, "-m", "doctor", "diagnose", "--format", "json", "--timeout", "2"],
        env={"HOME": str(home), "PATH": f"{bindir}:/usr/bin:/bin", "PYTHONPATH": str(ROOT),
             "DOCKER_HOST": "unix:///nonexistent/cdoctor.sock"},
        capture_output=True, timeout=60, check=False, cwd=str(ROOT),
    )
    assert time.monotonic() - started < 15
    assert r.returncode in (0, 1, 2), r.stderr.decode()[-500:]
    peak_mb = int(r.stderr.rsplit(b"maxrss-kb ", 1)[1].split()[0]) / 1024
    # Measured: about 40 MB with the cap, about 240 MB without it (within one probe deadline).
    assert peak_mb < 150, f"cdoctor's peak memory was {peak_mb:.0f} MB"
    doc = json.loads(r.stdout)
    cli = next(c for c in doc["chain"] if c["layer"] == "cli")
    assert cli.get("path") == str(bindir / "docker")
