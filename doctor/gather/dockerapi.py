"""Talking to a Docker-API endpoint: /_ping, /version, /info — bounded (doctor.gather.http).

Every call has a connect and a read timeout; bodies are read up to a cap,
so a hostile or wedged server costs at most the deadline and a few KiB.
Proxies from the environment are not used: nothing is sent anywhere but the
endpoint being diagnosed. Failures are classified by errno, never by the
wording of an exception message, because that differs across versions.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
import time
from typing import Any

from doctor.facts.record import record
from doctor.gather import bounded, http
from doctor.knowledge import hosts, versions
from doctor.knowledge.outcomes import (
    API_ERROR,
    CLOSED,
    CONNECT_TIMEOUT,
    DNS,
    HTTP_TO_TLS,
    INVALID,
    NO_ANSWER,
    NOT_DOCKER,
    OK,
    PERMISSION_DENIED,
    REFUSED,
    SOCKET_MISSING,
    SSH_ERROR,
    TLS_CLIENT_CERT,
    TLS_CONFIG,
    TLS_TO_HTTP,
    TLS_VERIFY,
    UNREACHABLE,
    UNSUPPORTED,
    EngineAnswers,
    ProbeResult,
    _header,
)
from doctor.knowledge.resolve import TLSSettings

PING_BODY_LIMIT = 1024
# The API version cdoctor asks for (docker-py 7.1's default), negotiated down to the server's.
CLIENT_API_VERSION = "1.45"
JSON_BODY_LIMIT = 4 * 1024 * 1024

# --- classification -----------------------------------------------------------

_ERRNO_OUTCOME = {
    errno.ENOENT: SOCKET_MISSING,
    errno.ENOTDIR: SOCKET_MISSING,
    errno.EACCES: PERMISSION_DENIED,
    errno.EPERM: PERMISSION_DENIED,
    errno.ECONNREFUSED: REFUSED,
    errno.ENOTSOCK: REFUSED,
    errno.EPROTOTYPE: REFUSED,
    errno.EHOSTUNREACH: UNREACHABLE,
    errno.ENETUNREACH: UNREACHABLE,
    errno.ECONNRESET: CLOSED,
    errno.EPIPE: CLOSED,
    errno.ECONNABORTED: CLOSED,
    errno.ETIMEDOUT: CONNECT_TIMEOUT,
    errno.ELOOP: SOCKET_MISSING,
    errno.ENAMETOOLONG: INVALID,
}


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (cause, context, urllib3 reasons, args)."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 32:
        e = todo.pop(0)
        if any(e is s for s in seen):
            continue
        seen.append(e)
        for nxt in (e.__cause__, e.__context__, getattr(e, "reason", None)):
            if isinstance(nxt, BaseException):
                todo.append(nxt)
        todo.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))
    return seen


def classify(exc: BaseException, *, connected: bool | None = None) -> tuple[str, str | None]:
    """(outcome, errno name) for an exception raised while probing."""
    chain = _chain(exc)
    if any(isinstance(e, socket.gaierror) for e in chain):
        return DNS, None
    tls = _tls_outcome(chain)
    if tls is not None:
        return tls, None
    # Our own deadline first: when it fires, the forced shutdown of the socket can surface
    # as any errno (ECONNRESET, EPIPE) underneath it; the fact is that no answer came in time.
    if isinstance(exc, http.ConnectTimeout):
        return CONNECT_TIMEOUT, None
    if isinstance(exc, http.ReadTimeout):
        return NO_ANSWER, None
    for e in chain:
        if isinstance(e, OSError) and e.errno in _ERRNO_OUTCOME:
            return _ERRNO_OUTCOME[e.errno], errno.errorcode.get(e.errno)
    return _outcome_by_name(chain, connected), None


#: Words of an SSL error, in order, and what they mean.
_TLS_WORDS = (
    (("wrong version number", "record layer failure", "packet length too long"), TLS_TO_HTTP),
    (("certificate verify failed",), TLS_VERIFY),
    (("certificate required", "handshake failure", "bad certificate"), TLS_CLIENT_CERT),
)


def _tls_outcome(chain: list[BaseException]) -> str | None:
    """The outcome of the first SSL error in the chain, or ``None`` when there is none."""
    # ssl is imported only where TLS is used (gather/http.py): without it no error can be an SSLError.
    ssl = sys.modules.get("ssl")
    found = next((e for e in chain if ssl is not None and isinstance(e, ssl.SSLError)), None)
    if found is None:
        return None
    text = str(found).lower()
    for words, outcome in _TLS_WORDS:
        if any(w in text for w in words):
            return outcome
    return TLS_VERIFY if "certificate" in text else CLOSED


def _outcome_by_name(chain: list[BaseException], connected: bool | None) -> str:
    """The outcome from the exception classes' names (requests, urllib3, http.client alike)."""
    names = {type(e).__name__ for e in chain}
    if names & {"ConnectTimeout", "ConnectTimeoutError"}:
        return CONNECT_TIMEOUT
    if names & {"ReadTimeout", "ReadTimeoutError"} or any(isinstance(e, TimeoutError) for e in chain):
        return NO_ANSWER if connected is not False else CONNECT_TIMEOUT
    if names & {"RemoteDisconnected", "IncompleteRead", "ProtocolError"}:
        return CLOSED
    if names & {"BadStatusLine", "LineTooLong", "HTTPError", "InvalidHeader", "HTTPException", "UnknownProtocol"}:
        return NOT_DOCKER
    return CLOSED


def _detail(exc: BaseException) -> str:
    """The innermost useful message: what went wrong in words, no credentials."""
    for e in reversed(_chain(exc)):
        if isinstance(e, OSError) and e.strerror:
            return e.strerror
    text = str(exc)
    return text[:300]


# --- the probe ---------------------------------------------------------------


def _client(dial: str, tls: TLSSettings, timeout: float) -> http.Target:
    """Where and how to send requests (bounded HTTP in doctor.gather.http, not docker-py: see there why)."""
    url = hosts.parse_host_url(dial)
    context = None
    if url.scheme == "tcp" and tls.enabled:
        context = http.tls_context(verify=tls.verify, ca=tls.ca if tls.verify else None, cert=tls.cert, key=tls.key)
    if url.scheme == "unix":
        # The CLI dials a relative unix path relative to the working directory.
        return http.Target("unix", os.path.abspath(url.address))
    if url.scheme == "tcp":
        return http.Target("tcp", url.address, context, url.base_path.rstrip("/"))
    raise hosts.HostError(f"cannot dial {url.scheme}://")


def ping(host: str, dial: str, tls: TLSSettings, timeout: float) -> ProbeResult:
    """GET /_ping (unversioned, like the CLI) within `timeout` seconds for connect and read."""
    started = time.monotonic()
    scheme = dial.partition("://")[0]
    if scheme == "ssh":
        return ssh_ping(host, dial, timeout)
    if scheme not in ("unix", "tcp"):
        return ProbeResult(host, dial, UNSUPPORTED, f"{scheme}:// cannot be dialled from here", seconds=0.0)
    try:
        target = _client(dial, tls, timeout)
    except Exception as e:  # the TLS material or the address is refused
        outcome = TLS_CONFIG if tls.enabled else INVALID
        return ProbeResult(host, dial, outcome, hosts.redact_url(str(e))[:300], seconds=time.monotonic() - started)
    try:
        resp = http.get(target, "/_ping", timeout=timeout, limit=PING_BODY_LIMIT)
    except Exception as e:
        outcome, err = classify(e)
        return ProbeResult(host, dial, outcome, _detail(e), err, time.monotonic() - started)
    text = resp.body[:PING_BODY_LIMIT].decode("utf-8", "replace")
    return _judge_ping(host, dial, _PingAnswer(resp.status, resp.headers, text, time.monotonic() - started))


@record
class _PingAnswer:
    """What came back from /_ping, and how long it took."""

    status: int
    headers: dict[str, str]
    body: str
    seconds: float


def _judge_ping(host: str, dial: str, answer: _PingAnswer) -> ProbeResult:
    status, headers, body, seconds = answer.status, answer.headers, answer.body, answer.seconds
    lowered = body.lower()
    if status == 400 and "http request to an https server" in lowered:
        return ProbeResult(host, dial, HTTP_TO_TLS, body.strip()[:200], None, seconds, status, headers, body[:200])
    is_docker = _header(headers, "Api-Version") is not None or (
        status == 200 and body.strip() == "OK" and _header(headers, "Server") is not None
    )
    # Every Docker-API server answers /_ping with the two bytes "OK" (moby's
    # api/server/router/system: `w.Write([]byte{'O', 'K'})`; podman does the same):
    # a 200 with anything else is not an engine that is ready.
    if status == 200 and is_docker and body.strip() == "OK":
        return ProbeResult(host, dial, OK, "", None, seconds, status, headers, body[:200])
    if is_docker:
        return ProbeResult(
            host, dial, API_ERROR, f"HTTP {status}: {body.strip()[:200]}", None, seconds, status, headers, body[:200]
        )
    server = _header(headers, "Server") or "an unnamed server"
    return ProbeResult(
        host,
        dial,
        NOT_DOCKER,
        f"HTTP {status} from {server}, no Api-Version header",
        None,
        seconds,
        status,
        headers,
        body[:200],
    )


def ssh_ping(host: str, dial: str, timeout: float) -> ProbeResult:
    """/_ping through `ssh … docker system dial-stdio`, never prompting (BatchMode)."""
    started = time.monotonic()
    try:
        target = hosts.parse_ssh_url(dial)
    except hosts.HostError as e:
        return ProbeResult(host, dial, INVALID, str(e))
    try:
        # The remote command is quoted for the remote shell, the target checked against its grammar:
        # nothing from a URL is ever read by a shell or by ssh as an option.
        argv = bounded.ssh_argv(target.user, target.host, target.port, target.path, timeout)
    except bounded.UnsafeTarget as e:
        return ProbeResult(host, dial, INVALID, str(e)[:300], seconds=time.monotonic() - started)
    request = b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"
    out, failed = _run_ssh(argv, request, timeout)
    if failed:
        return ProbeResult(host, dial, SSH_ERROR, failed, seconds=time.monotonic() - started)
    head, _, body = out.partition("\r\n\r\n")
    lines = head.split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return ProbeResult(host, dial, NOT_DOCKER, "no HTTP status line", seconds=time.monotonic() - started)
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return _judge_ping(host, dial, _PingAnswer(status, headers, body, time.monotonic() - started))


def _run_ssh(argv: list[str], request: bytes, timeout: float) -> tuple[str, str]:
    """(the HTTP answer ssh relayed, "") or ("", why there is none)."""
    try:
        proc = bounded.run(argv, input=request, timeout=timeout, cap=PING_BODY_LIMIT + 4096)
    except FileNotFoundError:
        return "", 'exec: "ssh": executable file not found in $PATH'
    except OSError as e:
        return "", f"cannot run ssh: {e.strerror}"
    except bounded.Timeout:
        # Connect, login and the remote `docker system dial-stdio` all happen inside ssh;
        # from outside they cannot be told apart, and the first to check is ssh itself.
        return "", "ssh did not finish within the deadline (connection, login or the remote docker)"
    out = proc.stdout[:PING_BODY_LIMIT].decode("utf-8", "replace")
    if proc.returncode != 0 or not out.startswith("HTTP/"):
        err = proc.stderr[:500].decode("utf-8", "replace").strip()
        return "", f"ssh exited with status {proc.returncode}: {err}"
    return out, ""


def _get_json(target: http.Target, path: str, deadline: float) -> tuple[Any, str | None]:
    try:
        resp = http.get(target, path, timeout=max(0.05, deadline - time.monotonic()), limit=JSON_BODY_LIMIT)
        body = resp.body
    except Exception as e:
        outcome, _ = classify(e)
        return None, f"{outcome}: {_detail(e)}"
    if len(body) > JSON_BODY_LIMIT:
        return None, f"answer larger than {JSON_BODY_LIMIT // (1024 * 1024)} MiB"
    text = body.decode("utf-8", "replace")
    if resp.status != 200:
        return None, f"HTTP {resp.status}: {_error_message(text)[:300]}"
    return _decode_json(text)


def _error_message(text: str) -> str:
    """The engine's ``{"message": …}`` of an error answer, else the answer's text."""
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return text.strip()
    if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
        return str(parsed["message"])
    return text.strip()


def _decode_json(text: str) -> tuple[Any, str | None]:
    try:
        value = json.loads(text)
    except ValueError as e:
        return None, f"not JSON: {e}"
    except RecursionError:
        return None, f"not usable: JSON nested deeper than {MAX_JSON_DEPTH} levels"
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        return None, f"not usable: JSON nested deeper than {MAX_JSON_DEPTH} levels"
    return value, None


MAX_JSON_DEPTH = 64  # Docker's /version and /info nest 4 levels deep; deeper is not an engine's answer


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests deeper than `limit` (iterative: no recursion on hostile input)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict | list):
            if d >= limit:
                return True
            stack.extend((c, d + 1) for c in (v.values() if isinstance(v, dict) else v))
    return False


def engine_answers(
    ping_result: ProbeResult, tls: TLSSettings, timeout: float, forced_api: str | None = None
) -> EngineAnswers:
    """GET /version and /info at the negotiated API version (R6: min of ours and the server's)."""
    ours = CLIENT_API_VERSION
    server = ping_result.api_version
    negotiated = ours
    if versions.parse(server) is not None and not versions.at_least(
        versions.parse(server) or (), versions.parse(ours) or ()
    ):
        negotiated = server or ours
    if ping_result.dial.startswith("ssh://"):
        return EngineAnswers(
            ping_result.host,
            negotiated_api=negotiated,
            errors={"/version": "not fetched over ssh", "/info": "not fetched over ssh"},
        )
    try:
        target = _client(ping_result.dial, tls, timeout)
    except Exception as e:
        return EngineAnswers(ping_result.host, errors={"/version": str(e)[:200], "/info": str(e)[:200]})
    errors: dict[str, str] = {}
    # One deadline for all the requests: a /version that hangs may not add its own to /info's.
    deadline = time.monotonic() + timeout
    version, err = _get_json(target, f"/v{negotiated}/version", deadline)
    if err:
        errors["/version"] = err
    info, err = _get_json(target, f"/v{negotiated}/info", deadline)
    if err:
        errors["/info"] = err
    forced_error = None
    if forced_api:
        _, forced_error = _get_json(target, f"/v{forced_api}/version", deadline)
    return EngineAnswers(
        host=ping_result.host,
        version=version if isinstance(version, dict) else None,
        info=info if isinstance(info, dict) else None,
        negotiated_api=negotiated,
        errors=errors,
        forced_api=forced_api,
        forced_api_error=forced_error,
    )
