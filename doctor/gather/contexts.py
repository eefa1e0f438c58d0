"""Other endpoints: the /_ping of every context that is not a unix socket."""

from __future__ import annotations

import re
import threading

from doctor.facts import Facts
from doctor.facts.keys import CONTEXT_PROBES, CONTEXT_STORE
from doctor.gather import dockerapi
from doctor.knowledge import hosts, outcomes
from doctor.knowledge.resolve import TLSSettings

_TCP_RE = re.compile(r"^(tcp|ssh)://")


def _gather_context_probes(facts: Facts) -> dict[str, outcomes.ProbeResult]:
    """/_ping of every context's endpoint (unix ones come from SOCKETS), in parallel."""
    store = facts.get(CONTEXT_STORE)
    timeout = facts.budget(CONTEXT_PROBES)
    results: dict[str, outcomes.ProbeResult] = {}
    threads = []
    for meta in list(store.contexts.values())[:500]:
        host = meta.host
        if not host or not _TCP_RE.match(host) or host in results:
            continue
        try:
            hosts.parse_host_url(host)
        except hosts.HostError:
            continue
        tls = TLSSettings(
            enabled=bool(meta.tls_files) or meta.skip_tls_verify,
            verify=not meta.skip_tls_verify,
            ca=f"{store.root}/tls/{meta.dir_id}/docker/ca.pem" if "ca.pem" in meta.tls_files else None,
            cert=f"{store.root}/tls/{meta.dir_id}/docker/cert.pem" if "cert.pem" in meta.tls_files else None,
            key=f"{store.root}/tls/{meta.dir_id}/docker/key.pem" if "key.pem" in meta.tls_files else None,
        )
        if host.startswith("ssh://"):
            continue  # ssh is probed only when it is the resolved endpoint: it may prompt or cost a login

        def run(h: str = host, t: TLSSettings = tls) -> None:
            results[h] = dockerapi.ping(h, h, t, timeout)

        th = threading.Thread(target=run, daemon=True)
        th.start()
        threads.append(th)
    for th in threads:
        th.join(timeout + 0.5)
    return dict(results)


