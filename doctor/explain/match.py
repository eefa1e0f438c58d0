"""Read a pasted error text or command output, without touching the machine.

``read_error`` classifies an error text (from the docker CLI, docker-py, compose,
buildx, testcontainers, podman, ...) by *symptom* (the ids in causes.md), names the
endpoint the text mentions, the client that printed it, a CLI version range
suggested by the wording, and the cause the text alone establishes.

``read_paste`` recognises pasted ``docker version``, ``docker info`` and
``docker context ls`` output (text and JSON) and falls back to an error log.

Both are pure and total: no I/O, they never raise, and they run in time linear in
the input. The text is never scanned line by line in Python: candidate lines are
found with ``str.find`` on a small set of keywords (C speed), each keyword's hits
are capped, and every regex runs on a window of at most ``_WINDOW`` characters
around a hit. The regexes have no nested unbounded quantifiers.

Sources for every wording: cli-resolution.md (R1-R10 and its error-message table).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote

__all__ = ["ErrorReading", "PasteReading", "read_error", "read_paste"]

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ErrorReading:
    """What an error text says on its own (see causes.md, "Symptoms")."""

    symptom: str
    endpoint: str | None = None
    client: str | None = None
    cli_version_hint: str | None = None
    cause: str | None = None
    details: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PasteReading:
    """What a pasted ``docker version`` / ``docker info`` / ``docker context ls`` says."""

    kind: str
    facts: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    warnings: tuple[str, ...] = ()
    server_error: ErrorReading | None = None


# --------------------------------------------------------------------------------------
# Limits. They bound the work per hit, so the total stays linear in the input size.

_WINDOW = 2048  # characters kept on each side of a keyword hit
_HITS_FORWARD = 48  # hits per keyword taken from the start of the text
_HITS_BACKWARD = 16  # ... and from its end (the real error is often the last line)
_MAX_LINES = 1200  # candidate lines classified in total
_EVIDENCE_LEN = 240
_DETAIL_LEN = 500
_PASTE_JSON_LIMIT = 4_000_000  # characters handed to the JSON decoder

# --------------------------------------------------------------------------------------
# Text preparation

_ANSI = re.compile(
    r"\x1b\[[0-9;?]{0,32}[ -/]{0,4}[@-~]"  # CSI sequences (colours, cursor)
    r"|\x1b\][^\x07\x1b\n]{0,256}(?:\x07|\x1b\\)?"  # OSC (titles, hyperlinks)
    r"|\x1b[()][0-9A-Za-z]"
    r"|\^\[\[[0-9;]{0,32}m"  # colour codes pasted as caret notation
    r"|\\u001b\[[0-9;]{0,32}m"  # JSON-escaped colour codes
    r"|\\x1b\[[0-9;]{0,32}m"
)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _prepare(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text or "^[[" in text or "u001b[" in text or "x1b[" in text:
        text = _ANSI.sub("", text)
    return text


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # a few code points lower-case to two; keep indices aligned
        low = text.translate(_ASCII_LOWER)
    return low


# Log-level and decoration prefixes removed before a line is read.
_PREFIX = re.compile(
    r"^(?:\s{0,16}(?:"
    r"\d{4}-\d\d-\d\dT[0-9:.]{1,20}Z?"  # ISO timestamps (GitHub Actions)
    r"|\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})?"  # Go log timestamps
    r"|\[\d{4}-\d\d-\d\dT[^\]]{1,40}\]"
    r"|\d\d:\d\d:\d\d(?:\.\d{1,9})?"
    r"|(?:ERRO|FATA|WARN|INFO|DEBU)\[\d{1,6}\]"  # logrus
    r"|::error::|::warning::"
    r"|#\d{1,5}(?: \d{1,6}\.\d{1,4})?"  # BuildKit step numbers
    r"|\[\+\]"
    r"|>{1,8}"  # markdown quotes
    r"|(?:E|ERROR|CRITICAL|FATAL|WARNING|WARN|INFO)\s{0,4}[-:|]"
    r"|\[(?:ERROR|WARN|WARNING|INFO|FAIL)\]"
    r"|\|"
    r")\s{0,8}){1,6}"
)
_LOGFMT_MSG = re.compile(r'(?:^|\s)(?:msg|message|error|err)="((?:[^"\\]|\\.){1,4000})"')


def _clean(line: str) -> str:
    """One physical line, reduced to the message it carries."""
    s = line.strip()
    if 'msg="' in s or 'error="' in s or 'err="' in s:
        m = _LOGFMT_MSG.search(s)
        if m:
            s = m.group(1)
    if '\\"' in s:
        s = s.replace('\\"', '"')
    if "\\t" in s:
        s = s.replace("\\t", " ")
    return s.strip()


def _strip_prefix(s: str) -> str:
    m = _PREFIX.match(s)
    if m and m.end() < len(s):
        s = s[m.end() :]
    return s.strip()


def _segments(s: str) -> list[str]:
    """A JSON- or logfmt-encoded message may carry several lines as literal ``\\n``."""
    if "\\n" in s and ('{"' in s or '":"' in s or '": "' in s or "msg" in s):
        return [p for p in (x.strip() for x in s.split("\\n")) if p]
    return [s]


# --------------------------------------------------------------------------------------
# Candidate lines: located by cheap substring search on the lower-cased text.

_KEYWORDS: tuple[str, ...] = (
    "docker daemon",
    "docker api",
    "connect to docker",
    "is it running",
    "error during connect",
    "failed to initialize",
    "docker endpoint",
    "permission denied",
    "permissionerror",
    "errno",
    "no such file",
    "filenotfounderror",
    "connection refused",
    "connectionrefused",
    "actively refused",
    "no such host",
    "name or service not known",
    "nodename nor servname",
    "name resolution",
    "i/o timeout",
    "deadline exceeded",
    "timed out",
    "timeout",
    "x509",
    "tls",
    "certificate",
    "https server",
    "https client",
    "malformed http response",
    "api version",
    "client version",
    "context not found",
    "' not found",
    "does not exist",
    "is not found on the file system",
    "meta.json",
    "bind address",
    "parse docker host",
    "protocol not available",
    "invalid proto",
    "only supported on windows",
    "protocol is not implemented",
    "config file",
    "exit status",
    "dial-stdio",
    "ssh",
    "pipe",
    "createfile",
    "unix domain socket",
    "nosuchfileexception",
    "socketnotfound",
    "page not found",
    "returned a 404",
    "supports the requested api version",
    "error reading json",
    "valid docker environment",
    "docker environment failed",
    "rootless docker not found",
    "may not be installed",
    "docker provider",
    "could not be found in this wsl",
    "emulate docker cli using podman",
    "podman",
    "error while fetching server",
    "connection aborted",
    ".sock",
    "%2f",
)


def _candidate_spans(low: str) -> list[tuple[int, int]]:
    n = len(low)
    spans: set[tuple[int, int]] = set()

    def add(idx: int) -> None:
        lo = max(0, idx - _WINDOW)
        start = low.rfind("\n", lo, idx) + 1 or lo
        hi = min(n, idx + _WINDOW)
        end = low.find("\n", idx, hi)
        spans.add((start, hi if end < 0 else end))

    for kw in _KEYWORDS:
        pos = low.find(kw)
        if pos < 0:
            continue
        first: list[int] = []
        while pos >= 0 and len(first) < _HITS_FORWARD:
            first.append(pos)
            pos = low.find(kw, pos + len(kw))
        for p in first:
            add(p)
        if pos >= 0:  # more hits than we take from the front: take the last ones too
            back = n
            floor = first[-1] + len(kw)
            for _ in range(_HITS_BACKWARD):
                p = low.rfind(kw, floor, back)
                if p < 0:
                    break
                add(p)
                back = p
    ordered = sorted(spans)
    if len(ordered) > _MAX_LINES:
        half = _MAX_LINES // 2
        ordered = ordered[:half] + ordered[-half:]
    return ordered


# --------------------------------------------------------------------------------------
# Signals: what one line says.


@dataclass(slots=True)
class _Signal:
    rank: int
    symptom: str
    pos: int
    line: str
    details: dict[str, str]
    cause: str | None = None
    cause_set: bool = False  # the rule fixed the cause (possibly to None)


_R_WSL = 100
_R_SHIM = 95
_R_CONFIG = 90
_R_HOST = 88
_R_CONTEXT = 87
_R_META = 86
_R_API = 85
_R_HTTPS = 81
_R_TLS = 80
_R_SSH = 75
_R_PIPE = 70
_R_EACCES = 68
_R_ENOENT = 66
_R_REFUSED = 64
_R_DNS = 63
_R_TIMEOUT = 60
_R_NOTAPI = 55
_R_NOENV = 50
_R_GENERIC = 45
_R_TLS_HINT = 40
_R_UNKNOWN = 10

_RE_H2_FRAME = re.compile(r'malformed http response "\\x00\\x00')

_RE_WSL_CMD = re.compile(r"the command '([^'\n]{1,64})' could not be found in this wsl")
_RE_CFG_PARSE = re.compile(r"error parsing config file \(([^)\n]{1,512})\):\s?(.{0,512})", re.I)
_RE_CFG_LOAD = re.compile(r"error loading config file:\s?(.{0,1024})", re.I)
_RE_CTX_NOTFOUND = re.compile(r'context "([^"\n]{0,256})": context not found')
_RE_CTX_NOTEXIST = re.compile(r'context "([^"\n]{0,256})" does not exist')
_RE_CTX_CURRENT = re.compile(r'current context "([^"\n]{0,256})" is not found on the file system')
_RE_CTX_PY = re.compile(r"context '([^'\n]{0,256})' not found")
_RE_CTX_ENDPOINT = re.compile(r'docker endpoint for "([^"\n]{0,256})" not found')
_VER = r"([0-9]{1,3}\.[0-9]{1,3})"
_RE_API_NEW = re.compile(
    rf"client version {_VER} is too new\.? maximum supported api version is {_VER}"
)
_RE_API_OLD = re.compile(
    rf"client version {_VER} is too old\.? minimum supported api version is {_VER}"
)
_RE_API_CLIENT = re.compile(
    rf"api version {_VER} is not supported by this client: "
    rf"the minimum supported api version is {_VER}"
)
_RE_API_INVALID = re.compile(r"invalid api version \(([^)\n]{0,64})\)")
_RE_BIND = re.compile(r"invalid bind address (?:format|protocol):\s?(.{0,256})", re.I)
_RE_PARSE_HOST = re.compile(r"unable to parse docker host `([^`\n]{0,256})`")
_RE_SSH_EXIT = re.compile(r"exited with exit status (\d{1,3})")
_RE_SSH_STDERR = re.compile(r"stderr=(.{0,512})")
_RE_PIPE = re.compile(r"(?://\./pipe/|\\{1,4}\.\\{1,2}pipe\\{1,2})([A-Za-z0-9_.\-]{1,128})", re.I)
_RE_PYERR = re.compile(
    r"(filenotfounderror|permissionerror|connectionrefusederror)\((\d{1,3}),\s?'([^'\n]{0,64})'"
)

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
)
_ACCESS_DENIED = ("access is denied", "accès refusé", "zugriff verweigert", "acesso negado")


def _clip(s: str, n: int = _DETAIL_LEN) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _signals(raw: str, pos: int) -> list[_Signal]:
    s = _clean(raw)
    if not s:
        return []
    low = _lower(s)
    out: list[_Signal] = []

    def sig(rank: int, symptom: str, **details: str) -> _Signal:
        d = {k: _clip(v) for k, v in details.items() if v}
        x = _Signal(rank, symptom, pos, s, d)
        out.append(x)
        return x

    # -- things that are not the Docker CLI at all ---------------------------------
    if "could not be found in this wsl" in low:
        m = _RE_WSL_CMD.search(low)
        sig(_R_WSL, "wsl-stub", command=m.group(1) if m else "")
    if "emulate docker cli using podman" in low:
        sig(_R_SHIM, "cli-shim", shim="podman-docker")

    # -- configuration --------------------------------------------------------------
    if "config file" in low:
        m = _RE_CFG_PARSE.search(s)
        if m:
            sig(_R_CONFIG, "config-parse", config_path=m.group(1), json_error=m.group(2))
        else:
            m = _RE_CFG_LOAD.search(s)
            if m:
                path, err = _split_config_error(m.group(1))
                sig(_R_CONFIG, "config-parse", config_path=path, json_error=err)
    if "bind address" in low:
        m = _RE_BIND.search(s)
        if m:
            sig(_R_HOST, "invalid-host", docker_host=m.group(1).strip())
    if "parse docker host" in low:
        m = _RE_PARSE_HOST.search(s)
        sig(_R_HOST, "invalid-host", docker_host=m.group(1) if m else "")
    if "protocol not available" in low and (
        "failed to initialize" in low or low.startswith("protocol")
    ):
        sig(_R_HOST, "invalid-host", reason="protocol not available")
    if "invalid proto, expected" in low:
        sig(_R_HOST, "invalid-host", reason=s[low.find("invalid proto") :])
    if (
        "npipe:// protocol is only supported on windows" in low
        or "fd protocol is not implemented" in low
    ):
        sig(_R_HOST, "invalid-host", reason=s)

    # -- contexts -------------------------------------------------------------------
    if "context" in low:
        for rx in (_RE_CTX_NOTFOUND, _RE_CTX_CURRENT, _RE_CTX_NOTEXIST, _RE_CTX_PY):
            m = rx.search(s) if rx is not _RE_CTX_CURRENT else rx.search(low)
            if m:
                name = s[m.start(1) : m.end(1)] if rx is _RE_CTX_CURRENT else m.group(1)
                sig(_R_CONTEXT, "context-not-found", context=name)
                break
    if "docker endpoint" in low:
        m = _RE_CTX_ENDPOINT.search(s)
        if m:
            x = sig(_R_CONTEXT, "context-not-found", context=m.group(1))
            x.cause_set = True  # the context exists but carries no docker endpoint
        elif "cannot find docker endpoint in context" in low:
            x = sig(_R_CONTEXT, "context-not-found")
            x.cause_set = True
    if "meta.json" in low or "failed to read metadata" in low:
        path, tail = _meta_path(s, low)
        if path or "failed to read metadata" in low:
            sig(_R_META, "config-parse", config_path=path, json_error=tail)

    # -- API versions ---------------------------------------------------------------
    if "version" in low:
        m = _RE_API_NEW.search(low)
        if m:
            sig(
                _R_API,
                "api-version",
                client_api_version=m.group(1),
                server_max_api_version=m.group(2),
            )
        m = _RE_API_OLD.search(low)
        if m:
            sig(
                _R_API,
                "api-version",
                client_api_version=m.group(1),
                server_min_api_version=m.group(2),
            )
        m = _RE_API_CLIENT.search(low)
        if m:
            sig(
                _R_API,
                "api-version",
                server_api_version=m.group(1),
                client_min_api_version=m.group(2),
            )
        m = _RE_API_INVALID.search(low)
        if m:
            sig(_R_API, "api-version", docker_api_version=s[m.start(1) : m.end(1)])

    # -- TLS --------------------------------------------------------------------------
    if "client sent an http request to an https server" in low:
        sig(_R_HTTPS, "http-to-https", reply="Client sent an HTTP request to an HTTPS server.")
    if "malformed http response" in low:
        reply = s[low.find("malformed http response") :]
        # The CLI quotes the first bytes it got (Go %q). A TLS record starts
        # \x15\x03 / \x16\x03: a TLS port spoken to in plain HTTP. An HTTP/2 frame
        # header starts \x00\x00 (a SETTINGS frame): a gRPC server such as
        # containerd, which is not the Docker API (verified: docker 20.10 and 28.2
        # against containerd 1.6's socket). The CLI adds its TLS hint to both.
        if _RE_H2_FRAME.search(low):
            sig(_R_HTTPS, "not-docker-api", reply=reply)
        else:
            sig(_R_HTTPS, "http-to-https", reply=reply)
    elif "tls-enabled daemon without tls" in low:
        sig(_R_TLS_HINT, "http-to-https")
    registry = "error response from daemon" in low  # the daemon's own pull failed: not ours
    if not registry and any(
        k in low
        for k in (
            "x509:",
            "tls: failed to verify",
            "remote error: tls",
            "tls: first record does not look like",
            "server gave http response to https client",
            "client authentication (--tlsverify)",
            "remote error: bad certificate",
            "tlsparametererror",
            "path to a certificate and key files must be provided",
            "ca.pem seems invalid",
            "private key is encrypted",
            "no valid private key found",
        )
    ):
        sig(_R_TLS, "tls", tls_error=_after_colon_tail(s))
    if "ca.pem" in low and any(k in low for k in _NO_SUCH_FILE):
        sig(_R_TLS, "tls", tls_error=s[max(0, low.find("open ")) :])

    # -- ssh --------------------------------------------------------------------------
    if "exit status" in low and ("dial-stdio" in low or "ssh" in low):
        m = _RE_SSH_EXIT.search(low)
        e = _RE_SSH_STDERR.search(s)
        sig(
            _R_SSH,
            "ssh",
            ssh_exit_status=m.group(1) if m else "",
            ssh_stderr=e.group(1) if e else "",
        )
    if "ssh host connection is not valid" in low or "invalid ssh url" in low:
        sig(_R_SSH, "ssh", reason=s[low.find("ssh") :])
    if 'exec: "ssh"' in low:
        sig(_R_SSH, "ssh", reason="ssh executable not found")

    # -- Windows named pipes --------------------------------------------------------------
    if "pipe" in low:
        m = _RE_PIPE.search(s)
        py_pipe = "(2, 'createfile'" in low or "(2, 'waitnamedpipe'" in low
        if m or py_pipe:
            pipe = m.group(1) if m else ""
            opened = m is not None and (
                low[max(0, m.start() - 5) : m.start()] == "open " or "at npipe:" in low
            )
            if any(k in low for k in _ACCESS_DENIED):
                sig(_R_EACCES, "permission-denied", pipe=pipe, errno="EACCES")
            elif py_pipe or opened:
                text = _pipe_error_text(s, low)
                sig(_R_PIPE, "named-pipe-missing", pipe=pipe, errno="ENOENT", errno_text=text)

    # -- errno family (most specific first) ------------------------------------------------
    py = _RE_PYERR.search(low)
    if (
        "while trying to connect" in low
        or "connect: permission denied" in low
        or "permissionerror" in low
        or "errno 13" in low
        or ("native connect() failed" in low and "permission denied" in low)
        or ("permission denied" in low and (".sock" in low or "dial unix" in low))
    ) and "config file" not in low:
        sig(_R_EACCES, "permission-denied", errno="EACCES", errno_text="permission denied")
    if (
        any(k in low for k in ("no such file or directory", "filenotfounderror", "errno 2]"))
        and (
            "dial unix" in low or ".sock" in low or "filenotfounderror" in low or "errno 2]" in low
        )
        and "meta.json" not in low
        and "ca.pem" not in low
        and "config file" not in low
    ) or any(
        k in low
        for k in (
            "could not find unix domain socket",
            "socketnotfounderror",
            "nosuchfileexception (/",
        )
    ):
        sig(_R_ENOENT, "socket-missing", errno="ENOENT", errno_text="no such file or directory")
    if (
        "connection refused" in low
        or "connectionrefusederror" in low
        or "actively refused" in low
        or "econnrefused" in low
        or "errno 111]" in low
    ):
        sig(_R_REFUSED, "connection-refused", errno="ECONNREFUSED", errno_text="connection refused")
    if any(
        k in low
        for k in (
            "no such host",
            "name or service not known",
            "nodename nor servname",
            "temporary failure in name resolution",
            "getaddrinfo failed",
            "server misbehaving",
        )
    ) or ("lookup " in low and "i/o timeout" in low):
        sig(_R_DNS, "dns-failure", errno_text=_after_colon_tail(s))
    if any(
        k in low
        for k in (
            "i/o timeout",
            "deadline exceeded",
            "timed out",
            "timeoutexception",
            "timeout waiting",
            "etimedout",
        )
    ):
        sig(_R_TIMEOUT, "timeout", errno="ETIMEDOUT")
    if py and not out:
        sig(_R_UNKNOWN, "unknown", python_error=py.group(0))

    # -- something answers, but not the Docker API ----------------------------------------
    if any(
        k in low
        for k in (
            "page not found",
            "api returned a 404",
            "supports the requested api version",
            "error reading json",
        )
    ):
        sig(_R_NOTAPI, "not-docker-api", reply=_after_colon_tail(s))

    # -- "no environment" from SDKs and tools -------------------------------------------
    if any(
        k in low
        for k in (
            "could not find a valid docker environment",
            "previous attempts to find a docker environment failed",
            "rootless docker not found",
            "docker may not be installed or running",
            "failed to create docker provider",
        )
    ):
        sig(_R_NOENV, "no-environment")

    # -- the generic "is it running?" -----------------------------------------------------
    if any(
        k in low
        for k in (
            "cannot connect to the docker daemon",
            "is the docker daemon running",
            "couldn't connect to docker daemon",
            "docker daemon is not running",
            "cannot connect to podman",
            "unable to connect to podman",
            "failed to connect to the docker api",
        )
    ) or ("error while fetching server api version" in low and "connection aborted" in low):
        sig(_R_GENERIC, "daemon-not-running")
    elif "error during connect" in low or "an error occurred trying to connect" in low:
        sig(_R_UNKNOWN, "unknown")
    return out


def _meta_path(s: str, low: str) -> tuple[str, str]:
    """The path of a context's meta.json in an error line, and what follows it."""
    i = low.find("contexts/meta/")
    if i < 0:
        i = low.find("contexts\\meta\\")
    if i < 0:
        return "", ""
    j = low.find("meta.json", i + 14)
    if j < 0:
        return "", ""
    start = i
    while start > 0 and start > i - 512 and s[start - 1] not in " \t\"'`(":
        start -= 1
    end = j + len("meta.json")
    return s[start:end], s[end:].lstrip(": ")


def _after_colon_tail(s: str) -> str:
    """The last one or two ``: ``-separated parts: the innermost cause of a Go error."""
    parts = s.rsplit(": ", 2)
    return ": ".join(parts[-2:]) if len(parts) >= 2 else s


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


def _pipe_error_text(s: str, low: str) -> str:
    for k in (*_NO_SUCH_FILE, *_LOCALIZED_MISSING):
        i = low.find(k)
        if i >= 0:
            return s[i : i + len(k)]
    i = low.find("pipe")
    j = s.find(": ", i)
    return s[j + 2 : j + 120] if j >= 0 else ""


# --------------------------------------------------------------------------------------
# Endpoints

_RE_SCHEME_URL = re.compile(r"\b(unix|npipe|tcp|ssh)://([^\s\"'`<>|;,()\[\]{}]{0,512})", re.I)
_RE_DIAL_UNIX = re.compile(r"dial unix (/{0,3}[^\s:\"']{1,512})")
_RE_HTTP_URL = re.compile(
    r"\bhttps?(?:\+docker|\+unix)?://([^/\s\"'`<>|\]\[()]{0,512})(/[^\s\"'`]{0,16})?", re.I
)
_RE_PY_POOL = re.compile(r"\bHTTPS?ConnectionPool\(host='([^'\n]{1,255})', port=(\d{1,5})\)")
_RE_JAVA_NOFILE = re.compile(r"NoSuchFileException \((/[^)\s]{1,512})\)")
_RE_SSH_CMD = re.compile(r"command \[ssh ([^\]\n]{1,512})\]")
_RE_DIAL_TCP = re.compile(
    r"dial tcp (\[[0-9a-fA-F:.]{2,64}\]|[A-Za-z0-9][A-Za-z0-9.\-]{0,253}):(\d{1,5})\b"
)

_FAKE_HOSTS = frozenset(
    {"docker", "docker.example.com", "ipc", "d", "api.moby.localhost", "localunixsocket", ""}
)


def _norm_unix(path: str) -> str:
    path = path.rstrip(".:;,")
    if path.startswith("/"):
        path = "/" + path.lstrip("/")
    return "unix://" + path


def _norm_pipe(name: str) -> str:
    return "npipe:////./pipe/" + name.rstrip(".:;,")


def _norm_scheme_url(scheme: str, rest: str) -> str | None:
    scheme = scheme.lower()
    rest = rest.rstrip(".:;,'\"`*")
    if scheme == "unix":
        return _norm_unix(rest) if rest else None
    if scheme == "npipe":
        m = re.search(r"pipe[/\\]([A-Za-z0-9_.\-]{1,128})", rest)
        return _norm_pipe(m.group(1)) if m else None
    if not rest:
        return None
    if scheme == "tcp":
        return "tcp://" + rest.rstrip("/")
    return "ssh://" + rest.rstrip("/")


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
    return "ssh://" + (user + "@" if user else "") + host + (":" + port if port else "")


def _endpoint_in(s: str) -> str | None:
    m = _RE_SCHEME_URL.search(s)
    if m:
        ep = _norm_scheme_url(m.group(1), m.group(2))
        if ep:
            return ep
    m = _RE_SSH_CMD.search(s)
    if m:
        ep = _ssh_from_command(m.group(1))
        if ep:
            return ep
    m = _RE_DIAL_UNIX.search(s)
    if m:
        return _norm_unix(m.group(1))
    m = _RE_PIPE.search(s)
    if m:
        return _norm_pipe(m.group(1))
    for m in _RE_HTTP_URL.finditer(s):
        ep = _norm_http_host(m.group(1), m.group(2) or "")
        if ep:
            return ep
    m = _RE_PY_POOL.search(s)
    if m:
        return f"tcp://{m.group(1)}:{m.group(2)}"
    m = _RE_JAVA_NOFILE.search(s)
    if m:
        return _norm_unix(m.group(1))
    m = _RE_DIAL_TCP.search(s)
    if m:
        return f"tcp://{m.group(1)}:{m.group(2)}"
    return None


# --------------------------------------------------------------------------------------
# Clients

_CLIENT_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "podman",
        (
            "emulate docker cli using podman",
            "cannot connect to podman",
            "unable to connect to podman",
            "podman system connection",
            "/libpod/",
        ),
    ),
    (
        "testcontainers-java",
        (
            "org.testcontainers",
            "clientproviderstrategy",
            "o.t.d.",
            "testcontainers.org",
            "java.testcontainers",
        ),
    ),
    (
        "testcontainers-go",
        (
            "testcontainers-go",
            "rootless docker not found",
            "mustextractdockerhost",
            "github.com/testcontainers/",
        ),
    ),
    (
        "testcontainers-python",
        ("testcontainers/core", "testcontainers.core", "site-packages/testcontainers"),
    ),
    (
        "compose-v1",
        (
            "http+docker://",
            "http+unix://",
            "compose/cli/",
            "specify the url with the docker_host environment variable",
            "failed to execute script docker-compose",
            "docker-compose returned",
            "docker-compose==1.",
            "docker-compose version 1.",
            "' failed to build",
        ),
    ),
    (
        "buildx",
        (
            "failed to initialize builder",
            "error: failed to build",
            "error: failed to solve",
            "docker-buildx",
            "buildx_buildkit",
            "docker buildx",
            "buildx/activity",
        ),
    ),
    (
        "compose",
        (
            "com.docker.compose",
            "unable to get image",
            "docker compose version v2",
            "[+] running",
            "[+] building",
            'docker endpoint for "',
        ),
    ),
    (
        "docker-py",
        (
            "error while fetching server api version",
            "docker.errors.",
            "dockerexception",
            "unixhttpconnectionpool",
            "docker/api/client.py",
            "docker/transport/",
            "('connection aborted.'",
            "400 client error",
            "404 client error",
            "httpconnectionpool(",
            "docker.context.",
        ),
    ),
)

# Messages the docker CLI prints at the start of a line (after log prefixes).
_CLI_STARTS: tuple[str, ...] = (
    "cannot connect to the docker daemon",
    "got permission denied while trying",
    "permission denied while trying to connect",
    "failed to connect to the docker api",
    "error during connect",
    "failed to initialize",
    "docker: ",
    "error response from daemon",
    "warning: error",
    "error parsing config file",
    "error loading config file",
    "unable to resolve docker endpoint",
    "invalid bind address",
    'context "',
    "an error occurred trying to connect",
    "get http",
    "post http",
    'get "http',
    'post "http',
    'head "http',
    "open //./pipe",
    "open \\\\.\\pipe",
    "the command 'docker'",
    "current context",
    "conflicting options",
    "this error may",
    "in the default daemon configuration",
    "protocol not available",
    "ssh host connection",
    "invalid api version",
)


def _marker_client(low: str) -> str | None:
    """A client named by what surrounds the message (stack frames, banners, URLs)."""
    for name, marks in _CLIENT_MARKERS:
        if (
            name == "docker-py"
            and "docker-compose" in low
            and ("traceback (most recent call last)" in low or "urllib3" in low)
        ):
            return "compose-v1"  # the Python docker-compose, which embeds docker-py
        if any(m in low for m in marks):
            return name
    if "com.docker.diagnose" in low:
        return "unknown"  # Docker Desktop's diagnose tool quoting an error
    if "docker build" in low and any(
        re.match(r"\s{0,16}(?:#\d{1,5} )?error: ", ln) is not None
        for ln in low.split("\n", 400)[:400]
    ):
        return "buildx"  # BuildKit's "ERROR: " decoration under `docker build`
    return None


def _head_client(line: str) -> str | None:
    """``docker-cli`` when the line carries a docker CLI message as such (not quoted)."""
    head = _strip_prefix(line).lstrip("`'\" *")
    if head.startswith("Error: "):  # a tool's own wrapper around the daemon's reply
        return None
    hl = _lower(head)
    if re.match(r"dd\d{4}: ", hl):
        return None
    if hl.startswith("the command '") and not hl.startswith("the command 'docker'"):
        return None
    if hl.startswith(_CLI_STARTS):
        return "docker-cli"
    for quote in ("`", '"'):  # a message quoted inside a sentence
        i = hl.find(quote)
        for _ in range(8):
            if i < 0:
                break
            if hl[i + 1 :].lstrip().startswith(_CLI_STARTS):
                return "docker-cli"
            i = hl.find(quote, i + 1)
    return None


def _client(low: str, lines: Iterable[str]) -> str:
    by_marker = _marker_client(low)
    if by_marker:
        return by_marker
    for line in lines:
        c = _head_client(line)
        if c:
            return c
    return "unknown"


# --------------------------------------------------------------------------------------
# CLI version hints (R1.2, R1.5, R1.8, R2.3, R5.1, R7.3, R8.2, R8.3, R8.4, R8.5, table)

_HINTS: tuple[tuple[str, str], ...] = (
    ("Got permission denied while trying to connect to the Docker daemon socket", "<=20.10"),
    ("permission denied while trying to connect to the Docker daemon socket", "23.0-28.x"),
    ("permission denied while trying to connect to the docker API at", "29.0+"),
    ("failed to connect to the docker API at", "29.0+"),
    ("Cannot connect to the Docker daemon. Is the docker daemon running on this host?", "<=1.12"),
    ("This error may also indicate that the docker daemon is not running.", "17.x-19.03"),
    ("This error may indicate that the docker daemon is not running.:", "20.10"),
    ("client must be run with elevated privileges to connect.:", "20.10"),
    ("this error may indicate that the docker daemon is not running:", "23.0-28.x"),
    (
        "in the default daemon configuration on Windows, the docker client must be run with",
        "23.0-28.x",
    ),
    ("WARNING: Error parsing config file (", "28.0+"),
    ("Error loading config file: open ", "27.0+"),
    (": : ", "27.x"),
    ("Error loading config file", "<=26.1"),
    ('" does not exist', "19.03-20.10"),
    ("is not found on the file system, please check your config file", "19.03-20.10"),
    ("unable to resolve docker endpoint: Invalid bind address", "19.03-20.10"),
    ("Invalid bind address format", "<=20.10"),
    ("invalid bind address format", "23.0+"),
    ("please make sure the URL is valid, and Docker 18.09", "19.03-26.x"),
    ("make sure the URL is valid, and Docker 18.09", "27.0+"),
    (
        "The server probably has client authentication (--tlsverify) enabled. Please check",
        "<=20.10",
    ),
    ("the server probably has client authentication (--tlsverify) enabled; check", "23.0+"),
    ("invalid API version (", "29.0+"),
    ("conflicting options: cannot specify both --host and --context", "28.0+"),
    ("conflicting options: either specify --host or --context, not both", "23.0-27.x"),
    ("Failed to initialize: ", "23.0+"),
    ("Run 'docker run --help' for more information", "28.0-29.1.2"),
    ("See 'docker run --help'.", "<=27.x"),
)
_HINT_CLIENTS = frozenset({"docker-cli", "buildx", "compose", "unknown"})


def _hint(lines: Iterable[str]) -> str | None:
    for line in lines:
        for needle, hint in _HINTS:
            if needle in line:
                if needle == ": : " and "Error loading config file" not in line:
                    continue
                return hint
    return None


# --------------------------------------------------------------------------------------
# Causes the text alone establishes (causes.md)

_FIXED_CAUSE: Mapping[str, str] = MappingProxyType(
    {
        "permission-denied": "permission-denied",
        "tls": "tls-error",
        "http-to-https": "tls-error",
        "api-version": "api-version-mismatch",
        "context-not-found": "context-not-found",
        "invalid-host": "invalid-docker-host",
        "config-parse": "invalid-config",
        "ssh": "ssh-error",
        "named-pipe-missing": "named-pipe-missing",
        "wsl-stub": "wsl-integration-disabled",
        "dns-failure": "tcp-unreachable",
    }
)
_NETWORK_SYMPTOMS = frozenset(
    {"connection-refused", "timeout", "daemon-not-running", "dns-failure"}
)


def _cause(sig: _Signal, endpoint: str | None) -> str | None:
    if sig.cause_set:
        return sig.cause
    if sig.symptom in _NETWORK_SYMPTOMS and endpoint:
        if endpoint.startswith("ssh://"):
            return "ssh-error"
        if endpoint.startswith("tcp://"):
            return "tcp-unreachable"
    return _FIXED_CAUSE.get(sig.symptom)


# --------------------------------------------------------------------------------------
# read_error


def read_error(text: str) -> ErrorReading:
    """Classify an error text. Pure, linear in ``len(text)``, never raises."""
    try:
        return _read_error(text)
    except Exception as exc:  # a parser bug must not take `cdoctor explain` down
        return ErrorReading(
            symptom="unknown",
            details=MappingProxyType({"internal_error": type(exc).__name__}),
        )


def _read_error(text: object) -> ErrorReading:
    if not isinstance(text, str):
        text = (
            bytes(text).decode("utf-8", "surrogateescape")
            if isinstance(text, (bytes, bytearray))
            else str(text)
        )
    text = _prepare(text)
    low = _lower(text)
    signals: list[_Signal] = []
    lines: list[str] = []
    for start, end in _candidate_spans(low):
        raw = text[start:end]
        lines.append(raw)
        for seg in _segments(_clean(raw)):
            signals.extend(_signals(seg, start))

    if not signals:  # nothing we classify; still say what the text names
        cleaned = [_clean(x) for x in lines[:64]]
        client = _client(low, cleaned) if lines else None
        for c in cleaned:
            ep = _endpoint_in(c)
            if ep:
                return ErrorReading(
                    symptom="unknown",
                    endpoint=ep,
                    client=client if client != "unknown" else None,
                    evidence=(_clip(c, _EVIDENCE_LEN),),
                )
        return ErrorReading(symptom="unknown", client=client if client != "unknown" else None)

    best = max(signals, key=lambda x: (x.rank, -x.pos))
    symptom = best.symptom
    details: dict[str, str] = dict(best.details)

    if symptom == "cli-shim":  # say also what the shim itself went on to report
        inner = [x for x in signals if x.symptom != "cli-shim" and x.rank > _R_UNKNOWN]
        if inner:
            details["inner_symptom"] = max(inner, key=lambda x: (x.rank, -x.pos)).symptom

    # The endpoint: from the deciding line first, then from the other candidate lines.
    endpoint: str | None = None
    if symptom not in ("invalid-host", "context-not-found", "wsl-stub", "cli-shim"):
        endpoint = _endpoint_in(best.line)
        if endpoint is None:
            for x in sorted(signals, key=lambda x: (-x.rank, x.pos)):
                endpoint = _endpoint_in(x.line)
                if endpoint:
                    break
        if endpoint is None:
            for raw in lines[:64]:
                endpoint = _endpoint_in(_clean(raw))
                if endpoint:
                    break
    if (
        endpoint
        and endpoint.startswith("npipe:")
        and "pipe" not in details
        and symptom == "named-pipe-missing"
    ):
        details["pipe"] = endpoint.rsplit("/", 1)[-1]

    client = _client(low, [best.line])
    hint: str | None = None
    if client in _HINT_CLIENTS:
        hint = _hint([best.line, *(x.line for x in signals)])

    details["line"] = _clip(best.line)
    evidence: list[str] = [_clip(best.line, _EVIDENCE_LEN)]
    for x in sorted(signals, key=lambda x: (-x.rank, x.pos)):
        q = _clip(x.line, _EVIDENCE_LEN)
        if q not in evidence and x.symptom != symptom:
            evidence.append(q)
        if len(evidence) >= 3:
            break

    return ErrorReading(
        symptom=symptom,
        endpoint=endpoint,
        client=client,
        cli_version_hint=hint,
        cause=_cause(best, endpoint),
        details=MappingProxyType(details),
        evidence=tuple(evidence),
    )


# --------------------------------------------------------------------------------------
# read_paste


def read_paste(text: str) -> PasteReading:
    """Recognise pasted ``docker version`` / ``docker info`` / ``docker context ls``."""
    try:
        return _read_paste(text)
    except Exception as exc:  # never fail a support triage on a strange paste
        return PasteReading(
            kind="error-log",
            facts=MappingProxyType({"internal_error": type(exc).__name__}),
            server_error=read_error(text) if isinstance(text, str) else None,
        )


def _read_paste(text: object) -> PasteReading:
    if not isinstance(text, str):
        text = str(text)
    t = _prepare(text)
    head = t[:_PASTE_JSON_LIMIT]
    reading = _paste_json(head)
    if reading is None:
        reading = _paste_text(head)
    if reading is None:
        reading = PasteReading(kind="error-log", server_error=read_error(t))
    return reading


# -- JSON ------------------------------------------------------------------------------

_RE_JSON_PAIR = re.compile(
    r'"([A-Za-z][A-Za-z0-9_]{0,63})":\s?("(?:[^"\\\n]|\\.){0,512}"|true|false|null|-?[0-9]{1,20})'
)


def _first_json_start(t: str) -> int:
    """Index of the first line that starts a JSON value, within the first 40 lines."""
    pos = 0
    for _ in range(40):
        i = pos
        while i < len(t) and t[i] in " \t":
            i += 1
        if i < len(t) and t[i] in "{[":
            return i
        nl = t.find("\n", pos)
        if nl < 0:
            return -1
        pos = nl + 1
    return -1


def _paste_json(t: str) -> PasteReading | None:
    start = _first_json_start(t)
    if start < 0:
        return None
    dec = json.JSONDecoder()
    values: list[Any] = []
    try:
        first, end = dec.raw_decode(t, start)
        values.append(first)
        # `docker context ls --format json`: one object per line.
        pos = end
        for _ in range(1000):
            while pos < len(t) and t[pos] in " \t\n":
                pos += 1
            if pos >= len(t) or t[pos] != "{":
                break
            v, pos = dec.raw_decode(t, pos)
            values.append(v)
    except (ValueError, RecursionError):
        if not values:
            return _paste_json_fragment(t[start:])
    return _paste_from_values(values)


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _paste_from_values(values: list[Any]) -> PasteReading | None:
    first = values[0]
    if isinstance(first, list):
        values = list(first)
        first = values[0] if values else None
    if not isinstance(first, dict):
        return None
    if "DockerEndpoint" in first and "Name" in first:
        return _contexts([v for v in values if isinstance(v, dict)], "context-ls-json")
    if "Client" in first or (
        "Server" in first and isinstance(first.get("Server"), (dict, type(None)))
    ):
        return _version_json(first)
    if any(
        k in first
        for k in ("ServerVersion", "OperatingSystem", "KernelVersion", "ServerErrors", "ClientInfo")
    ):
        return _info_json(first)
    return None


def _paste_json_fragment(t: str) -> PasteReading | None:
    """A truncated JSON paste: pick the flat ``"Key": value`` pairs we know."""
    pairs: dict[str, str] = {}
    for m in _RE_JSON_PAIR.finditer(t[:1_000_000]):
        k, v = m.group(1), m.group(2)
        if k in pairs:
            continue
        if v.startswith('"'):
            try:
                v = json.loads(v)
            except ValueError:
                v = v.strip('"')
        pairs[k] = v
    if "DockerEndpoint" in pairs:
        return _contexts([pairs], "context-ls-json")
    pairs.pop("Name", None)  # in a cut-off `docker info` the first "Name" is a nested one
    if any(k in pairs for k in ("ServerVersion", "OperatingSystem", "KernelVersion")):
        return _info_json(pairs)
    return None


def _sec_names(opts: Iterable[Any]) -> list[str]:
    names: list[str] = []
    for o in opts:
        for part in _s(o).split(","):
            if part.startswith("name="):
                names.append(part[5:])
    return names


def _info_json(d: Mapping[str, Any]) -> PasteReading:
    f: dict[str, str] = {}
    for key, fact in (
        ("ServerVersion", "server_version"),
        ("KernelVersion", "kernel"),
        ("OperatingSystem", "operating_system"),
        ("OSType", "os"),
        ("Architecture", "arch"),
        ("Name", "name"),
        ("CgroupDriver", "cgroup_driver"),
        ("CgroupVersion", "cgroup_version"),
        ("Driver", "storage_driver"),
        ("DockerRootDir", "docker_root_dir"),
        ("DefaultRuntime", "default_runtime"),
    ):
        if d.get(key) not in (None, ""):
            f[fact] = _s(d[key])
    sec = d.get("SecurityOptions")
    if isinstance(sec, list):
        names = _sec_names(sec)
        f["security_options"] = ",".join(names)
        f["rootless"] = "true" if "rootless" in names else "false"
    ci = d.get("ClientInfo")
    if isinstance(ci, dict):
        if ci.get("Version"):
            f["client_version"] = _s(ci["Version"])
        if ci.get("Context"):
            f["context"] = _s(ci["Context"])
    warnings = (
        tuple(_s(w) for w in d.get("Warnings") or () if w)
        if isinstance(d.get("Warnings"), list)
        else ()
    )
    errs = d.get("ServerErrors")
    server_error = None
    if isinstance(errs, list) and errs:
        server_error = read_error("\n".join(_s(e) for e in errs))
    return PasteReading("docker-info-json", MappingProxyType(f), warnings, server_error)


def _version_json(d: Mapping[str, Any]) -> PasteReading:
    f: dict[str, str] = {}
    c = d.get("Client")
    if isinstance(c, dict):
        for key, fact in (
            ("Version", "client_version"),
            ("ApiVersion", "client_api_version"),
            ("Context", "context"),
            ("Os", "client_os"),
            ("Arch", "client_arch"),
        ):
            if c.get(key):
                f[fact] = _s(c[key])
        p = c.get("Platform")
        if isinstance(p, dict) and p.get("Name"):
            f["client_platform_name"] = _s(p["Name"])
    sv = d.get("Server")
    server_error = None
    if isinstance(sv, dict):
        for key, fact in (
            ("Version", "server_version"),
            ("ApiVersion", "api_version"),
            ("MinAPIVersion", "min_api_version"),
            ("Os", "os"),
            ("Arch", "arch"),
            ("KernelVersion", "kernel"),
        ):
            if sv.get(key):
                f[fact] = _s(sv[key])
        p = sv.get("Platform")
        if isinstance(p, dict) and p.get("Name"):
            f["platform_name"] = _s(p["Name"])
    elif "Server" in d:
        f["server"] = "unreachable"
    return PasteReading("docker-version-json", MappingProxyType(f), (), server_error)


def _contexts(rows: Sequence[Mapping[str, Any]], kind: str) -> PasteReading:
    f: dict[str, str] = {}
    names: list[str] = []
    for r in rows:
        name = _s(r.get("Name"))
        names.append(name)
        if r.get("Current") in (True, "true"):
            f["context"] = name
            if r.get("DockerEndpoint"):
                f["endpoint"] = _s(r["DockerEndpoint"])
            if r.get("Error"):
                f["context_error"] = _s(r["Error"])
    f["contexts"] = ",".join(names)
    f["context_count"] = str(len(names))
    return PasteReading(kind, MappingProxyType(f))


# -- text --------------------------------------------------------------------------------

_RE_KV = re.compile(r"^( {1,12})([A-Za-z][A-Za-z0-9 /()._-]{0,40}?):(?:\s{1,40}(.{0,512}))?$")


def _paste_text(t: str) -> PasteReading | None:
    low = _lower(t)
    lines = t.split("\n", 5000)[:5000]
    for ln in lines[:200]:
        st = ln.strip()
        if st.startswith("NAME") and "DOCKER ENDPOINT" in st:
            return _context_table(lines)
    has_client = (
        re.search(r"(?m)^\s{0,4}client(?::| [^\n:]{0,80}:)\s*$", low[:2_000_000]) is not None
    )
    has_server = re.search(r"(?m)^\s{0,4}server(?::| [^\n:]{0,80}:)", low[:2_000_000]) is not None
    # `docker info` before 19.03 printed the server's fields at column 0, with no
    # Client:/Server: headings (e.g. treehouses/builder#215): read it as a server section.
    head = "\n" + low[:2_000_000]  # substring tests: a regex over megabytes of log costs 0.1 s
    if "\nserver version:" in head and "\nstorage driver:" in head:
        indented = [" " + ln if ln.strip() and not ln.lstrip().lower().startswith("warning") else ln for ln in lines]
        return _info_text(["Server:", *indented])
    if not (has_client or has_server):
        return None
    if any(k in low for k in ("debug mode:", "server version:", " containers:", "storage driver:")):
        return _info_text(lines)
    if "api version:" in low or "git commit:" in low:
        return _version_text(lines)
    return None


def _context_table(lines: list[str]) -> PasteReading:
    rows: list[dict[str, Any]] = []
    f_over = False
    started = False
    for ln in lines:
        st = ln.strip()
        if not started:
            started = st.startswith("NAME") and "DOCKER ENDPOINT" in st
            continue
        if not st:
            continue
        if st.lower().startswith("warning: docker_host environment variable overrides"):
            f_over = True
            continue
        toks = st.split()
        name = toks[0]
        current = name.endswith("*") or (len(toks) > 1 and toks[1] == "*")
        name = name.rstrip("*").strip()
        endpoint = next((x for x in toks if "://" in x), "")
        rows.append({"Name": name, "Current": current, "DockerEndpoint": endpoint})
    reading = _contexts(rows, "context-ls")
    if f_over:
        facts = dict(reading.facts)
        facts["docker_host_overrides_context"] = "true"
        reading = PasteReading(reading.kind, MappingProxyType(facts))
    return reading


def _sections(lines: list[str]) -> Iterable[tuple[str, str, int, str, str, str]]:
    """Yield (section, subsection, indent, key, value, raw) for each line."""
    section = sub = ""
    for raw in lines:
        if not raw.strip():
            continue
        if raw[:1] not in (" ", "\t"):
            head = raw.strip()
            hl = head.lower()
            if hl.startswith("client"):
                section, sub = "client", ""
                yield section, sub, 0, "", head[len("client") :].strip(" :"), raw
                continue
            if hl.startswith("server"):
                section, sub = "server", ""
                yield section, sub, 0, "", head[len("server") :].strip(" :"), raw
                continue
            yield section, sub, 0, "", "", raw
            continue
        m = _RE_KV.match(raw[:600].expandtabs(2))
        if not m:
            yield section, sub, len(raw) - len(raw.lstrip()), "", raw.strip(), raw
            continue
        indent, key, value = len(m.group(1)), m.group(2).strip(), (m.group(3) or "").strip()
        if indent == 1 and not value and section == "server":
            sub = key.lower()
        yield section, sub, indent, key, value, raw


def _version_text(lines: list[str]) -> PasteReading:
    f: dict[str, str] = {}
    errors: list[str] = []
    saw_server_data = False
    for section, sub, indent, key, value, raw in _sections(lines):
        if indent == 0 and not key:
            if section == "client" and raw.strip().lower().startswith("client") and value:
                f["client_platform_name"] = value
            elif section == "server" and raw.strip().lower().startswith("server"):
                if value:
                    f["platform_name"] = value
            elif raw.strip() and not raw.lstrip().startswith(("$", "#", ">", "PS ", "C:\\")):
                errors.append(raw.strip())
            continue
        k = key.lower()
        if section == "client":
            if k == "version":
                f["client_version"] = value
            elif k == "api version":
                f["client_api_version"] = value.split()[0] if value else ""
            elif k == "context":
                f["context"] = value
            elif k == "os/arch":
                f["client_os"], _, f["client_arch"] = value.partition("/")
        elif section == "server" and sub in ("", "engine"):
            saw_server_data = saw_server_data or bool(key)
            if k == "version":
                f["server_version"] = value
            elif k == "api version":
                m = re.match(r"([0-9.]{1,10})(?:\s*\(minimum version ([0-9.]{1,10})\))?", value)
                if m:
                    f["api_version"] = m.group(1)
                    if m.group(2):
                        f["min_api_version"] = m.group(2)
            elif k == "os/arch":
                f["os"], _, f["arch"] = value.partition("/")
            elif k == "kernel version":
                f["kernel"] = value
            elif k == "experimental":
                f["experimental"] = value
        elif section == "server" and sub == "containerd" and k == "version":
            f["containerd_version"] = value
        elif section == "server" and sub == "runc" and k == "version":
            f["runc_version"] = value
        elif section == "server" and not key and value.upper().startswith("ERROR"):
            errors.append(value)
    server_error = read_error("\n".join(errors)) if errors and not saw_server_data else None
    if server_error is not None and server_error.symptom == "unknown":
        server_error = None
    return PasteReading(
        "docker-version", MappingProxyType({k: v for k, v in f.items() if v}), (), server_error
    )


_INFO_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "server version": "server_version",
        "kernel version": "kernel",
        "operating system": "operating_system",
        "ostype": "os",
        "architecture": "arch",
        "name": "name",
        "cgroup driver": "cgroup_driver",
        "cgroup version": "cgroup_version",
        "storage driver": "storage_driver",
        "docker root dir": "docker_root_dir",
        "default runtime": "default_runtime",
        "containers": "containers",
        "images": "images",
        "cpus": "cpus",
        "total memory": "total_memory",
    }
)


def _info_text(lines: list[str]) -> PasteReading:
    f: dict[str, str] = {}
    warnings: list[str] = []
    errors: list[str] = []
    sec_opts: list[str] = []
    sec_indent = -1
    saw_server_data = False
    for section, _sub, indent, key, value, raw in _sections(lines):
        st = raw.strip()
        if sec_indent >= 0:
            if indent > sec_indent and section == "server":
                if not key and st and ":" not in st:
                    sec_opts.append(st)
                continue
            sec_indent = -1
        if section == "server" and st.startswith("WARNING:"):
            warnings.append(st)
            continue
        if section == "server" and (st.startswith("ERROR:") or st == "errors pretty printing info"):
            if st.startswith("ERROR:"):
                errors.append(st)
            continue
        if indent == 0 and not key:
            if section == "server" and not st.lower().startswith("server") and st:
                errors.append(st)
            continue
        k = key.lower()
        if section == "client":
            if k == "version" and indent == 1:
                f["client_version"] = value
            elif k == "context":
                f["context"] = value
            continue
        if section != "server":
            continue
        if k == "security options" and indent >= 1:
            sec_indent = indent
            continue
        fact = _INFO_KEYS.get(k)
        if fact and indent == 1 and value:
            f[fact] = value
            saw_server_data = True
    if sec_indent >= 0 or sec_opts:
        f["security_options"] = ",".join(sec_opts)
        f["rootless"] = "true" if "rootless" in sec_opts else "false"
    server_error = None
    if errors and not saw_server_data:
        server_error = read_error("\n".join(errors))
    return PasteReading("docker-info", MappingProxyType(f), tuple(warnings), server_error)


# Exposed for tests that want to check the pieces.
_endpoint_for_tests: Callable[[str], str | None] = _endpoint_in
