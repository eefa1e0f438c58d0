"""What a probe of a Docker-API endpoint found, and what it means: one table from outcome to symptom to cause.

A probe's outcome (below) is what cdoctor saw; a symptom (docs/causes.md, "Symptoms") is what an
error text shows of it; a cause is why (docs/causes.md). `OUTCOMES` says, for each outcome, its
words and the symptom an error text would show; `SYMPTOMS` says, for each symptom, its words and
the cause it supports on its own. The connection check, the explain reader, the offline report and
the docker hook read these two tables; tests/test_outcomes.py ties them to the schema and the docs
and fails when a second table appears.
"""

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
class Outcome:
    """What one outcome means: in words ({seconds} is the probe's time), the symptom an error
    text shows for it, and the reason code a TCP endpoint's finding carries."""

    words: str
    symptom: str
    reason: str | None = None


# Every outcome but OK: what failed.
OUTCOMES: Mapping[str, Outcome] = {
    SOCKET_MISSING: Outcome("the socket does not exist", "socket-missing"),
    PERMISSION_DENIED: Outcome("permission is denied on the socket", "permission-denied"),
    REFUSED: Outcome("the connection is refused (nothing listens)", "connection-refused", "connection-refused"),
    CONNECT_TIMEOUT: Outcome("no connection could be made within the deadline", "timeout", "no-answer-in-time"),
    NO_ANSWER: Outcome("it accepts the connection but sends no answer within {seconds:.1f}s", "timeout"),
    DNS: Outcome("the host name does not resolve", "dns-failure", "name-does-not-resolve"),
    UNREACHABLE: Outcome("the network is unreachable", "timeout", "network-unreachable"),
    CLOSED: Outcome("it closes the connection without an answer", "not-docker-api"),
    HTTP_TO_TLS: Outcome("plain HTTP was sent to a TLS port", "http-to-https"),
    TLS_TO_HTTP: Outcome("TLS was sent to a plain-HTTP port", "tls"),
    TLS_VERIFY: Outcome("the server certificate is not trusted", "tls"),
    TLS_CLIENT_CERT: Outcome("the server wants a client certificate", "tls"),
    TLS_CONFIG: Outcome("the TLS material is missing or unusable", "tls"),
    NOT_DOCKER: Outcome("something answers, but not the Docker API", "not-docker-api"),
    API_ERROR: Outcome("the Docker API answered with an error", "api-version"),
    SSH_ERROR: Outcome("the ssh connection failed", "ssh"),
    UNSUPPORTED: Outcome("this platform cannot dial that kind of address", "invalid-host"),
    INVALID: Outcome("the address cannot be dialled as written", "invalid-host"),
}


def outcome_words(outcome: str, *, seconds: float = 0.0, detail: str = "") -> str:
    """The outcome in words; an outcome without a row (a plugin's, "not-probed") by its detail."""
    row = OUTCOMES.get(outcome)
    return row.words.format(seconds=seconds) if row is not None else (detail or outcome)


@record
class Symptom:
    """What one symptom means: in words, the cause it supports on its own (None: the machine
    decides), whether that cause depends on the endpoint's scheme (a network symptom),
    whether it is about reaching the engine at all, and whether it says the engine was not
    reached with no reason given (the owner of the endpoint may simply be stopped)."""

    words: str
    cause: str | None = None
    network: bool = False
    engine: bool = True
    unreached: bool = False


SYMPTOMS: Mapping[str, Symptom] = {
    "socket-missing": Symptom("the socket does not exist", unreached=True),
    "permission-denied": Symptom("permission denied on the socket", "permission-denied"),
    "connection-refused": Symptom("the connection was refused", network=True, unreached=True),
    "daemon-not-running": Symptom("the client could not connect to the daemon", network=True, unreached=True),
    "timeout": Symptom("the request timed out", network=True),
    "dns-failure": Symptom("the daemon's host name does not resolve", "tcp-unreachable", network=True),
    "tls": Symptom("a TLS problem", "tls-error"),
    "http-to-https": Symptom("plain HTTP was sent to a TLS port", "tls-error"),
    "api-version": Symptom("the engine refused the client's API version", "api-version-mismatch"),
    "context-not-found": Symptom("the docker context does not exist", "context-not-found"),
    "invalid-host": Symptom("the host address is invalid", "invalid-docker-host"),
    "config-parse": Symptom("config.json does not parse", "invalid-config", engine=False),
    "ssh": Symptom("the ssh connection failed", "ssh-error"),
    "named-pipe-missing": Symptom(
        "the Windows named pipe does not exist", "named-pipe-missing", engine=False, unreached=True
    ),
    "not-docker-api": Symptom("the endpoint is not a Docker API"),
    "no-environment": Symptom("the tool found no working Docker environment"),
    "wsl-stub": Symptom(
        "docker is Docker Desktop's WSL stub (integration is off)", "wsl-integration-disabled", engine=False
    ),
    "cli-shim": Symptom("the docker command is a shim, not the Docker CLI", engine=False),
    "unknown": Symptom("no known Docker error", engine=False),
}


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
