"""The endpoint a pasted text names: is it one of this machine's own? (never contacted when it is not)

A support engineer pastes a customer's log on their own machine: cdoctor must
not ssh to the customer's hosts with the engineer's keys, nor send them
requests. So `cdoctor explain` diagnoses this machine's own endpoints — the
one the docker CLI resolves, DOCKER_HOST, the contexts in the context store,
`-H` given on the command line — and only says whether the endpoint in the
text is one of them:

- one of ours: it is probed like any of ours (it would be anyway);
- a unix socket path on this machine that no configuration names: inspected
  read-only with lstat/stat (does it exist, is it a socket, whose, which
  mode), never connected to — a connect can start a socket-activated daemon
  or talk to something that is not ours to talk to;
- a tcp, ssh or npipe endpoint only in the text: not contacted at all; the
  user can name it with `-H` to have it diagnosed.
"""

from __future__ import annotations

import contextlib
import os
import stat

from doctor.facts import Facts, FactUnavailable
from doctor.facts.keys import CONTEXT_STORE, RESOLUTION
from doctor.facts.types import PastedEndpoint
from doctor.run.context import RunContext


def normalise(endpoint: str) -> str:
    """One spelling per endpoint, for comparison: scheme lower case, no userinfo, unix paths absolute."""
    scheme, sep, rest = endpoint.strip().partition("://")
    if not sep:
        return endpoint.strip()
    scheme = scheme.lower()
    if scheme == "unix":
        return "unix://" + os.path.normpath("/" + rest.lstrip("/"))
    authority, slash, tail = rest.partition("/")
    authority = authority.rpartition("@")[2].lower()
    return f"{scheme}://{authority}{slash}{tail}".rstrip("/")


def own_endpoints(facts: Facts) -> dict[str, str]:
    """This machine's configured endpoints (normalised) and why each is ours."""
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    own: dict[str, str] = {}
    with contextlib.suppress(FactUnavailable):
        res = facts.get(RESOLUTION)
        if res.host:
            own.setdefault(normalise(res.host), "the endpoint the docker CLI uses here")
    for host in ctx.flags.hosts or ():
        own.setdefault(normalise(host), "named with -H")
    if ctx.env.get("DOCKER_HOST"):
        own.setdefault(normalise(ctx.env["DOCKER_HOST"]), "DOCKER_HOST")
    with contextlib.suppress(FactUnavailable):
        for meta in facts.get(CONTEXT_STORE).contexts.values():
            if meta.host:
                own.setdefault(normalise(meta.host), f"the endpoint of context {meta.name!r}")
    return own


def is_own(facts: Facts, endpoint: str) -> bool:
    return normalise(endpoint) in own_endpoints(facts)


def _describe(path: str) -> str:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "does not exist on this machine"
    except OSError as e:
        return f"cannot be inspected: {e.strerror}"
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(path)
        except OSError:
            return "is a dangling symbolic link on this machine"
    kind = "a socket" if stat.S_ISSOCK(st.st_mode) else "not a socket"
    return f"exists on this machine ({kind}, owner uid {st.st_uid} gid {st.st_gid}, mode {stat.S_IMODE(st.st_mode):o})"


def _gather(facts: Facts) -> PastedEndpoint | None:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    endpoint = ctx.focus_endpoint
    if not endpoint:
        return None
    own = own_endpoints(facts).get(normalise(endpoint))
    shown = normalise(endpoint) if "://" in endpoint else endpoint
    local = None
    if own is None and shown.startswith("unix://"):
        local = _describe(shown[len("unix://") :])
    return PastedEndpoint(shown, own, contacted=own is not None, local=local)
