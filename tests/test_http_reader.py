"""doctor/gather/http.py reads a response as http.client's HTTPResponse does, without importing it.

Each raw answer below (well-formed, chunked, cut, too long, not HTTP) is read both ways
from the same bytes; the status, headers and body, or the exception's type name (what
doctor.gather.dockerapi.classify reads) and message, must be the same.
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
from typing import Any

import pytest

from doctor.gather import http as ours

LIMIT = 64
OK = b"HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Type: application/json\r\n"
ANSWERS = {
    "length": OK + b"Content-Length: 2\r\n\r\n{}",
    "length-short": OK + b"Content-Length: 10\r\n\r\n{}",
    "length-long": OK + b"Content-Length: 200\r\n\r\n" + b"x" * 200,
    "length-bad": OK + b"Content-Length: nope\r\n\r\nabc",
    "length-negative": OK + b"Content-Length: -3\r\n\r\nabc",
    "to-eof": OK + b"\r\n" + b"y" * 10,
    "to-eof-long": OK + b"\r\n" + b"y" * 100,
    "chunked": OK + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n",
    "chunked-long": OK + b"Transfer-Encoding: chunked\r\n\r\n" + b"40\r\n" + b"z" * 64 + b"\r\n5\r\n12345\r\n0\r\n\r\n",
    "chunked-exact": OK + b"Transfer-Encoding: Chunked\r\n\r\n41\r\n" + b"z" * 65,
    "chunked-cut": OK + b"Transfer-Encoding: chunked\r\n\r\n10\r\nabc",
    "chunked-bad-size": OK + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
    "no-content": b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello",
    "not-modified": b"HTTP/1.1 304 Not Modified\r\n\r\n",
    "continue": b"HTTP/1.1 100 Continue\r\nX: 1\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nk",
    "http10": b"HTTP/1.0 200 OK\r\nServer: Docker/27.0 (linux)\r\n\r\nbody",
    "folded": OK + b"X-Folded: a\r\n  b\r\n\tc\r\nContent-Length: 0\r\n\r\n",
    "repeated": OK + b"Content-Length: 1\r\nContent-Length: 3\r\nX: 1\r\nX: 2\r\n\r\nabc",
    "header-no-colon": OK + b"not a header\r\nContent-Length: 1\r\n\r\nq",
    "header-space-in-name": OK + b"Bad Name: 1\r\nContent-Length: 1\r\n\r\nq",
    "header-empty-name": OK + b": v\r\nContent-Length: 1\r\n\r\nq",
    "header-first-continuation": b"HTTP/1.1 200 OK\r\n  lead\r\nContent-Length: 1\r\n\r\nq",
    "latin1": OK + b"Server: caf\xe9\r\nContent-Length: 0\r\n\r\n",
    "empty": b"",
    "garbage": b"SSH-2.0-OpenSSH_9.6\r\n",
    "no-status": b"HTTP/1.1\r\n\r\n",
    "status-text": b"HTTP/1.1 abc OK\r\n\r\n",
    "status-range": b"HTTP/1.1 1000 Big\r\n\r\n",
    "http2": b"HTTP/2 200 OK\r\n\r\n",
    "long-status": b"HTTP/1.1 200 " + b"o" * 70000 + b"\r\n\r\n",
    "long-header": OK + b"X: " + b"h" * 70000 + b"\r\n\r\n",
    "many-headers": OK + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n",
    "cut-headers": OK + b"Content-Length: 5",
}


def _http_client(raw: bytes) -> Any:
    """What doctor/gather/http.py did before (http.client over a connected socket)."""
    a, b = socket.socketpair()

    def serve() -> None:
        got = b""
        while b"\r\n\r\n" not in got:
            got += b.recv(4096)
        b.sendall(raw)
        b.shutdown(socket.SHUT_WR)
        b.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        conn = http.client.HTTPConnection("localhost")
        conn.sock = a
        conn.putrequest("GET", "/_ping", skip_host=True, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        headers = {str(k): str(v) for k, v in list(resp.getheaders())[:64]}
        body = resp.read(LIMIT + 1)
        if len(body) <= LIMIT and resp.length:
            raise http.client.IncompleteRead(body, resp.length)
        return resp.status, headers, body
    except Exception as e:
        return type(e).__name__, str(e)
    finally:
        a.close()


def _ours(raw: bytes) -> Any:
    try:
        r = ours._response(io.BufferedReader(io.BytesIO(raw)), LIMIT)  # type: ignore[arg-type]
        return r.status, r.headers, r.body
    except Exception as e:
        return type(e).__name__, str(e)


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_a_response_reads_as_http_client_reads_it(name: str) -> None:
    assert _ours(ANSWERS[name]) == _http_client(ANSWERS[name])


def test_a_request_is_what_http_client_sent() -> None:
    target = ours.Target("unix", "/x.sock", base_path="/base")
    assert ours._request(target, "/v1.47/info") == (
        b"GET /base/v1.47/info HTTP/1.1\r\nHost: localhost\r\nUser-Agent: cdoctor\r\n\r\n"
    )
    with pytest.raises(ours.InvalidURL):
        ours._request(ours.Target("tcp", "h:1", base_path="/a b"), "/_ping")


def test_tls_verifies_like_the_docker_cli_not_stricter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python 3.13's default context sets VERIFY_X509_STRICT (it refuses a CA without keyUsage,
    as older docker:dind makes); the docker CLI accepts that CA, so cdoctor's context must not
    be stricter. Simulated here so that the test means the same on every Python."""
    import ssl

    default = ssl.create_default_context

    def strict(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        ctx = default(*args, **kwargs)
        ctx.verify_flags |= ssl.VERIFY_X509_STRICT
        return ctx

    monkeypatch.setattr(ssl, "create_default_context", strict)
    ctx = ours.tls_context(verify=True, ca=None, cert=None, key=None)
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert not ctx.verify_flags & ssl.VERIFY_X509_STRICT
