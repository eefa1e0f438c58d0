"""`explain --offline`: when the text names the product that owns an unreachable endpoint, its
start command is offered (quoted, and only where a start command is the likely remedy)."""

from __future__ import annotations

import shlex

import pytest

from doctor.reader import read_error
from doctor.run.pipeline import offline_fixes

DEAD = "Cannot connect to the Docker daemon at {endpoint}. Is the docker daemon running?"


def _fixes(text: str) -> list[str]:
    return offline_fixes(read_error(text))


@pytest.mark.parametrize(
    ("endpoint", "command"),
    [
        ("unix:///Users/me/.colima/default/docker.sock", "colima start"),
        ("unix:///Users/me/.colima/work/docker.sock", "colima start work"),
        ("unix:///Users/me/.docker/run/docker.sock", "open -a Docker"),
        ("unix:///Users/me/.orbstack/run/docker.sock", "open -a OrbStack"),
        ("unix:///home/me/.docker/desktop/docker.sock", "systemctl --user start docker-desktop"),
    ],
)
def test_the_named_products_start_command_is_offered(endpoint: str, command: str) -> None:
    starts = [f.split("    #")[0] for f in _fixes(DEAD.format(endpoint=endpoint)) if f.endswith(" is stopped")]
    assert starts == [command]


@pytest.mark.parametrize(
    "text",
    [
        DEAD.format(endpoint="unix:///var/run/docker.sock"),  # whose socket it is, the text does not say
        DEAD.format(endpoint="tcp://10.0.0.5:2375"),  # another machine's engine, maybe
        "permission denied while trying to connect to the docker API at unix:///Users/me/.colima/default/docker.sock",
        'Error response from daemon: client version 1.52 is too new. Maximum supported API version is 1.47',
    ],
)
def test_no_start_command_where_starting_is_not_the_remedy(text: str) -> None:
    assert not any(f.endswith(" is stopped") for f in _fixes(text))


def test_a_profile_from_the_text_is_one_shell_word() -> None:
    from doctor.reader.reading import ErrorReading, ProductHint

    reading = ErrorReading(
        "daemon-not-running",
        endpoint="unix:///Users/me/.colima/x/docker.sock",
        product=ProductHint("colima", "profile=$(id)", "likely", 0.85, ("a path",)),
    )
    [line] = [f for f in offline_fixes(reading) if f.endswith(" is stopped")]
    assert shlex.split(line.split("    #")[0]) == ["colima", "start", "$(id)"]
