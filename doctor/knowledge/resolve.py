"""Which endpoint the docker CLI would talk to, and why that one (pure).

The rules are docker/cli's (see docs/resolution.md and the research's
R1–R5): `--context` > `-H` > `DOCKER_HOST` > `DOCKER_CONTEXT` >
`currentContext` in config.json > "default". The result carries its
provenance: the input that won and every input it overrode.

CLI versions differ by design in a few places; the family in force is taken
from the docker binary on PATH (`CliFamily`), and the result says which one
was assumed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import quote

from doctor.facts.record import field, record, replace
from doctor.knowledge import hosts
from doctor.knowledge.dockerconfig import ConfigFile, ContextMeta, ContextStore, context_id
from doctor.knowledge.endpoint_source import source_words

DEFAULT_CONTEXT = "default"


@record
class CliFamily:
    """The docker CLI behaviour to emulate, from its version."""

    version: tuple[int, int, int] | None  # None: no docker CLI found; assume the newest rules

    @property
    def label(self) -> str:
        if self.version is None:
            return "no docker CLI found: rules of docker CLI 23.0 and later"
        v = ".".join(str(p) for p in self.version)
        return f"docker CLI {v}: rules of {'19.03–20.10' if self.legacy else '23.0 and later'}"

    @property
    def legacy(self) -> bool:
        """v19.03–v20.10: DOCKER_HOST set-but-empty counts, currentContext checked eagerly."""
        return self.version is not None and self.version < (23, 0, 0)

    @property
    def path_as_unix(self) -> bool:
        """docker/cli after v29.7 reads DOCKER_HOST=/path as a unix socket."""
        return self.version is not None and self.version >= (29, 8, 0)

    @property
    def tls_on_sockets(self) -> bool:
        """Before docker/cli v28.2.0 (commit 67f029ec "Don't use TLS for socket connections")
        TLS on means a TCP+TLS transport even for a unix socket (Debian 13's 26.1 too)."""
        return self.version is not None and self.version < (28, 2, 0)

    @property
    def requires_host_addr(self) -> bool:
        """moby client v24+ (CLI 24.0+) refuses a host with an empty address (`fd://`)."""
        return self.version is None or self.version >= (24, 0, 0)

    def text(self, key: str, **kw: str) -> str:
        """A resolution error worded as this CLI prints it (after "Failed to initialize: ")."""
        word = _WORDING.get(key)
        if word is None:
            raise KeyError(key)
        return word(self.message_family, self.version or (99, 0, 0), kw)

    @property
    def message_family(self) -> str:
        if self.version is None or self.version >= (29, 0, 0):
            return "29+"
        return "23-28" if self.version >= (23, 0, 0) else "<=20.10"


# --- how each CLI version words a resolution error ---------------------------------------------------
# Each takes the message family ("<=20.10", "23-28", "29+"), the version and the error's values.


def _conflict(fam: str, v: tuple[int, ...], kw: dict[str, str]) -> str:
    if fam == "<=20.10":
        return "Conflicting options: either specify --host or --context, not both"
    if v < (28, 0, 0):
        return "conflicting options: either specify --host or --context, not both"
    return "conflicting options: cannot specify both --host and --context"


def _one_host(fam: str, v: tuple[int, ...], kw: dict[str, str]) -> str:
    if fam == "<=20.10":
        return "unable to resolve docker endpoint: Please specify only one -H"
    return "unable to resolve docker endpoint: Specify only one -H" if fam == "23-28" else "specify only one -H"


def _host_parse(fam: str, v: tuple[int, ...], kw: dict[str, str]) -> str:
    # opts.ParseHost errors were capitalised before v23.0 (docker/cli b58731fa46).
    msg = kw["error"]
    if fam == "<=20.10" and msg.startswith(("invalid bind address", "invalid proto")):
        msg = msg[0].upper() + msg[1:]
    return f"unable to resolve docker endpoint: {msg}"


def _meta(fam: str, v: tuple[int, ...], kw: dict[str, str]) -> str:
    # v24+: `context "N": parsing PATH: ERR`; v23: without "parsing"; <=20.10: the bare error.
    if fam == "<=20.10":
        return f"unable to resolve docker endpoint: {kw['error']}"
    parsing = "" if v < (24, 0, 0) else "parsing "
    return f"unable to resolve docker endpoint: context {kw['name']}: {parsing}{kw['path']}: {kw['error']}"


def _ssh(fam: str, v: tuple[int, ...], kw: dict[str, str]) -> str:
    return f"ssh host connection is not valid: {kw['error']}"


_WORDING: dict[str, Callable[[str, tuple[int, ...], dict[str, str]], str]] = {
    "conflict": _conflict,
    "one-host": _one_host,
    "host-parse": _host_parse,
    "meta": _meta,
    "ssh": _ssh,
}


@record
class Flags:
    """docker's global options, given to cdoctor the way docker takes them."""

    hosts: tuple[str, ...] | None = None  # -H/--host values; None when not given at all
    context: str | None = None  # -c/--context
    config_dir: str | None = None  # --config
    tls: bool = False  # --tls
    tlsverify: bool = False  # --tlsverify given


@record
class Inputs:
    flags: Flags
    env: Mapping[str, str]
    home: str
    config: ConfigFile
    store: ContextStore
    cli: CliFamily
    cert_dir_files: frozenset[str] = frozenset()  # names present in the default TLS cert dir
    platform: str = "linux"


@record
class Override:
    """An input that was set but lost to a stronger one."""

    input: str  # "env:DOCKER_CONTEXT", "config", …
    value: str
    reason: str


@record
class TLSSettings:
    enabled: bool = False
    verify: bool = False
    cert_dir: str | None = None  # default context: where ca/cert/key.pem are read
    ca: str | None = None
    cert: str | None = None
    key: str | None = None
    source: str = ""  # "flags/env" | "context" | ""


@record
class ResolutionError:
    cause: str  # cause id (causes.md)
    message: str  # what the CLI prints (its v23+ wording)
    hint: str = ""


@record
class Resolution:
    host: str | None  # the endpoint string as the CLI holds it (cli.host); None if unresolvable
    source: str  # flag | env:DOCKER_HOST | flag:--context | env:DOCKER_CONTEXT | config | default
    context: str
    config_dir: str
    config_path: str
    overridden: tuple[Override, ...] = ()
    tls: TLSSettings = field(default_factory=TLSSettings)
    error: ResolutionError | None = None
    context_meta: ContextMeta | None = None
    cli: CliFamily = field(default_factory=lambda: CliFamily(None))
    # The address actually dialled, with the defaults the transport applies
    # (a context's portless tcp://h dials :80, or :443 with TLS).
    dial: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def scheme(self) -> str | None:
        return None if self.host is None else self.host.partition("://")[0]


def config_dir(flags: Flags, env: Mapping[str, str], home: str) -> str:
    if flags.config_dir:
        return _clean(flags.config_dir)
    return _clean(env.get("DOCKER_CONFIG") or _join(home, ".docker"))


def _clean(path: str) -> str:
    """filepath.Clean, enough for directory names we display and join."""
    if path == "":
        return "."
    absolute = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        elif part == ".." and absolute:
            continue
        else:
            parts.append(part)
    cleaned = "/".join(parts)
    return ("/" + cleaned) if absolute else (cleaned or ".")


def _join(*parts: str) -> str:
    return "/".join(p.rstrip("/") if i == 0 else p.strip("/") for i, p in enumerate(parts) if p != "")


def cert_dir(env: Mapping[str, str], home: str) -> str:
    """Default TLS material directory. It ignores --config (set before flags are parsed)."""
    return env.get("DOCKER_CERT_PATH") or env.get("DOCKER_CONFIG") or _join(home, ".docker")


def _choose_context(inp: Inputs) -> tuple[str, str, list[Override]]:
    """R1.1 (v23+) / R1.5 (v19.03–v20.10): the context name and the rule that chose it."""
    env, flags, legacy = inp.env, inp.flags, inp.cli.legacy
    candidates: list[tuple[str, str | None]] = []
    docker_host = env.get("DOCKER_HOST")
    host_counts = docker_host is not None if legacy else bool(docker_host)
    docker_context = env.get("DOCKER_CONTEXT")
    ctx_counts = docker_context is not None if legacy else bool(docker_context)
    candidates.append(("flag:--context", flags.context or None))
    candidates.append(("flag", DEFAULT_CONTEXT if flags.hosts is not None else None))
    candidates.append(("env:DOCKER_HOST", DEFAULT_CONTEXT if host_counts else None))
    candidates.append(("env:DOCKER_CONTEXT", docker_context if ctx_counts else None))
    candidates.append(("config", inp.config.current_context or None))
    winner: tuple[str, str] | None = None
    overrides: list[Override] = []
    shown = {
        "flag:--context": flags.context or "",
        "flag": " ".join(flags.hosts or ()),
        "env:DOCKER_HOST": docker_host or "",
        "env:DOCKER_CONTEXT": docker_context or "",
        "config": inp.config.current_context or "",
    }
    for source, name in candidates:
        if name is None:
            continue
        if winner is None:
            winner = (source, name)
        elif not (source == "flag" and winner[0] == "flag:--context"):
            overrides.append(Override(source, shown[source], f"{source_words(winner[0], 'rival')} takes precedence"))
    if winner is None:
        return DEFAULT_CONTEXT, "default", overrides
    return winner[1], winner[0], overrides


def resolve(inp: Inputs) -> Resolution:
    """Resolve the endpoint exactly as the docker CLI of `inp.cli` would."""
    cfg_dir = config_dir(inp.flags, inp.env, inp.home)
    cfg_path = _join(cfg_dir, "config.json")
    name, source, overrides = _choose_context(inp)
    base = Resolution(
        host=None,
        source=source,
        context=name,
        config_dir=cfg_dir,
        config_path=cfg_path,
        overridden=tuple(overrides),
        cli=inp.cli,
    )

    if inp.flags.context and inp.flags.hosts is not None:
        return _fail(base, "conflicting-options", inp.cli.text("conflict"))

    if name == DEFAULT_CONTEXT:
        return _resolve_default(inp, base)
    return _resolve_named(inp, base, name)


def _fail(base: Resolution, cause: str, message: str, hint: str = "", **changes: object) -> Resolution:
    return replace(base, **changes, error=ResolutionError(cause, message, hint))


def _replace(base: Resolution, **changes: object) -> Resolution:
    return replace(base, **changes)


def _resolve_default(inp: Inputs, base: Resolution) -> Resolution:
    env, flags = inp.env, inp.flags
    tls_on = flags.tls or flags.tlsverify or bool(env.get("DOCKER_TLS")) or bool(env.get("DOCKER_TLS_VERIFY"))
    verify = flags.tlsverify or bool(env.get("DOCKER_TLS_VERIFY"))
    if flags.hosts is not None and len(flags.hosts) > 1:
        return _fail(base, "invalid-docker-host", inp.cli.text("one-host"))
    raw = flags.hosts[0] if flags.hosts else (env.get("DOCKER_HOST") or "")
    try:
        host = hosts.parse_host(raw, default_to_tls=tls_on, path_as_unix=inp.cli.path_as_unix)
    except hosts.HostError as e:
        return _fail(base, "invalid-docker-host", inp.cli.text("host-parse", error=str(e)), host=None)
    if not raw.strip() and inp.platform == "win32":
        # The CLI's built-in defaults on Windows (opts/hosts_windows.go, R4.2).
        host = "tcp://127.0.0.1:2376" if tls_on else hosts.DEFAULT_NPIPE_HOST
    base = _replace(base, host=host)
    if tls_on:
        cdir = cert_dir(env, inp.home)
        if not hosts.is_socket_host(host):
            # The transport ignores TLS for unix/npipe/fd hosts (context/docker/load.go isSocket).
            base = _replace(
                base,
                tls=TLSSettings(
                    enabled=True,
                    verify=verify,
                    cert_dir=cdir,
                    ca=_join(cdir, "ca.pem"),
                    cert=_join(cdir, "cert.pem") if "cert.pem" in inp.cert_dir_files else None,
                    key=_join(cdir, "key.pem") if "key.pem" in inp.cert_dir_files else None,
                    source="flags/env",
                ),
            )
        # ...but ca.pem is read whenever TLS is on, even for a unix socket
        # (resolveDefaultDockerEndpoint calls TLSDataFromFiles before looking at
        # the host; the research said "ignored for sockets": the CLI disagrees,
        # verified with docker CLI 28.2.2 and 20.10.24).
        if "ca.pem" not in inp.cert_dir_files:
            return _fail(
                base,
                "tls-error",
                f"unable to resolve docker endpoint: open {cdir}/ca.pem: no such file or directory",
                "TLS is on (DOCKER_TLS_VERIFY/DOCKER_TLS or --tls*) and the CLI always reads ca.pem",
            )
    return _finish(inp, base, tls_requested=tls_on)


def _resolve_named(inp: Inputs, base: Resolution, name: str) -> Resolution:
    meta = inp.store.by_name(name)
    if meta is None:
        return _fail(base, "context-not-found", _not_found_words(inp, base, name))
    base = _replace(base, context_meta=meta)
    if meta.problem is not None:
        # The CLI decodes meta.json strictly: any problem makes the context unusable.
        if meta.problem.message.startswith("the docker CLI crashes"):
            return _fail(base, "invalid-config", meta.problem.message)
        return _fail(
            base,
            "invalid-config",
            inp.cli.text("meta", name=_q(name), path=meta.meta_path, error=meta.problem.message),
        )
    if not meta.has_docker_endpoint:
        return _fail(
            base, "invalid-config", "unable to resolve docker endpoint: cannot find docker endpoint in context"
        )
    if meta.docker_endpoint_problem is not None:
        return _fail(base, "invalid-config", f"unable to resolve docker endpoint: {meta.docker_endpoint_problem}")
    host = meta.host or ""
    warnings = base.warnings
    if host == "":
        # Endpoint.ClientOpts skips WithHost for an empty Host: the API client keeps
        # its built-in default, whatever DOCKER_HOST says (verified with docker CLI
        # 28.2.2 and 20.10.24).
        host = hosts.DEFAULT_NPIPE_HOST if inp.platform == "win32" else hosts.DEFAULT_UNIX_HOST
        warnings = (*warnings, f"context {_q(name)} has no docker Host: the CLI uses its built-in default {host}")
    base = _replace(base, host=host, warnings=warnings)
    if not hosts.is_socket_host(host) and (meta.tls_files or meta.skip_tls_verify):
        base = _replace(base, tls=_context_tls(inp, meta))
    return _finish(inp, base, tls_requested=bool(meta.tls_files) or meta.skip_tls_verify)


def _not_found_words(inp: Inputs, base: Resolution, name: str) -> str:
    """How this CLI says that the context `name` does not exist."""
    if inp.cli.legacy and base.source == "config":
        return (
            f"Current context {_q(name)} is not found on the file system, "
            f"please check your config file at {base.config_path}"
        )
    if inp.cli.legacy:
        return f"unable to resolve docker endpoint: context {_q(name)} does not exist"
    path = _join(inp.store.root, "meta", context_id(name), "meta.json")
    return (
        f"unable to resolve docker endpoint: context {_q(name)}: context not found: "
        f"open {path}: no such file or directory"
    )


def _context_tls(inp: Inputs, meta: ContextMeta) -> TLSSettings:
    """The TLS material a context keeps under the store's tls/ directory."""
    tls_dir = _join(inp.store.root, "tls", meta.dir_id, "docker")
    return TLSSettings(
        enabled=True,
        verify=not meta.skip_tls_verify,
        cert_dir=tls_dir,
        ca=_join(tls_dir, "ca.pem") if "ca.pem" in meta.tls_files else None,
        cert=_join(tls_dir, "cert.pem") if "cert.pem" in meta.tls_files else None,
        key=_join(tls_dir, "key.pem") if "key.pem" in meta.tls_files else None,
        source="context",
    )


def _q(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _finish(inp: Inputs, base: Resolution, *, tls_requested: bool = False) -> Resolution:
    """What the CLI does with the host before it dials (R5.2), then the dial address.

    The order is docker/cli's: connhelper.GetConnectionHelper runs url.Parse on
    every host; an ssh:// host then needs a valid ssh spec and goes through
    `ssh … docker system dial-stdio`; any other host goes through moby's
    ParseHostURL and the transport (which refuses npipe off Windows).
    """
    host = base.host or ""
    try:
        parsed = hosts.go_url_parse(host)
    except hosts.HostError as e:
        return _fail(base, "invalid-docker-host", str(e))
    if parsed.scheme == "ssh":
        return _finish_ssh(inp, base, host)
    try:
        url = hosts.parse_host_url(host, require_addr=inp.cli.requires_host_addr)
    except hosts.HostError as e:
        return _fail(base, "invalid-docker-host", str(e))
    refused = _transport_refuses(inp, base, url, tls_requested)
    if refused is not None:
        return refused
    dial = host
    if url.scheme == "tcp":
        host_only, _, port = url.address.rpartition(":") if not url.address.endswith("]") else (url.address, "", "")
        if not port or not host_only:
            # A context's host is not normalised: Go's http transport adds 80/443.
            dial = f"tcp://{url.address}:{443 if base.tls.enabled else 80}{url.base_path}"
    return _replace(base, dial=dial)


def _finish_ssh(inp: Inputs, base: Resolution, host: str) -> Resolution:
    """An ssh:// host needs a valid ssh spec; it is dialled through `ssh … docker system dial-stdio`."""
    try:
        hosts.parse_ssh_url(host, legacy=inp.cli.legacy)
    except hosts.HostError as e:
        return _fail(base, "invalid-docker-host", inp.cli.text("ssh", error=str(e)))
    return _replace(base, dial=host)


def _transport_refuses(inp: Inputs, base: Resolution, url: hosts.HostURL, tls_requested: bool) -> Resolution | None:
    """The failure when this CLI's transport cannot dial the address here, else None."""
    if url.scheme == "npipe" and inp.platform != "win32":
        return _fail(
            base,
            "invalid-docker-host",
            "protocol not available",
            "npipe:// is a Windows named pipe; this is not Windows (a DOCKER_HOST inherited from Windows?)",
        )
    if url.scheme == "unix" and inp.platform == "win32":
        return _fail(base, "invalid-docker-host", "protocol not available")
    if url.scheme == "unix" and tls_requested and inp.cli.tls_on_sockets:
        # docker CLI before 28.2 has no isSocket check: with TLS configured it builds a
        # TCP+TLS transport and dials the socket path as a host name, so it can
        # never reach a unix socket (verified with 20.10.24 and 26.1.5; fixed in 28.2.0).
        path = url.address
        return _fail(
            base,
            "tls-error",
            f'error during connect: Get "https://{quote(path, safe="")}/…": dial tcp: lookup {path}: no such host',
            "docker CLI before 28.2 applies TLS to a unix socket too: unset DOCKER_TLS and DOCKER_TLS_VERIFY "
            "(or remove SkipTLSVerify and the TLS files from the context), or use docker CLI 28.2 or later",
        )
    return None
