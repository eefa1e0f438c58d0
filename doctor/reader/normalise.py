"""Text preparation: what a pasted text is reduced to before any template is tried.

Everything here is linear in the input: the whole text is touched only by
``str.replace``/``str.find``/``str.lower`` (C speed) and by one ANSI substitution;
every regular expression runs on one candidate line of bounded length and has no
nested unbounded quantifier.

What is undone, in order:
* TUI panel borders where a panel wrapped the message (``│…│⏎│…│``).
* CRLF and lone CR line ends; ANSI colours (raw, caret ``^[[``, JSON ``\\u001b``);
  JSON-escaped slashes (``unix:\\/\\/\\/var\\/run``).
* Wrappers around the message: logrus/zap ``key="…"`` quoting (``msg="…" error="…"``,
  every quoted value kept), a JSON log object per line, escaped quotes/tabs, literal
  ``\\n`` inside an escaped message (split into segments).
* Log prefixes: timestamps, logrus/klog levels, ``#12 ERROR:``, ``[INFO]``, ``##[error]``,
  ``::error::``, ``Caused by:`` of Java/Python exception chains, Markdown quotes.
* Line-wrapped pastes: a line cut in the middle of a sentence or an endpoint is joined
  with its continuation (up to three lines).
* Stray spaces pasted into a socket path (``docker. sock``).
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "candidate_spans",
    "clean",
    "context_window",
    "lower",
    "prepare",
    "rewrapped_windows",
    "segments",
    "strip_prefix",
]

WINDOW = 1024  # characters kept on each side of a keyword hit
HITS_FORWARD = 48  # hits per keyword taken from the start of the text
HITS_BACKWARD = 16  # ... and from its end (the real error is often the last line)
MAX_LINES = 600  # candidate lines classified in total
MAX_JOIN = 3  # continuation lines joined to a wrapped line

_ANSI = re.compile(
    r"\x1b\[[0-9;?]{0,32}[ -/]{0,4}[@-~]"  # CSI sequences (colours, cursor)
    r"|\x1b\][^\x07\x1b\n]{0,256}(?:\x07|\x1b\\)?"  # OSC (titles, hyperlinks)
    r"|\x1b[()][0-9A-Za-z]"
    r"|\^\[\[[0-9;]{0,32}m"  # colour codes pasted as caret notation
    r"|\\u001b\[[0-9;]{0,32}m"  # JSON-escaped colour codes
    r"|\\x1b\[[0-9;]{0,32}m"
    r"|\\e\[[0-9;]{0,32}m"
)
# A TUI panel (lazydocker, ctop, dry: box-drawing borders) wraps a message at its width: the
# right border of one row, the line end and the left border(s) of the next are removed so that
# "Cannot connect to t│   │⏎│   │he Docker daemon" reads as one sentence again.
# Located by the border-newline-border seam (cheap to find: it needs a line end), then widened
# over at most two more border cells on each side; the first _BOX_MAX seams only.
_BOX_SEAM = re.compile(r"│[ \t]{0,8}\n[ \t]{0,64}│")
_BOX_MAX = 4096
_BOX_CELL = 257  # a border cell: up to 256 blanks and its bar


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    for _ in range(2):
        seg = text[max(0, start - _BOX_CELL) : start]
        q = seg.rstrip(" \t")
        if not q.endswith("│"):
            break
        start -= len(seg) - len(q) + 1
    for _ in range(2):
        seg = text[end : end + _BOX_CELL]
        q = seg.lstrip(" \t")
        if not q.startswith("│"):
            break
        end += len(seg) - len(q) + 1
    return start, end


def _unbox(text: str) -> str:
    """Remove the panel borders where a TUI wrapped a message (bounded: _BOX_MAX seams)."""
    parts: list[str] = []
    pos = 0
    for i, m in enumerate(_BOX_SEAM.finditer(text)):
        if i >= _BOX_MAX:
            break
        start, end = _widen(text, m.start(), m.end())
        if start < pos:
            continue
        parts.append(text[pos:start])
        pos = end
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def prepare(text: str) -> str:
    """Whole-text fixes that keep the text's shape: line ends, colours, escaped slashes."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text or "^[[" in text or "u001b[" in text or "x1b[" in text or "\\e[" in text:
        text = _ANSI.sub("", text)
        if "\x1b" in text:  # a malformed sequence: drop the stray ESC so that a second pass is free
            text = text.replace("\x1b", "")
    if "\\/" in text:
        text = text.replace("\\/", "/")
    if "│" in text:
        text = _unbox(text)
    return text


def lower(text: str) -> str:
    """Lower-case with indices kept aligned with ``text``."""
    low = text.lower()
    if len(low) != len(text):  # a few code points lower-case to two; keep indices aligned
        low = text.translate(_ASCII_LOWER)
    return low


# Log-level and decoration prefixes removed before a line is read.
_PREFIX = re.compile(
    r"^(?:\s{0,16}(?:"
    r"\d{4}-\d\d-\d\d[T ][0-9:.,]{1,20}(?:Z|[+-]\d\d:?\d\d)?"  # ISO timestamps (GitHub Actions, Java)
    r"|\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})?"  # Go log timestamps
    r"|\[\d{4}-\d\d-\d\d[T ][^\]]{1,40}\]"
    r"|\[?\d\d:\d\d:\d\d(?:[.,]\d{1,9})?\]?"
    r"|[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{1,9}\s{1,8}\d{1,9} [\w.-]{1,64}:\d{1,6}\]"  # klog
    r"|(?:ERRO|FATA|WARN|INFO|DEBU)\[\d{1,6}\]"  # logrus (text formatter)
    r"|time=\"[^\"\n]{0,64}\""
    r"|(?:level|lvl)=[a-zA-Z]{1,8}"
    r"|::error(?: [^:\n]{0,200})?::|::warning(?: [^:\n]{0,200})?::"
    r"|##\[(?:error|warning|debug|command)\]"
    r"|#\d{1,5}(?: \d{1,6}\.\d{1,4})?"  # BuildKit step numbers
    r"|\[\+\]"
    r"|>{1,8}"  # markdown quotes, Gradle's "> "
    r"|Caused by:"  # Java exception chains
    r"|(?:E|ERROR|CRITICAL|FATAL|WARNING|WARN|INFO|DEBUG)\s{0,4}[-:|]"
    r"|\[(?:ERROR|WARN|WARNING|INFO|FAIL|FATAL|DEBUG|TRACE|error|warn|info)\]"
    r"|\|"
    r")\s{0,8}){1,8}"
)
_LOGFMT = re.compile(r'(?:^|\s)(?:msg|message|error|err|reason|cause)="((?:[^"\\]|\\.){0,4000})"')
_JSON_KEYS = ("msg", "message", "error", "err", "reason", "cause", "exception", "stacktrace", "log", "output")
_STRAY_DOT = re.compile(r"(\w)(?:\.\s{1,3}|\s{1,3}\.)(sock(?:et)?\b)")
_STRAY_SLASH = re.compile(r"((?:unix|npipe)://[^\s\"'`]{0,256}/)\s{1,3}(?=[\w.-]{1,64}\.sock\b)")


def _json_line(s: str) -> str | None:
    if not (s.startswith("{") and s.endswith("}")) or len(s) > 65536:
        return None
    try:
        obj: Any = json.loads(s)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    parts = [v for k in _JSON_KEYS if isinstance(v := obj.get(k), str) and v]
    return ": ".join(parts) if parts else None


def clean(line: str) -> str:
    """One candidate line (possibly with its wrapped continuation) reduced to its message."""
    s = unwrap(line).strip()
    if s.startswith("{"):
        j = _json_line(s)
        if j is not None:
            s = j
    if 'msg="' in s or 'error="' in s or 'err="' in s or 'message="' in s:
        values = [m.group(1) for m in _LOGFMT.finditer(s)]
        if values:
            s = ": ".join(values)
    if '\\"' in s:
        s = s.replace('\\"', '"')
    if "\\t" in s:
        s = s.replace("\\t", " ")
    if "sock" in s and (". sock" in s or " .sock" in s or "/ " in s or ".  sock" in s):
        s = _STRAY_DOT.sub(r"\1.\2", s)
        s = _STRAY_SLASH.sub(r"\1", s)
    return s.strip()


def strip_prefix(s: str) -> str:
    m = _PREFIX.match(s)
    if m and m.end() < len(s):
        s = s[m.end() :]
    return s.strip()


def segments(s: str) -> list[str]:
    """A JSON- or logfmt-encoded message may carry several lines as ``\\n`` (escaped or real)."""
    if "\n" in s:
        return [p for p in (x.strip() for x in s.split("\n")) if p]
    if "\\n" in s and ('{"' in s or '":"' in s or '": "' in s or "msg" in s or ": " in s):
        return [p for p in (x.strip() for x in s.split("\\n")) if p]
    return [s]


# --------------------------------------------------------------------------------------
# Wrapped lines

_URLISH_END = re.compile(r"(?:://|/)[^\s]{0,512}[\w./-]$")
_CONT_START = re.compile(r"[a-z0-9/%._-]")
_NEW_MESSAGE = re.compile(r"[a-z][\w.-]{0,30}: ")


def _continues(prev: str, nxt: str) -> bool:
    p = prev.rstrip()
    n = nxt.lstrip()
    if not n or len(p) < 40:
        return False
    if p[-1] in ".!?;" and not p.endswith(("docker.", "/.")):
        return False
    if _CONT_START.match(n) is None or n.startswith(("$ ", "# ")):
        return False
    # "docker: permission denied ..." after a command line is a new message, unless the
    # previous line was cut inside a path or URL ("/var/run/docker." + "sock: ...").
    return _NEW_MESSAGE.match(n) is None or _URLISH_END.search(p[-600:]) is not None


def unwrap(text: str) -> str:
    """Join the physical lines of one span that are one wrapped line."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    out = [lines[0]]
    for nxt in lines[1:]:
        prev = out[-1]
        if _continues(prev, nxt):
            tail = prev.rstrip()
            if _URLISH_END.search(tail[-600:]) and not nxt[:1].isspace():
                out[-1] = tail + nxt.lstrip()
            else:
                out[-1] = tail + " " + nxt.lstrip()
        else:
            out.append(nxt)
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# Candidate lines: located by cheap substring search on the lower-cased text.


def _line_end(low: str, idx: int, hi: int) -> int:
    """End of the line holding ``idx``, extended over up to MAX_JOIN wrapped continuations."""
    end = low.find("\n", idx, hi)
    if end < 0:
        return hi
    start = low.rfind("\n", 0, end) + 1
    for _ in range(MAX_JOIN):
        nxt_end = low.find("\n", end + 1, hi)
        nxt_end = hi if nxt_end < 0 else nxt_end
        if nxt_end <= end + 1 or not _continues(low[max(start, end - 600) : end], low[end + 1 : min(nxt_end, end + 200)]):
            break
        start, end = end + 1, nxt_end
        if end >= hi:
            break
    return end


EDGE = 524_288  # characters at each end of a long text searched with every trigger
CONTEXT_EDGE = 65_536  # characters at each end kept in the context window
CONTEXT_MAX = 524_288  # characters of candidate lines kept in the context window


def candidate_spans(low: str, keywords: tuple[str, ...], core: tuple[str, ...] = ()) -> list[tuple[int, int]]:
    """(start, end) of every line holding a keyword, bounded per keyword and in total.

    A text longer than two ``EDGE`` s is searched with every keyword in its first and
    last ``EDGE`` characters (where a pasted error is) and with the ``core`` keywords
    only in between, so that the work stays a small constant times the length.
    """
    n = len(low)
    spans: set[tuple[int, int]] = set()

    def add(idx: int) -> None:
        lo = max(0, idx - WINDOW)
        start = low.rfind("\n", lo, idx) + 1 or lo
        for _ in range(MAX_JOIN):  # the line may be the continuation of a wrapped one
            if start <= lo or start < 2:
                break
            prev = low.rfind("\n", lo, start - 1) + 1 or lo
            if not _continues(low[max(prev, start - 601) : start - 1], low[start : min(n, start + 200)]):
                break
            start = prev
        hi = min(n, idx + WINDOW)
        spans.add((start, _line_end(low, idx, hi)))

    if n <= 2 * EDGE or not core:
        regions = [(0, n, keywords)]
    else:
        regions = [(0, EDGE, keywords), (EDGE, n - EDGE, core), (n - EDGE, n, keywords)]
    for lo, hi, words in regions:
        for kw in words:
            pos = low.find(kw, lo, hi)
            if pos < 0:
                continue
            first: list[int] = []
            while pos >= 0 and len(first) < HITS_FORWARD:
                first.append(pos)
                pos = low.find(kw, pos + len(kw), hi)
            for p in first:
                add(p)
            if pos >= 0:  # more hits than we take from the front: take the last ones too
                back = hi
                floor = first[-1] + len(kw)
                for _ in range(HITS_BACKWARD):
                    p = low.rfind(kw, floor, back)
                    if p < 0:
                        break
                    add(p)
                    back = p
    ordered = sorted(spans)
    if len(ordered) > MAX_LINES:
        half = MAX_LINES // 2
        ordered = ordered[:half] + ordered[-half:]
    return ordered


def context_window(text: str, spans: list[tuple[int, int]]) -> str:
    """What the secondary readers (client, product, surrounding lines) look at: the
    text's two ends and its candidate lines, bounded whatever the text's length."""
    if len(text) <= 2 * CONTEXT_EDGE + CONTEXT_MAX:
        return text
    parts = [text[:CONTEXT_EDGE]]
    total = 0
    for start, end in spans:
        if end <= CONTEXT_EDGE or start >= len(text) - CONTEXT_EDGE:
            continue
        piece = text[max(start, CONTEXT_EDGE) : min(end, len(text) - CONTEXT_EDGE)]
        total += len(piece) + 1
        if total > CONTEXT_MAX:
            break
        parts.append(piece)
    parts.append(text[-CONTEXT_EDGE:])
    return "\n".join(parts)


# --------------------------------------------------------------------------------------
# Sentences wrapped where a trigger phrase is cut ("Could not find a working container\n
# runtime strategy", "No Docker client\n  strategy found"): found nowhere by the trigger
# search, since every phrase is looked up within lines. Read only when nothing else was.

REWRAP_EDGE = 65_536  # characters at each end of the text rejoined
REWRAP_HITS = 4  # hits per phrase
REWRAP_SIDE = 200  # characters kept on each side of a hit
_WRAP_BREAK = re.compile(r"[ \t]{0,16}\n[ \t>|#*]{0,64}")


def rewrapped_windows(text: str, phrases: tuple[str, ...]) -> list[str]:
    """Windows around each phrase that occurs only once the text's line breaks are undone.

    Bounded: the text's two ends only, a few hits per phrase, fixed-width windows.
    """
    if "\n" not in text:
        return []
    edges = text if len(text) <= 2 * REWRAP_EDGE else text[:REWRAP_EDGE] + "\n\n" + text[-REWRAP_EDGE:]
    low_edges = lower(edges)
    flat = _WRAP_BREAK.sub(" ", edges)
    low = lower(flat)
    out: list[str] = []
    for phrase in phrases:
        if " " not in phrase or phrase in low_edges:
            continue  # one word cannot be cut by a line break; a phrase found whole was read already
        pos = low.find(phrase)
        hits = 0
        while pos >= 0 and hits < REWRAP_HITS:
            out.append(flat[max(0, pos - REWRAP_SIDE) : pos + len(phrase) + REWRAP_SIDE])
            hits += 1
            pos = low.find(phrase, pos + len(phrase))
    return out
