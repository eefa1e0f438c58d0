"""A minimal, bounded HTTP/1.1 GET for Docker-API endpoints (unix sockets and tcp, with or without TLS).

Why not docker-py/requests: importing them costs ~0.2 s, more than the whole
diagnosis of a healthy engine, and their read timeout is per `recv`, so a
server that drips one byte a second is never timed out. Here one deadline
bounds the whole request — connect, TLS handshake, headers and body — and
every size is capped: at most `limit` body bytes are read whatever
Content-Length says, and http.client refuses header lines over 64 KiB and
more than 100 headers.

Failures keep the exception types the probe classifier knows
(doctor.gather.dockerapi.classify): OSError with its errno for connect failures,
`ConnectTimeout` when connect does not finish in time, `ReadTimeout`
(a TimeoutError) when the answer does not, ssl.SSLError for TLS, and
BadStatusLine / LineTooLong / RemoteDisconnected / IncompleteRead /
HTTPException for what is not (complete) HTTP.

The response is read here, not by http.client: importing http.client imports
ssl and the email package (~40 ms at every start on a 2-core machine), for a
status line, a few headers and a body. What is read, and every error and its
message, is what http.client's HTTPResponse does for a GET (CPython 3.11
Lib/http/client.py: _read_status, _read_headers, the length and chunked
rules of begin() and _read_chunked); tests/test_startup.py compares the two.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

from doctor.facts.record import field, record

if TYPE_CHECKING:  # ssl is imported by the first TLS connection, not by every run
    import ssl

USER_AGENT = "cdoctor"


class ConnectTimeout(TimeoutError):
    """The endpoint did not accept the connection within the deadline."""


class ReadTimeout(TimeoutError):
    """The endpoint accepted the connection but did not answer within the deadline."""


@record
class Target:
    scheme: str  # "unix" | "tcp"
    address: str  # unix: the socket path; tcp: host:port
    tls: ssl.SSLContext | None = None
    base_path: str = ""

    @property
    def host_header(self) -> str:
        # docker-py and the CLI send a placeholder host for unix sockets.
        return "localhost" if self.scheme == "unix" else self.address


@record
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""  # at most limit + 1 bytes: one more than the cap says "too large"


def tls_context(*, verify: bool, ca: str | None, cert: str | None, key: str | None) -> ssl.SSLContext:
    """The client side of docker's TLS: the given CA (else the system's) and an optional client cert."""
    import ssl

    ctx = ssl.create_default_context(cafile=ca) if verify else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # Verify as the docker CLI (Go's crypto/x509) does, not stricter: Python 3.13 turned on
    # VERIFY_X509_STRICT, which refuses a CA without a keyUsage extension, such as the one
    # older docker:dind entrypoints make (`openssl req -x509 -subj '/CN=docker:dind CA'`).
    ctx.verify_flags &= ~ssl.VERIFY_X509_STRICT
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert and key:
        ctx.load_cert_chain(cert, key)
    return ctx


def _split_host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host or "localhost", int(port)


def _connect(target: Target, deadline: float) -> socket.socket:
    remaining = max(0.01, deadline - time.monotonic())
    try:
        if target.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(remaining)
            try:
                sock.connect(target.address)
            except BaseException:
                sock.close()
                raise
        else:
            sock = socket.create_connection(_split_host_port(target.address), timeout=remaining)
    except TimeoutError as e:
        raise ConnectTimeout(f"connect did not finish within {remaining:.1f}s") from e
    return sock


MAX_LINE = 65536  # http.client's _MAXLINE
MAX_HEADERS = 100  # http.client's _MAXHEADERS


class HTTPException(Exception):
    """What is not (complete) HTTP; the names below are http.client's, which classify() reads."""


class BadStatusLine(HTTPException):
    def __init__(self, line: str) -> None:
        super().__init__(line or repr(line))


class LineTooLong(HTTPException):
    def __init__(self, line_type: str) -> None:
        super().__init__(f"got more than {MAX_LINE} bytes when reading {line_type}")


class RemoteDisconnected(ConnectionResetError, BadStatusLine):
    def __init__(self, message: str) -> None:
        ConnectionResetError.__init__(self, message)


class IncompleteRead(HTTPException):
    def __init__(self, partial: bytes, expected: int | None = None) -> None:
        super().__init__(partial)
        self.partial, self.expected = partial, expected

    def __str__(self) -> str:
        more = f", {self.expected} more expected" if self.expected is not None else ""
        return f"IncompleteRead({len(self.partial)} bytes read{more})"


class InvalidURL(HTTPException):
    pass


class UnknownProtocol(HTTPException):
    pass


class _Reader:
    """One response from a buffered socket file, as http.client's HTTPResponse reads a GET's."""

    def __init__(self, fp: Any) -> None:
        self.fp = fp

    def line(self, what: str) -> bytes:
        line: bytes = self.fp.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise LineTooLong(what)
        return line

    def status(self) -> tuple[str, int]:
        raw = self.line("status line")
        if not raw:
            raise RemoteDisconnected("Remote end closed connection without response")
        line = raw.decode("iso-8859-1")
        parts = line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise BadStatusLine(line)
        try:
            status = int(parts[1])
        except ValueError:
            raise BadStatusLine(line) from None
        if not 100 <= status <= 999:
            raise BadStatusLine(line)
        return parts[0], status

    def headers(self) -> list[tuple[str, str]]:
        lines: list[bytes] = []
        while True:
            line = self.line("header line")
            lines.append(line)
            if len(lines) > MAX_HEADERS:
                raise HTTPException(f"got more than {MAX_HEADERS} headers")
            if line in (b"\r\n", b"\n", b""):
                break
        return _parse_headers([raw.decode("iso-8859-1") for raw in lines[:-1]])

    def exactly(self, n: int) -> bytes:
        data: bytes = self.fp.read(n)
        if len(data) < n:
            raise IncompleteRead(data, n - len(data))
        return data

    def chunk_size(self) -> int:
        line = self.line("chunk size").split(b";", 1)[0]
        try:
            return int(line, 16)
        except ValueError:
            raise IncompleteRead(b"") from None

    def chunked(self, amt: int) -> bytes:
        """At most `amt` bytes of a chunked body: http.client's _read_chunked(amt), line for line."""
        parts: list[bytes] = []
        left: int | None = None
        try:
            while True:
                if not left:
                    if left is not None:
                        self.exactly(2)  # the CRLF that ends the chunk before
                    left = self.chunk_size()
                    if left == 0:
                        while self.line("trailer line") not in (b"\r\n", b"\n", b""):
                            pass
                        break
                if amt <= left:
                    parts.append(self.exactly(amt))
                    break
                parts.append(self.exactly(left))
                amt -= left
                left = 0
            return b"".join(parts)
        except IncompleteRead as e:
            raise IncompleteRead(b"".join(parts)) from e


def _is_header_line(line: str) -> bool:
    """The email parser's test for a header line: `From `, a continuation, or `name:` (printable name)."""
    if line.startswith(("From ", " ", "\t")):
        return True
    name, colon, _ = line.partition(":")
    return bool(colon) and all("!" <= c <= "~" for c in name)


def _parse_headers(lines: list[str]) -> list[tuple[str, str]]:
    """(name, value) as email.feedparser (compat32) reads them; the headers end at a line that is not one."""
    out: list[tuple[str, str]] = []
    current: list[str] = []

    def flush() -> None:
        name, _, value = current[0].partition(":")
        out.append((name, (value.lstrip(" \t") + "".join(current[1:])).rstrip("\r\n")))

    for line in lines:
        if not _is_header_line(line):
            break
        if line[0] in " \t":
            if current:
                current.append(line)
            continue
        if current:
            flush()
            current = []
        if line.startswith(("From ", ":")):
            continue  # a mbox From line, or a missing name: not a header
        current = [line]
    if current:
        flush()
    return out


def _request(target: Target, path: str) -> bytes:
    url = target.base_path + path
    bad = next((c for c in url if ord(c) <= 0x20 or ord(c) == 0x7F), None)
    if bad is not None:
        raise InvalidURL(f"URL can't contain control characters. {url!r} (found at least {bad!r})")
    return (f"GET {url} HTTP/1.1\r\nHost: {target.host_header}\r\nUser-Agent: {USER_AGENT}\r\n\r\n").encode(
        "ascii", "strict"
    )


def _response(fp: Any, limit: int) -> Response:
    reader = _Reader(fp)
    version, status = reader.status()
    while status == 100:  # 100 Continue: its headers are skipped, the real answer follows
        reader.headers()
        version, status = reader.status()
    if version not in ("HTTP/1.0", "HTTP/0.9") and not version.startswith("HTTP/1."):
        raise UnknownProtocol(version)
    pairs = reader.headers()
    headers = dict(pairs[:64])
    lower = {k.lower(): v for k, v in reversed(pairs)}  # the first of a repeated header, as email's get()
    if status in (204, 304) or status < 200:
        return Response(status, headers, b"")
    if (lower.get("transfer-encoding") or "").lower() == "chunked":
        return Response(status, headers, reader.chunked(limit + 1))
    length: int | None
    try:
        length = int(lower["content-length"]) if lower.get("content-length") else None
    except ValueError:
        length = None
    if length is not None and length < 0:
        length = None
    want = limit + 1 if length is None else min(limit + 1, length)
    body: bytes = fp.read(want)
    if length is not None and len(body) <= limit and len(body) < length:
        # read(amt) returns what came before the server hung up; a short body is a cut answer.
        raise IncompleteRead(body, length - len(body))
    return Response(status, headers, body)


def get(target: Target, path: str, *, timeout: float, limit: int) -> Response:
    """GET `path`; the whole exchange ends within `timeout` seconds or raises."""
    deadline = time.monotonic() + timeout
    request = _request(target, path)
    sock = _connect(target, deadline)
    expired = threading.Event()

    def expire() -> None:
        # Unblocks a recv that a slow server keeps alive one byte at a time.
        expired.set()
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    timer = threading.Timer(max(0.0, deadline - time.monotonic()), expire)
    timer.daemon = True
    timer.start()
    try:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        if target.tls is not None:
            host = _split_host_port(target.address)[0]
            sock = target.tls.wrap_socket(sock, server_hostname=host if target.tls.check_hostname else None)
        sock.sendall(request)
        with sock.makefile("rb") as fp:
            return _response(fp, limit)
    except Exception as e:
        if expired.is_set() or isinstance(e, TimeoutError):
            raise ReadTimeout(f"no complete answer within {timeout:.1f}s") from e
        raise
    finally:
        timer.cancel()
        with contextlib.suppress(OSError):
            sock.close()
