"""The speed budgets of issue #6, measured by bench/bench.py on a real containerd+dockerd.

Runs the benchmark as CI's figures (printed with -s or on failure) and fails on a
budget missed by more than the tolerance bench.py states and justifies.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.engine, pytest.mark.slow]


def test_budgets(real_dockerd: object, tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    host = getattr(real_dockerd, "host")  # noqa: B009 - the fixture is typed as object
    figures = tmp_path / "bench.json"  # type: ignore[operator]
    # Fewer runs than the README's figures (5, not 7) and 500 fewer sleepers would change
    # what is measured; keep the scenario, cut only the repetitions.
    argv = [sys.executable, str(ROOT / "bench" / "bench.py"), "--check", "--runs", "5", "--host", host,
            "--json", str(figures)]  # fmt: skip
    r = subprocess.run(argv, capture_output=True, text=True, timeout=400, check=False)
    with capsys.disabled():  # the figures, in CI's log whatever the outcome
        sys.stdout.write("\n" + r.stdout + r.stderr)
    if r.returncode != 0 and "Traceback" not in r.stderr:
        # One miss can be a neighbour's burst on a shared 2-core machine: measure once more,
        # and fail only when the budget is missed again (a real regression misses every time).
        r = subprocess.run(argv, capture_output=True, text=True, timeout=400, check=False)
        with capsys.disabled():
            sys.stdout.write("\nsecond measurement after a miss:\n" + r.stdout + r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 0, f"a budget was missed beyond the tolerance:\n{r.stdout}\n{r.stderr}"
