"""Hostile servers (tests/zoo.py): every probe ends within its deadline with a clear outcome."""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Iterator

import pytest

from doctor.gather import dockerapi
from doctor.knowledge import outcomes
from doctor.knowledge.resolve import TLSSettings
from tests.conftest import cdoctor
from tests.zoo import Zoo

DEADLINE = 1.0
SLACK = 0.5  # thread wake-up and the classification, on a busy 2-core machine


@pytest.fixture(scope="module")
def zoo() -> Iterator[Zoo]:
    with Zoo() as z:
        yield z


def timed_ping(host: str, tls: TLSSettings | None = None) -> tuple[outcomes.ProbeResult, float]:
    started = time.monotonic()
    result = dockerapi.ping(host, host, tls or TLSSettings(), DEADLINE)
    return result, time.monotonic() - started


@pytest.mark.parametrize("transport", ["unix", "tcp"])
@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        ("silent", {outcomes.NO_ANSWER}),
        ("drip", {outcomes.NO_ANSWER}),  # one byte a second: the whole request has one deadline
        ("garbage", {outcomes.NOT_DOCKER, outcomes.CLOSED}),
        ("endless-headers", {outcomes.NOT_DOCKER}),
        ("close-mid", {outcomes.CLOSED}),
        ("docker", {outcomes.OK}),
    ],
)
def test_probe_outcome_within_deadline(zoo: Zoo, transport: str, behaviour: str, expected: set[str]) -> None:
    host = zoo.unix(behaviour) if transport == "unix" else zoo.tcp(behaviour)
    result, seconds = timed_ping(host)
    assert result.outcome in expected, result
    assert seconds < DEADLINE + SLACK


def test_huge_body_is_capped(zoo: Zoo) -> None:
    """An 8 GiB Content-Length: /_ping reads at most its cap and the answer is not Docker's 'OK'."""
    result, seconds = timed_ping(zoo.unix("huge-body"))
    assert seconds < DEADLINE + SLACK
    assert result.outcome in (outcomes.API_ERROR, outcomes.NOT_DOCKER), result
    assert len(result.body_head) <= 200


def test_huge_json_answer_is_refused_within_deadline(zoo: Zoo) -> None:
    ping = outcomes.ProbeResult(h := zoo.unix("huge-body"), h, outcomes.OK, "", None, 0.0, 200, {"Api-Version": "1.43"})
    started = time.monotonic()
    answers = dockerapi.engine_answers(ping, TLSSettings(), DEADLINE)
    assert time.monotonic() - started < DEADLINE + SLACK
    assert answers.version is None and "/version" in answers.errors


def test_ping_answers_but_version_hangs(zoo: Zoo) -> None:
    host = zoo.unix("ping-only")
    result, _ = timed_ping(host)
    assert result.outcome == outcomes.OK
    started = time.monotonic()
    answers = dockerapi.engine_answers(result, TLSSettings(), DEADLINE)
    # /version and /info share one deadline: two hanging requests cost one.
    assert time.monotonic() - started < DEADLINE + SLACK
    assert answers.version is None and answers.info is None
    assert outcomes.NO_ANSWER in answers.errors["/version"]


def test_plain_http_spoken_to_a_tls_server(zoo: Zoo) -> None:
    tls = zoo.server_tls()
    if tls is None:
        pytest.skip("needs openssl to make a certificate")
    result, seconds = timed_ping(zoo.tcp("docker", tls=tls))
    assert seconds < DEADLINE + SLACK
    assert result.outcome in (outcomes.NOT_DOCKER, outcomes.CLOSED, outcomes.HTTP_TO_TLS, outcomes.NO_ANSWER)


def test_tls_spoken_to_a_plain_http_server(zoo: Zoo) -> None:
    host = zoo.tcp("docker")
    result, seconds = timed_ping(host, TLSSettings(enabled=True, verify=False))
    assert seconds < DEADLINE + SLACK
    assert result.outcome in (outcomes.TLS_TO_HTTP, outcomes.CLOSED)


def test_tls_verify_against_self_signed(zoo: Zoo) -> None:
    tls = zoo.server_tls()
    if tls is None:
        pytest.skip("needs openssl to make a certificate")
    result, _ = timed_ping(zoo.tcp("docker", tls=tls), TLSSettings(enabled=True, verify=True))
    assert result.outcome == outcomes.TLS_VERIFY
    insecure, _ = timed_ping(zoo.tcp("docker", tls=tls), TLSSettings(enabled=True, verify=False))
    assert insecure.outcome == outcomes.OK
    assert isinstance(ssl.OPENSSL_VERSION, str)


@pytest.mark.parametrize("behaviour", ["silent", "drip", "garbage", "endless-headers", "close-mid", "ping-only", "huge-body"])
def test_cli_on_a_hostile_endpoint(zoo: Zoo, behaviour: str) -> None:
    """The whole CLI: a finding, within one deadline, no traceback."""
    host = zoo.unix(behaviour)
    started = time.monotonic()
    r = cdoctor("diagnose", "--format", "json", "--timeout", "1", env={"DOCKER_HOST": host}, timeout=30)
    seconds = time.monotonic() - started
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode in (0, 1, 2), r.stderr
    doc = json.loads(r.stdout)
    assert doc["tool"]["timeout"] == 1.0
    assert seconds < 1.0 + 2.0  # one deadline, plus starting Python on a busy machine
    if behaviour in ("ping-only", "huge-body"):
        # /_ping answers as Docker; what /version did is in the report, not hidden.
        assert "/version" in r.stdout
    else:
        assert doc["diagnosis"]["status"] == "broken"
        assert doc["diagnosis"]["primary_cause"]


def test_our_deadline_wins_over_the_errno_of_the_forced_shutdown() -> None:
    """At the deadline the client shuts the socket down; a server's byte arriving then turns
    into ECONNRESET underneath. That is still 'no answer in time', not 'closed by the server'."""
    from doctor.gather import dockerapi, http

    for errno_error in (ConnectionResetError(104, "Connection reset by peer"), BrokenPipeError(32, "Broken pipe")):
        try:
            try:
                raise errno_error
            except OSError as inner:
                raise http.ReadTimeout("no complete answer within 1.0s") from inner
        except http.ReadTimeout as e:
            assert dockerapi.classify(e)[0] == outcomes.NO_ANSWER
