"""The engine's API range against the clients present here.

The engine refuses requests below its `MinAPIVersion` (Docker 29.0–29.2: 1.44;
29.3+: 1.40; moby `daemon/server/middleware/version.go`) with HTTP 400
`client version 1.41 is too old. Minimum supported API version is 1.44, please
upgrade your client to a newer version`. A docker CLI negotiates *down* to the
engine, never up: a CLI whose newest API is below the floor is refused for
every command. Docker CLIs 29.0–29.2 also refuse engines below 1.44 themselves
(moby/moby#51119; `API version 1.41 is not supported by this client: the minimum
supported API version is 1.44`), 29.3+ below 1.40. docker-py (from_env, version
"auto") asks the engine's version and follows it.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks._text import quote
from doctor.api import (
    DOCKER_BINARY,
    DOCKER_CLIS,
    DOCKER_PY_VERSION,
    ENDPOINT_PROBE,
    ENGINE,
    ENVIRONMENT,
    RESOLUTION,
    DockerCLI,
    Facts,
    Finding,
    Severity,
    check,
)
from doctor.facts.record import record

CHECK_ID = "api-floor"
CAUSE = "api-version-mismatch"

# docker CLI release (major, minor) -> the newest API it speaks (docker/cli, moby api/docs/CHANGELOG.md).
CLI_API = {
    (17, 6): "1.30", (17, 9): "1.32", (17, 12): "1.35", (18, 3): "1.37", (18, 6): "1.38", (18, 9): "1.39",
    (19, 3): "1.40", (20, 10): "1.41", (23, 0): "1.42", (24, 0): "1.43", (25, 0): "1.44", (26, 0): "1.45",
    (26, 1): "1.45", (27, 0): "1.46", (27, 1): "1.46", (27, 2): "1.47", (27, 3): "1.47", (27, 4): "1.47",
    (27, 5): "1.47", (28, 0): "1.48", (28, 1): "1.49", (28, 2): "1.50", (28, 3): "1.51", (28, 4): "1.51",
    (28, 5): "1.51", (29, 0): "1.52", (29, 1): "1.52", (29, 2): "1.53",
}  # fmt: skip


def vt(v: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in (v or "").split("."))
    except ValueError:
        return ()


def cli_api(version: tuple[int, int, int]) -> str | None:
    """The newest API a docker CLI of `version` speaks (the nearest release at or below it)."""
    known = [k for k in CLI_API if k <= version[:2]]
    return CLI_API[max(known)] if known else None


def cli_floor(version: tuple[int, int, int]) -> str | None:
    """The oldest engine API a docker CLI accepts (moby/moby#51119, #52067); None: any."""
    if (29, 0) <= version[:2] < (29, 3):
        return "1.44"
    if version[:2] >= (29, 3):
        return "1.40"
    return None


def verdict(cli: DockerCLI, server_min: str | None, server_max: str | None) -> tuple[bool | None, str]:
    """(refused?, why) for one CLI against the engine's range; None: cannot be told."""
    if cli.version is None:
        return None, cli.error or "version unknown"
    api = cli_api(cli.version)
    if api is None:
        return None, "too old to know its API version"
    if server_min and vt(api) < vt(server_min):
        return True, (f"speaks API ≤ {api}; the engine's minimum is {server_min}: 'client version {api} is too old. "
                      f"Minimum supported API version is {server_min}, please upgrade your client to a newer version'")  # fmt: skip
    floor = cli_floor(cli.version)
    if floor and server_max and vt(server_max) < vt(floor):
        return True, (f"refuses engines below API {floor}; this engine speaks {server_max}: 'API version {server_max} "
                      f"is not supported by this client: the minimum supported API version is {floor}'")  # fmt: skip
    used = api if not server_max or vt(api) <= vt(server_max) else server_max
    return False, f"speaks API ≤ {api}: negotiates {used}"


def daemon_json_fix(api: str, rootless: bool) -> str:
    """Merge `min-api-version` into daemon.json, keeping every other key (never overwrites the file)."""
    path = "$HOME/.config/docker/daemon.json" if rootless else "/etc/docker/daemon.json"
    code = ("import json,os,sys;p=os.path.expandvars(sys.argv[1]);"
            "c=json.load(open(p)) if os.path.exists(p) else {};"
            f'c["min-api-version"]="{api}";json.dump(c,open(p,"w"),indent=2)')  # fmt: skip
    sudo = "" if rootless else "sudo "
    restart = "systemctl --user restart docker" if rootless else "sudo systemctl restart docker"
    return f'{sudo}python3 -c {quote(code)} "{path}" && {restart}    # Engine 29+: accepts API {api} again'


@record
class _Engine:
    """The engine's API range, and what its daemon.json fix needs to know."""

    server_min: str | None
    server_max: str | None
    major: tuple[int, ...]  # the engine's release, (29,) or ()
    local: bool  # reached through a unix socket: its daemon.json is on this machine
    rootless: bool


@check(id=CHECK_ID, title="The engine accepts the API of the docker CLIs and SDKs here", category="connection",
       requires=(ENGINE, ENDPOINT_PROBE, DOCKER_BINARY, ENVIRONMENT, RESOLUTION),
       optional=(DOCKER_CLIS, DOCKER_PY_VERSION))  # fmt: skip
def api_floor(facts: Facts) -> Iterator[Finding]:
    """Every docker CLI on PATH (the first is the one `docker` runs) and docker-py against
    the engine's MinAPIVersion/ApiVersion: which will be refused, and the fix (upgrade,
    DOCKER_API_VERSION, or the daemon's min-api-version merged into daemon.json)."""
    engine = facts.get(ENGINE)
    if engine is None:
        return
    version = engine.version or {}
    server_min = version.get("MinAPIVersion") if isinstance(version.get("MinAPIVersion"), str) else None
    server_max = version.get("ApiVersion") if isinstance(version.get("ApiVersion"), str) else None
    probe = facts.get(ENDPOINT_PROBE).result
    server_max = server_max or (probe.api_version if probe else None)
    if server_min is None and server_max is None:
        return
    # Every docker on PATH is asked its version only when this engine's range can refuse one (a floor
    # above 1.24, or an engine below 1.44, what 29.0–29.2 CLIs refuse); otherwise the one `docker`
    # runs (already asked) is enough. Not caught: without the versions this check cannot pass.
    can_refuse = vt(server_min) > (1, 24) or bool(server_max and vt(server_max) < (1, 44))
    clis = _clis(facts, can_refuse)
    forced = facts.get(ENVIRONMENT).values.get("DOCKER_API_VERSION")
    evidence = [f"engine: API {server_max or '?'} (minimum {server_min or '?'})"]
    refused, accepted = _judge(clis, (server_min, server_max), forced, evidence)
    py = facts.get(DOCKER_PY_VERSION) if can_refuse else None
    if py:
        evidence.append(f"docker-py {py}: asks the engine's version and follows it (version='auto'): accepted")
    data: dict[str, object] = {"server_min": server_min, "server_max": server_max,
                               "refused": [c.path for c in refused], "accepted": [c.path for c in accepted]}  # fmt: skip
    user_cli = clis[0] if clis else None
    if (
        user_cli is not None
        and user_cli.version is None
        and user_cli.error
        and "deadline" in user_cli.error
        and not refused
    ):
        # The docker the user runs could not be asked its version in time: never a pass.
        yield Finding(id="api-floor-unknown", check=CHECK_ID, severity=Severity.WARNING,
                      title=f"{user_cli.path}: its version could not be read in time, so whether this engine accepts "
                      "it is not known", evidence=tuple(evidence), data=data)  # fmt: skip
        return
    if not refused:
        yield Finding(id="api-floor-ok", check=CHECK_ID, severity=Severity.OK,
                      title="every docker CLI here speaks an API this engine accepts",
                      evidence=tuple(evidence), data=data)  # fmt: skip
        return
    eng = _Engine(
        server_min,
        server_max,
        vt(str(version.get("Version", "")))[:1],
        (facts.get(RESOLUTION).host or "").startswith("unix://"),
        bool(engine.info and "name=rootless" in (engine.info.get("SecurityOptions") or [])),
    )
    for cli in refused:
        yield _refused(cli, eng, accepted, tuple(evidence), data)


def _clis(facts: Facts, can_refuse: bool) -> tuple[DockerCLI, ...]:
    """Every docker on PATH when this engine can refuse one, else the one `docker` runs."""
    if can_refuse:
        return facts.get(DOCKER_CLIS)
    b = facts.get(DOCKER_BINARY)
    return (DockerCLI(b.path, b.realpath or b.path, True, b.version, b.version_text or "", b.error),) if b.path else ()


def _judge(
    clis: tuple[DockerCLI, ...], api_range: tuple[str | None, str | None], forced: str | None, evidence: list[str]
) -> tuple[list[DockerCLI], list[DockerCLI]]:
    """(refused, accepted) of the CLIs, each judged in the evidence; DOCKER_API_VERSION overrides the first."""
    refused: list[DockerCLI] = []
    accepted: list[DockerCLI] = []
    for cli in clis:
        bad, why = verdict(cli, *api_range)
        label = f"{cli.path}" + (f" ({'.'.join(map(str, cli.version))})" if cli.version else "")
        first = " — the `docker` you run" if cli.first else ""
        if forced and cli.first:
            why += f"; DOCKER_API_VERSION={forced} overrides it"
        evidence.append(f"{label}{first}: {'REFUSED: ' if bad else ''}{why}")
        if bad and not forced:
            refused.append(cli)
        elif bad is False:
            accepted.append(cli)
    return refused, accepted


def _refused(
    cli: DockerCLI, eng: _Engine, accepted: list[DockerCLI], evidence: tuple[str, ...], data: dict[str, object]
) -> Finding:
    server_min, server_max = eng.server_min, eng.server_max
    api = cli_api(cli.version) if cli.version else None
    fixes: list[str] = []
    too_old = bool(api and server_min and vt(api) < vt(server_min))
    if accepted:
        good = accepted[0]
        fixes.append(f"alias docker={quote(good.realpath)}    # the {'.'.join(map(str, good.version or ()))} CLI on "
                     "your PATH is accepted; or put its directory first in PATH")  # fmt: skip
    if too_old:
        fixes.append("# upgrade this docker CLI to 25.0 or newer (API 1.44+), e.g. Docker's docker-ce-cli package")
        fixes.append(f"export DOCKER_API_VERSION={server_min}    # makes this old CLI send API {server_min}; "
                     "newer API fields may confuse it")  # fmt: skip
        if eng.local and api and eng.major and eng.major[0] >= 29:
            fixes.append(daemon_json_fix(api, eng.rootless))
    else:
        fixes.append("# upgrade the engine, or use a docker CLI older than 29.0 / newer than 29.2 with it")
    yours = cli.first
    return Finding(
        id="api-floor-refused",
        check=CHECK_ID,
        severity=Severity.ERROR if yours else Severity.WARNING,
        cause=CAUSE if yours else None,
        title=(f"{'Your docker' if yours else 'The docker at'} {cli.path} "
               f"({'.'.join(map(str, cli.version or ()))}) is refused by this engine: "
               + (f"it speaks API ≤ {api}, the engine's minimum is {server_min}" if too_old
                  else f"it refuses engines below its own floor; the engine speaks {server_max}")),
        detail="Every command of that CLI fails with 'Error response from daemon: client version "
        f"{api} is too old. Minimum supported API version is {server_min}, please upgrade your client to a "
        "newer version'." if too_old else "",
        evidence=evidence,
        fix=tuple(fixes),
        data=data,
    )  # fmt: skip


CHECKS = (api_floor,)
