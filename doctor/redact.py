"""Secrets never leave cdoctor: one scrubber for every output format.

The output boundary (doctor/render/boundary.py) runs `scrub()` over every
document before any renderer sees it. It removes the userinfo of URLs of any
shape, values of variables whose names suggest secrets, known token shapes
(GitHub, GitLab, Slack, AWS, JWT, bearer), PEM private-key blocks and
`password:` lines wherever they appear in a string. With an `Anonymizer` it
also replaces the user name, home directory, host name and IPv4/IPv6
addresses with stable placeholders, and records what kinds it replaced
(never the values).

Every pattern here is linear in its input: no pattern starts with an
unbounded or variable-width run that the regex engine would retry at every
position, PEM blocks are found with `str.find`, and a line longer than
`MAX_LINE` is scrubbed in windows. A 1 MB engine warning scrubs in well
under a second (tests/test_hostile_time.py).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from doctor.facts.record import field, record
from doctor.lazy_re import lazy

REDACTED = "<redacted>"

# Document keys whose whole value is a secret (config.json `auth`, env names …).
SECRET_NAME = lazy(
    r"(TOKEN|SECRET|PASS|PWD|CREDENTIAL|AUTH|_KEY$|API_?KEY|PRIVATE|ACCESS_KEY|SESSION|CREDHELPER|CREDSSTORE)",
    re.IGNORECASE,
)
# Names of variables whose *values* are secret (`DB_PASS=…`, `SIGNING_KEY: …`, `"password": "…"`):
# the list, *_KEY, *PASS*, *TOKEN*, *SECRET*, *AUTH*, *CREDENTIAL*.
_SECRET_VAR = lazy(r"(_KEY$|PASS|TOKEN|SECRET|AUTH|CREDENTIAL|PRIVATE|APIKEY)", re.IGNORECASE)
# …but not these: a path, a socket, a flag about auth, the author of an image.
_NOT_SECRET_VAR = lazy(
    r"(AUTH_SOCK$|^PWD$|^OLDPWD$|AUTHOR|_PATH$|_FILE$|_DIR$|_URL$|_HOST$|_TYPE$|_METHOD$|_MODE$|BYPASS|PASSTHROUGH)",
    re.IGNORECASE,
)
_MIN_SECRET_LEN = 6  # literal values shorter than this (flags like "1") would blank out unrelated text

# A line longer than this is scrubbed in overlapping windows, so that the cost
# of any pattern stays linear in the whole input whatever the line lengths.
MAX_LINE = 8192
_OVERLAP = 1024
_CUT_AFTER = " \t\"'<>`,;|"

# A scheme starts where no scheme character precedes it: the engine tries each word once.
_SCHEME = lazy(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}://")
# The rest of a URL: up to white space or a character that cannot be in one unquoted.
_URL_REST = lazy(r"[^\s\"'<>`]*")
# user:password@host without a scheme (an `nc -vz admin:pw@host` built from a URL, a proxy setting).
_BARE_USERINFO = lazy(r"(?<![\w.%+-])([A-Za-z0-9._~-]{1,64}):([^\s@/\"'<>`]{1,512})@(?=[A-Za-z0-9\[])")
_LOGIN = lazy(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")
_DIGEST_HOST = lazy(r"(?:sha256|sha512|sha384):", re.IGNORECASE)

# NAME=value, NAME: value, "NAME": "value", export NAME=value. Anchored on a word boundary,
# the name is checked in Python (no alternation retried at every offset).
_ASSIGN = lazy(
    r"(?<![\w-])([\"']?)([A-Za-z_][A-Za-z0-9_.-]{0,127})\1([ \t]{0,8}(?:=|:(?!//))[ \t]{0,8})"
    r"(\"[^\"\n]{0,4096}\"|'[^'\n]{0,4096}'|[^\s,;&\"'}\]]{1,4096})"
)
_QUERY_SECRET = lazy(
    r"(?i)([?&](?:access_?token|token|password|passwd|secret|sig|signature|auth|key|api_?key)=)[^\s&#\"']{1,4096}"
)
_BEARER = lazy(r"(?i)\b(bearer|basic|token)[ \t]{1,8}[A-Za-z0-9._~+/=-]{12,4096}")
_TOKENS = lazy(
    r"\b(?:"
    r"gh[pousr]_[A-Za-z0-9]{20,255}"  # GitHub classic tokens
    r"|github_pat_[A-Za-z0-9_]{20,255}"  # GitHub fine-grained tokens
    r"|glpat-[A-Za-z0-9_-]{20,255}"  # GitLab personal access tokens
    r"|gl(?:dt|rt|cbt|ptt|ft|imt|agent|oas|soat)-[A-Za-z0-9_-]{20,255}"  # other GitLab tokens
    r"|xox[abposr]-[A-Za-z0-9-]{10,255}"  # Slack
    r"|(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}"  # AWS access key ids
    r"|eyJ[A-Za-z0-9_-]{5,4096}\.[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{0,4096}"  # JWT
    r"|npm_[A-Za-z0-9]{36}"  # npm
    r"|sk-[A-Za-z0-9_-]{20,255}"  # API keys in the sk- shape
    r")"
)
_TOKEN_HINTS = ("gh", "github_pat_", "gl", "xox", "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "eyJ", "npm_", "sk-")
_JSON_CRED_HELPERS = lazy(r"(?i)(\"credhelpers\"[ \t]{0,8}:[ \t]{0,8})\{[^{}]{0,8192}\}")
_PEM_BEGIN = "-----BEGIN "
_PEM_END = "-----END "
_PRIVATE_KEY_HEADER = lazy(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----")

_IPV4 = lazy(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])")
# Candidates only: maximal runs of the characters of an IPv6 address (every compressed form included);
# ipaddress decides. One pass of a character class: no backtracking.
_IPV6_RUN = lazy(r"(?<![0-9A-Za-z:._%])[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(?:%[\w.-]{1,32})?")
_NAME_HINTS = ("key", "pass", "token", "secret", "auth", "credential", "private")


def is_secret_name(name: str) -> bool:
    """Whether a variable or key with this name holds a secret (`DB_PASS`, `SIGNING_KEY`, `password`)."""
    return bool(_SECRET_VAR.search(name)) and not _NOT_SECRET_VAR.search(name)


def _userinfo_end(text: str, start: int, end: int) -> int:
    """The index of the `@` that ends the userinfo of the URL whose authority starts at `start`, or -1.

    `end` is where the URL's token ends (white space, a quote). The LAST `@` of
    the authority ends the userinfo, so that a password that contains `@` goes
    whole. A password with an unencoded `/` (illegal, but seen) moves the end of
    the authority: when the authority has no `@` but a `user:non-port` and an
    `@` follows within `_SLASHED_PASSWORD` characters, that `@` counts. Every
    search is bounded by the authority or that window: linear overall.
    """
    cut = end
    for sep in "/?#":
        i = text.find(sep, start, cut)
        if i >= 0:
            cut = i
    at = text.rfind("@", start, cut)
    if at >= 0:
        return at
    colon = text.find(":", start, cut)
    if colon >= 0 and not text[colon + 1 : cut].isdigit():
        return text.rfind("@", cut, min(end, start + _SLASHED_PASSWORD))
    return -1


_SLASHED_PASSWORD = 1100


def _scrub_urls(text: str) -> str:
    out: list[str] = []
    pos = 0
    token_end = -1  # where the current run of URL characters ends: every `://` inside it shares it
    for m in _SCHEME.finditer(text):
        scheme_at, start = m.start(), m.end()
        at = -1
        if start >= pos:
            if start > token_end:
                rest = _URL_REST.match(text, start)
                token_end = rest.end() if rest else start
            at = _userinfo_end(text, start, token_end)
        if at >= 0:
            userinfo = text[start:at]
            user, colon, _ = userinfo.partition(":")
            scheme = text[scheme_at:start].lower()
            if colon and user and len(user) <= 64 and not _TOKENS.fullmatch(user) and "@" not in user:
                kept = f"{user}:{REDACTED}"
            elif not colon and scheme == "ssh://" and _LOGIN.fullmatch(userinfo):
                kept = userinfo  # ssh://alice@host: a login name, not a secret
            else:
                kept = REDACTED
            out.append(text[pos:start])
            out.append(kept)
            pos = at
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _scrub_bare_userinfo(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        if _DIGEST_HOST.match(text, m.end()) or m.group(2) == REDACTED:
            return m.group(0)  # image:tag@sha256:… is a pinned image, not a login
        return f"{m.group(1)}:{REDACTED}@"

    return _BARE_USERINFO.sub(sub, text)


def _scrub_assignments(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name, value = m.group(2), m.group(4)
        if not is_secret_name(name) or value in (REDACTED, f'"{REDACTED}"', f"'{REDACTED}'"):
            return m.group(0)
        value = value[0] + REDACTED + value[-1] if value[:1] in "\"'" and len(value) >= 2 else REDACTED
        return f"{m.group(1)}{name}{m.group(1)}{m.group(3)}{value}"

    return _ASSIGN.sub(sub, text)


def _scrub_pem(text: str) -> str:
    """Every private-key block, to its END line or the end of the text; linear (str.find)."""
    out: list[str] = []
    pos = 0
    while True:
        m = _PRIVATE_KEY_HEADER.search(text, pos) if text.find(_PEM_BEGIN, pos) >= 0 else None
        if m is None:
            break
        end = text.find(_PEM_END, m.end())
        if end < 0:
            stop = len(text)
        else:
            close = text.find("-----", end + len(_PEM_END))
            stop = len(text) if close < 0 else close + 5
        out.append(text[pos : m.start()])
        out.append(REDACTED)
        pos = stop
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _scrub_window(text: str) -> str:
    """The line-local patterns, on one bounded window of text."""
    if "://" in text and "@" in text:
        text = _scrub_urls(text)
    if "@" in text and ":" in text:
        text = _scrub_bare_userinfo(text)
    low = text.lower()
    if "=" in text:
        text = _QUERY_SECRET.sub(lambda m: m[1] + REDACTED, text)
    if ("=" in text or ":" in text) and any(h in low for h in _NAME_HINTS):
        text = _scrub_assignments(text)
    if any(h in text for h in _TOKEN_HINTS):
        text = _TOKENS.sub(REDACTED, text)
    low = text.lower()
    if "bearer" in low or "basic" in low or "token" in low:
        text = _BEARER.sub(lambda m: f"{m[1]} {REDACTED}", text)
    if "credhelpers" in low:
        text = _JSON_CRED_HELPERS.sub(lambda m: m[1] + '{"<redacted>"}', text)
    return text


def _windows(line: str, fn: Callable[[str], str]) -> str:
    """`fn` over a line of any length in bounded, overlapping windows (linear in the line)."""
    if len(line) <= MAX_LINE:
        return fn(line)
    out: list[str] = []
    pos = 0
    while pos < len(line):
        # Cut after a character no secret shape contains (white space, a quote, a separator) in the
        # window's last _OVERLAP characters, so that no URL, token or assignment is split. Only a run
        # of more than _OVERLAP such-free characters is cut hard (and a secret inside it may be missed:
        # docs/hostile-input.md).
        end = min(len(line), pos + MAX_LINE)
        if end < len(line):
            cut = max(line.rfind(c, pos + MAX_LINE - _OVERLAP, end) for c in _CUT_AFTER)
            end = cut + 1 if cut > pos else end
        out.append(fn(line[pos:end]))
        pos = end
    return "".join(out)


def scrub_text(text: str) -> str:
    """Remove secrets from one string, in time linear in its length."""
    if not text:
        return text
    if "PRIVATE KEY" in text:
        text = _scrub_pem(text)
    if len(text) <= MAX_LINE:
        return _scrub_window(text)
    return "\n".join(_windows(line, _scrub_window) for line in text.split("\n"))


def _is_ip6(candidate: str) -> bool:
    try:
        ipaddress.IPv6Address(candidate.split("%", 1)[0])
    except ValueError:
        return False
    return True


@record
class Anonymizer:
    """Stable placeholders for identifying values, within one report."""

    user: str | None = None
    home: str | None = None
    hostname: str | None = None
    extra_names: Iterable[str] = ()
    replaced: set[str] = field(default_factory=set)
    _ips: dict[str, str] = field(default_factory=dict)

    def __call__(self, text: str) -> str:
        if self.home and len(self.home) > 1 and self.home in text:
            text = text.replace(self.home, "<home>")
            self.replaced.add("home directory")
        if self.hostname and len(self.hostname) > 1 and self.hostname in text:
            # As a whole name only: a host called "vm" must not turn "kvm" into "k<hostname>".
            pattern = re.compile(rf"(?<![\w-]){re.escape(self.hostname)}(?![\w-])")
            if pattern.search(text):
                text = pattern.sub("<hostname>", text)
                self.replaced.add("host name")
        if self.user and len(self.user) > 1 and self.user in text:
            pattern = re.compile(rf"(?<![\w-]){re.escape(self.user)}(?![\w-])")
            if pattern.search(text):
                text = pattern.sub("<user>", text)
                self.replaced.add("user name")
        for name in self.extra_names:
            if len(name) > 2 and name in text:
                text = text.replace(name, "<name>")
                self.replaced.add("names")
        if "." in text:
            text = _windows(text, lambda t: _IPV4.sub(self._ip, t))
        if text.count(":") >= 2:
            text = _windows(text, lambda t: _IPV6_RUN.sub(self._ip6, t))
        return text

    def _ip(self, m: re.Match[str]) -> str:
        ip = m[0]
        if ip.startswith("127.") or ip == "0.0.0.0":
            return ip  # loopback says nothing about anyone
        self.replaced.add("IP addresses")
        return self._ips.setdefault(ip, f"<ip-{len(self._ips) + 1}>")

    def _ip6(self, m: re.Match[str]) -> str:
        ip = m[0]
        before = m.string[m.start() - 1] if m.start() else ""
        after = m.string[m.end()] if m.end() < len(m.string) else ""
        if ip.count(":") < 2 or len(ip) > 64 or before.isalnum() or before == "_" or after.isalnum() or after == "_":
            return ip  # part of a word, a time (12:34:56) …
        ip = ip.rstrip(".")
        if not _is_ip6(ip):
            return ip  # a time (12:34:56), a MAC address, a Go duration …
        addr = ipaddress.IPv6Address(ip.split("%", 1)[0])
        if addr.is_loopback or addr.is_unspecified:
            return ip
        self.replaced.add("IP addresses")
        return self._ips.setdefault(str(addr), f"<ip-{len(self._ips) + 1}>") + m[0][len(ip) :]


def secret_values(env: Mapping[str, str]) -> tuple[str, ...]:
    """Values of environment variables whose names suggest secrets (GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY …).

    They are removed literally wherever they appear: a token that leaked into an
    error message or a URL is as secret there as in the environment.
    """
    found = {
        v for k, v in env.items() if is_secret_name(k) and isinstance(v, str) and len(v.strip()) >= _MIN_SECRET_LEN
    }
    # Longest first, so that a secret that contains another is removed whole.
    return tuple(sorted(found, key=len, reverse=True))


def scrub(obj: Any, anonymize: Anonymizer | None = None, *, key: str = "", secrets: Sequence[str] = ()) -> Any:
    """A copy of a JSON-ready document with secrets (and, optionally, identities) removed.

    `secrets`: literal values to remove wherever they appear (see `secret_values`).
    """
    if isinstance(obj, str):
        secret_key = bool(key) and (bool(SECRET_NAME.search(key)) or is_secret_name(key))
        if secret_key and key != "auth_registries" and not _NOT_SECRET_VAR.search(key):
            return REDACTED if obj else obj
        text = obj
        for value in secrets:
            if value in text:
                text = text.replace(value, REDACTED)
        text = scrub_text(text)
        return anonymize(text) if anonymize else text
    if isinstance(obj, dict):
        return {
            (scrub(k, anonymize, secrets=secrets) if isinstance(k, str) else k): scrub(
                v, anonymize, key=str(k), secrets=secrets
            )
            for k, v in obj.items()
        }
    if isinstance(obj, list | tuple):
        return [scrub(v, anonymize, key="", secrets=secrets) for v in obj]
    return obj
