"""Host strings as the docker CLI parses them (pure).

Mirrors docker/cli `opts/hosts.go` (ParseHost, parseDockerDaemonHost,
parseSimpleProtoAddr, ParseTCPAddr) and moby `client.ParseHostURL`, including
the parts of Go's `net/url` and `net.SplitHostPort` whose errors a user sees.
The docker CLI is the oracle: tests/test_differential.py compares these
functions with real CLIs on generated inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

DEFAULT_UNIX_SOCKET = "/var/run/docker.sock"
DEFAULT_NAMED_PIPE = "//./pipe/docker_engine"
DEFAULT_TCP_HOST = "tcp://localhost:2375"
DEFAULT_TLS_HOST = "tcp://localhost:2376"
DEFAULT_UNIX_HOST = "unix://" + DEFAULT_UNIX_SOCKET
DEFAULT_NPIPE_HOST = "npipe://" + DEFAULT_NAMED_PIPE

SOCKET_SCHEMES = frozenset({"unix", "npipe", "fd"})


class HostError(ValueError):
    """The host string is refused; the message is the CLI's own wording (v23+)."""


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class _GoURL:
    host: str
    path: str


def _go_url_parse(raw: str) -> _GoURL:
    """url.Parse for strings that start with 'tcp://' (as ParseTCPAddr builds them)."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        raise HostError(f"parse {_go_quote(raw)}: net/url: invalid control character in URL")
    rest, _, _fragment = raw.partition("#")
    rest, _, _query = rest.partition("?")
    assert rest.startswith("tcp://")
    rest = rest[len("tcp://") :]
    slash = rest.find("/")
    authority, path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    at = authority.rfind("@")
    if at >= 0:
        userinfo, authority = authority[:at], authority[at + 1 :]
        if any(c not in _USERINFO_OK for c in userinfo if ord(c) < 0x80):
            raise HostError(f"parse {_go_quote(raw)}: net/url: invalid userinfo")
    host = authority
    try:
        if host.startswith("["):
            close = host.find("]")
            if close < 0:
                raise HostError("missing ']' in host")
            colon_port = host[close + 1 :]
            if not _valid_optional_port(colon_port):
                raise HostError(f"invalid port {_go_quote(colon_port)} after host")
        else:
            colon = host.rfind(":")
            if colon >= 0:
                colon_port = host[colon:]
                if not _valid_optional_port(colon_port):
                    raise HostError(f"invalid port {_go_quote(colon_port)} after host")
        host = _go_unescape(host, host=True)
        path = _go_unescape(path, host=False)
    except HostError as e:
        raise HostError(f"parse {_go_quote(raw)}: {e}") from None
    return _GoURL(host=host, path=path)


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


def parse_host_url(host: str) -> HostURL:
    """moby client.ParseHostURL, applied to every endpoint (default or context)."""
    proto, sep, addr = host.partition("://")
    if not sep or addr == "":
        raise HostError(f"unable to parse docker host `{host}`")
    if proto == "tcp":
        url = _go_url_parse("tcp://" + addr)
        return HostURL("tcp", url.host, url.path)
    return HostURL(proto, addr)


def is_socket_host(host: str) -> bool:
    """Hosts that never use TLS (docker/cli context/docker/load.go isSocket)."""
    return host.partition("://")[0] in SOCKET_SCHEMES


# --- ssh:// (docker/cli cli/connhelper/ssh) ---------------------------------


@dataclass(frozen=True, slots=True)
class SSHTarget:
    user: str | None
    host: str
    port: str | None
    path: str | None


def parse_ssh_url(url: str) -> SSHTarget:
    """docker/cli connhelper/ssh.ParseURL; errors use the CLI's reasons."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise HostError("invalid SSH URL: no scheme provided")
    if scheme != "ssh":
        raise HostError(f"invalid SSH URL: incorrect scheme: {scheme}")
    rest, hash_sep, fragment = rest.partition("#")
    rest, q_sep, query = rest.partition("?")
    if q_sep and query:
        raise HostError(f'invalid SSH URL: query parameters are not allowed: "{query}"')
    if hash_sep and fragment:
        raise HostError(f'invalid SSH URL: fragments are not allowed: "{fragment}"')
    authority, slash, path = rest.partition("/")
    user = None
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
        if ":" in userinfo:
            raise HostError("invalid SSH URL: plain-text password is not supported")
        user = unquote(userinfo)
    host, port = authority, None
    if authority.startswith("["):
        close = authority.find("]")
        host = authority[1:close] if close > 0 else authority
        tail = authority[close + 1 :] if close > 0 else ""
        port = tail[1:] if tail.startswith(":") and tail[1:] else None
    elif ":" in authority:
        host, _, p = authority.rpartition(":")
        port = p or None
    if host == "":
        raise HostError("invalid SSH URL: hostname is empty")
    return SSHTarget(user=user, host=host, port=port, path=("/" + path) if slash and path else None)


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
