"""Which read-only API calls the resolved endpoint answers, beyond /_ping.

A socket proxy (Tecnativa/docker-socket-proxy, linuxserver's, Nextcloud AIO's)
answers /_ping and /version and refuses the rest with HAProxy's 403 page; a
partial Docker-API implementation answers 404 for what it lacks. `docker ps`
then fails although the endpoint "answers". Only GETs that change nothing and
return little (filtered to a name that cannot exist) are sent, within the run's
probe deadline.
"""

from __future__ import annotations

import time
import urllib.parse

from doctor.facts import Facts
from doctor.facts.keys import ENDPOINT_PROBE, ENGINE, PARTIAL_API, RESOLUTION
from doctor.facts.types import CallResult
from doctor.gather import dockerapi as api
from doctor.gather import http
from doctor.gather.threads import map_threads

BODY_LIMIT = 64 * 1024
_NONE = "cdoctor-probe-no-such-name"

# API section -> the request sent (relative to /vX.Y).
PROBES = (
    ("containers", "/containers/json?limit=1"),
    ("images", "/images/json?filters=" + urllib.parse.quote('{"reference":["' + _NONE + '"]}')),
    ("networks", "/networks?filters=" + urllib.parse.quote('{"name":["' + _NONE + '"]}')),
    ("volumes", "/volumes?filters=" + urllib.parse.quote('{"name":["' + _NONE + '"]}')),
)




def _call(target: http.Target, request: str, section: str, deadline: float) -> CallResult:
    remaining = deadline - time.monotonic()
    if remaining <= 0.05:
        return CallResult(section, f"GET {request}", None, error="not sent: the deadline passed")
    try:
        resp = http.get(target, request, timeout=remaining, limit=BODY_LIMIT)
    except Exception as e:
        outcome, _ = api.classify(e)
        return CallResult(section, f"GET {request}", None, error=f"{outcome}: {api._detail(e)}"[:200])
    head = resp.body[:300].decode("utf-8", "replace")
    server = next((v for k, v in resp.headers.items() if k.lower() == "server"), None)
    return CallResult(section, f"GET {request}", resp.status, head, server)


def _gather(facts: Facts) -> tuple[CallResult, ...]:
    probe = facts.get(ENDPOINT_PROBE).result
    if probe is None or not probe.answered or not probe.dial.startswith(("unix://", "tcp://")):
        return ()
    engine = facts.get(ENGINE)
    version = (engine.negotiated_api if engine else None) or api.CLIENT_API_VERSION
    out: list[CallResult] = []
    if engine is not None:
        for path in ("/version", "/info"):
            err = engine.errors.get(path)
            status = None
            if err and err.startswith("HTTP "):
                try:
                    status = int(err.split()[1].rstrip(":"))
                except ValueError:
                    status = None
            out.append(CallResult(path[1:], f"GET /v{version}{path}", 200 if err is None else status,
                                  (err or "")[:200], None, None if err is None or status else err))  # fmt: skip
    try:
        target = api._client(probe.dial, facts.get(RESOLUTION).tls, facts.budget(PARTIAL_API))
    except Exception as e:  # the TLS material or the address: the connection checks say why
        return (*tuple(out), CallResult("containers", "", None, error=str(e)[:200]))
    deadline = time.monotonic() + facts.budget(PARTIAL_API)
    # All at once (each on its own connection), in the order of PROBES.
    out.extend(map_threads(lambda item: _call(target, f"/v{version}{item[1]}", item[0], deadline), PROBES, 4))
    return tuple(out)


