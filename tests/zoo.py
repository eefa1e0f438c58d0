"""A zoo of hostile servers on unix sockets and loopback TCP (never any other address).

Each server runs on daemon threads inside the test process, serves until
`stop()`, and bounds its own work: every connection handler ends by itself
within `LIFETIME` seconds, so a test that forgets to stop one cannot leave
anything behind after the process ends.

    with Zoo() as zoo:
        host = zoo.unix("silent")          # "unix:///tmp/…/silent.sock"
        host = zoo.tcp("garbage")          # "tcp://127.0.0.1:PORT"

Behaviours: silent (accept, never answer), drip (one byte a second), garbage,
huge-body (valid headers, Content-Length of 8 GiB, body streamed), endless-headers,
tls (a TLS server that is spoken to in plain text), http-on-tls-port is the
client side (plain HTTP server spoken to with TLS), close-mid (closes in the middle
of a response), ping-only (`/_ping` answers as Docker, `/version` hangs), docker
(a minimal healthy Docker API).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

LIFETIME = 30.0  # no handler lives longer than this, whatever happens

PING_OK = (
    b"HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nServer: Docker/24.0.0 (linux)\r\n"
    b"Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK"
)


def _json_response(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


VERSION = (
    b'{"Version":"24.0.0","ApiVersion":"1.43","MinAPIVersion":"1.12","Os":"linux",'
    b'"Arch":"amd64","KernelVersion":"6.1.0","Platform":{"Name":"Docker Engine - Community"}}'
)
INFO = b'{"Name":"zoo","OperatingSystem":"Debian GNU/Linux 12","ServerVersion":"24.0.0","SecurityOptions":[]}'


def _read_request(conn: socket.socket, deadline: float) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and time.monotonic() < deadline and len(data) < 65536:
        if data and not data[:1].isalpha():
            return data  # not HTTP (a TLS ClientHello): answer it as Go's server does
        conn.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = conn.recv(4096)
        except OSError:
            return data
        if not chunk:
            return data
        data += chunk
    return data


def _sleep_until_closed(conn: socket.socket, deadline: float) -> None:
    """Hold the connection open without answering until the client leaves or LIFETIME passes."""
    while time.monotonic() < deadline:
        conn.settimeout(0.5)
        try:
            if conn.recv(4096) == b"":
                return
        except TimeoutError:
            continue
        except OSError:
            return


def silent(conn: socket.socket, deadline: float) -> None:
    _sleep_until_closed(conn, deadline)


def drip(conn: socket.socket, deadline: float) -> None:
    _read_request(conn, deadline)
    for byte in PING_OK[:-2] + b"OK" * 512:
        if time.monotonic() >= deadline:
            return
        conn.sendall(bytes([byte]))
        time.sleep(1.0)


def garbage(conn: socket.socket, deadline: float) -> None:
    _read_request(conn, deadline)
    conn.sendall(os.urandom(4096).replace(b"HTTP", b"XXXX"))


def huge_body(conn: socket.socket, deadline: float) -> None:
    _read_request(conn, deadline)
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nServer: Docker/24.0.0\r\nContent-Length: 8589934592\r\n\r\n"
    )
    chunk = b"O" * 65536
    sent = 0
    while time.monotonic() < deadline and sent < 64 * 1024 * 1024:  # bounded: 64 MiB at most
        try:
            conn.sendall(chunk)
        except OSError:
            return
        sent += len(chunk)


def endless_headers(conn: socket.socket, deadline: float) -> None:
    _read_request(conn, deadline)
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    i = 0
    while time.monotonic() < deadline and i < 1_000_000:
        try:
            conn.sendall(f"X-Header-{i}: {'a' * 64}\r\n".encode())
        except OSError:
            return
        i += 1


def close_mid(conn: socket.socket, deadline: float) -> None:
    _read_request(conn, deadline)
    conn.sendall(b"HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nContent-Length: 1000\r\n\r\nO")


def ping_only(conn: socket.socket, deadline: float) -> None:
    """Docker's /_ping answers; every other path hangs (a daemon stuck behind its API lock)."""
    request = _read_request(conn, deadline)
    if request.startswith((b"GET /_ping", b"HEAD /_ping")):
        conn.sendall(PING_OK)
        return
    _sleep_until_closed(conn, deadline)


def docker(conn: socket.socket, deadline: float) -> None:
    request = _read_request(conn, deadline)
    if not request[:1].isalpha():
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n400 Bad Request")
    elif b"/_ping" in request.split(b"\r\n", 1)[0]:
        conn.sendall(PING_OK)
    elif b"/version" in request.split(b"\r\n", 1)[0]:
        conn.sendall(_json_response(VERSION))
    elif b"/info" in request.split(b"\r\n", 1)[0]:
        conn.sendall(_json_response(INFO))
    else:
        conn.sendall(b'HTTP/1.1 404 Not Found\r\nApi-Version: 1.43\r\nContent-Length: 2\r\n\r\n{}')


BEHAVIOURS: dict[str, Callable[[socket.socket, float], None]] = {
    "silent": silent,
    "drip": drip,
    "garbage": garbage,
    "huge-body": huge_body,
    "endless-headers": endless_headers,
    "close-mid": close_mid,
    "ping-only": ping_only,
    "docker": docker,
}


def self_signed(directory: Path) -> tuple[str, str] | None:
    """(cert, key) for 127.0.0.1 made with openssl, or None when openssl is missing."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = directory / "zoo-cert.pem", directory / "zoo-key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return str(cert), str(key)


class Server:
    def __init__(self, sock: socket.socket, behaviour: str, tls: ssl.SSLContext | None = None) -> None:
        self.sock = sock
        self.handler = BEHAVIOURS[behaviour]
        self.tls = tls
        self.stopped = threading.Event()
        self.connections = 0
        self._conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._conns.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        deadline = time.monotonic() + LIFETIME
        try:
            if self.tls is not None:
                conn.settimeout(5)
                conn = self.tls.wrap_socket(conn, server_side=True)
            self.handler(conn, deadline)
        except (OSError, ssl.SSLError):
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def stop(self) -> None:
        self.stopped.set()
        with contextlib.suppress(OSError):
            self.sock.close()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()


class Zoo:
    """Hostile servers in a short temporary directory (unix socket paths stay < 108 bytes)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="zoo-", dir="/tmp"))
        self.servers: list[Server] = []
        self._n = 0

    def __enter__(self) -> Zoo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def unix(self, behaviour: str, tls: ssl.SSLContext | None = None) -> str:
        self._n += 1
        path = str(self.dir / f"{self._n}-{behaviour}.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        sock.listen(64)
        self.servers.append(Server(sock, behaviour, tls))
        return "unix://" + path

    def tcp(self, behaviour: str, tls: ssl.SSLContext | None = None) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self.servers.append(Server(sock, behaviour, tls))
        return f"tcp://127.0.0.1:{sock.getsockname()[1]}"

    def server_tls(self) -> ssl.SSLContext | None:
        pair = self_signed(self.dir)
        if pair is None:
            return None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*pair)
        return ctx

    def stop(self) -> None:
        for s in self.servers:
            s.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
