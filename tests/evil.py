"""An engine whose answers the test writes: a Docker API on a unix socket with hostile /version, /info, headers.

    with EvilEngine(version=b'{"Version": "1\\n::error::x"}', server="Docker\\x1b]0;t\\x07") as e:
        cdoctor("check", env={"DOCKER_HOST": e.host})

Each connection is answered once and closed; the server lives on a daemon
thread and every handler ends within a few seconds whatever the client does.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
from typing import Any

VERSION = (
    b'{"Version":"24.0.0","ApiVersion":"1.43","MinAPIVersion":"1.12","Os":"linux",'
    b'"Arch":"amd64","KernelVersion":"6.1.0","Platform":{"Name":"Docker Engine - Community"}}'
)
INFO = b'{"Name":"evil","OperatingSystem":"Debian GNU/Linux 12","ServerVersion":"24.0.0","SecurityOptions":[]}'


class EvilEngine:
    def __init__(
        self,
        *,
        version: bytes | None = VERSION,
        info: bytes | None = INFO,
        server: bytes = b"Docker/24.0.0 (linux)",
        api_version: bytes = b"1.43",
    ) -> None:
        """`version`/`info` None: those paths never answer (the connection is held until the client leaves)."""
        self.answers: dict[bytes, bytes | None] = {b"/version": version, b"/info": info}
        self.server = server
        self.api_version = api_version
        self.dir = tempfile.mkdtemp(prefix="evil-", dir="/tmp")
        self.path = os.path.join(self.dir, "docker.sock")
        self.host = "unix://" + self.path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(32)
        self.sock.settimeout(0.1)
        self.stop_event = threading.Event()
        self.requests: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def __enter__(self) -> EvilEngine:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self.stop_event.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            line = data.split(b"\r\n", 1)[0]
            self.requests.append(line)
            head = b"HTTP/1.1 200 OK\r\nApi-Version: " + self.api_version + b"\r\nServer: " + self.server + b"\r\n"
            if b"/_ping" in line:
                conn.sendall(head + b"Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK")
                return
            for path, body in self.answers.items():
                if path in line:
                    if body is None:
                        with contextlib.suppress(OSError):
                            conn.recv(1)  # hold the connection until the client gives up
                        return
                    conn.sendall(
                        head + b"Content-Type: application/json\r\nContent-Length: "
                        + str(len(body)).encode() + b"\r\n\r\n" + body
                    )
                    return
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}")
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def stop(self) -> None:
        self.stop_event.set()
        with contextlib.suppress(OSError):
            self.sock.close()
        self.thread.join(1)
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        with contextlib.suppress(OSError):
            os.rmdir(self.dir)
