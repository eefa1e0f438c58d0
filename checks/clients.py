"""Settings other clients read, and environments that lose the shell's DOCKER_HOST.

- testcontainers: `~/.testcontainers.properties` `tc.host` (left by Testcontainers
  Desktop/Cloud; used before everything else: testcontainers-node#913) and
  `docker.host`; docker-java: `~/.docker-java.properties` `DOCKER_HOST`.
- Compose v2 does not take `DOCKER_HOST`/`DOCKER_CONTEXT` from the project's `.env`
  (docker/compose#9871, #9210): a value there misleads.
- `sudo docker …` resets the environment (sudoers `env_reset`), cron and systemd
  units start without the shell's variables: DOCKER_HOST set only in the shell does
  not reach them (srl-labs/containerlab#2079, fccview/cronmaster#21).
A setting that points elsewhere than the working endpoint is a warning with its file and line.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks._text import quote, tilde
from doctor.api import (
    CLIENT_SETTINGS,
    ENDPOINT_PROBE,
    ENVIRONMENT,
    RESOLUTION,
    SOCKETS,
    ClientSettings,
    Environment,
    Facts,
    FactUnavailable,
    Finding,
    Resolution,
    Setting,
    Severity,
    check,
)
from doctor.knowledge.hosts import redact_url

CHECK_ID = "client-settings"
ENDPOINT_KEYS = frozenset({"docker.host", "tc.host", "DOCKER_HOST"})
DEFAULT = "unix:///var/run/docker.sock"

_WHO = {
    ("testcontainers", "tc.host"): "testcontainers uses it before DOCKER_HOST and every socket (Testcontainers "
    "Desktop/Cloud writes it)",
    ("testcontainers", "docker.host"): "testcontainers-java uses it when DOCKER_HOST is unset",
    ("docker-java", "DOCKER_HOST"): "docker-java uses it when DOCKER_HOST is unset",
    (
        "compose",
        "DOCKER_HOST",
    ): "Compose v2 ignores DOCKER_HOST in .env (docker/compose#9871): it uses the CLI's endpoint",
    ("compose", "DOCKER_CONTEXT"): "Compose v2 ignores DOCKER_CONTEXT in .env: it uses the CLI's context",
}


def delete_line_fix(s: Setting) -> str:
    """Delete exactly that line, and only if it still sets that key."""
    assert s.file is not None and s.line is not None
    key = s.key.replace(".", r"\.")
    return f"sed -i {quote(f'{s.line}{{/^[[:space:]]*{key}[[:space:]]*[=:]/d}}')} {quote(s.file)}"


@check(id=CHECK_ID, title="Other clients' settings files and environments point at the working engine",
       category="sdk", requires=(CLIENT_SETTINGS, RESOLUTION, ENDPOINT_PROBE, ENVIRONMENT),
       optional=(SOCKETS,))  # fmt: skip
def client_settings(facts: Facts) -> Iterator[Finding]:
    """testcontainers/docker-java properties files, the Compose project's .env, and what sudo,
    cron and systemd units get of DOCKER_HOST — compared with the endpoint the docker CLI uses."""
    cs = facts.get(CLIENT_SETTINGS)
    res = facts.get(RESOLUTION)
    probe = facts.get(ENDPOINT_PROBE).result
    env = facts.get(ENVIRONMENT)
    home = env.user.home
    works = probe is not None and probe.answered
    found = [f for f in (_setting(s, res, works, home) for s in cs.settings) if f is not None]
    found += [f for f in (_not_inherited(facts, cs, env, works), _client_variables(cs)) if f is not None]
    yield from found
    if not found:
        yield Finding(id="client-settings-none", check=CHECK_ID, severity=Severity.OK,
                      title="no testcontainers, docker-java or Compose .env endpoint settings here")  # fmt: skip


def _setting(s: Setting, res: Resolution, works: bool, home: str) -> Finding | None:
    """One endpoint setting of a client's file, compared with the CLI's endpoint."""
    if s.key not in ENDPOINT_KEYS and not (s.client == "compose" and s.key == "DOCKER_CONTEXT"):
        return None
    cli = res.host or ""
    where = f"{tilde(s.file or '', home)} line {s.line}"
    same = s.value == cli or (s.client == "compose" and s.key == "DOCKER_CONTEXT" and s.value == res.context)
    state = "answers" if s.answers else "nothing answers there" if s.answers is False else "not probed"
    why = _WHO.get((s.client, s.key), "")
    if same and s.client != "compose":
        return Finding(id="client-setting-same", check=CHECK_ID, severity=Severity.OK,
                      title=f"{where}: {s.key} is the docker CLI's endpoint", evidence=(f"{where}: {s.key}={redact_url(s.value)}",))  # fmt: skip
    if s.client == "compose":
        sev = Severity.OK if same else Severity.WARNING
        title = f"{where}: {s.key}={redact_url(s.value)} has no effect on docker compose"
    else:
        sev = Severity.WARNING if (s.answers is False or works) else Severity.INFO
        title = (f"{where}: {s.key}={redact_url(s.value)} points "
                 + ("at nothing that answers" if s.answers is False else "elsewhere than the docker CLI")
                 + (f"; the docker CLI uses {redact_url(cli)}" if works else ""))  # fmt: skip
    return Finding(
        id="client-setting-stale" if s.client != "compose" else "compose-dotenv-ignored",
        check=CHECK_ID,
        severity=sev,
        title=title,
        detail=why,
        evidence=(f"{where}: {s.key}={redact_url(s.value)} ({state})",
                  f"the docker CLI uses {redact_url(cli)} ({'answers' if works else 'does not answer'})"),
        fix=(f"{delete_line_fix(s)}    # removes that line" + (f"; or set it to {cli}" if works and s.client != "compose" else ""),),
        data={"client": s.client, "key": s.key, "file": s.file, "line": s.line, "answers": s.answers},
    )  # fmt: skip


def _not_inherited(facts: Facts, cs: ClientSettings, env: Environment, works: bool) -> Finding | None:
    """What sudo, cron and systemd units get when DOCKER_HOST is set only in this shell."""
    shell_host = env.values.get("DOCKER_HOST")
    if not shell_host or env.user.uid == 0:
        return None
    try:
        socks = facts.get(SOCKETS)
    except FactUnavailable:
        socks = ()
    default_ok = next((bool(x.probe and x.probe.answered) for x in socks if x.path == DEFAULT[7:]), None)
    sudo = ("keeps it (" + cs.sudoers_evidence + ")" if cs.sudo_keeps_docker_host else
            "drops it (" + cs.sudoers_evidence + ")" if cs.sudo_keeps_docker_host is False else
            "drops it unless sudoers keeps it: " + (cs.sudoers_evidence or "sudoers not readable"))  # fmt: skip
    lose = shell_host != DEFAULT
    return Finding(
        id="docker-host-not-inherited",
        check=CHECK_ID,
        severity=Severity.WARNING if (lose and works and default_ok is False) else Severity.INFO if lose else Severity.OK,
        title="DOCKER_HOST is set in this shell: `sudo docker`, cron jobs and systemd units do not get it"
        + (f" and would use {DEFAULT}" + (", where nothing answers" if default_ok is False else "") if lose else ""),
        evidence=(f"DOCKER_HOST={redact_url(shell_host)}", f"sudo {sudo}",
                  f"{DEFAULT}: " + ("answers" if default_ok else "does not answer" if default_ok is False else "not probed")),
        fix=(f"sudo --preserve-env=DOCKER_HOST docker …    # or, for root's own: sudo docker -H {quote(shell_host)} …",
             f"# cron: put DOCKER_HOST={shell_host} at the top of the crontab; systemd: Environment=DOCKER_HOST={shell_host}"),
    )  # fmt: skip


def _client_variables(cs: ClientSettings) -> Finding | None:
    extra = {k: v for k, v in cs.env.items() if k.startswith(("TESTCONTAINERS_", "COMPOSE_"))}
    if not extra:
        return None
    return Finding(id="client-variables", check=CHECK_ID, severity=Severity.INFO,
                  title="variables other clients read: " + ", ".join(sorted(extra)),
                  evidence=tuple(f"{k}={redact_url(v)}" for k, v in sorted(extra.items())))  # fmt: skip


CHECKS = (client_settings,)
