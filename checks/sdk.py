"""What other Docker clients would reach: "the CLI works, my tool does not".

The docker CLI follows contexts; the Go SDK, docker-py before 7.2 and
testcontainers read DOCKER_HOST or fixed socket paths. Their resolution
orders come from docker/docker-py@afc6d1ee (docker/client.py from_env,
docker/utils/utils.py kwargs_from_env), testcontainers-java@deb78e1e6
(core/.../dockerclient/*ClientProviderStrategy.java), testcontainers-go@5dec9ddf8
(internal/core/docker_host.go) and testcontainers-python@c958e40c; each rule below
cites the step it restates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from checks._text import quote, tilde
from doctor.api import (
    CLIENT_SETTINGS,
    CONFIG,
    CONTEXT_PROBES,
    CONTEXT_STORE,
    ENDPOINT_PROBE,
    ENVIRONMENT,
    PYTHON_SDK,
    RESOLUTION,
    SOCKETS,
    Facts,
    FactUnavailable,
    Finding,
    Resolution,
    Severity,
    check,
)
from doctor.facts.record import field, record
from doctor.knowledge.dockerconfig import ContextStore

CATEGORY = "sdk"
DEFAULT = "unix:///var/run/docker.sock"


@record
class Consumer:
    name: str
    endpoint: str | None  # None: the client finds nothing to try and fails
    why: str


def _context_host(store: ContextStore, name: str | None) -> str | None:
    if not name or name == "default":
        return None
    meta = store.by_name(name)
    return meta.host if meta is not None else None


def _first(candidates: list[tuple[str, str]], state: Mapping[str, bool]) -> tuple[str, str] | None:
    """The first candidate socket that answers; else None (these clients test each one)."""
    for path, label in candidates:
        if state.get(path):
            return "unix://" + path, label
    return None


@record
class Here:
    """What every client reads to find its endpoint: the environment, the contexts, the settings files."""

    env: Mapping[str, str]
    store: ContextStore
    current_context: str | None  # config.json currentContext
    home: str
    uid: int
    props: Mapping[str, str] = field(default_factory=dict)  # ~/.testcontainers.properties, ~/.docker-java.properties

    @property
    def docker_host(self) -> str | None:
        return self.env.get("DOCKER_HOST") or None

    @property
    def xdg(self) -> str:
        return self.env.get("XDG_RUNTIME_DIR") or f"/run/user/{self.uid}"


def consumers(here: Here, answers: Mapping[str, bool]) -> list[Consumer]:
    """The endpoint each well-known client would use here (pure).

    `answers`: socket path -> whether it answers the Docker API. Clients that
    try candidates in turn (testcontainers) take the first that answers.
    """
    return [client(here, answers) for client in _CLIENTS]


def _go_sdk(here: Here, answers: Mapping[str, bool]) -> Consumer:
    # moby client/client_options.go FromEnv: the Go SDK's client.FromEnv reads DOCKER_HOST, else the default socket; no contexts.
    dh = here.docker_host
    return Consumer("Go SDK (client.FromEnv)", dh or DEFAULT, "DOCKER_HOST" if dh else
                    "the default socket (it ignores contexts)")  # fmt: skip


def _docker_py_old(here: Here, answers: Mapping[str, bool]) -> Consumer:
    # docker-py ≤ 7.1 docker/client.py from_env(): DOCKER_HOST, else the default socket; contexts are ignored.
    dh = here.docker_host
    return Consumer("docker-py < 7.2 (from_env)", dh or DEFAULT, "DOCKER_HOST" if dh else
                    "the default socket (it ignores contexts)")  # fmt: skip


def _docker_py(here: Here, answers: Mapping[str, bool]) -> Consumer:
    # docker-py 7.2 docker/client.py from_env(use_context=True): DOCKER_HOST, else DOCKER_CONTEXT / currentContext;
    # an unknown context silently falls back to the default socket (the CLI errors instead).
    dh = here.docker_host
    ctx_name = here.env.get("DOCKER_CONTEXT") or here.current_context
    ctx_host = _context_host(here.store, ctx_name)
    return Consumer(
        "docker-py ≥ 7.2 (from_env)",
        dh or ctx_host or DEFAULT,
        "DOCKER_HOST" if dh else f"context {ctx_name!r}" if ctx_host else "the default socket",
    )


def _testcontainers_setting(here: Here, name: str) -> Consumer | None:
    """tc.host (Testcontainers Desktop/Cloud) wins over all; then DOCKER_HOST, then docker.host."""
    tc_host = here.props.get("tc.host")
    if tc_host:
        return Consumer(name, tc_host, "tc.host in ~/.testcontainers.properties")
    dh = here.docker_host
    tc_docker_host = here.props.get("docker.host")
    if dh or tc_docker_host:
        return Consumer(name, dh or tc_docker_host,
                        "DOCKER_HOST" if dh else "docker.host in ~/.testcontainers.properties")  # fmt: skip
    return None


def _testcontainers_go(here: Here, answers: Mapping[str, bool]) -> Consumer:
    # testcontainers-go internal/core/docker_host.go: DOCKER_HOST → /var/run/docker.sock → rootless paths, each checked with Info().
    set_ = _testcontainers_setting(here, "testcontainers-go")
    if set_ is not None:
        return set_
    h, uid = here.home.rstrip("/"), here.uid
    hit = _first(
        [
            ("/var/run/docker.sock", "/var/run/docker.sock"),
            (f"{here.xdg}/docker.sock", "$XDG_RUNTIME_DIR/docker.sock"),
            (f"{h}/.docker/run/docker.sock", "~/.docker/run/docker.sock"),
            (f"{h}/.docker/desktop/docker.sock", "~/.docker/desktop/docker.sock"),
            (f"/run/user/{uid}/docker.sock", f"/run/user/{uid}/docker.sock"),
        ],
        answers,
    )
    if hit:
        return Consumer("testcontainers-go", hit[0], f"first socket that answers: {hit[1]}")
    return Consumer("testcontainers-go", None, "no candidate socket answers: 'rootless Docker not found'")


def _testcontainers_python(here: Here, answers: Mapping[str, bool]) -> Consumer:
    # testcontainers-python 4.15+ core/docker_client.py: DOCKER_HOST → currentContext (not DOCKER_CONTEXT,
    # and never 'default') → docker-py's default socket.
    dh = here.docker_host
    cur_host = _context_host(here.store, here.current_context)
    return Consumer(
        "testcontainers-python",
        dh or cur_host or DEFAULT,
        "DOCKER_HOST" if dh else f"currentContext {here.current_context!r}" if cur_host else "the default socket",
    )


def _testcontainers_java(here: Here, answers: Mapping[str, bool]) -> Consumer:
    # testcontainers-java DockerClientProviderStrategy.java: DOCKER_HOST (strategy 2), then by priority RootlessDocker (81:
    # $XDG_RUNTIME_DIR, ~/.docker/run, /run/user/UID), UnixSocket (80: /var/run/docker.sock),
    # DockerDesktop (79: ~/.docker/desktop). ~/.testcontainers.properties (tc.host) is not read here.
    set_ = _testcontainers_setting(here, "testcontainers-java")
    if set_ is not None:
        return set_
    h, uid = here.home.rstrip("/"), here.uid
    hit = _first(
        [
            (f"{here.xdg}/docker.sock", "RootlessDocker: $XDG_RUNTIME_DIR/docker.sock"),
            (f"{h}/.docker/run/docker.sock", "RootlessDocker: ~/.docker/run/docker.sock"),
            (f"/run/user/{uid}/docker.sock", f"RootlessDocker: /run/user/{uid}/docker.sock"),
            ("/var/run/docker.sock", "UnixSocket: /var/run/docker.sock"),
            (f"{h}/.docker/desktop/docker.sock", "DockerDesktop: ~/.docker/desktop/docker.sock"),
        ],
        answers,
    )
    if hit:
        return Consumer("testcontainers-java", hit[0], f"first strategy that answers: {hit[1]}")
    return Consumer("testcontainers-java", None, "no strategy answers: 'Could not find a valid Docker environment'")


def _docker_java(here: Here, answers: Mapping[str, bool]) -> Consumer:
    # docker-java (DefaultDockerClientConfig): DOCKER_HOST, then ~/.docker-java.properties, then the default socket.
    dh = here.docker_host
    java_host = here.props.get("docker-java:DOCKER_HOST")
    return Consumer("docker-java", dh or java_host or DEFAULT,
                    "DOCKER_HOST" if dh else "DOCKER_HOST in ~/.docker-java.properties" if java_host
                    else "the default socket (it ignores contexts)")  # fmt: skip


#: The clients compared with the CLI, in the order they are listed.
_CLIENTS: tuple[Callable[[Here, Mapping[str, bool]], Consumer], ...] = (
    _go_sdk,
    _docker_py_old,
    _docker_py,
    _testcontainers_go,
    _testcontainers_python,
    _testcontainers_java,
    _docker_java,
)


def _answers(state: Mapping[str, bool], probes: Mapping[str, bool], url: str | None) -> bool | None:
    """Whether `url` answers the Docker API: True, False, or None (not probed: unknown)."""
    if not url:
        return False
    if url in probes:
        return probes[url]
    if not url.startswith("unix://"):
        return None
    return state.get(url[len("unix://") :], False)


@check(
    id="sdk-endpoint",
    title="SDKs and test tools reach the same engine as the CLI",
    category=CATEGORY,
    requires=(RESOLUTION, ENDPOINT_PROBE, SOCKETS, CONTEXT_STORE, CONFIG, ENVIRONMENT, CLIENT_SETTINGS),
    # docker-py is asked (and imported, ~0.15 s) only when the CLI follows a context.
    optional=(PYTHON_SDK, CONTEXT_PROBES),
)
def sdk_endpoint(facts: Facts) -> Iterator[Finding]:
    """The docker CLI follows contexts; most SDKs and testcontainers read only
    DOCKER_HOST or fixed paths. When the CLI works through a context, they may
    reach a different engine, or nothing (Docker Desktop, Colima, OrbStack)."""
    res = facts.get(RESOLUTION)
    probe = facts.get(ENDPOINT_PROBE).result
    env = facts.get(ENVIRONMENT)
    store = facts.get(CONTEXT_STORE)
    cfg = facts.get(CONFIG)
    if probe is None or not probe.answered or res.host is None:
        return
    if res.source in ("flag", "flag:--context"):
        # -H / --context exist only on this command line: no SDK ever sees them, so comparing
        # what SDKs reach with an endpoint chosen by hand would only be noise.
        yield Finding(
            id="sdk-endpoint-not-compared",
            check="sdk-endpoint",
            severity=Severity.OK,
            title="the endpoint was chosen on the command line (-H/--context), which SDKs never see: not compared",
        )
        return
    state, probes, props = _what_answers(facts, res.host)
    here = Here(env.values, store, cfg.current_context, env.user.home, env.user.uid, props)
    clients = consumers(here, state)
    if res.source in ("config", "env:DOCKER_CONTEXT", "flag:--context"):
        # The CLI follows a context: ask the docker-py installed here what *it* resolves
        # (gathered only now, because importing docker-py costs more than a healthy run).
        try:
            view = facts.get(PYTHON_SDK)
            clients.append(Consumer(f"docker-py {view.version} (installed here, asked directly)", view.endpoint,
                                    view.error or view.source))  # fmt: skip
        except FactUnavailable:
            pass
    rows = [(c, _verdict(c, res.host, _answers(state, probes, c.endpoint))) for c in clients]
    yield _compared(rows, res, env.user.home)


def _what_answers(facts: Facts, cli_host: str) -> tuple[dict[str, bool], dict[str, bool], dict[str, str]]:
    """(socket path -> answers, URL -> answers, client settings) as gathered; the CLI's endpoint answers."""
    try:
        socks = facts.get(SOCKETS)
    except FactUnavailable:
        socks = ()
    state = {s.path: bool(s.probe and s.probe.answered and s.kind == "docker") for s in socks}
    if cli_host.startswith("unix://"):
        state[cli_host[len("unix://") :]] = True
    try:
        probes = {h: p.answered for h, p in facts.get(CONTEXT_PROBES).items()}
    except FactUnavailable:
        probes = {}
    probes[cli_host] = True
    try:
        settings = facts.get(CLIENT_SETTINGS).settings
    except FactUnavailable:
        settings = ()
    props = {(s.key if s.client == "testcontainers" else f"{s.client}:{s.key}"): s.value for s in settings}
    for s in settings:
        if s.answers is not None and s.value.startswith("unix://"):
            state.setdefault(s.value[len("unix://") :], s.answers)
        elif s.answers is not None:
            probes.setdefault(s.value, s.answers)
    return state, probes, props


def _verdict(c: Consumer, cli_host: str, live: bool | None) -> str:
    if c.endpoint == cli_host:
        return "same engine as the CLI: works"
    if live is True:
        return "another engine: works, but not the CLI's"
    if live is False:
        return "nothing answers: fails"
    return "not probed"


def _compared(rows: list[tuple[Consumer, str]], res: Resolution, home: str) -> Finding:
    """The finding: every client reaches the CLI's engine, or which do not."""
    cli = res.host or ""
    evidence = tuple(f"{c.name}: {tilde(c.endpoint or '(nothing)', home)} ({c.why}) — {v}" for c, v in rows)
    data: dict[str, object] = {
        "cli": cli,
        "consumers": [
            {
                "name": c.name,
                "endpoint": c.endpoint,
                "why": c.why,
                "same_as_cli": c.endpoint == cli,
                "would_succeed": None if v == "not probed" else not v.endswith("fails"),
            }
            for c, v in rows
        ],
    }
    differs = [(c, v) for c, v in rows if c.endpoint != cli and v != "not probed"]
    if not differs:
        return Finding(
            id="sdk-endpoint-same",
            check="sdk-endpoint",
            severity=Severity.OK,
            title="SDKs and testcontainers reach the same engine as the docker CLI",
            evidence=evidence,
            data=data,
        )
    dead = [c.name for c, v in differs if v.endswith("fails")]
    other = [c.name for c, v in differs if not v.endswith("fails")]
    via = f"context {res.context!r}" if res.context and res.context != "default" else cli
    if dead:
        why = ": they do not follow docker contexts" if res.source in ("config", "env:DOCKER_CONTEXT") else ""
        title = f"The docker CLI works through {via}, but {_names(dead)} would fail{why}"
    else:
        title = f"The docker CLI works through {via}, but {_names(other)} would reach a different engine"
    return Finding(
        id="sdk-endpoint-differs",
        check="sdk-endpoint",
        severity=Severity.WARNING,
        title=title,
        detail=f"The CLI uses {cli}; tools that read only DOCKER_HOST or fixed socket paths use other "
        "endpoints. Setting DOCKER_HOST makes every one of them use the CLI's endpoint.",
        evidence=evidence,
        fix=(f"export DOCKER_HOST={quote(cli)}    # makes every tool use the CLI's endpoint",),
        data=data,
    )


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


CHECKS = (sdk_endpoint,)
