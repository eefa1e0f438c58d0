"""Local facts: the environment, the user, config.json, the context store, the docker binary."""

from __future__ import annotations

import contextlib
import errno
import grp
import os
import pwd
import stat
import sys

from doctor.facts import Facts, FactUnavailable
from doctor.facts.keys import CERT_FILES, CONFIG, CONTEXT_STORE, DOCKER_BINARY, ENVIRONMENT, RESOLUTION_INPUTS
from doctor.facts.types import DockerBinary, Environment, UserInfo
from doctor.gather import bounded
from doctor.gather.threads import which
from doctor.knowledge import dockerconfig, resolve, versions
from doctor.knowledge.requirements import Requirement
from doctor.run.context import RunContext

DOCKER_ENV_VARS = (
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_CONFIG",
    "DOCKER_TLS",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
    "DOCKER_API_VERSION",
    "XDG_RUNTIME_DIR",
    "DOCKER_TLS_CERTDIR",
    "DOCKER_DEFAULT_PLATFORM",
    "DOCKER_BUILDKIT",
    "COLIMA_HOME",
    "LIMA_HOME",
    "MINIKUBE_ACTIVE_DOCKERD",
    "GITLAB_CI",
    "GITHUB_ACTIONS",
    "CI",
    "WSL_DISTRO_NAME",
    "TESTCONTAINERS_HOST_OVERRIDE",
    "TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)

MAX_CONTEXTS = 10_000  # a store larger than this is listed partially, and says so


def _ctx(facts: Facts) -> RunContext:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    return ctx


def _gather_env(facts: Facts) -> Environment:
    ctx = _ctx(facts)
    env = ctx.env
    uid, gid = os.getuid(), os.getgid()
    try:
        pw: pwd.struct_passwd | None = pwd.getpwuid(uid)
    except KeyError:
        pw = None
    name = pw.pw_name if pw else env.get("USER")
    if env.get("HOME"):
        home, home_source = env["HOME"], "HOME"
    elif pw is not None and pw.pw_dir:
        home, home_source = pw.pw_dir, "passwd"
    else:
        home, home_source = "", "none"
    process_gids = frozenset({os.getegid(), *os.getgroups()})
    db_groups: set[str] = set()
    names: dict[int, str] = {}
    try:
        for g in grp.getgrall():
            if name is not None and name in g.gr_mem:
                db_groups.add(g.gr_name)
            names[g.gr_gid] = g.gr_name
    except OSError:
        pass
    if pw is not None and pw.pw_gid in names:
        db_groups.add(names[pw.pw_gid])  # the primary group is membership too
    kernel = os.uname().release
    wsl = "microsoft" in kernel.lower() or bool(env.get("WSL_DISTRO_NAME"))
    init = ""
    try:
        with open("/proc/1/comm", "rb") as f:
            init = f.read(64).decode("utf-8", "replace").strip()
    except OSError:
        pass
    return Environment(
        values={k: env[k] for k in DOCKER_ENV_VARS if k in env},
        user=UserInfo(
            uid=uid,
            gid=gid,
            name=name,
            home=home,
            home_source=home_source,
            process_gids=process_gids,
            db_groups=frozenset(db_groups),
            group_names=names,
        ),
        platform=sys.platform,
        wsl=wsl,
        kernel=kernel,
        init=init,
        os_name=os_name(),
    )


def read_capped(path: str, limit: int) -> bytes:
    """Read at most `limit` bytes of a regular file; raises OSError with the reason."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", path)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        if st.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit // (1024 * 1024)} MiB", path)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)[:limit]
    finally:
        os.close(fd)


def _os_reason(e: OSError, path: str) -> str:
    reason = (e.strerror or str(e)).lower()
    return f"open {path}: {reason}"


def _gather_config(facts: Facts) -> dockerconfig.ConfigFile:
    ctx = _ctx(facts)
    env = facts.get(ENVIRONMENT)
    cdir = resolve.config_dir(ctx.flags, ctx.env, env.user.home)
    path = cdir + "/config.json"
    try:
        data = read_capped(path, dockerconfig.MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return dockerconfig.parse_config(path, None)
    except NotADirectoryError:
        return dockerconfig.parse_config(path, None)
    except OSError as e:
        return dockerconfig.parse_config(path, None, read_error=_os_reason(e, path))
    return dockerconfig.parse_config(path, data)


def _list_tls(tls_root: str, dir_id: str) -> tuple[str, ...]:
    try:
        return tuple(sorted(os.listdir(f"{tls_root}/{dir_id}/docker")))
    except OSError:
        return ()


def _gather_store(facts: Facts) -> dockerconfig.ContextStore:
    ctx = _ctx(facts)
    env = facts.get(ENVIRONMENT)
    root = resolve.config_dir(ctx.flags, ctx.env, env.user.home) + "/contexts"
    meta_root = root + "/meta"
    contexts: dict[str, dockerconfig.ContextMeta] = {}
    truncated = False
    try:
        entries = os.scandir(meta_root)
    except FileNotFoundError:
        return dockerconfig.ContextStore(root=root)
    except OSError as e:
        return dockerconfig.ContextStore(root=root, problem=_os_reason(e, meta_root))
    # The context the CLI will use is read first, by its directory (sha256 of its name), as the CLI
    # does: however many other contexts there are, it is never reported missing when it exists.
    with entries:
        for name in _named_contexts(facts):
            dir_id = dockerconfig.context_id(name)
            meta = _read_meta(root, meta_root, dir_id)
            if meta is not None:
                contexts[dir_id] = meta
        for entry in entries:
            if entry.name in contexts:
                continue
            if len(contexts) >= MAX_CONTEXTS:
                truncated = True
                break
            path = f"{meta_root}/{entry.name}/meta.json"
            try:
                data: bytes | None = read_capped(path, 1024 * 1024)
                error = None
            except FileNotFoundError:
                continue  # not a context directory (the CLI skips it too)
            except NotADirectoryError:
                continue
            except OSError as e:
                data, error = None, f"{path}: {(e.strerror or str(e)).lower()}"
            contexts[entry.name] = dockerconfig.parse_meta(
                entry.name, path, data, read_error=error, tls_files=_list_tls(root + "/tls", entry.name)
            )
    return dockerconfig.ContextStore(root=root, contexts=contexts, truncated=truncated)


def _named_contexts(facts: Facts) -> list[str]:
    """The contexts named by --context, DOCKER_CONTEXT and currentContext (the CLI uses the first)."""
    ctx = _ctx(facts)
    names = [ctx.flags.context or "", ctx.env.get("DOCKER_CONTEXT", "")]
    with contextlib.suppress(FactUnavailable):
        names.append(facts.get(CONFIG).current_context or "")
    return [n for n in dict.fromkeys(names) if n and n != "default"]


def _read_meta(root: str, meta_root: str, dir_id: str) -> dockerconfig.ContextMeta | None:
    path = f"{meta_root}/{dir_id}/meta.json"
    try:
        data: bytes | None = read_capped(path, 1024 * 1024)
        error = None
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        data, error = None, f"{path}: {(e.strerror or str(e)).lower()}"
    return dockerconfig.parse_meta(dir_id, path, data, read_error=error, tls_files=_list_tls(root + "/tls", dir_id))


def _gather_cert_files(facts: Facts) -> frozenset[str]:
    ctx = _ctx(facts)
    env = facts.get(ENVIRONMENT)
    cdir = resolve.cert_dir(ctx.env, env.user.home)
    found = set()
    for name in ("ca.pem", "cert.pem", "key.pem"):
        with contextlib.suppress(OSError):
            if os.path.isfile(f"{cdir}/{name}"):
                found.add(name)
    return frozenset(found)


_VERSION_ENV_DROP = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")
_SHIM_MARKERS = (
    (b"Emulate Docker CLI using podman", "podman-docker", "the script says 'Emulate Docker CLI using podman'"),
    (b"could not be found in this WSL", "wsl-stub", "Docker Desktop's WSL stub (integration is off)"),
)


def _gather_binary(facts: Facts) -> DockerBinary:
    ctx = _ctx(facts)
    path = which("docker", path=ctx.env.get("PATH", os.defpath))
    if path is None:
        return DockerBinary(path=None, realpath=None, kind="missing")
    real = os.path.realpath(path)
    try:
        with open(real, "rb") as f:
            head = f.read(4096)
    except OSError as e:
        return DockerBinary(path, real, "unknown", error=f"cannot read {real}: {e.strerror}")
    if head.startswith(b"#!"):
        return _script(path, real, head)
    return _asked_version(facts, path, real)


def _script(path: str, real: str, head: bytes) -> DockerBinary:
    """A script is never run: it could be anything (podman-docker execs podman)."""
    for marker, kind, why in _SHIM_MARKERS:
        if marker in head:
            return DockerBinary(path, real, kind, evidence=(why,))
    return DockerBinary(path, real, "script", evidence=(f"{real} is a script, not the Docker CLI binary",))


def _asked_version(facts: Facts, path: str, real: str) -> DockerBinary:
    """What `docker --version` says the binary is."""
    ctx = _ctx(facts)
    try:
        proc = bounded.run(
            [real, "--version"],
            timeout=facts.budget(DOCKER_BINARY),
            cap=4096,  # a `docker` that prints without end costs 4 KiB, not all the memory there is
            # `docker --version` resolves the endpoint first (20.10: eagerly, so an
            # unknown DOCKER_CONTEXT makes it fail; 28.x: reads the current context,
            # and panics on some meta.json): give it no context to resolve, so the
            # version is known exactly when the configuration is broken.
            env={
                **{k: v for k, v in ctx.env.items() if k not in _VERSION_ENV_DROP},
                "DOCKER_CONFIG": "/nonexistent/cdoctor-version-probe",
                "DOCKER_CLI_HINTS": "false",
            },
        )
    except bounded.Timeout:
        return DockerBinary(path, real, "unknown", error=f"`{path} --version` did not answer within its deadline")
    except OSError as e:
        return DockerBinary(path, real, "unknown", error=f"cannot run {path}: {e.strerror}")
    out = proc.stdout[:4096]
    text = out.decode("utf-8", "replace").strip()
    version = versions.search(text)
    kind = "docker-cli" if out.startswith(b"Docker version") else "unknown"
    if out.startswith(b"podman version"):
        kind = "podman-docker"
    evidence = [f"`docker --version` printed: {text[:120]}"]
    if text.split(",")[0].endswith("-rd"):
        evidence.append("the version ends in -rd: Rancher Desktop's bundled CLI")
    return DockerBinary(path, real, kind, version, text[:200], tuple(evidence))


def _gather_inputs(facts: Facts) -> resolve.Inputs:
    ctx = _ctx(facts)
    env = facts.get(ENVIRONMENT)
    try:
        binary = facts.get(DOCKER_BINARY)
        version = binary.version if binary.kind == "docker-cli" else None
    except FactUnavailable:
        version = None
    return resolve.Inputs(
        flags=ctx.flags,
        env=ctx.env,
        home=env.user.home,
        config=facts.get(CONFIG),
        store=facts.get(CONTEXT_STORE),
        cli=resolve.CliFamily(version),
        cert_dir_files=facts.get(CERT_FILES),
        platform=env.platform,
    )


def _gather_resolution(facts: Facts) -> resolve.Resolution:
    return resolve.resolve(facts.get(RESOLUTION_INPUTS))


def _gather_requirements(facts: Facts) -> tuple[Requirement, ...]:
    # The invocation's requirements travel in the RunContext: a fact so that checks stay pure.
    reqs = getattr(facts.context, "requirements", ())
    return tuple(r for r in reqs if isinstance(r, Requirement))


def os_name() -> str:
    """`platform.platform(terse=True)`, without the program it runs on Linux.

    There it runs `uname -p` (a fork and exec on every diagnosis) for a processor
    field it then drops when it is "unknown" or equals the machine, as on Debian,
    Ubuntu, Fedora and Alpine; the rest is os.uname() and the C library's version.
    """
    u = os.uname() if hasattr(os, "uname") else None
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") if sys.platform.startswith("linux") else None
    except (ValueError, OSError):
        libc = None
    if u is None or not libc or not libc.startswith("glibc "):
        import platform

        return platform.platform(terse=True)
    text = "-".join(x.strip() for x in (u.sysname, u.release, u.machine, "with", libc.replace(" ", "")) if x)
    for c in ' /\\:;"()':
        text = text.replace(c, "_" if c == " " else "-")
    text = text.replace("unknown", "")
    while "--" in text:
        text = text.replace("--", "-")
    return text.rstrip("-")
