"""A small HTTP server on a unix socket that answers like a Docker engine, or like a
socket proxy in front of one — for what this machine cannot run for real.

Reconstructed (not captured) from the sources of the real servers:

- the version gate: moby `daemon/server/middleware/version.go`
  (https://github.com/moby/moby/blob/master/daemon/server/middleware/version.go):
  every response carries `Server: Docker/<version> (linux)`, `Api-Version`,
  `Ostype`; a versioned request below the minimum gets HTTP 400 (an
  InvalidParameter error) with the JSON body
  `{"message":"client version 1.41 is too old. Minimum supported API version is
  1.44, please upgrade your client to a newer version"}`; Docker 29.0 made 1.44
  the default minimum (moby/moby#51186; docker/docs engine/release-notes/29.md).
- docker-socket-proxy: Tecnativa/docker-socket-proxy `haproxy.cfg`
  (https://github.com/Tecnativa/docker-socket-proxy/blob/master/haproxy.cfg):
  `http-request allow if { path,url_dec -m reg -i ^(/v[\\d\\.]+)?(/\\w+)?/containers } { env(CONTAINERS) -m bool }`
  per API section, then `http-request deny`, answered with HAProxy's stock
  `errorfile 403 /usr/local/etc/haproxy/errors/403.http`; its Dockerfile enables
  only EVENTS, PING and VERSION by default. The 403 text users paste:
  `<html><body><h1>403 Forbidden</h1>\\nRequest forbidden by administrative rules.\\n</body></html>`
  (amir20/dozzle#4190, nextcloud/app_api#329).
"""

from __future__ import annotations

import json
import os
import re
import socketserver
import threading
from http.server import BaseHTTPRequestHandler
from types import TracebackType

HAPROXY_403 = (
    b"HTTP/1.0 403 Forbidden\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n"
    b"<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n"
)
_SECTION = re.compile(r"^(?:/v([\d.]+))?(?:/(\w+))?")


def _vt(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


class FakeEngine:
    """`with FakeEngine(path, min_api="1.44") as e:` — e.host is `unix://path`."""

    def __init__(
        self,
        path: str,
        *,
        version: str = "29.0.0",
        api: str = "1.52",
        min_api: str = "1.44",
        proxy_allow: frozenset[str] | None = None,  # docker-socket-proxy: sections allowed (lower-case)
        missing: frozenset[str] = frozenset(),  # sections a partial implementation does not have (404)
    ) -> None:
        self.path = path
        self.host = "unix://" + path
        self.version, self.api, self.min_api = version, api, min_api
        self.proxy_allow = proxy_allow
        self.missing = missing
        self.requests: list[str] = []
        self._server: socketserver.UnixStreamServer | None = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        engine = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def address_string(self) -> str:
                return "unix"

            def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Server", f"Docker/{engine.version} (linux)")
                self.send_header("Api-Version", engine.api)
                self.send_header("Ostype", "linux")
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _route(self) -> None:
                path = self.path.split("?", 1)[0]
                engine.requests.append(f"{self.command} {self.path}")
                m = _SECTION.match(path)
                version, section = (m[1], (m[2] or "").lower()) if m else (None, "")
                if path.rstrip("/").endswith("/_ping"):
                    section = "_ping"
                if engine.proxy_allow is not None and section.upper() and section not in engine.proxy_allow:
                    self.wfile.write(HAPROXY_403)
                    self.close_connection = True
                    return
                if section == "_ping":
                    self._send(200, b"OK", "text/plain; charset=utf-8")
                    return
                if version and _vt(version) < _vt(engine.min_api):
                    msg = (f"client version {version} is too old. Minimum supported API version is "
                           f"{engine.min_api}, please upgrade your client to a newer version")  # fmt: skip
                    self._send(400, json.dumps({"message": msg}).encode() + b"\n")
                    return
                if section in engine.missing:
                    self._send(404, b'{"message":"page not found"}\n')
                    return
                body = engine.answer(section)
                if body is None:
                    self._send(404, b'{"message":"page not found"}\n')
                else:
                    self._send(200, json.dumps(body).encode() + b"\n")

            do_GET = _route
            do_HEAD = _route

        return Handler

    def answer(self, section: str) -> object:
        if section == "version":
            return {
                "Platform": {"Name": "Docker Engine - Community"},
                "Components": [{"Name": "Engine", "Version": self.version,
                                "Details": {"ApiVersion": self.api, "MinAPIVersion": self.min_api, "Os": "linux"}}],
                "Version": self.version, "ApiVersion": self.api, "MinAPIVersion": self.min_api,
                "Os": "linux", "Arch": "amd64", "KernelVersion": os.uname().release,
            }  # fmt: skip
        if section == "info":
            return {"ID": "fake", "Name": "fake-engine", "ServerVersion": self.version, "OperatingSystem": "Debian GNU/Linux 12 (bookworm)",
                    "Containers": 0, "Images": 0, "Driver": "overlay2", "DriverStatus": [], "SecurityOptions": [],
                    "KernelVersion": os.uname().release, "OSType": "linux", "Architecture": "x86_64"}  # fmt: skip
        if section in ("containers", "images", "networks"):
            return []
        if section == "volumes":
            return {"Volumes": [], "Warnings": None}
        return None

    def __enter__(self) -> FakeEngine:
        class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True

        self._server = Server(self.path, self._handler())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if os.path.exists(self.path):
            os.unlink(self.path)


class FakeRegistry:
    """A registry that accepts any login (GET /v2/ → 200, as the distribution spec's version check):
    enough for `docker login` to reach the point where the CLI stores the credentials."""

    def __init__(self) -> None:
        from http.server import ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                ok = self.path in ("/v2/", "/v2")
                self.send_response(200 if ok else 404)
                self.send_header("Docker-Distribution-API-Version", "registry/2.0")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_HEAD = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeRegistry:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
