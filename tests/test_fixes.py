"""The model check of a fix (doctor/knowledge/fixes.py): pure, no engine needed.

Each test builds a World as the gatherers would, proposes fixes, and asserts
which ones the model keeps: a fix that would not make docker reach an
answering engine for this user is never printed.
"""

from __future__ import annotations

from doctor.knowledge import fixes as fx
from doctor.knowledge.dockerconfig import ConfigFile, ContextMeta, ContextStore, context_id
from doctor.knowledge.fix_rules import privileged_group
from doctor.knowledge.resolve import CliFamily, Flags, Inputs

HOME = "/home/u"
ROOT = f"{HOME}/.docker/contexts"
WORK = "/run/work/docker.sock"
PODMAN = "/run/user/1000/podman/podman.sock"


def _store(**contexts: str) -> ContextStore:
    metas = {
        context_id(n): ContextMeta(context_id(n), f"{ROOT}/meta/{context_id(n)}/meta.json", n, host=h, has_docker_endpoint=True)
        for n, h in contexts.items()
    }
    return ContextStore(root=ROOT, contexts=metas)


def world(
    env: dict[str, str] | None = None,
    current: str | None = None,
    contexts: dict[str, str] | None = None,
    sockets: dict[str, fx.SocketState] | None = None,
    *,
    uid: int = 1000,
    gids: frozenset[int] = frozenset({1000}),
    db: frozenset[str] = frozenset({"u"}),
    groups: dict[str, int] | None = None,
) -> fx.World:
    inputs = Inputs(
        flags=Flags(),
        env=env or {},
        home=HOME,
        config=ConfigFile(f"{HOME}/.docker/config.json", True, current_context=current),
        store=_store(**(contexts or {})),
        cli=CliFamily((28, 2, 2)),
    )
    return fx.World(
        inputs=inputs,
        uid=uid,
        user="u",
        process_gids=gids,
        db_groups=db,
        group_ids=groups or {"u": 1000, "root": 0, "docker": 999},
        sockets=sockets or {},
    )


def alive(path: str, *, uid: int = 0, gid: int = 0, mode: int = 0o660) -> fx.SocketState:
    return fx.SocketState(path, True, uid, gid, mode)


def kept(w: fx.World, candidates: list[fx.Fix]) -> list[tuple[str, ...]]:
    return [f.lines for f in fx.choose(w, candidates)]


def test_context_use_is_no_fix_while_docker_context_is_set() -> None:
    """DOCKER_CONTEXT=podman (its socket gone), currentContext=work (alive): `docker context use
    work` changes nothing; `unset DOCKER_CONTEXT` and `export DOCKER_CONTEXT=work` do."""
    w = world(
        env={"DOCKER_CONTEXT": "podman"},
        current="work",
        contexts={"work": "unix://" + WORK, "podman": "unix://" + PODMAN},
        sockets={WORK: alive(WORK, mode=0o666)},
    )
    assert not fx.reach(w).ok
    cands = fx.select_fixes("env:DOCKER_CONTEXT", "unix://" + WORK, "work", None)
    use = next(f for f in cands if f.lines == ("docker context use work",))
    assert fx.verify(w, use).checked is False
    got = kept(w, cands)
    assert got[0] == ("unset DOCKER_CONTEXT",)
    assert ("export DOCKER_CONTEXT=work",) in got
    assert ("docker context use work",) not in got
    # A superset of a working fix is not printed either.
    assert ("unset DOCKER_CONTEXT", "docker context use work") not in got


def test_docker_host_overrides_the_context() -> None:
    w = world(
        env={"DOCKER_HOST": "unix:///nowhere.sock", "DOCKER_CONTEXT": "work"},
        contexts={"work": "unix://" + WORK},
        sockets={WORK: alive(WORK, mode=0o666)},
    )
    got = kept(w, fx.select_fixes("env:DOCKER_HOST", "unix://" + WORK, "work", "work"))
    assert got[0] == ("unset DOCKER_HOST",)
    assert ("docker context use work",) not in got


def test_permission_follows_uid_and_gids() -> None:
    sock = {WORK: alive(WORK, gid=999)}
    out = world(env={"DOCKER_HOST": "unix://" + WORK}, sockets=sock)
    assert not fx.reach(out).ok
    # Joining docker in the database alone does not change this shell: newgrp is needed too.
    join_only = fx.Fix("group", ("sudo usermod -aG docker u",), (fx.Change(fx.GROUP_ADD, "docker"),))
    assert fx.verify(out, join_only).checked is False
    full = fx.group_fixes("docker", "u", member=False, sudo="sudo ")
    assert fx.verify(out, full[0]).checked is True
    # Already a member in /etc/group: newgrp alone.
    inactive = world(env={"DOCKER_HOST": "unix://" + WORK}, sockets=sock, db=frozenset({"u", "docker"}))
    assert fx.verify(inactive, fx.group_fixes("docker", "u", member=True, sudo="sudo ")[0]).checked is True
    assert fx.verify(out, fx.oneoff_sudo("sudo ")).checked is True


def test_never_a_privileged_group_never_world_writable() -> None:
    for name in ("root", "wheel", "sudo", "adm", "disk", "shadow"):
        for f in fx.group_fixes(name, "u", member=False, sudo="sudo "):
            assert not fx.safe(f), name
    assert privileged_group("mygroup", 0)
    assert privileged_group("games", 60)  # a static system group
    assert not privileged_group("docker", 999)
    for line in ("sudo chmod 666 /var/run/docker.sock", "chmod 0777 /x", "chmod a+rw /x", "chmod o+w /x"):
        assert not fx.safe(fx.Fix("socket", (line,))), line
    assert fx.safe(fx.Fix("socket", ("sudo chgrp docker /x",)))
    # choose() drops them even when the model says they would work.
    w = world(env={"DOCKER_HOST": "unix://" + WORK}, sockets={WORK: alive(WORK)}, db=frozenset({"u", "root"}))
    assert kept(w, fx.group_fixes("root", "u", member=True, sudo="")) == []


def test_socket_group_change_is_modelled() -> None:
    """dockerd's socket after `chgrp root`; the user is in docker: chgrp back to docker works."""
    w = world(
        env={"DOCKER_HOST": "unix://" + WORK},
        sockets={WORK: alive(WORK, gid=0)},
        gids=frozenset({1000, 999}),
        db=frozenset({"u", "docker"}),
    )
    fix = fx.Fix("socket", ("sudo chgrp docker " + WORK,), (fx.Change(fx.SOCKET_GROUP, "docker", path=WORK),))
    assert fx.verify(w, fix).checked is True


def test_quoted_docker_host_is_corrected_and_checked() -> None:
    raw = '"unix://' + WORK + '"'
    w = world(env={"DOCKER_HOST": raw}, sockets={WORK: alive(WORK, mode=0o666)})
    assert not fx.reach(w).ok
    c = fx.correct_host(raw, home=HOME, uid=1000)
    assert c.corrected == "unix://" + WORK and "quotes" in c.problems[0]
    got = kept(w, fx.value_fixes("DOCKER_HOST", raw, c))
    assert got[0] == ("export DOCKER_HOST=unix://" + WORK,)


def test_corrected_value_that_reaches_nothing_is_not_a_fix() -> None:
    raw = "unix://~/.colima/default/docker.sock"
    w = world(env={"DOCKER_HOST": raw})
    c = fx.correct_host(raw, home=HOME, uid=1000)
    assert c.corrected == f"unix://{HOME}/.colima/default/docker.sock"
    assert kept(w, fx.value_fixes("DOCKER_HOST", raw, c)) == []


def test_value_corrections() -> None:
    cases = {
        "unix://var/run/docker.sock": "unix:///var/run/docker.sock",
        "unix:////var/run/docker.sock": "unix:///var/run/docker.sock",
        "unix:///var/run/docker.sock/": "unix:///var/run/docker.sock",
        " unix:///var/run/docker.sock\n": "unix:///var/run/docker.sock",
        "/var/run/docker.sock": "unix:///var/run/docker.sock",
        "http://localhost:2375": "tcp://localhost:2375",
        "unx:///var/run/docker.sock": "unix:///var/run/docker.sock",
        "tcp//localhost:2375": "tcp://localhost:2375",
        "tpc://h:2375": "tcp://h:2375",
        "unix://$HOME/.docker/run/docker.sock": f"unix://{HOME}/.docker/run/docker.sock",
        "'unix:///x.sock'": "unix:///x.sock",
    }
    for raw, want in cases.items():
        c = fx.correct_host(raw, home=HOME, uid=1000)
        assert c.corrected == want and c.problems, (raw, c)
    npipe = fx.correct_host("npipe:////./pipe/docker_engine", home=HOME, uid=1000)
    assert npipe.corrected is None and "Windows" in npipe.problems[0]
    for fine in ("unix:///var/run/docker.sock", "tcp://h:2375", "ssh://u@h"):
        assert fx.correct_host(fine, home=HOME, uid=1000).problems == ()


def test_context_host_value_fix_is_modelled() -> None:
    w = world(current="work", contexts={"work": "unix://" + WORK + "/"}, sockets={WORK: alive(WORK, mode=0o666)})
    assert not fx.reach(w).ok
    c = fx.correct_host("unix://" + WORK + "/", home=HOME, uid=1000)
    got = kept(w, fx.value_fixes("context", "unix://" + WORK + "/", c, context="work"))
    assert got == [(f"docker context update work --docker host=unix://{WORK}",)]


def test_uncheckable_fix_says_so() -> None:
    w = world()
    start = fx.Fix("start", ("colima start",), (fx.Change(fx.ENGINE_START, "colima"),), note="not checked: starts a VM")
    got = fx.choose(w, [start])
    assert got[0].checked is None
    assert "not checked" in fx.fix_lines(got)[0]


def test_nc_line_never_carries_userinfo() -> None:
    line = fx.nc_line("tcp://admin:PASSWORD@db.example:2376")
    assert "PASSWORD" not in line and "admin" not in line and line.startswith("nc -vz db.example 2376")


def test_shell_lines_for_fish_and_bash() -> None:
    changes = [fx.Change(fx.ENV_UNSET, "DOCKER_CONTEXT"), fx.Change(fx.ENV_SET, "DOCKER_HOST", "unix:///a b")]
    assert fx.shell_lines(changes, "bash") == ["unset DOCKER_CONTEXT", "export DOCKER_HOST='unix:///a b'"]
    assert fx.shell_lines(changes, "fish") == ["set -e DOCKER_CONTEXT", "set -gx DOCKER_HOST 'unix:///a b'"]


def test_offline_permission_fix_names_no_group() -> None:
    lines = fx.offline_fixes("permission-denied", {}, "unix:///run/podman/podman.sock")
    assert not any("usermod" in ln or "newgrp" in ln for ln in lines)
    assert "never root" in lines[0]


def test_ssh_lines_take_the_port_as_p_live_and_offline() -> None:
    # `host:2222` handed to ssh is a host name that does not resolve: the port goes to -p.
    for endpoint, want in (
        ("ssh://me@box:2200", "ssh -o BatchMode=yes -p 2200 me@box"),
        ("ssh://me:secret@[fd00::1]:22/x", "ssh -o BatchMode=yes -p 22 me@fd00::1"),
        ("ssh://box", "ssh -o BatchMode=yes box"),
        ("ssh://-oProxyCommand=evil", "ssh -o BatchMode=yes -- -oProxyCommand=evil"),
    ):
        assert fx.ssh_command(endpoint) == want
    [line, _] = fx.offline_fixes("ssh-error", {}, "ssh://me@box:2200")
    assert line.startswith("ssh -o BatchMode=yes -p 2200 me@box ") and "box:2200" not in line
