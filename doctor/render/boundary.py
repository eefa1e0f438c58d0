"""The output boundary: every external string is redacted and made safe for its format here, once.

External strings are hostile: engine answers and HTTP headers, process names,
paths, environment and config values, pasted text. Before anything is
written, the document passes `bound(doc, fmt)`:

1. redaction (doctor.redact: secrets always; identities with --anonymize),
   linear in the input, then a cap on the length of any one string;
2. one sanitiser per format, applied to every string and every key:

   terminal  no C0/C1 control, no escape sequence (CSI, OSC, DCS …), no bidi
             override: each is replaced by a visible stand-in (ESC → ␛,
             other C0 → the Control Pictures block, C1 and bidi → `\\x9b`,
             `\\u202e`); a line of external text cannot start a GitHub
             workflow command (`::` → `∶:`) nor a legacy one (`##[`).
   markdown  the terminal rules; the structure (code spans, fences, HTML,
             table cells) is escaped by the renderer with `md_text`,
             `md_code`, `md_fence`, `md_html` below: nothing from outside
             becomes HTML, closes a code span or a `<details>`.
   xml       XML 1.0 characters only (no C0 but tab/LF/CR, no U+FFFE/U+FFFF,
             no lone surrogate), and the terminal rules for what a person
             reads in a CI log.
   json      lone surrogates replaced; `json_dumps` writes valid UTF-8 and
             escapes C1 controls, bidi overrides and U+2028/2029.
   workflow  GitHub workflow commands: the terminal rules, then the runner's
             percent-encoding (`workflow_data`, `workflow_property`), one
             line per command.

Renderers receive bounded documents and escape structure with the helpers
here; they do no escaping of their own. The boundary is idempotent: bounding
a bounded document changes nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from typing import Any, Literal

from doctor import redact

Format = Literal["terminal", "markdown", "xml", "json", "workflow"]
FORMATS: tuple[Format, ...] = ("terminal", "markdown", "xml", "json", "workflow")

# No one string of the document is longer than this when written (a 1 MB engine
# warning is not something to print): the rest is counted, not shown.
MAX_STRING = 16 * 1024


# Compiled when first used (functools.cache): the XML and terminal classes alone cost ~35 ms
# to compile on a 2-core machine, and a JSON diagnosis needs neither.
@cache
def _surrogate() -> re.Pattern[str]:
    return re.compile("[\ud800-\udfff]")


# C0 but tab and newline, DEL, C1; bidi embeddings/overrides/isolates; line/paragraph
# separators; BOM, U+FFFE/U+FFFF; lone surrogates.
@cache
def _terminal_bad() -> re.Pattern[str]:
    return re.compile(
        "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]"
    )


@cache
def _xml_bad() -> re.Pattern[str]:
    return re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@cache
def _json_escape() -> re.Pattern[str]:
    return re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ufffe\uffff]")


# A line of external text that would start a workflow command once the runner trims it.
@cache
def _command_start() -> re.Pattern[str]:
    return re.compile(r"(^|\n)([ \t]*)(::(?=[A-Za-z])|##\[)")


def _visible(ch: str) -> str:
    o = ord(ch)
    if o == 0x1B:
        return "␛"
    if o < 0x20:
        return chr(0x2400 + o)  # ␀ … ␟
    if o == 0x7F:
        return "␡"
    if 0xD800 <= o <= 0xDFFF:
        return "\ufffd"
    return f"\\x{o:02x}" if o <= 0xFF else f"\\u{o:04x}"


def terminal(text: str) -> str:
    """One external string, safe to write to a terminal (and to a CI log read by a runner)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    text = _terminal_bad().sub(lambda m: _visible(m.group(0)), text)
    if "::" in text or "##[" in text:
        text = _command_start().sub(lambda m: m[1] + m[2] + ("∶:" if m[3] == "::" else "#＃["), text)
    return text


def xml(text: str) -> str:
    """XML 1.0 legal characters only (the terminal rules first: the log is read by people too)."""
    return _xml_bad().sub("\ufffd", terminal(text))


def json_text(text: str) -> str:
    """Valid Unicode: a lone surrogate (from a non-UTF-8 path or engine string) becomes U+FFFD."""
    return _surrogate().sub("\ufffd", text)


def cap(text: str, limit: int = MAX_STRING) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f" … ({len(text) - limit} more characters not shown)"


_SANITISERS = {
    "terminal": terminal,
    "markdown": terminal,
    "xml": xml,
    "json": json_text,
    "workflow": terminal,
}


def sanitise(obj: Any, fmt: Format) -> Any:
    """Every string (and key) of a document made safe for `fmt`; other values kept."""
    fn = _SANITISERS[fmt]
    return _walk(obj, lambda s: fn(cap(s)), 0)


def _walk(obj: Any, fn: Any, depth: int) -> Any:
    if isinstance(obj, str):
        return fn(obj)
    if depth > 64:
        return fn(cap(repr(obj), 200))  # deeper than any document cdoctor builds: not data to render
    if isinstance(obj, dict):
        return {(fn(k) if isinstance(k, str) else k): _walk(v, fn, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_walk(v, fn, depth + 1) for v in obj]
    if obj is None or isinstance(obj, bool | int | float):
        return obj
    return fn(str(obj))


def redacted(doc: Any, *, secrets: Sequence[str] = (), anonymize: redact.Anonymizer | None = None) -> Any:
    """Secrets (always) and identities (with an Anonymizer) removed from every string."""
    return redact.scrub(doc, anonymize, secrets=secrets)


def bound(doc: Any, fmt: Format, *, secrets: Sequence[str] = (), anonymize: redact.Anonymizer | None = None) -> Any:
    """The document as it may be written in `fmt`: redacted, capped, sanitised."""
    return sanitise(redacted(doc, secrets=secrets, anonymize=anonymize), fmt)


def render_ready(doc: Any, fmt: Format) -> Any:
    """What a renderer calls on the document it is given: pattern redaction and the sanitiser.

    Callers bound documents already (with the run's literal secrets and the
    anonymizer); this second pass costs a linear scan and makes a renderer safe
    even when a caller forgets.
    """
    return sanitise(_walk(doc, redact.scrub_text, 0), fmt)


def text(value: str, fmt: Format = "terminal") -> str:
    """One loose external string (a path in an error message, an option's value), redacted and sanitised."""
    return str(sanitise(redact.scrub_text(value), fmt))


# --- JSON -------------------------------------------------------------------------------------


def json_dumps(doc: Any, *, indent: int | None = 2) -> str:
    """JSON text: valid UTF-8, every control and invisible format character escaped."""
    s = json.dumps(sanitise(doc, "json"), indent=indent, ensure_ascii=False, default=str)
    # Raw non-ASCII characters can only be inside strings: \uXXXX there means the same.
    return _json_escape().sub(lambda m: f"\\u{ord(m.group(0)):04x}", s)


# --- Markdown (GitHub and GitLab) -------------------------------------------------------------


def md_text(value: object) -> str:
    """Prose or a table cell: one line, no HTML, no emphasis, links, code or column breaks from outside."""
    s = "" if value is None else str(value)
    s = " ".join(terminal(s).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Only what can start or end markup: a lone `.` or `-` inside a word is left readable.
    s = re.sub(r"([\\`*_\[\]|~])", r"\\\1", s)
    # A leading `#`, `>`, `-`, `+`, `1.` would start a block when the text begins a line.
    s = re.sub(r"^([#+\-=])", r"\\\1", s)
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", s)


def md_code(value: object) -> str:
    """An inline code span that no content can close: a backtick fence longer than any run inside.

    Pipes are escaped (GFM splits table cells on `|` even inside code spans and
    drops the backslash); newlines become spaces (a span is one line).
    """
    s = " ".join(terminal("" if value is None else str(value)).split())
    if not s:
        return ""
    s = s.replace("|", "\\|")
    longest = max((len(r) for r in re.findall(r"`+", s)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or longest else ""
    return f"{ticks}{pad}{s}{pad}{ticks}"


def md_fence(value: str, lang: str = "text") -> str:
    """A fenced code block that no content can close: a fence longer than any backtick run inside."""
    body = terminal(value).rstrip()
    longest = max((len(r) for r in re.findall(r"`{3,}", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{body}\n{ticks}\n"


def md_html(value: object) -> str:
    """Text inside an HTML element we write (`<summary>`): entities only, one line."""
    s = " ".join(terminal("" if value is None else str(value)).split())
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# --- GitHub workflow commands (actions/toolkit command.ts) ------------------------------------


def workflow_data(value: str) -> str:
    """The message of a workflow command: `%`, CR and LF percent-encoded (the spec), then the terminal rules."""
    return terminal(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def workflow_property(value: str) -> str:
    """A property value of a workflow command: as data, and `:` and `,` too."""
    return workflow_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_command(kind: str, message: str, **props: str | None) -> str:
    """One workflow command on one line; nothing from outside can end it or start another."""
    shown = ",".join(f"{k}={workflow_property(v)}" for k, v in props.items() if v)
    return f"::{kind}{' ' + shown if shown else ''}::{workflow_data(message)}"
