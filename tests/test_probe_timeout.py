"""A probe that ran past cdoctor's own deadline is not an engine that does not answer.

Under load (a starved 2-core CI runner, thousands of contexts to read first) the
endpoint-probe fact can miss its deadline although the endpoint would have given a
clear answer. The verdict may then only rest on what is known without the probe:
the socket file's stat. A path that does not exist is the missing socket it is, a
socket this user may not open is a permission problem; anything else — a socket file
included — makes the run incomplete: a wedged engine is what the probe itself sees
(no answer within its own deadline), not a probe that never finished.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from doctor.api import ENDPOINT_PROBE, SOCKETS, FactUnavailable, SocketInfo
from doctor.facts import Fact, Facts
from tests.test_causes_recorded import _load, facts_from, findings_of

RECORD = Path(__file__).parent / "data" / "causes" / "linux-desktop-not-running.json"
PATH = "/home/shubh/.docker/desktop/docker.sock"


def _timed_out(file_type: str | None, *, may_connect: bool | None = None) -> Facts:
    values: dict[Fact[Any], object] = {}
    values[ENDPOINT_PROBE] = FactUnavailable("endpoint_probe", "no answer within 0.3s", timed_out=True)
    values[SOCKETS] = (
        ()
        if file_type is None
        else (
            SocketInfo(
                PATH, ("context 'desktop-linux'",), "docker", file_type,
                listeners=((4242, "qemu"),), may_connect=may_connect, access="no write permission on the socket",
            ),
        )
    )
    return facts_from(_load(RECORD), values)


def test_a_missing_socket_stays_missing_when_the_probe_times_out() -> None:
    found = findings_of(_timed_out("missing"))
    ids = [f.id for f in found]
    assert "engine-unresponsive" not in ids, ids
    causes = {f.cause for f in found}
    assert "engine-not-running" in causes, found
    assert any("read from the file system" in e for f in found for e in f.evidence)


def test_a_socket_file_whose_probe_fact_timed_out_is_not_called_wedged() -> None:
    # cdoctor ran out of time, the engine was never seen not answering: incomplete, not wedged.
    with pytest.raises(FactUnavailable):
        findings_of(_timed_out("socket"))


def test_a_socket_this_user_may_not_open_is_a_permission_problem_without_the_probe() -> None:
    found = findings_of(_timed_out("socket", may_connect=False))
    assert "engine-unresponsive" not in [f.id for f in found], found
    assert "permission-denied" in {f.cause for f in found}, found


@pytest.mark.parametrize("file_type", [None, "directory", "unreadable"])
def test_without_a_socket_file_the_run_is_incomplete_not_a_guess(file_type: str | None) -> None:
    with pytest.raises(FactUnavailable):
        findings_of(_timed_out(file_type))


def test_the_record_names_the_socket_these_scenarios_replace() -> None:
    assert _load(RECORD)["sockets"][0]["path"] == PATH
