"""A check that warns about an endpoint on plain TCP: anyone on the network is root there."""

from __future__ import annotations

from collections.abc import Iterator

from doctor.api import RESOLUTION, Facts, Finding, Severity, check


@check(id="plain-tcp-endpoint", title="No plain-TCP endpoint", category="security", requires=(RESOLUTION,))
def plain_tcp_endpoint(facts: Facts) -> Iterator[Finding]:
    """An engine on tcp:// without TLS gives root on the host to anyone who can reach the port.

    Fix: use TLS (`--tlsverify` and certificates), or ssh://, or a unix socket.
    """
    res = facts.get(RESOLUTION)
    if res.host and res.host.startswith("tcp://") and not res.tls.enabled:
        yield Finding(
            id="plain-tcp",
            check="plain-tcp-endpoint",
            severity=Severity.WARNING,
            title=f"{res.host} is plain TCP: anyone who reaches it is root on the engine's host",
            cause="plain-tcp",
            fix=("export DOCKER_TLS_VERIFY=1  # with the engine's CA and a client certificate",),
        )
    else:
        yield Finding(id="no-plain-tcp", check="plain-tcp-endpoint", severity=Severity.OK, title="not plain TCP")


CHECKS = (plain_tcp_endpoint,)
