"""What a probe of a Docker-API endpoint found: plain data shared by gatherers and checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from doctor.facts.record import field, record

# Outcome kinds of a probe (stable strings; checks and JSON use them).
OK = "ok"
SOCKET_MISSING = "socket-missing"  # ENOENT (or a path component missing)
PERMISSION_DENIED = "permission-denied"  # EACCES / EPERM
REFUSED = "refused"  # ECONNREFUSED: stale socket, regular file, closed port
CONNECT_TIMEOUT = "connect-timeout"  # no connection within the deadline
NO_ANSWER = "no-answer"  # connected, no HTTP answer within the deadline
DNS = "dns"  # the name does not resolve
UNREACHABLE = "unreachable"  # EHOSTUNREACH / ENETUNREACH
CLOSED = "closed"  # connection reset or closed before an answer
HTTP_TO_TLS = "http-to-tls"  # plain HTTP sent to a TLS port
TLS_TO_HTTP = "tls-to-http"  # TLS sent to a plain-HTTP port
TLS_VERIFY = "tls-verify"  # the server certificate is not trusted
TLS_CLIENT_CERT = "tls-client-cert"  # the server wants a client certificate
TLS_CONFIG = "tls-config"  # our TLS material is missing or unusable
NOT_DOCKER = "not-docker"  # something answers, but not the Docker Engine API
API_ERROR = "api-error"  # a Docker API answered with an error status
SSH_ERROR = "ssh-error"
UNSUPPORTED = "unsupported"  # a scheme this platform cannot dial (npipe on Linux, fd://)
INVALID = "invalid"  # the address cannot be dialled as written (path too long, …)


@record
class ProbeResult:
    host: str  # the endpoint as the CLI holds it
    dial: str  # what was dialled
    outcome: str
    detail: str = ""  # the error in words (redacted of credentials)
    errno_name: str | None = None
    seconds: float = 0.0
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body_head: str = ""

    @property
    def answered(self) -> bool:
        return self.outcome == OK

    @property
    def api_version(self) -> str | None:
        return _header(self.headers, "Api-Version")

    @property
    def server(self) -> str | None:
        return _header(self.headers, "Server")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    low = name.lower()
    for k, v in headers.items():
        if k.lower() == low:
            return v
    return None


@record
class EngineAnswers:
    """The engine's own answers, from the endpoint that answered /_ping."""

    host: str
    version: Mapping[str, Any] | None = None
    info: Mapping[str, Any] | None = None
    negotiated_api: str | None = None
    errors: Mapping[str, str] = field(default_factory=dict)  # "/info" -> why it is missing
    # What the engine says to the API version the CLI would force (DOCKER_API_VERSION).
    forced_api: str | None = None
    forced_api_error: str | None = None
