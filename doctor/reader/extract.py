"""Extractors: what a matched line says besides its symptom, and the endpoint it names.

Each detail extractor takes the cleaned line and its lower-cased copy and returns the
details it read, or ``None`` to veto the template (its wording was not really there).

Endpoints are normalised to URLs (``unix://``, ``npipe:////./pipe/``, ``tcp://``,
``ssh://``) and tolerate what pasting does to them: placeholders (``{USER}``,
``<user>``, ``$USER``, ``~``, ``X.X.X.X``) are kept as written, stray spaces and
trailing punctuation removed, URL-encoding undone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

__all__ = ["EXTRACTORS", "endpoint_in"]

Details = dict[str, str]
Extractor = Callable[[str, str], Details | None]

_DETAIL_LEN = 500


def clip(s: str, n: int = _DETAIL_LEN) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def after_colon_tail(s: str) -> str:
    """The last one or two ``: ``-separated parts: the innermost cause of a Go error."""
    parts = s.rsplit(": ", 2)
    return ": ".join(parts[-2:]) if len(parts) >= 2 else s


_RE_WSL_CMD = re.compile(r"the command '([^'\n]{1,64})' could not be found in this wsl")
_RE_CFG_PARSE = re.compile(r"error parsing config file \(([^)\n]{1,512})\):\s?(.{0,512})", re.I)
_RE_CFG_LOAD = re.compile(r"error loading config file:\s?(.{0,1024})", re.I)
_RE_CTX_NOTFOUND = re.compile(r'context "([^"\n]{0,256})": context not found')
_RE_CTX_NOTEXIST = re.compile(r'context "([^"\n]{0,256})" does not exist')
_RE_CTX_CURRENT = re.compile(r'current context "([^"\n]{0,256})" is not found on the file system')
_RE_CTX_PY = re.compile(r"context '([^'\n]{0,256})' (?:not found|does not exist)")  # docker-py; testcontainers-dotnet
_RE_CTX_ENDPOINT = re.compile(r'docker endpoint for "([^"\n]{0,256})" not found')
_VER = r"([0-9]{1,3}\.[0-9]{1,3})"
_RE_API_NEW = re.compile(rf"client version {_VER} is too new\.? maximum supported api version is {_VER}")
_RE_API_OLD = re.compile(rf"client version {_VER} is too old\.? minimum supported api version is {_VER}")
# moby/moby@b985e2313a daemon/server/middleware/version.go:59/61, first sentence only
_RE_API_NEW_ALONE = re.compile(rf"client version {_VER} is too new")
_RE_API_OLD_ALONE = re.compile(rf"client version {_VER} is too old")
_RE_API_CLIENT = re.compile(
    rf"api version {_VER} is not supported by this client: the minimum supported api version is {_VER}"
)
_RE_API_INVALID = re.compile(r"invalid api version \(([^)\n]{0,64})\)")
_RE_BIND = re.compile(r"invalid bind address (?:format|protocol):\s?(.{0,256})", re.I)
_RE_PARSE_HOST = re.compile(r"unable to parse docker host `([^`\n]{0,256})`")
_RE_SSH_EXIT = re.compile(r"exited with exit status (\d{1,3})")
_RE_SSH_STDERR = re.compile(r"stderr=(.{0,512})")
_RE_PIPE = re.compile(r"(?://\./pipe/|\\{1,4}\.\\{1,2}pipe\\{1,2})([A-Za-z0-9_.\-]{1,128})", re.I)
_RE_PYERR = re.compile(r"(filenotfounderror|permissionerror|connectionrefusederror)\((\d{1,3}),\s?'([^'\n]{0,64})'")
_RE_H2_FRAME = re.compile(r'malformed http response "\\x00\\x00')
_RE_UNSOLICITED_H2 = re.compile(r'unsolicited response received on idle http channel starting with "\\x00\\x00')

_NO_SUCH_FILE = (
    "no such file or directory",
    "cannot find the file specified",
    "cannot find the path specified",
)
_LOCALIZED_MISSING = (
    "le fichier spécifié est introuvable",
    "das system kann die angegebene datei nicht finden",
    "o sistema não pode encontrar o arquivo especificado",
    "el sistema no puede encontrar el archivo especificado",
    "impossibile trovare il file specificato",
    "指定されたファイルが見つかりません",
    "系统找不到指定的文件",
    # ERROR_FILE_NOT_FOUND (2) in the other display languages read for WSAECONNREFUSED (templates.py)
    "系統找不到指定的檔案",
    "지정된 파일을 찾을 수 없습니다",
    "не удается найти указанный файл",
    "nie można odnaleźć określonego pliku",
    "het systeem kan het opgegeven bestand niet vinden",
    "sistem belirtilen dosyayı bulamıyor",
)


def _d(**kv: str) -> Details:
    return {k: clip(v) for k, v in kv.items() if v}


def _wsl_command(s: str, low: str) -> Details | None:
    m = _RE_WSL_CMD.search(low)
    return _d(command=m.group(1) if m else "")


def _shim_podman(s: str, low: str) -> Details | None:
    return _d(shim="podman-docker")


def _config_parse(s: str, low: str) -> Details | None:
    m = _RE_CFG_PARSE.search(s)
    return _d(config_path=m.group(1), json_error=m.group(2)) if m else None


def _split_config_error(rest: str) -> tuple[str, str]:
    rest = rest.strip()
    if rest.startswith("open "):
        path, _, err = rest[5:].partition(": ")
        return path, err or "unreadable"
    for sep in (": : ", ": ", " - "):
        path, found, err = rest.partition(sep)
        if found:
            return path, err
    return "", rest


def _config_load(s: str, low: str) -> Details | None:
    if _RE_CFG_PARSE.search(s):
        return None  # the 28.0+ template reads it
    m = _RE_CFG_LOAD.search(s)
    if not m:
        return None
    path, err = _split_config_error(m.group(1))
    return _d(config_path=path, json_error=err)


def _bind_address(s: str, low: str) -> Details | None:
    m = _RE_BIND.search(s)
    return _d(docker_host=m.group(1).strip()) if m else None


def _parse_host(s: str, low: str) -> Details | None:
    m = _RE_PARSE_HOST.search(s)
    return _d(docker_host=m.group(1) if m else "")


def _reason_protocol(s: str, low: str) -> Details | None:
    return _d(reason="protocol not available")


def _reason_proto(s: str, low: str) -> Details | None:
    return _d(reason=s[low.find("invalid proto") :])


def _reason_line(s: str, low: str) -> Details | None:
    return _d(reason=s)


def _context_name(s: str, low: str) -> Details | None:
    for rx in (_RE_CTX_NOTFOUND, _RE_CTX_CURRENT, _RE_CTX_NOTEXIST, _RE_CTX_PY):
        m = rx.search(low) if rx is _RE_CTX_CURRENT else rx.search(s)
        if m:
            return {"context": clip(s[m.start(1) : m.end(1)])}
    return None


def _context_endpoint(s: str, low: str) -> Details | None:
    m = _RE_CTX_ENDPOINT.search(s)
    return _d(context=m.group(1)) if m else None


def _meta_path(s: str, low: str) -> Details | None:
    i = low.find("contexts/meta/")
    if i < 0:
        i = low.find("contexts\\meta\\")
    path = tail = ""
    if i >= 0:
        j = low.find("meta.json", i + 14)
        if j >= 0:
            start = i
            while start > 0 and start > i - 512 and s[start - 1] not in " \t\"'`(":
                start -= 1
            end = j + len("meta.json")
            path, tail = s[start:end], s[end:].lstrip(": ")
    if not path and "failed to read metadata" not in low:
        return None
    return _d(config_path=path, json_error=tail)


def _api_new(s: str, low: str) -> Details | None:
    m = _RE_API_NEW.search(low)
    if m is None:  # the first sentence alone, as dockerode's "(HTTP code 400) unexpected - ..." cuts it
        m1 = _RE_API_NEW_ALONE.search(low)
        return _d(client_api_version=m1.group(1)) if m1 else None
    return _d(client_api_version=m.group(1), server_max_api_version=m.group(2))


def _api_old(s: str, low: str) -> Details | None:
    m = _RE_API_OLD.search(low)
    if m is None:
        m1 = _RE_API_OLD_ALONE.search(low)
        return _d(client_api_version=m1.group(1)) if m1 else None
    return _d(client_api_version=m.group(1), server_min_api_version=m.group(2))


def _api_client(s: str, low: str) -> Details | None:
    m = _RE_API_CLIENT.search(low)
    return _d(server_api_version=m.group(1), client_min_api_version=m.group(2)) if m else None


def _api_invalid(s: str, low: str) -> Details | None:
    m = _RE_API_INVALID.search(low)
    return {"docker_api_version": clip(s[m.start(1) : m.end(1)])} if m else None


def _reply_https(s: str, low: str) -> Details | None:
    return _d(reply="Client sent an HTTP request to an HTTPS server.")


# The CLI quotes the first bytes it got (Go %q). A TLS record starts \x15\x03 / \x16\x03:
# a TLS port spoken to in plain HTTP. An HTTP/2 frame header starts \x00\x00 (a SETTINGS
# frame): a gRPC server such as containerd, which is not the Docker API (verified: docker
# 20.10 and 28.2 against containerd 1.6's socket). The CLI adds its TLS hint to both.
def _malformed_h2(s: str, low: str) -> Details | None:
    if not _RE_H2_FRAME.search(low):
        return None
    return _d(reply=s[low.find("malformed http response") :])


def _unsolicited_h2(s: str, low: str) -> Details | None:
    # Only with the quoted HTTP/2 frame: `readLoopPeekFailLocked: <nil>` alone names no server.
    m = _RE_UNSOLICITED_H2.search(low)
    if m is None:
        return None
    return _d(reply=s[m.start() :].splitlines()[0])


def _malformed_tls(s: str, low: str) -> Details | None:
    if _RE_H2_FRAME.search(low):
        return None
    return _d(reply=s[low.find("malformed http response") :])


def _tls_tail(s: str, low: str) -> Details | None:
    return _d(tls_error=after_colon_tail(s))


def _ca_missing(s: str, low: str) -> Details | None:
    return _d(tls_error=s[max(0, low.find("open ")) :])


def _ssh_exit(s: str, low: str) -> Details | None:
    m = _RE_SSH_EXIT.search(low)
    e = _RE_SSH_STDERR.search(s)
    return _d(ssh_exit_status=m.group(1) if m else "", ssh_stderr=e.group(1) if e else "")


def _ssh_reason(s: str, low: str) -> Details | None:
    return _d(reason=s[low.find("ssh") :])


def _ssh_missing(s: str, low: str) -> Details | None:
    return _d(reason="ssh executable not found")


def _pipe_error_text(s: str, low: str) -> str:
    for k in (*_NO_SUCH_FILE, *_LOCALIZED_MISSING):
        i = low.find(k)
        if i >= 0:
            return s[i : i + len(k)]
    i = low.find("pipe")
    j = s.find(": ", i)
    return s[j + 2 : j + 120] if j >= 0 else ""


def _py_pipe(low: str) -> bool:
    return "(2, 'createfile'" in low or "(2, 'waitnamedpipe'" in low


def _pipe_denied(s: str, low: str) -> Details | None:
    m = _RE_PIPE.search(s)
    if not (m or _py_pipe(low)):
        return None
    return _d(pipe=m.group(1) if m else "", errno="EACCES")


def _pipe_missing(s: str, low: str) -> Details | None:
    py_pipe = _py_pipe(low)
    m = None
    opened = False
    for i, found in enumerate(_RE_PIPE.finditer(s)):
        m = m or found
        before = low[max(0, found.start() - 16) : found.start()]
        # "exception: " / "exception (": a Java exception naming the pipe it could not open — JDK's
        # FileNotFoundException "PATH (REASON)" (io_util_md.c) or NIO's NoSuchFileException "PATH"
        # (docker-java@002b6eb7 docker-java-transport/.../NamedPipeSocket.java:53 opens the pipe with
        # AsynchronousFileChannel.open); testcontainers-java prints "Root cause FileNotFoundException (...)"
        if before.endswith(("open ", "connect ", "enoent ", 'error "', "exception: ", "exception (")):
            m, opened = found, True
            break
        if i >= 4:
            break
    if not (m or py_pipe):
        return None
    opened = opened or (
        m is not None and "at npipe:" in low and any(k in low for k in (*_NO_SUCH_FILE, *_LOCALIZED_MISSING))
    )
    if not (py_pipe or opened):
        return None
    return _d(pipe=m.group(1) if m else "", errno="ENOENT", errno_text=_pipe_error_text(s, low))


def _eacces(s: str, low: str) -> Details | None:
    return _d(errno="EACCES", errno_text="permission denied")


def _enoent(s: str, low: str) -> Details | None:
    return _d(errno="ENOENT", errno_text="no such file or directory")


def _refused(s: str, low: str) -> Details | None:
    return _d(errno="ECONNREFUSED", errno_text="connection refused")


def _dns(s: str, low: str) -> Details | None:
    return _d(errno_text=after_colon_tail(s))


_RE_GO_RESOLVER = re.compile(r"lookup ([^\s:]{1,256}) on (\[?[0-9a-f.:]{2,64}\]?):53: ([^\n]{0,240})")


def _go_resolver(s: str, low: str) -> Details | None:
    """``lookup HOST on SERVER:53: ERR``: Go's resolver could not ask SERVER about HOST."""
    m = _RE_GO_RESOLVER.search(low)
    if m is None:
        return None
    return _d(host=s[m.start(1) : m.end(1)], dns_server=m.group(2) + ":53", errno_text=m.group(3).strip())


def _timeout(s: str, low: str) -> Details | None:
    return _d(errno="ETIMEDOUT")


def _python_error(s: str, low: str) -> Details | None:
    m = _RE_PYERR.search(low)
    return _d(python_error=m.group(0)) if m else None


# a path or scheme looked up as a host name: Go "lookup unix", Java "UnknownHostException: tcp",
# Node "getaddrinfo ENOTFOUND unix" / "EAI_AGAIN", a path percent-encoded into the host ("lookup %2fvar")
_RE_HOST_PATH = re.compile(
    r"""(?:lookup|unknown host|error "|unknownhostexception:|enotfound|eai_again)\s?"""
    r"""(/[^\s:"']{1,256}|%2f[^\s:"']{1,256}|unix|npipe|tcp|http)\b"""
)


def _host_is_a_path(s: str, low: str) -> Details | None:
    m = _RE_HOST_PATH.search(low)
    return _d(docker_host=m.group(1), reason="a path or scheme was looked up as a host name") if m else None


def _after_colon(s: str, low: str) -> Details | None:
    return _d(reply=after_colon_tail(s))


EXTRACTORS: dict[str, Extractor] = {
    "go_resolver": _go_resolver,
    "wsl_command": _wsl_command,
    "shim_podman": _shim_podman,
    "config_parse": _config_parse,
    "config_load": _config_load,
    "bind_address": _bind_address,
    "parse_host": _parse_host,
    "reason_protocol": _reason_protocol,
    "reason_proto": _reason_proto,
    "reason_line": _reason_line,
    "context_name": _context_name,
    "context_endpoint": _context_endpoint,
    "meta_path": _meta_path,
    "api_new": _api_new,
    "api_old": _api_old,
    "api_client": _api_client,
    "api_invalid": _api_invalid,
    "reply_https": _reply_https,
    "malformed_h2": _malformed_h2,
    "unsolicited_h2": _unsolicited_h2,
    "malformed_tls": _malformed_tls,
    "tls_tail": _tls_tail,
    "ca_missing": _ca_missing,
    "ssh_exit": _ssh_exit,
    "ssh_reason": _ssh_reason,
    "ssh_missing": _ssh_missing,
    "pipe_denied": _pipe_denied,
    "pipe_missing": _pipe_missing,
    "eacces": _eacces,
    "enoent": _enoent,
    "refused": _refused,
    "dns": _dns,
    "timeout": _timeout,
    "python_error": _python_error,
    "after_colon": _after_colon,
    "host_is_a_path": _host_is_a_path,
}


# --------------------------------------------------------------------------------------
# Endpoints

# A placeholder people write into a path: {USER}, <user>, $USER, ${USER}, %USERNAME%.
_PH = r"\{[A-Za-z_][\w .-]{0,40}\}|<[A-Za-z_][\w .-]{0,40}>|\$\{?\w{1,40}\}?|%[A-Za-z_]\w{0,40}%"
_URL_CHAR = r"[^\s\"'`<>|;,()\[\]{}]"
_RE_SCHEME_URL = re.compile(rf"\b(unix|npipe|tcp|ssh)://((?:{_PH}|{_URL_CHAR}){{0,256}})", re.I)
_RE_DIAL_UNIX = re.compile(rf"dial unix ((?:{_PH}|[^\s:\"'<>{{}}]){{1,256}})")
_RE_HTTP_URL = re.compile(
    rf"\bhttps?(?:\+docker|\+unix)?://((?:{_PH}|[^/\s\"'`<>|\]\[(){{}}]){{0,256}})(/[^\s\"'`]{{0,16}})?", re.I
)
_RE_HTTP_EMPTY_HOST = re.compile(r"\bhttps?:///((?:[\w.@+-]{1,64}/){0,16}[\w.@+-]{1,64}\.sock)\b", re.I)
_RE_HTTP_UNIX = re.compile(r"\bhttp\+unix://((?:%2f|/)?[\w.%-]{1,64}(?:/[\w.%-]{1,128}){0,16}\.sock)\b", re.I)
_RE_MACHINE_HOST = re.compile(r'certificates for host "([\w.-]{1,253}):(\d{1,5})"')
# Apache HttpClient's HttpHostConnectException (docker-java's httpclient5 transport, the Gradle and
# Jenkins plugins): "Connect to HOST:PORT [HOST/IP, ...] failed: ..." / "... refused"
_RE_APACHE_CONNECT = re.compile(r"\bconnect to ([a-z0-9][\w.-]{0,252}):(\d{1,5}) \[", re.I)
_RE_JAVA_CONNECT = re.compile(r"failed to connect to ([\w.-]{1,253})/[0-9a-f.:]{2,64}:(\d{1,5})", re.I)
# host/ip:port as Java prints an InetSocketAddress ("localhost/127.0.0.1:2375")
_RE_JAVA_ADDR = re.compile(r"\b([a-z][\w.-]{0,252})/(?:\d{1,3}\.){3}\d{1,3}:(\d{2,5})\b", re.I)
# an address after an errno: Node's "connect ECONNREFUSED 127.0.0.1:2375", .NET's "... refused it. 127.0.0.1:2375",
# Netty's AnnotatedConnectException "Connection refused: /127.0.0.1:2375" (no host name resolved)
_RE_REFUSED_ADDR = re.compile(
    r"(?:econnrefused|etimedout|ehostunreach|refused it\.?|connection refused:?)\s{1,4}\(?/?"
    r"((?:\d{1,3}\.){3}\d{1,3}|localhost|\[[0-9a-f:]{2,64}\]):(\d{2,5})\b",
    re.I,
)
# Netty's AnnotatedConnectException / ConnectTimeoutException append the remote address as
# InetSocketAddress prints it without a host name: "...: /192.168.99.100:2376" (netty/netty@0bb88a3e06
# transport/src/main/java/io/netty/channel/AbstractChannel.java:906/1060 annotateConnectException;
# nio/AbstractNioChannel.java:310 "connection timed out after N ms: " + remoteAddress, in 4.1.100
# AbstractNioChannel.java:263 "connection timed out: "), as docker-java's netty transport and IDE
# plugins report it
_RE_NETTY_ADDR = re.compile(
    r"(?:exception|failed|timed out|information|\d ms): /((?:\d{1,3}\.){3}\d{1,3}):(\d{2,5})\b", re.I
)
# curl/curl@5c61e16869 src/tool_listhelp.c:852 (--unix-socket), lib/cf-ip-happy.c:719 ("Failed to connect to
# %s:%u ... after %ld ms: %s"; before 8.x lib/connect.c "Failed to connect to %s port %u after ...")
_RE_CURL_UNIX = re.compile(r"--unix-socket[ =]([~/$][^\s'\"`]{0,256})")
_RE_CURL_FAILED = re.compile(r"\bfailed to connect to ([\w.-]{1,253}|/[^\s:]{1,256})(?: port |:)(\d{1,5})\b", re.I)
_RE_PY_POOL = re.compile(r"\bHTTPS?ConnectionPool\(host='([^'\n]{1,255})', port=(\d{1,5})\)")
_RE_JAVA_NOFILE = re.compile(r"NoSuchFileException \((/[^)\s]{1,512})\)")
_RE_SSH_CMD = re.compile(r"command \[ssh ([^\]\n]{1,512})\]")
_RE_DIAL_TCP = re.compile(r"dial tcp (\[[0-9a-fA-F:.]{2,64}\]|[A-Za-z0-9][A-Za-z0-9.\-]{0,253}):(\d{1,5})\b")
_RE_CONNECT_NODE = re.compile(r"connect (?:ENOENT|EACCES|ECONNREFUSED) ((?:/|\\\\)[^\s'\"]{1,256})")
_RE_QUOTED_DAEMON = re.compile(r"daemon at '((?:/|unix://|tcp://|npipe://)[^'\s]{1,256}|localhost)'", re.I)
_RE_SOCK_PATH = re.compile(rf"(?<![\w/.~-])((?:~|/)(?:{_PH}|[\w.@+-]|/){{0,256}}\.sock)\b")

_FAKE_HOSTS = frozenset({"docker", "docker.example.com", "ipc", "d", "api.moby.localhost", "localunixsocket", ""})
_TRAIL = ".:;,'\"`*)>]"


def _norm_unix(path: str) -> str | None:
    path = path.rstrip(_TRAIL)
    if "*" in path:
        return None  # a Docker Desktop-internal vsock name or a redaction, not an endpoint
    if path and path[0] not in "/~$%{<":
        return None  # a relative name (docker.raw.sock): a socket inside a VM, not the client's endpoint
    if path.endswith("..."):
        path = path[:-3]
    if "%" in path:
        path = unquote(path)
    if path.startswith("/"):
        path = "/" + path.lstrip("/")
    return "unix://" + path


def _norm_pipe(name: str) -> str:
    return "npipe:////./pipe/" + name.rstrip(_TRAIL)


def _norm_unix_url(rest: str) -> str | None:
    if rest.rstrip("/").lower() in ("localhost:80", "localhost"):
        # the placeholder URI of a unix-socket transport, not an address: docker-java@002b6eb7
        # docker-java-transport-jersey/.../UnixConnectionSocketFactory.java:58 and spotify
        # docker-client's UnixConnectionSocketFactory.sanitizeUri (the socket path is elsewhere)
        return None
    if re.fullmatch(r"[\w.-]{1,253}:\d{1,5}/?", rest):
        return "tcp://" + rest.rstrip("/")  # unix://host:port: a TCP address given the wrong scheme
    return _norm_unix(rest) if rest.strip("/") else None


def _norm_scheme_url(scheme: str, rest: str) -> str | None:
    scheme = scheme.lower()
    rest = rest.rstrip(_TRAIL)
    while rest.endswith("..."):
        rest = rest[:-3].rstrip(_TRAIL)
    if scheme == "unix":
        return _norm_unix_url(rest)
    if scheme == "npipe":
        m = re.search(r"pipe[/\\]([A-Za-z0-9_.\-]{1,128})", rest)
        return _norm_pipe(m.group(1)) if m else None
    if not rest or "**" in rest:
        return None  # nothing, or a host redacted as **ip** (Markdown bold)
    return ("tcp://" if scheme == "tcp" else "ssh://") + rest.rstrip("/")


def _norm_http_host(host: str, path: str) -> str | None:
    """The endpoint behind a request URL: ``http://%2Fvar%2Frun%2Fdocker.sock/v1.44/...``."""
    host = host.rstrip(".:;,")
    if "%" in host:
        decoded = unquote(unquote(host))
        if decoded.startswith(("//./pipe/", "\\\\.\\pipe\\")):
            return _norm_pipe(re.split(r"[/\\]", decoded)[-1])
        if decoded.startswith("/"):
            return _norm_unix(decoded)
        host = decoded
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    if not port.isdigit():
        name, port = host, ""
    if not port and name.lower() in _FAKE_HOSTS:
        return None  # the CLI's dummy hosts for unix, npipe and ssh transports
    # Only a URL that looks like a Docker API request names the endpoint (not docs links).
    if port or path.startswith(("/v1.", "/_ping", "/version", "/info")):
        return "tcp://" + host
    return None


def _ssh_from_command(args: str) -> str | None:
    """``ssh [-l user] [-p port] [flags] -- host docker system dial-stdio`` (R7.1)."""
    toks = args.split()
    user = port = host = ""
    i = 0
    while i < len(toks):
        t = toks[i]
        if t == "--":
            if not host and i + 1 < len(toks):
                host = toks[i + 1]
            break
        if t in ("-l", "-p", "-o", "-i", "-F") and i + 1 < len(toks):
            if t == "-l":
                user = toks[i + 1]
            elif t == "-p":
                port = toks[i + 1]
            i += 2
            continue
        if not t.startswith("-") and not host:
            host = t  # before v23 the host came before "--"
        i += 1
    if not host:
        return None
    if "@" in host:
        user, host = host.split("@", 1)
    if "*" in host:
        return None  # redacted (**ip**)
    return "ssh://" + (user + "@" if user else "") + host + (":" + port if port else "")


def _http_unix(s: str) -> str | None:
    m = _RE_HTTP_UNIX.search(s) or _RE_HTTP_EMPTY_HOST.search(s)
    return _norm_unix("/" + unquote(m.group(1)).lstrip("/")) if m else None


def _scheme_url(s: str) -> str | None:
    m = _RE_SCHEME_URL.search(s)
    return _norm_scheme_url(m.group(1), m.group(2)) if m else None


def _ssh_command(s: str) -> str | None:
    m = _RE_SSH_CMD.search(s)
    return _ssh_from_command(m.group(1)) if m else None


def _pipe_name(s: str) -> str | None:
    m = _RE_PIPE.search(s)
    return _norm_pipe(m.group(1)) if m else None


def _http_request(s: str) -> str | None:
    for m in _RE_HTTP_URL.finditer(s):
        ep = _norm_http_host(m.group(1), m.group(2) or "")
        if ep:
            return ep
    return None


def _curl_failed(s: str) -> str | None:
    """curl's "Failed to connect to HOST port N" (before 8.x) / "HOST:N" (8.x); a path is a socket."""
    m = _RE_CURL_FAILED.search(s)
    if m is None:
        return None
    host = m.group(1)
    return _norm_unix(host) if host.startswith("/") else f"tcp://{host}:{m.group(2)}"


def _node_connect(s: str) -> str | None:
    m = _RE_CONNECT_NODE.search(s)
    if m is None:
        return None
    p = m.group(1)
    return _norm_pipe(re.split(r"[/\\]", p)[-1]) if "pipe" in p.lower() else _norm_unix(p)


def _quoted_daemon(s: str) -> str | None:
    m = _RE_QUOTED_DAEMON.search(s)
    if m is None:
        return None
    p = m.group(1)
    if p == "localhost":
        # Spring Boot's buildpack client names its default unix socket 'localhost'.
        low = s.lower()
        return "unix:///var/run/docker.sock" if "[2] no such file" in low or "[13] permission" in low else None
    return _norm_unix(p) if p.startswith("/") else endpoint_in(p)


def _unix_path(rx: re.Pattern[str]) -> Callable[[str], str | None]:
    """A finder for ``unix://PATH`` from group 1 of ``rx``."""

    def find(s: str) -> str | None:
        m = rx.search(s)
        return _norm_unix(m.group(1)) if m else None

    return find


def _host_port(*patterns: re.Pattern[str]) -> Callable[[str], str | None]:
    """A finder for ``tcp://HOST:PORT`` from the first pattern that matches (groups 1 and 2)."""

    def find(s: str) -> str | None:
        for rx in patterns:
            m = rx.search(s)
            if m:
                return f"tcp://{m.group(1)}:{m.group(2)}"
        return None

    return find


# In order: a URL the line spells out beats an address read from an errno or a stack frame.
_FINDERS: tuple[Callable[[str], str | None], ...] = (
    _http_unix,
    _scheme_url,
    _ssh_command,
    _unix_path(_RE_DIAL_UNIX),
    _pipe_name,
    _unix_path(_RE_CURL_UNIX),  # curl --unix-socket PATH http://localhost/...: the socket, not the URL's host
    _http_request,
    _host_port(_RE_PY_POOL),
    _unix_path(_RE_JAVA_NOFILE),
    _host_port(_RE_DIAL_TCP),
    _node_connect,
    _quoted_daemon,
    _host_port(_RE_MACHINE_HOST),
    _host_port(_RE_JAVA_CONNECT, _RE_APACHE_CONNECT, _RE_REFUSED_ADDR, _RE_JAVA_ADDR, _RE_NETTY_ADDR),
    _curl_failed,
)


def endpoint_in(s: str) -> str | None:
    """The endpoint one cleaned line names, normalised to a URL; ``None`` when it names none."""
    for find in _FINDERS:
        ep = find(s)
        if ep:
            return ep
    return None


def socket_path_in(s: str) -> str | None:
    """A bare socket path (``/var/run/docker.sock``) when the line names no URL."""
    if ".sock" not in s:
        return None
    for i, m in enumerate(_RE_SOCK_PATH.finditer(s)):
        if i >= 8:
            break
        if s[m.end() : m.end() + 2] == ":/" or s[max(0, m.start() - 3) : m.start()] in ("-v ", "ck:"):
            continue  # a bind mount (-v /var/run/docker.sock:/var/run/docker.sock), not an endpoint
        if s[max(0, m.start() - 14) : m.start()].lower() == "checked path: ":
            continue  # testcontainers-go@5dec9ddf8 internal/core/docker_rootless.go:15-18: places it looked, in vain
        return _norm_unix(m.group(1))
    return None
