"""In-process fuzzing of explain's text reader (hypothesis; atheris is not used: it does not build
for every Python this project supports). The reader must take any text, return a reading, and stay
linear: no regular expression may backtrack catastrophically on crafted input."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doctor.run.pipeline import explain_offline, explain_reading

# Fragments of real Docker errors and output, so that the fuzzer reaches the deep branches.
FRAGMENTS = [
    "Cannot connect to the Docker daemon at ",
    "unix:///var/run/docker.sock",
    "tcp://127.0.0.1:2375",
    "npipe:////./pipe/docker_engine",
    ". Is the docker daemon running?",
    "permission denied while trying to connect to the Docker daemon socket at ",
    "Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.44/containers/json\": dial unix /var/run/docker.sock: connect: ",
    "error during connect: ",
    "context \"colima\" does not exist",
    "Server Version: 24.0.7\n",
    "Operating System: Docker Desktop\n",
    "Client: Docker Engine - Community\n Version: 28.2.2\n",
    "NAME  DESCRIPTION  DOCKER ENDPOINT  ERROR\n",
    "client version 1.45 is too new. Maximum supported API version is 1.41",
    "x509: certificate signed by unknown authority",
    "Client sent an HTTP request to an HTTPS server.",
    "docker.errors.DockerException: Error while fetching server API version: ",
    "Could not find a valid Docker environment",
    "WARNING: ",
    "\r\n",
    "\x1b[31m",
    "(" * 50,
    ":" * 50,
    " " * 50,
]

texts = st.one_of(
    st.text(max_size=3000),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=60).map("".join),
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts)
def test_reader_takes_any_text(text: str) -> None:
    reading, paste = explain_reading(text)
    assert isinstance(reading.symptom, str)
    doc = explain_offline(reading, paste, timeout=3.0)
    assert doc["diagnosis"]["status"] in ("ok", "broken")


@pytest.mark.parametrize(
    "fragment",
    [
        "permission denied while trying to connect to the Docker daemon socket at unix:///x.sock ",
        "client version 1.45 is too new. Maximum supported API version is 1.41\n",
        "error during connect: ",
        "(" * 50 + ":" * 50,
        "http://%2F" * 20,
    ],
    ids=["permission", "api-version", "during-connect", "brackets", "escaped-url"],
)
def test_reader_is_linear_on_repeated_fragments(fragment: str) -> None:
    """Repeating a fragment 10x more must cost ~10x more at most, not 100x (quadratic) or worse."""

    def cost(n: int) -> float:
        # The best of three: one sample on a busy 2-core machine measures the machine.
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            explain_reading(fragment * n)
            best = min(best, time.perf_counter() - started)
        return best

    small, big = cost(100), cost(1000)
    assert big < max(0.1, small * 30), (small, big)
