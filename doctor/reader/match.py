"""Apply the catalogue (doctor/reader/templates.py) to a text: the symptom, its line, the client.

Pure and linear in the input: candidate lines are found with ``str.find`` on the
catalogue's trigger words (C speed), each trigger's hits are capped, every template
is tried on a bounded line only, and no regular expression has nested unbounded
quantifiers. The reader has no catch-all: it is total by construction, and the tests
(tests/test_fuzz_explain.py) fail if it ever raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import MappingProxyType

from doctor.reader import identify
from doctor.reader.extract import EXTRACTORS, clip, endpoint_in, socket_path_in
from doctor.reader.normalise import (
    candidate_spans,
    clean,
    context_window,
    lower,
    prepare,
    rewrapped_windows,
    segments,
    strip_prefix,
)
from doctor.reader.reading import ErrorReading
from doctor.reader.templates import (
    AUTO,
    CLI_STARTS,
    CLIENT_MARKERS,
    CORE_TRIGGERS,
    FIXED_CAUSE,
    HINT_CLIENTS,
    NETWORK_SYMPTOMS,
    R_UNKNOWN,
    TEMPLATES,
    TRIGGERS,
    VERSION_HINTS,
    Template,
)

__all__ = ["read_error"]

_EVIDENCE_LEN = 240
_CHAIN_LEN = 16_000


@dataclass(slots=True)
class Signal:
    rank: int
    symptom: str
    pos: int
    line: str
    details: dict[str, str]
    template: Template


# A trigger that contains another one finds no line the shorter one misses.
_TRIGGERS = tuple(
    t for t in dict.fromkeys(TRIGGERS) if not any(o != t and o in t for o in TRIGGERS)
)
_MAIN = tuple(t for t in TEMPLATES if not t.alone)
_ALONE = tuple(t for t in TEMPLATES if t.alone)


def _matches(t: Template, low: str, s: str) -> bool:
    for k in t.unless:
        if k in low:
            return False
    groups = t.when
    if t.starts:
        if not lower(strip_prefix(s)).startswith(groups[0]):
            return False
        groups = groups[1:]
    for group in groups:
        for k in group:
            if k in low:
                break
        else:
            return False
    return True


def signals_in(s: str, pos: int) -> list[Signal]:
    """Every template that matches one cleaned line."""
    if not s:
        return []
    low = lower(s)
    out: list[Signal] = []
    for templates in (_MAIN, _ALONE):
        if out:
            break
        for t in templates:
            if not _matches(t, low, s):
                continue
            details: dict[str, str] = {}
            if t.extract:
                extracted = EXTRACTORS[t.extract](s, low)
                if extracted is None:
                    continue
                details = extracted
            out.append(Signal(t.rank, t.symptom, pos, s, details, t))
    return out


# --------------------------------------------------------------------------------------
# Clients


def _marker_client(low: str) -> str | None:
    """A client named by what surrounds the message (stack frames, banners, URLs)."""
    for name, marks in CLIENT_MARKERS:
        if (
            name == "docker-py"
            and "docker-compose" in low
            and ("traceback (most recent call last)" in low or "urllib3" in low)
        ):
            return "compose-v1"  # the Python docker-compose, which embeds docker-py
        if any(m in low for m in marks):
            return name
    if "com.docker.diagnose" in low:
        return "unknown"  # Docker Desktop's diagnose tool quoting an error
    if "docker build" in low and any(
        re.match(r"\s{0,16}(?:#\d{1,5} )?error: ", ln) is not None for ln in low.split("\n", 400)[:400]
    ):
        return "buildx"  # BuildKit's "ERROR: " decoration under `docker build`
    return None


def _head_client(line: str) -> str | None:
    """``docker-cli`` when the line carries a docker CLI message as such (not quoted)."""
    head = strip_prefix(line).lstrip("`'\" *")
    if head.startswith("Error: "):  # a tool's own wrapper around the daemon's reply
        return None
    hl = lower(head)
    if re.match(r"dd\d{4}: ", hl):
        return None
    if hl.startswith("the command '") and not hl.startswith("the command 'docker'"):
        return None
    if hl.startswith(CLI_STARTS):
        return "docker-cli"
    for quote in ("`", '"'):  # a message quoted inside a sentence
        i = hl.find(quote)
        for _ in range(8):
            if i < 0:
                break
            if hl[i + 1 :].lstrip().startswith(CLI_STARTS):
                return "docker-cli"
            i = hl.find(quote, i + 1)
    return None


def client_of(low: str, lines: Iterable[str]) -> str:
    by_marker = _marker_client(low)
    if by_marker:
        return by_marker
    for line in lines:
        c = _head_client(line)
        if c:
            return c
    return "unknown"


def _hint(lines: Iterable[str]) -> str | None:
    for line in lines:
        for needle, hint in VERSION_HINTS:
            if needle in line:
                if needle == ": : " and "Error loading config file" not in line:
                    continue
                return hint
    return None


def _cause(sig: Signal, endpoint: str | None) -> str | None:
    if sig.template.cause != AUTO:
        return sig.template.cause
    if sig.symptom in NETWORK_SYMPTOMS and endpoint:
        if endpoint.startswith("ssh://"):
            return "ssh-error"
        if endpoint.startswith("tcp://"):
            return "tcp-unreachable"
    return FIXED_CAUSE.get(sig.symptom)


# --------------------------------------------------------------------------------------
# What the rest of the text adds to the deciding line (offline causes)

_RE_UNIT_DOWN = re.compile(
    r"docker\.service[^\n]{0,120}\n(?:[^\n]{0,200}\n){0,6}?\s{0,8}active: (?:inactive|failed)"
    r"|job for docker\.service failed"
)
_RE_FOUND_SOCKETS = re.compile(r"sockets found:\s{0,8}\n((?:[ \t]{1,8}\S{1,256}\n?){1,8})")
_RE_COLIMA_SOCKET = re.compile(r"colima is running[\s\S]{0,600}?socket: (unix://\S{1,256})")
_RE_TCP_PATH = re.compile(r"^tcp://[^/]{1,256}/\S")


def _other_endpoints(low: str, text: str) -> list[str]:
    """Endpoints the text shows alive besides the one that failed (act's and colima's listings)."""
    out: list[str] = []
    m = _RE_FOUND_SOCKETS.search(low)
    if m:
        for ln in m.group(1).split("\n"):
            path = ln.strip()
            if path and not path.endswith("(broken)"):
                out.append("unix://" + path)
    m = _RE_COLIMA_SOCKET.search(low)
    if m:
        out.append(m.group(1))
    return out


@dataclass(slots=True)
class Verdict:
    """What the deciding signal says, as the lines around it may still change it."""

    symptom: str
    cause: str | None
    endpoint: str | None
    details: dict[str, str]


def _refine_remote(v: Verdict) -> bool:
    """An ssh or ``tcp://host:port/path`` endpoint behind the generic message."""
    if v.symptom != "daemon-not-running" or not v.endpoint:
        return False
    if v.endpoint.startswith("ssh://"):
        v.symptom, v.cause = "ssh", "ssh-error"  # no errno shown: the ssh transport is what failed
        return True
    if _RE_TCP_PATH.match(v.endpoint):
        v.symptom, v.cause = "invalid-host", "invalid-docker-host"
        return True
    return False


def _refine_local(v: Verdict, low: str, text: str) -> bool:
    """act's ``(broken)`` listing and another endpoint shown alive, for a local socket."""
    if not (v.endpoint and v.endpoint.startswith("unix://")):
        return False
    path = v.endpoint[len("unix://") :]
    if f"{path}(broken)" in low.replace(" (broken)", "(broken)"):
        v.symptom = "socket-missing"
        return True
    others = [e for e in _other_endpoints(low, text) if e != v.endpoint]
    if others:
        v.details["other_endpoint"] = others[0]
        v.cause = "endpoint-mismatch"
        return True
    return False


def refine(v: Verdict, low: str, text: str) -> None:
    """The symptom and cause once the lines around the error are read too.

    * a ``tcp://host:port/path`` endpoint is a DOCKER_HOST without ``unix://`` (R5.2);
    * the failed endpoint listed as ``(broken)`` by act: the socket is missing;
    * another endpoint shown alive (act's "Sockets found", ``colima status``):
      the client uses the wrong one (endpoint-mismatch);
    * ``systemctl status docker`` showing the unit inactive/failed: the engine is
      installed but not running;
    * the default context reported missing is not a missing context (it is virtual).
    """
    if _refine_remote(v):
        return
    local = v.symptom in ("daemon-not-running", "socket-missing", "connection-refused")
    if local and _refine_local(v, low, text):
        return
    if local and "docker.service" in low and _RE_UNIT_DOWN.search(low):
        v.cause = "engine-not-running"
    elif v.symptom == "context-not-found" and v.details.get("context") == "default":
        v.cause = None


# --------------------------------------------------------------------------------------
# read_error


def _as_text(text: str | bytes) -> str:
    if not isinstance(text, str):
        text = bytes(text).decode("utf-8", "surrogateescape") if isinstance(text, bytes | bytearray) else str(text)
    return text


def _decided(signals: list[Signal]) -> bool:
    return any(x.rank > R_UNKNOWN for x in signals)


def _collect(text: str, low: str) -> tuple[list[Signal], list[str], list[tuple[int, int]]]:
    """Every signal of the candidate lines, then of the lines read as one chain, then rewrapped."""
    signals: list[Signal] = []
    lines: list[str] = []
    spans = candidate_spans(low, _TRIGGERS, CORE_TRIGGERS)
    for start, end in spans:
        raw = text[start:end]
        lines.append(raw)
        for seg in segments(clean(raw)):
            signals.extend(signals_in(seg, start))
    if lines and not _decided(signals):
        # An exception chain or a multi-line message: the errno on one line, the socket
        # or the product on another. Read the candidate lines once more as one chain.
        chain = " : ".join(clean(x) for x in lines[:32])[:_CHAIN_LEN]
        signals.extend(x for x in signals_in(chain, spans[0][0]) if x.rank > R_UNKNOWN)
    if not _decided(signals):
        # A sentence wrapped where a trigger phrase is cut: read it again with the breaks undone.
        for window in rewrapped_windows(text, _TRIGGERS):
            signals.extend(x for x in signals_in(clean(window), len(text)) if x.rank > R_UNKNOWN)
            if len(signals) >= 8:
                break
    return signals, lines, spans


def _unclassified(text: str, low: str, lines: list[str]) -> ErrorReading:
    """Nothing we classify: still say what the text names (a URL anywhere before a bare path)."""
    cleaned = [clean(x) for x in lines[:64]]
    named = client_of(low, cleaned) if lines else None
    named = named if named != "unknown" else None
    for find in (endpoint_in, socket_path_in):
        for c in cleaned:
            found = find(c)
            if found:
                return ErrorReading(
                    symptom="unknown",
                    endpoint=found,
                    client=named,
                    evidence=(clip(c, _EVIDENCE_LEN),),
                    product=identify.from_text(text, low, found, named),
                )
    return ErrorReading(symptom="unknown", client=named, product=identify.from_text(text, low, None, named))


def _first(find: Callable[[str], str | None], lines: Iterable[str]) -> str | None:
    for line in lines:
        found = find(line)
        if found:
            return found
    return None


def _endpoint_of(best: Signal, signals: list[Signal], lines: list[str]) -> str | None:
    """From the deciding line first, then from the other signals' and candidate lines."""
    if best.template.endpoint == "none":
        return None
    return (
        endpoint_in(best.line)
        or socket_path_in(best.line)
        or _first(endpoint_in, (x.line for x in sorted(signals, key=lambda x: (-x.rank, x.pos))))
        or _first(endpoint_in, (clean(raw) for raw in lines[:64]))
        or _first(socket_path_in, (clean(raw) for raw in [best.line, *lines[:64]]))
    )


def _evidence(best: Signal, signals: list[Signal]) -> tuple[str, ...]:
    out: list[str] = [clip(best.line, _EVIDENCE_LEN)]
    for x in sorted(signals, key=lambda x: (-x.rank, x.pos)):
        q = clip(x.line, _EVIDENCE_LEN)
        if q not in out and x.symptom != best.symptom:
            out.append(q)
        if len(out) >= 3:
            break
    return tuple(out)


def _details(best: Signal, signals: list[Signal], endpoint: str | None) -> dict[str, str]:
    details: dict[str, str] = dict(best.details)
    if best.symptom == "cli-shim":  # say also what the shim itself went on to report
        inner = [x for x in signals if x.symptom != "cli-shim" and x.rank > R_UNKNOWN]
        if inner:
            details["inner_symptom"] = max(inner, key=lambda x: (x.rank, -x.pos)).symptom
    if endpoint and endpoint.startswith("npipe:") and "pipe" not in details and best.symptom == "named-pipe-missing":
        details["pipe"] = endpoint.rsplit("/", 1)[-1]
    details["line"] = clip(best.line)
    return details


def _podman_forward(cause: str | None, endpoint: str | None, client: str, low: str) -> str | None:
    """podman machine's own port forward on this host: the machine, not a network (corpus rule R3)."""
    if (
        cause == "tcp-unreachable"
        and endpoint
        and ("//127.0.0.1:" in endpoint or "//localhost:" in endpoint)
        and (client == "podman" or "podman" in low)
    ):
        return None
    return cause


def read_error(text: str | bytes) -> ErrorReading:
    """Classify an error text. Pure, linear in ``len(text)``; total (it never raises)."""
    text = prepare(_as_text(text))
    signals, lines, spans = _collect(text, lower(text))
    # The client, the product and the lines around the error are read from the text's
    # ends and its candidate lines only: bounded work, whatever the length.
    text = context_window(text, spans)
    low = lower(text)
    if not signals:
        return _unclassified(text, low, lines)

    best = max(signals, key=lambda x: (x.rank, -x.pos))
    endpoint = _endpoint_of(best, signals, lines)
    client = client_of(low, [best.line])
    hint = _hint([best.line, *(x.line for x in signals)]) if client in HINT_CLIENTS else None
    v = Verdict(best.symptom, _cause(best, endpoint), endpoint, _details(best, signals, endpoint))
    refine(v, low, text)
    return ErrorReading(
        symptom=v.symptom,
        endpoint=endpoint,
        client=client,
        cli_version_hint=hint,
        cause=_podman_forward(v.cause, endpoint, client, low),
        details=MappingProxyType(v.details),
        evidence=_evidence(best, signals),
        product=identify.from_text(text, low, endpoint, client),
        template=best.template.id,
    )
