"""Start-up: the healthy path imports only what it uses, and runs no program it does not need.

`cdoctor` on a healthy engine is measured beside `docker info` by bench/bench.py (README,
"Speed"). These tests pin what was taken off that path, so that it does not creep back:
each module below cost milliseconds at every start on a 2-core machine.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from doctor.gather.local import os_name
from doctor.gather.threads import map_threads, which
from tests.conftest import ROOT
from tests.fakeengine import FakeEngine

# Not imported by a healthy `cdoctor diagnose --format json` (what each would cost, and why not):
NOT_ON_THE_HEALTHY_PATH = {
    "dataclasses": "value classes are doctor.facts.record (no exec per class); it imports inspect",
    "inspect": "imported by dataclasses",
    "concurrent.futures": "doctor.gather.threads.map_threads; it imports logging, queue, traceback",
    "logging": "imported by concurrent.futures",
    "shutil": "doctor.gather.threads.which; it imports bz2, lzma, fnmatch",
    "bz2": "imported by shutil",
    "lzma": "imported by shutil",
    "tempfile": "only when --output writes a file",
    "platform": "doctor.gather.local.os_name; platform.platform() runs `uname -p`",
    "http.client": "doctor.gather.http reads the response itself (tests/test_http_reader.py)",
    "email": "imported by http.client, to parse headers",
    "ssl": "only for a TLS endpoint",
    "psutil": "on Linux the engine processes are read from /proc (gather/processes.linux_details)",
}


def _healthy_run(tmp_path: Path, report: str) -> dict[str, object]:
    with FakeEngine(str(tmp_path / "engine.sock")) as engine:
        code = (
            "import io, json, sys; from doctor.main import main; out = sys.stdout; sys.stdout = io.StringIO(); "
            f"rc = main(['-H', {engine.host!r}, '-f', 'json']); doc = json.loads(sys.stdout.getvalue()); "
            f"sys.stdout = out; print(json.dumps({{'rc': rc, 'status': doc['diagnosis']['status'], {report}}}))"
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
        r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                           timeout=60, env=env)  # fmt: skip
    return dict(json.loads(r.stdout.strip().splitlines()[-1]))


def test_a_healthy_run_loads_none_of_the_modules_taken_off_its_path(tmp_path: Path) -> None:
    got = _healthy_run(tmp_path, "'loaded': sorted(m for m in sys.modules)")
    assert got["status"] == "ok", got
    loaded = set(got["loaded"])  # type: ignore[arg-type]
    assert {m: why for m, why in NOT_ON_THE_HEALTHY_PATH.items() if m in loaded} == {}


def test_a_json_diagnosis_compiles_no_terminal_or_xml_pattern(tmp_path: Path) -> None:
    """boundary's XML and terminal character classes (~35 ms to compile) wait until a format needs them."""
    report = ("'compiled': [n for n in ('_xml_bad', '_terminal_bad', '_command_start') "
              "if getattr(sys.modules['doctor.render.boundary'], n).cache_info().currsize]")  # fmt: skip
    got = _healthy_run(tmp_path, report)
    assert got["status"] == "ok" and got["compiled"] == [], got


def test_os_name_is_what_platform_says() -> None:
    assert os_name() == platform.platform(terse=True)


@pytest.mark.parametrize("name", ["sh", "docker", "no-such-program-here", "/bin/sh", "./nothing"])
def test_which_is_shutil_which(name: str, tmp_path: Path) -> None:
    (tmp_path / "notexec").write_text("")
    path = f"{tmp_path}:{os.environ.get('PATH', '')}:/bin:{tmp_path}"
    assert which(name, path=path) == shutil.which(name, path=path)
    assert which("notexec", path=path) is None and which("x", path="") is None


def test_map_threads_keeps_order_runs_in_parallel_and_raises_the_first_error() -> None:
    barrier = threading.Barrier(4, timeout=5)  # would time out if the calls ran one after another

    def meet(i: int) -> int:
        barrier.wait()
        return i * i

    assert map_threads(meet, [1, 2, 3, 4], 4) == [1, 4, 9, 16]
    done: list[int] = []

    def fail(i: int) -> int:
        done.append(i)
        if i in (2, 3):
            raise ValueError(i)
        return i

    with pytest.raises(ValueError, match="2"):
        map_threads(fail, [1, 2, 3, 4], 2)
    assert sorted(done) == [1, 2, 3, 4]  # every call ran, as with ThreadPoolExecutor.map
    assert map_threads(fail, [], 3) == []


def test_an_early_optional_fact_starts_with_the_required_ones() -> None:
    """DOCKER_CLIS is read by api-floor only once the engine has answered; it is started with
    the probes (early=True) instead of being waited for alone after them."""
    from doctor.facts import Fact, Facts
    from doctor.facts.keys import DOCKER_CLIS
    from doctor.run import plugins, runner
    from doctor.run.check import check
    from doctor.run.model import Finding, Severity

    started: list[str] = []
    ran = threading.Event()
    late: Fact[int] = Fact("late", lambda facts: started.append("late") or 1)
    early: Fact[int] = Fact("early", lambda facts: started.append("early") or ran.set() or 2, early=True)
    seen: list[list[str]] = []

    @check(id="reads-nothing", title="t", category="c", optional=(late, early))
    def reads_nothing(facts: Facts):  # type: ignore[no-untyped-def]
        ran.wait(5)
        seen.append(sorted(started))
        yield Finding(id="x", check="reads-nothing", severity=Severity.OK, title="t")

    runner.run_checks([plugins.LoadedCheck(reads_nothing, "p", "test")], Facts(None))
    assert seen == [["early"]] and DOCKER_CLIS.early


def test_a_lazy_pattern_is_compiled_on_first_use_and_acts_as_the_pattern() -> None:
    import re

    from doctor import redact
    from doctor.lazy_re import lazy

    p = lazy(r"(a+)(b)?", re.IGNORECASE)
    assert p._compiled is None  # type: ignore[attr-defined]
    assert p.sub("x", "AAb-a") == re.compile(r"(a+)(b)?", re.IGNORECASE).sub("x", "AAb-a") == "x-x"
    assert p.pattern == "(a+)(b)?" and p.flags & re.IGNORECASE
    assert isinstance(redact._IPV6_RUN, type(p))
    # Importing the redactor compiles nothing (only `cdoctor report` anonymises). Asked in a fresh
    # interpreter: in this one, earlier tests may have used the pattern already.
    fresh = subprocess.run(
        [sys.executable, "-c", "from doctor import redact; print(redact._IPV6_RUN._compiled is None)"],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert fresh.stdout.strip() == "True", fresh.stderr


@pytest.mark.parametrize(("entry", "version"), [("docker-7.1.0.dist-info", "7.1.0"), ("docker-5.0.3.egg-info", "5.0.3"),
                                                ("docker-4.1.0-py3.11.egg-info", "4.1.0")])  # fmt: skip
def test_docker_py_version_without_importlib_metadata(entry: str, version: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """pip's .dist-info and Debian's .egg-info (python3-docker) are read by their names."""
    from doctor.gather.clients import _gather_docker_py

    (tmp_path / entry).mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    monkeypatch.delitem(sys.modules, "importlib.metadata", raising=False)
    assert _gather_docker_py(None) == version  # type: ignore[arg-type]
    assert "importlib.metadata" not in sys.modules
