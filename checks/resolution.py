"""Checks of how the docker CLI chooses its endpoint (configuration, before any connection)."""

from __future__ import annotations

from collections.abc import Iterator

from checks._text import quote, source_words, tilde
from doctor.api import (
    CONFIG,
    CONTEXT_STORE,
    ENDPOINT_PROBE,
    ENVIRONMENT,
    RESOLUTION,
    RESOLUTION_INPUTS,
    ConfigFile,
    ContextStore,
    Environment,
    Facts,
    FactUnavailable,
    Finding,
    Resolution,
    Severity,
    check,
)
from doctor.facts.record import record
from doctor.knowledge import fixes as fx
from doctor.knowledge.dockerconfig import context_id
from doctor.knowledge.hosts import redact_url
from doctor.knowledge.resolve import ResolutionError

CATEGORY = "resolution"


@check(
    id="endpoint-resolution",
    title="Which endpoint the docker CLI uses, and why",
    category=CATEGORY,
    requires=(RESOLUTION, ENVIRONMENT),
    optional=(CONTEXT_STORE,),
)
def endpoint_resolution(facts: Facts) -> Iterator[Finding]:
    """Resolve the endpoint as the docker CLI does: --context, -H, DOCKER_HOST,
    DOCKER_CONTEXT, currentContext in config.json, then the default socket.

    Reports the winner and every input it overrode. Fails with
    `context-not-found` when the chosen context has no metadata on disk.
    """
    res = facts.get(RESOLUTION)
    home = facts.get(ENVIRONMENT).user.home
    overridden = [f"{o.input}={redact_url(o.value)!s} is ignored: {o.reason}" for o in res.overridden]
    evidence = [
        f"chosen by {source_words(res.source)}",
        f"config directory: {tilde(res.config_dir, home)}",
        res.cli.label,
        *overridden,
    ]
    data: dict[str, object] = {
        "source": res.source,
        "context": res.context,
        "host": res.host,
        "overridden": [{"input": o.input, "value": redact_url(o.value)} for o in res.overridden],
    }
    if res.error is None:
        yield Finding(
            id="endpoint-resolved",
            check="endpoint-resolution",
            severity=Severity.INFO,
            title=f"docker uses {redact_url(res.host or '')} (context {res.context!r}, {source_words(res.source)})",
            evidence=tuple(evidence),
            data=data,
        )
        return
    if res.error.cause == "tls-error":
        yield _tls_refused(res, res.error, tuple(evidence), data)
    elif res.error.cause == "context-not-found":
        yield _context_missing(facts, res, res.error, tuple(evidence), data)
    # other resolution errors are reported by their own checks


def _tls_refused(
    res: Resolution, error: ResolutionError, evidence: tuple[str, ...], data: dict[str, object]
) -> Finding:
    """No other check sees these: the CLI stops before it dials (ca.pem missing), or
    docker CLI 20.10 dials a unix socket over TCP because TLS is on."""
    on_socket = (res.host or "").startswith("unix://")
    return Finding(
        id="tls-error",
        check="endpoint-resolution",
        severity=Severity.ERROR,
        cause="tls-error",
        title=f"TLS is on, and the docker CLI stops with: {redact_url(error.message)}",
        detail=error.hint,
        evidence=evidence,
        fix=(
            ("unset DOCKER_TLS DOCKER_TLS_VERIFY    # a unix socket needs no TLS",)
            if on_socket
            else (
                "unset DOCKER_TLS DOCKER_TLS_VERIFY    # if this endpoint does not use TLS",
                "export DOCKER_CERT_PATH=DIR    # else: the directory that holds ca.pem, cert.pem, key.pem",
            )
        ),
        data=data,
    )


def _context_missing(
    facts: Facts, res: Resolution, error: ResolutionError, evidence: tuple[str, ...], data: dict[str, object]
) -> Finding:
    """The chosen context has no metadata on disk."""
    home = facts.get(ENVIRONMENT).user.home
    store = facts.get(CONTEXT_STORE)
    names = sorted({m.name for m in store.contexts.values() if m.name and m.name_matches_dir})
    fix = []
    if res.source == "env:DOCKER_CONTEXT":
        fix.append("unset DOCKER_CONTEXT")
    elif res.source == "flag:--context":
        fix.append(f"docker context ls    # pick one of: {', '.join(['default', *names])}")
    else:
        fix.append("docker context use default")
    live = [n for n in names if n != res.context]
    if live:
        fix.append(f"docker context use {quote(live[0])}    # contexts that exist: {', '.join(names)}")
    meta_path = f"{store.root}/meta/{context_id(res.context)}/meta.json"
    return Finding(
        id="context-not-found",
        check="endpoint-resolution",
        severity=Severity.ERROR,
        cause="context-not-found",
        title=f"The docker context {res.context!r} ({source_words(res.source)}) does not exist",
        detail=(
            f"The docker CLI looks for {tilde(meta_path, home)} and stops with: {error.message}. "
            "A context from another machine, a removed product, or a typo."
        ),
        evidence=(*evidence, f"contexts on disk: {', '.join(names) or 'none'}"),
        fix=tuple(fix),
        data=data,
    )


@record
class _HostValue:
    """The endpoint value the CLI used, where it was set, and what is wrong with it."""

    where: str  # "-H", "DOCKER_HOST" or "context"
    raw: str
    correction: fx.HostCorrection
    invalid: bool  # the CLI refuses it
    dead: bool  # refused, or nothing answers at what it means

    def shown_where(self, res: Resolution) -> str:
        return f"context {res.context!r}" if self.where == "context" else self.where

    @property
    def shown(self) -> str:
        return redact_url(self.raw) if self.where != "-H" else "the -H value"


@check(
    id="docker-host",
    title="DOCKER_HOST and -H parse as the CLI parses them",
    category=CATEGORY,
    requires=(RESOLUTION, ENVIRONMENT),
    # the raw -H values, read when they are the source; what the model checks a fix against
    optional=(RESOLUTION_INPUTS, *fx.world_facts()),
)
def docker_host(facts: Facts) -> Iterator[Finding]:
    """`DOCKER_HOST`/`-H` (or the chosen context's host) must be a URL the CLI
    accepts (unix://, tcp://, ssh://, npipe:// on Windows) and mean what was
    meant. Embedded quotes, an unexpanded `~` or `$HOME`, whitespace, a relative
    `unix://var/run/…`, extra or missing slashes, a bare path, `http(s)://`,
    `npipe://` on Linux and typos of `unix`/`tcp` are named, and the corrected
    value is given, checked by the model: it must parse and reach an engine.
    """
    res = facts.get(RESOLUTION)
    env = facts.get(ENVIRONMENT)
    where, raw = _value_in_use(facts, res, env)
    invalid = res.error is not None and res.error.cause == "invalid-docker-host"
    correction = fx.correct_host(raw, home=env.user.home, uid=env.user.uid, platform=env.platform, env=env.values)
    if not invalid and not correction.problems:
        yield from _valid(res, where, raw)
        return
    try:
        probe = facts.get(ENDPOINT_PROBE).result
    except FactUnavailable:
        probe = None  # the value is still explained; whether it breaks docker is the connection check's
    dead = invalid or (probe is not None and not probe.answered)
    yield _bad_value(facts, res, _HostValue(where, raw, correction, invalid, dead))


def _value_in_use(facts: Facts, res: Resolution, env: Environment) -> tuple[str, str]:
    """(where, the raw value) of the endpoint the CLI used: -H, DOCKER_HOST, or the context's host."""
    if res.source == "flag":
        return "-H", " ".join(facts.get(RESOLUTION_INPUTS).flags.hosts or ())
    if res.source != "env:DOCKER_HOST" and res.context_meta is not None and res.context != "default":
        return "context", res.context_meta.host or ""
    return "DOCKER_HOST", env.values.get("DOCKER_HOST", "")


def _valid(res: Resolution, where: str, raw: str) -> Iterator[Finding]:
    if res.source not in ("flag", "env:DOCKER_HOST") or res.host is None:
        return
    if res.host != raw.strip() and raw:
        yield Finding(
            id="docker-host-normalised",
            check="docker-host",
            severity=Severity.OK,
            title=f"{where}={redact_url(raw)} means {redact_url(res.host)} to the CLI",
        )
    else:
        yield Finding(
            id="docker-host-valid", check="docker-host", severity=Severity.OK, title=f"{where} is a valid address"
        )


def _value_fix(facts: Facts, res: Resolution, value: _HostValue) -> tuple[list[str], list[fx.Fix]]:
    """The fix lines for a wrong value (checked by the model where it can), and the fixes chosen."""
    where, raw, correction = value.where, value.raw, value.correction
    world = fx.world_from_facts(facts)
    chosen = fx.choose(world, fx.value_fixes(where, raw, correction, context=res.context))
    corrected = correction.corrected
    note = ""
    if corrected is not None and world is not None:
        trial = fx.value_fixes(where, raw, correction, context=res.context)[:1]
        verdict = fx.verify(world, trial[0]) if trial else None
        if verdict is not None and not verdict.checked:
            note = f"{redact_url(corrected)} parses, but {verdict.note.removeprefix('would not help: ')}"
    if chosen:
        lines = list(fx.fix_lines(chosen))
    elif where == "-H" and corrected:
        lines = [f"# use -H {fx.q(corrected)}"]
    elif where == "context":
        lines = [
            f"docker context update {fx.q(res.context)} --docker host={fx.q(corrected or 'unix:///var/run/docker.sock')}"
            + ("" if corrected else "    # or the address meant")
        ]
    elif corrected:
        lines = [f"export DOCKER_HOST={fx.q(corrected)}    # the corrected value"]
    else:
        lines = ["unset DOCKER_HOST"]
    if note:
        lines.append(f"# {note}")
    return lines, chosen


def _bad_value(facts: Facts, res: Resolution, value: _HostValue) -> Finding:
    correction, invalid, dead = value.correction, value.invalid, value.dead
    corrected = correction.corrected
    shown_where, shown = value.shown_where(res), value.shown
    meta_path = ""
    if value.where == "context":
        meta_path = res.context_meta.meta_path if res.context_meta is not None else "its meta.json"
    lines, chosen = _value_fix(facts, res, value)
    what = (
        f"the CLI stops with: {redact_url(res.error.message)}"
        if invalid and res.error is not None
        else f"the CLI reads it as {redact_url(res.host or '')}"
    )
    detail = f"{shown_where}={shown}: {what}."
    if correction.problems:
        detail += f" What is wrong: {'; '.join(correction.problems)}."
    if corrected:
        detail += f" Meant: {redact_url(corrected)}."
    if invalid and res.error is not None and res.error.hint:
        detail += f" {res.error.hint}"
    title = (
        f"{shown_where} is not an address the docker CLI accepts"
        if invalid
        else f"{shown_where} parses, but not into what was meant"
    )
    if value.where == "context" and invalid:
        title = f"Context {res.context!r} has a host the docker CLI refuses"
    return Finding(
        id="invalid-docker-host" if dead else "docker-host-value",
        check="docker-host",
        severity=Severity.ERROR if dead else Severity.WARNING,
        cause="invalid-docker-host" if dead else None,
        title=title,
        detail=detail,
        evidence=tuple(
            e
            for e in (
                f"{shown_where}={shown}",
                meta_path,
                f"the CLI makes of it: {redact_url(res.host)}" if res.host else "",
                *(f"wrong: {p}" for p in correction.problems),
            )
            if e
        ),
        fix=tuple(lines),
        data={"problems": list(correction.problems), "corrected": corrected, "fixes": fx.describe(chosen)},
    )


@check(
    id="config-file",
    title="config.json and context metadata parse",
    category=CATEGORY,
    requires=(CONFIG, CONTEXT_STORE, RESOLUTION, ENVIRONMENT),
    optional=(ENDPOINT_PROBE,),
)
def config_file(facts: Facts) -> Iterator[Finding]:
    """A config.json that does not parse is ignored whole by the CLI (with one
    warning line), so its `currentContext` is silently lost. A context whose
    meta.json does not parse breaks `docker context ls` and that context.
    """
    cfg = facts.get(CONFIG)
    store = facts.get(CONTEXT_STORE)
    res = facts.get(RESOLUTION)
    home = facts.get(ENVIRONMENT).user.home
    found = [
        *_config_json(facts, cfg, home),
        *_store_problems(store, home),
        *_broken_contexts(store, res, home),
        *_endpointless_context(res),
    ]
    yield from found
    if not found:
        yield Finding(
            id="config-ok",
            check="config-file",
            severity=Severity.OK,
            title="config.json and the context store parse" if cfg.exists else "no config.json (defaults apply)",
        )


def _config_json(facts: Facts, cfg: ConfigFile, home: str) -> list[Finding]:
    """config.json does not parse, or a field has the wrong type."""
    p = cfg.problem
    if p is None:
        return []
    where = f" at line {p.line}, column {p.column}" if p.line else ""
    lost = (
        "the CLI ignores the whole file, including currentContext"
        if p.kind in ("syntax", "unreadable")
        else "the CLI drops that field and keeps the others"
    )
    # A broken config.json is the primary cause only when it changes what docker does;
    # the connection check decides that, so it is an error only if the endpoint is dead.
    probe = facts.get(ENDPOINT_PROBE).result
    dead = probe is not None and not probe.answered
    fix = [f"python3 -m json.tool {quote(cfg.path)}    # shows the error{where}"]
    if "'ï'" in p.message:
        fix.insert(0, f"sed -i '1s/^\\xEF\\xBB\\xBF//' {quote(cfg.path)}    # remove the UTF-8 byte-order mark")
    if p.kind == "unreadable":
        fix = [f'sudo chown "$(id -u):$(id -g)" {quote(cfg.path)}    # often left by `sudo docker login`']
    # `cdoctor fix` may rewrite it (with a backup): docker ignores the whole file today.
    rewrite = fx.Fix(
        "config",
        (f"# cdoctor fix --yes: back up {cfg.path} and rewrite it as {{}}",),
        (fx.Change(fx.CONFIG_REWRITE, path=cfg.path),),
        scope="user",
        note="docker ignores the file now, so this loses nothing docker uses",
    )
    return [
        Finding(
            id="invalid-config",
            check="config-file",
            severity=Severity.ERROR if dead else Severity.WARNING,
            cause="invalid-config" if dead else None,
            title=f"{tilde(cfg.path, home)} is not valid: {p.message}{where}",
            detail=f"{lost}.",
            evidence=(f"{cfg.path}: {p.kind} problem{where}: {p.message}",),
            fix=tuple(fix),
            data={
                "path": cfg.path,
                "line": p.line,
                "column": p.column,
                "kind": p.kind,
                "fixes": fx.describe([rewrite]) if p.kind == "syntax" else [],
            },
        )
    ]


def _store_problems(store: ContextStore, home: str) -> list[Finding]:
    """The context store cannot be read, or holds more contexts than were read."""
    found = []
    if store.problem is not None:
        found.append(
            Finding(
                id="invalid-config",
                check="config-file",
                severity=Severity.WARNING,
                title=f"The context store cannot be read: {store.problem}",
                evidence=(store.problem,),
            )
        )
    if store.truncated:
        found.append(
            Finding(
                id="context-store-truncated",
                check="config-file",
                severity=Severity.WARNING,
                title=f"The context store holds more than {len(store.contexts)} contexts: only that many were read",
                detail="The context in use was read by its name; `docker context ls` and the other contexts' "
                "checks see only part of the store.",
                evidence=(f"{tilde(store.root, home)}/meta",),
            )
        )
    return found


def _broken_contexts(store: ContextStore, res: Resolution, home: str) -> list[Finding]:
    """Every context whose meta.json does not parse: an error for the one in use."""
    found = []
    for meta in store.contexts.values():
        if meta.problem is None or meta.problem.kind == "type":
            continue
        selected = res.context_meta is not None and res.context_meta.dir_id == meta.dir_id
        found.append(
            Finding(
                id="invalid-config",
                check="config-file",
                severity=Severity.ERROR if selected else Severity.WARNING,
                cause="invalid-config" if selected else None,
                title=f"Context metadata {tilde(meta.meta_path, home)} does not parse: {meta.problem.message}",
                detail=("This is the context in use, so docker fails. " if selected else "")
                + "`docker context ls` fails as a whole while any meta.json is broken.",
                evidence=(meta.meta_path,),
                fix=(f"rm -r {quote(meta.meta_path.rsplit('/', 1)[0])}    # then re-create the context",),
            )
        )
    return found


def _endpointless_context(res: Resolution) -> list[Finding]:
    """The context in use parses but has no docker endpoint."""
    meta = res.context_meta
    if res.error is None or res.error.cause != "invalid-config" or meta is None or meta.problem is not None:
        return []
    return [
        Finding(
            id="invalid-config",
            check="config-file",
            severity=Severity.ERROR,
            cause="invalid-config",
            title=f"Context {res.context!r} has no docker endpoint",
            detail=f"The CLI stops with: {res.error.message}",
            evidence=(meta.meta_path,),
            fix=(
                f"docker context rm {quote(res.context)} && docker context create {quote(res.context)} --docker host=unix:///var/run/docker.sock",
            ),
        )
    ]


@check(
    id="docker-host-overrides-context",
    title="DOCKER_HOST silently overrides a selected context",
    category=CATEGORY,
    requires=(RESOLUTION,),
)
def host_overrides_context(facts: Facts) -> Iterator[Finding]:
    """With DOCKER_HOST set, `docker context use` and DOCKER_CONTEXT have no
    effect and the CLI says nothing (only `docker context ls` warns)."""
    res = facts.get(RESOLUTION)
    if res.source not in ("env:DOCKER_HOST", "flag"):
        yield Finding(
            id="no-override",
            check="docker-host-overrides-context",
            severity=Severity.OK,
            title="no context is overridden by DOCKER_HOST or -H",
        )
        return
    lost = [o for o in res.overridden if o.input in ("env:DOCKER_CONTEXT", "config") and o.value != "default"]
    if not lost:
        yield Finding(
            id="no-override",
            check="docker-host-overrides-context",
            severity=Severity.OK,
            title="no context is overridden",
        )
        return
    names = ", ".join(f"{o.value!r} ({source_words(o.input)})" for o in lost)
    what = "DOCKER_HOST" if res.source == "env:DOCKER_HOST" else "-H"
    yield Finding(
        id="docker-host-overrides-context",
        check="docker-host-overrides-context",
        severity=Severity.WARNING,
        title=f"{what} overrides the context {names}",
        detail=(
            f"The CLI uses {redact_url(res.host or '')} from {what}; the context is silently ignored. "
            "If you meant the context, unset DOCKER_HOST."
        ),
        evidence=tuple(f"{o.input}={o.value}" for o in lost),
        fix=("unset DOCKER_HOST",) if what == "DOCKER_HOST" else (),
        data={"ignored": [o.value for o in lost]},
    )


CHECKS = (endpoint_resolution, docker_host, config_file, host_overrides_context)
