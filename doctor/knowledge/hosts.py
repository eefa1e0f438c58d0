"""Host strings as the docker CLI parses them (pure).

Mirrors docker/cli `opts/hosts.go` (ParseHost, parseDockerDaemonHost,
parseSimpleProtoAddr, ParseTCPAddr) and moby `client.ParseHostURL`, including
the parts of Go's `net/url` and `net.SplitHostPort` whose errors a user sees.
The docker CLI is the oracle: tests/test_differential.py compares these
functions with real CLIs on generated inputs.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from doctor.facts.record import record

DEFAULT_UNIX_SOCKET = "/var/run/docker.sock"
DEFAULT_NAMED_PIPE = "//./pipe/docker_engine"
DEFAULT_TCP_HOST = "tcp://localhost:2375"
DEFAULT_TLS_HOST = "tcp://localhost:2376"
DEFAULT_UNIX_HOST = "unix://" + DEFAULT_UNIX_SOCKET
DEFAULT_NPIPE_HOST = "npipe://" + DEFAULT_NAMED_PIPE

SOCKET_SCHEMES = frozenset({"unix", "npipe", "fd"})


class HostError(ValueError):
    """The host string is refused; the message is the CLI's own wording (v23+)."""


@record
class HostURL:
    """What moby's ParseHostURL makes of a host string."""

    scheme: str
    address: str  # unix/npipe: the path; tcp: host:port; ssh: the rest of the URL
    base_path: str = ""


# --- Go net/url, the subset ParseTCPAddr exercises -------------------------

_HOST_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+,;=:[]<>\"")
_USERINFO_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:~!$&'()*+,;=%@")
_PORT_RE = re.compile(r":[0-9]*")


def _valid_optional_port(port: str) -> bool:
    return port == "" or _PORT_RE.fullmatch(port) is not None


def _go_unescape(text: str, *, host: bool) -> str:
    """Go's url.unescape: '%XY' must be hex; in a host, some ASCII is refused."""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%":
            hexpart = text[i + 1 : i + 3]
            if len(hexpart) < 2 or any(c not in "0123456789abcdefABCDEF" for c in hexpart):
                bad = text[i : i + 3]
                raise HostError(f'invalid URL escape "{bad}"')
            i += 3
            continue
        if host and ord(ch) < 0x80 and ch not in _HOST_OK:
            raise HostError(f"invalid character {_go_quote(ch)} in host name")
        i += 1
    return unquote(text, errors="surrogateescape")


def _go_quote(text: str) -> str:
    """Go's %q for short strings (enough for the characters we report)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@record
class _GoURL:
    scheme: str
    host: str
    path: str
    opaque: str = ""
    has_user: bool = False
    password: bool = False
    user: str = ""
    query: str = ""
    fragment: str = ""


def _get_scheme(raw: str) -> tuple[str, str]:
    """Go's url.getScheme."""
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c.isascii() and (c.isdigit() or c in "+-."):
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise HostError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def _parse_go_host(host: str) -> str:
    """Go's url.parseHost (port syntax, then the host-name characters)."""
    if host.startswith("["):
        close = host.rfind("]")
        if close < 0:
            raise HostError("missing ']' in host")
        colon_port = host[close + 1 :]
        if not _valid_optional_port(colon_port):
            raise HostError(f"invalid port {_go_quote(colon_port)} after host")
    else:
        colon = host.rfind(":")
        if colon >= 0 and not _valid_optional_port(host[colon:]):
            raise HostError(f"invalid port {_go_quote(host[colon:])} after host")
    return _go_unescape(host, host=True)


def go_url_parse(raw: str) -> _GoURL:
    """Go's url.Parse, for the errors a user can see.

    The docker CLI runs every endpoint through it (connhelper.GetConnectionHelper)
    before anything else reads the host, so e.g. a context Host with a leading
    space fails with `parse "  unix://…": first path segment in URL cannot
    contain colon` (verified with docker CLI 28.2.2 and 20.10.24).
    """
    u, _, frag = raw.partition("#")
    try:
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in u):
            raise HostError("net/url: invalid control character in URL")
        scheme, rest = _get_scheme(u)
        scheme = scheme.lower()
        query = ""
        if rest.endswith("?") and rest.count("?") == 1:
            rest = rest[:-1]
        else:
            rest, _, query = rest.partition("?")
        if not rest.startswith("/"):
            if scheme:
                return _GoURL(scheme, "", "", opaque=rest, query=query)
            if ":" in rest.partition("/")[0]:
                raise HostError("first path segment in URL cannot contain colon")
        host, path, has_user, password, user = "", rest, False, False, ""
        if (scheme or not rest.startswith("///")) and rest.startswith("//"):
            authority, slash, tail = rest[2:].partition("/")
            path = slash + tail
            at = authority.rfind("@")
            host = _parse_go_host(authority[at + 1 :] if at >= 0 else authority)
            if at >= 0:
                userinfo = authority[:at]
                if any(c not in _USERINFO_OK for c in userinfo if ord(c) < 0x80):
                    raise HostError("net/url: invalid userinfo")
                has_user = True
                name, colon, _pw = userinfo.partition(":")
                password = bool(colon)
                user = _go_unescape(name, host=False)
        path = _go_unescape(path, host=False)
    except HostError as e:
        raise HostError(f"parse {_go_quote(u)}: {e}") from None
    try:
        fragment = _go_unescape(frag, host=False)
    except HostError as e:
        raise HostError(f"parse {_go_quote(raw)}: {e}") from None
    return _GoURL(scheme, host, path, has_user=has_user, password=password, user=user, query=query, fragment=fragment)


def _go_url_parse(raw: str) -> _GoURL:
    """url.Parse for strings that start with 'tcp://' (as ParseTCPAddr builds them)."""
    return go_url_parse(raw)


def _split_host_port(hostport: str) -> tuple[str, str]:
    """Go's net.SplitHostPort; raises HostError with Go's reason."""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise HostError("missing ']' in address")
        if end + 1 == len(hostport):
            raise HostError("missing port in address")
        if hostport[end + 1] != ":":
            raise HostError(
                "missing port in address" if ":" not in hostport[end + 1 :] else "too many colons in address"
            )
        host, port = hostport[1:end], hostport[end + 2 :]
        if "[" in hostport[1:end] or "]" in hostport[end + 1 :]:
            raise HostError("unexpected '[' in address")
        return host, port
    colon = hostport.rfind(":")
    if colon < 0:
        raise HostError("missing port in address")
    host, port = hostport[:colon], hostport[colon + 1 :]
    if ":" in host:
        raise HostError("too many colons in address")
    if "[" in hostport or "]" in hostport:
        raise HostError("unexpected '[' in address")
    return host, port


def _join_host_port(host: str, port: str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# --- docker/cli opts/hosts.go ----------------------------------------------


def parse_tcp_addr(try_addr: str, default_addr: str = DEFAULT_TCP_HOST) -> str:
    if try_addr in ("", "tcp://"):
        return default_addr
    addr = try_addr.removeprefix("tcp://")
    if "://" in addr or addr == "":
        raise HostError(f"invalid proto, expected tcp: {try_addr}")
    default_host, default_port = _split_host_port(default_addr.removeprefix("tcp://"))
    if addr.endswith("]:"):
        addr += default_port
    url = _go_url_parse("tcp://" + addr)
    try:
        host, port = _split_host_port(url.host)
    except HostError:
        try:
            host, port = _split_host_port(_join_host_port(url.host, default_port))
        except HostError:
            raise HostError(f"invalid bind address format: {try_addr}") from None
    host = host or default_host
    port = port or default_port
    return f"tcp://{_join_host_port(host, port)}{url.path}"


def _parse_simple(proto: str, addr: str, default: str) -> str:
    addr = addr.removeprefix(proto + "://")
    if "://" in addr:
        raise HostError(f"invalid proto, expected {proto}: {addr}")
    return f"{proto}://{addr or default}"


def parse_host(value: str, *, default_to_tls: bool = False, path_as_unix: bool = False) -> str:
    """docker/cli opts.ParseHost: normalise a -H / DOCKER_HOST value.

    `path_as_unix`: newer CLIs read a bare '/path' or './path' as a unix socket
    (docker/cli HEAD after v29.7); older ones read it as a tcp address.
    """
    host = value.strip(" \t\n\r\v\f")
    if host == "":
        return DEFAULT_TLS_HOST if default_to_tls else DEFAULT_UNIX_HOST
    proto, sep, rest = host.partition("://")
    if not sep:
        rest = proto
        proto = "unix" if path_as_unix and rest.startswith(("/", "./")) else "tcp"
    if proto == "tcp":
        return parse_tcp_addr(rest)
    if proto == "unix":
        return _parse_simple("unix", rest, DEFAULT_UNIX_SOCKET)
    if proto == "npipe":
        return _parse_simple("npipe", rest, DEFAULT_NAMED_PIPE)
    if proto in ("fd", "ssh"):
        return host
    raise HostError(f"invalid bind address format: {host}")


def parse_host_url(host: str, *, require_addr: bool = True) -> HostURL:
    """moby client.ParseHostURL, applied to every endpoint (default or context).

    `require_addr`: the client of docker CLI 24.0 and later refuses `fd://`
    (an empty address); 20.10 accepts it and fails when it dials.
    """
    proto, sep, addr = host.partition("://")
    if not sep or (addr == "" and require_addr):
        raise HostError(f"unable to parse docker host `{host}`")
    if proto == "tcp":
        url = _go_url_parse("tcp://" + addr)
        return HostURL("tcp", url.host, url.path)
    return HostURL(proto, addr)


def is_socket_host(host: str) -> bool:
    """Hosts that never use TLS (docker/cli context/docker/load.go isSocket)."""
    return host.partition("://")[0] in SOCKET_SCHEMES


# --- ssh:// (docker/cli cli/connhelper/ssh) ---------------------------------


@record
class SSHTarget:
    user: str | None
    host: str
    port: str | None
    path: str | None


def parse_ssh_url(url: str, *, legacy: bool = False) -> SSHTarget:
    """docker/cli connhelper/ssh.ParseURL/NewSpec; errors use the CLI's reasons.

    `legacy`: docker CLI 20.10 words them differently ("no host specified",
    "extra query after the host") and has no "invalid SSH URL: " prefix.
    """
    prefix = "" if legacy else "invalid SSH URL: "
    try:
        u = go_url_parse(url)
    except HostError as e:
        # ssh.ParseURL unwraps the *url.Error: the reason without `parse "…": `.
        reason = str(e).split(": ", 1)[-1]
        raise HostError(f"{prefix}{reason}") from None
    if u.scheme == "" and not legacy:
        raise HostError(f"{prefix}no scheme provided")
    if u.scheme != "ssh":
        raise HostError(f"{prefix}expected scheme ssh, got {_go_quote(u.scheme)}" if legacy else f"{prefix}incorrect scheme: {u.scheme}")
    if u.password:
        raise HostError(f"{prefix}plain-text password is not supported")
    host, port = u.host, ""
    colon = host.rfind(":")
    if colon >= 0 and _valid_optional_port(host[colon:]):
        host, port = host[:colon], host[colon + 1 :]
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "":
        raise HostError(f"{prefix}no host specified" if legacy else f"{prefix}hostname is empty")
    if u.query:
        what = "extra query after the host" if legacy else "query parameters are not allowed"
        raise HostError(f"{prefix}{what}: {_go_quote(u.query)}")
    if u.fragment:
        what = "extra fragment after the host" if legacy else "fragments are not allowed"
        raise HostError(f"{prefix}{what}: {_go_quote(u.fragment)}")
    return SSHTarget(user=u.user if u.has_user else None, host=host, port=port or None, path=u.path or None)


def redact_url(host: str) -> str:
    """A host string with any password in its userinfo replaced."""
    scheme, sep, rest = host.partition("://")
    if not sep:
        return host
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        userinfo, _, hostpart = authority.rpartition("@")
        if ":" in userinfo:
            user = userinfo.split(":", 1)[0]
            authority = f"{user}:REDACTED@{hostpart}"
    return f"{scheme}{sep}{authority}{slash}{tail}"
