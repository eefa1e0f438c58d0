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
http.client's BadStatusLine / LineTooLong / RemoteDisconnected /
IncompleteRead / HTTPException for what is not (complete) HTTP.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from typing import TYPE_CHECKING

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


def get(target: Target, path: str, *, timeout: float, limit: int) -> Response:
    """GET `path`; the whole exchange ends within `timeout` seconds or raises."""
    deadline = time.monotonic() + timeout
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
        conn = http.client.HTTPConnection(target.host_header)
        conn.sock = sock  # already connected: http.client only frames the exchange
        conn.putrequest("GET", target.base_path + path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", target.host_header)
        conn.putheader("User-Agent", USER_AGENT)
        conn.endheaders()
        resp = conn.getresponse()
        headers = {str(k): str(v) for k, v in list(resp.getheaders())[:64]}
        body = resp.read(limit + 1)
        if len(body) <= limit and resp.length:
            # read(amt) returns what came before the server hung up; a short body is a cut answer.
            raise http.client.IncompleteRead(body, resp.length)
        return Response(resp.status, headers, body)
    except Exception as e:
        if expired.is_set() or isinstance(e, TimeoutError):
            raise ReadTimeout(f"no complete answer within {timeout:.1f}s") from e
        raise
    finally:
        timer.cancel()
        with contextlib.suppress(OSError):
            sock.close()
