"""What each SDK and test tool would reach (checks/sdk.py consumers), by research R9–R10.

Pure: a context store and the set of sockets that answer are given; nothing is probed.
The end-to-end case (a real dockerd behind a context) is in test_causes_real.py.
"""

from __future__ import annotations

from checks.sdk import DEFAULT, Here, consumers
from doctor.knowledge.dockerconfig import ContextMeta, ContextStore, context_id

HOME = "/home/u"
UID = 1000
COLIMA = f"unix://{HOME}/.colima/default/docker.sock"


def store(**hosts: str) -> ContextStore:
    root = f"{HOME}/.docker/contexts"
    return ContextStore(
        root=root,
        contexts={
            context_id(n): ContextMeta(context_id(n), f"{root}/meta/{context_id(n)}/meta.json", n, host=h,
                                       has_docker_endpoint=True)
            for n, h in hosts.items()
        },
    )  # fmt: skip


def reach(env: dict[str, str], current: str | None, answers: set[str], **contexts: str) -> dict[str, str | None]:
    state = dict.fromkeys(answers, True)
    return {c.name: c.endpoint for c in consumers(Here(env, store(**contexts), current, HOME, UID), state)}


def test_context_only_the_cli_and_new_clients_follow_it() -> None:
    """Colima through currentContext, no /var/run/docker.sock: the classic 'tests fail, docker works'."""
    got = reach({}, "colima", {COLIMA.removeprefix("unix://")}, colima=COLIMA)
    assert got["Go SDK (client.FromEnv)"] == DEFAULT
    assert got["docker-py < 7.2 (from_env)"] == DEFAULT
    assert got["docker-py ≥ 7.2 (from_env)"] == COLIMA
    assert got["testcontainers-python"] == COLIMA  # 4.15+ reads currentContext
    assert got["testcontainers-go"] is None  # "rootless Docker not found"
    assert got["testcontainers-java"] is None  # "Could not find a valid Docker environment"


def test_docker_host_wins_for_every_client() -> None:
    dh = "tcp://10.0.0.5:2375"
    got = reach({"DOCKER_HOST": dh}, "colima", set(), colima=COLIMA)
    assert set(got.values()) == {dh}


def test_docker_context_is_read_by_docker_py_72_but_not_by_testcontainers_python() -> None:
    got = reach({"DOCKER_CONTEXT": "colima"}, None, set(), colima=COLIMA)
    assert got["docker-py ≥ 7.2 (from_env)"] == COLIMA
    assert got["testcontainers-python"] == DEFAULT


def test_unknown_context_falls_back_silently_in_docker_py_72() -> None:
    got = reach({"DOCKER_CONTEXT": "gone"}, None, set())
    assert got["docker-py ≥ 7.2 (from_env)"] == DEFAULT


def test_testcontainers_java_prefers_rootless_over_the_default_socket() -> None:
    """R10.1: RootlessDocker (priority 81) is tried before UnixSocket (80)."""
    rootless = f"/run/user/{UID}/docker.sock"
    got = reach({}, None, {rootless, "/var/run/docker.sock"})
    assert got["testcontainers-java"] == "unix://" + rootless
    # testcontainers-go tries /var/run/docker.sock first (R10.2).
    assert got["testcontainers-go"] == DEFAULT


def test_testcontainers_skip_sockets_that_do_not_answer() -> None:
    desktop = f"{HOME}/.docker/desktop/docker.sock"
    got = reach({}, None, {desktop})
    assert got["testcontainers-go"] == "unix://" + desktop
    assert got["testcontainers-java"] == "unix://" + desktop


def test_xdg_runtime_dir_is_honoured() -> None:
    xdg = "/tmp/xdg-u"
    got = reach({"XDG_RUNTIME_DIR": xdg}, None, {f"{xdg}/docker.sock"})
    assert got["testcontainers-java"] == f"unix://{xdg}/docker.sock"
    assert got["testcontainers-go"] == f"unix://{xdg}/docker.sock"


def test_an_endpoint_chosen_with_dash_h_is_not_compared(real_dockerd) -> None:  # type: ignore[no-untyped-def]
    """-H exists only on cdoctor's command line: SDKs never see it, so no sdk-endpoint-differs."""
    import json as _json

    from tests.conftest import cdoctor as _cdoctor

    r = _cdoctor("-H", real_dockerd.host, "--format", "json")
    doc = _json.loads(r.stdout)
    ids = {f["id"] for f in doc["findings"]}
    assert "sdk-endpoint-not-compared" in ids and "sdk-endpoint-differs" not in ids
