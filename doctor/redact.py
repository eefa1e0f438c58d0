"""Secrets never leave cdoctor: one scrubber for every output format.

Every renderer renders the document *after* `scrub()`. It removes passwords
in URLs, values of environment variables whose names suggest secrets, bearer
tokens and PEM private keys wherever they appear in a string. With an
`Anonymizer` it also replaces the user name, home directory, host name and
IP addresses with stable placeholders, and records what kinds it replaced
(never the values).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

REDACTED = "<redacted>"

SECRET_NAME = re.compile(
    r"(TOKEN|SECRET|PASSW|PASSPHRASE|PWD|CREDENTIAL|AUTH|API_?KEY|PRIVATE|ACCESS_KEY|SESSION|CREDHELPER|CREDSSTORE)",
    re.IGNORECASE,
)
# Names whose *values* are hunted down literally wherever they appear in a report:
# stricter than SECRET_NAME, so that PWD (the working directory) or SSH_AUTH_SOCK
# do not blank out every path in it.
_SECRET_VALUE_NAME = re.compile(
    r"(TOKEN|SECRET|PASSW|PASSPHRASE|_PWD$|CREDENTIAL|API_?KEY|PRIVATE|ACCESS_KEY|AUTH(?!_SOCK))", re.IGNORECASE
)
_MIN_SECRET_LEN = 6  # shorter values (flags like "1") would blank out unrelated text
_URL_USERINFO = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{0,20}://)(?P<user>[^\s:/@]{1,256}):(?P<pw>[^\s/@]{1,512})@"
)
_QUERY_SECRET = re.compile(
    r"(?i)([?&](?:access_?token|token|password|passwd|secret|sig|signature|auth|key)=)[^\s&#\"']{1,2048}"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{12,}")
_PEM = re.compile(
    r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----.{0,20000}?(-----END [A-Z ]{0,40}PRIVATE KEY-----|$)", re.DOTALL
)
_ASSIGN = re.compile(
    r"(?i)\b([A-Z0-9_]{0,64}(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY)[A-Z0-9_]{0,64})=(\S{1,2048})"
)
_JSON_AUTH = re.compile(
    r"(?i)(\"(?:auth|password|identitytoken|registrytoken|secret|token|credsstore)\"\s*:\s*\")[^\"]{0,4096}\""
)
# credHelpers maps registries to helper programs: the helper names say which cloud
# accounts a user has, so a config.json quoted in an error keeps none of them.
_JSON_CRED_HELPERS = re.compile(r"(?i)(\"credhelpers\"\s*:\s*)\{[^{}]{0,8192}\}")
_IPV4 = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])")
_IPV6 = re.compile(r"(?<![:\w])(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}(?![:\w])")


def scrub_text(text: str) -> str:
    """Remove secrets from one string."""
    if not text:
        return text
    if "PRIVATE KEY" in text:
        text = _PEM.sub(REDACTED, text)
    if "@" in text and "://" in text:
        text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)
    if "=" in text:
        text = _QUERY_SECRET.sub(lambda m: m[1] + REDACTED, text)
        text = _ASSIGN.sub(lambda m: f"{m[1]}={REDACTED}", text)
    if '"' in text and ":" in text:
        text = _JSON_AUTH.sub(lambda m: m[1] + REDACTED + '"', text)
        text = _JSON_CRED_HELPERS.sub(lambda m: m[1] + '{"<redacted>"}', text)
    return _BEARER.sub(lambda m: f"{m[1]} {REDACTED}", text)


@dataclass
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
        if self.user and len(self.user) > 1:
            pattern = re.compile(rf"(?<![\w-]){re.escape(self.user)}(?![\w-])")
            if pattern.search(text):
                text = pattern.sub("<user>", text)
                self.replaced.add("user name")
        for name in self.extra_names:
            if len(name) > 2 and name in text:
                text = text.replace(name, "<name>")
                self.replaced.add("names")
        if "." in text:
            text = _IPV4.sub(self._ip, text)
        if text.count(":") >= 2:
            text = _IPV6.sub(self._ip, text)
        return text

    def _ip(self, m: re.Match[str]) -> str:
        ip = m[0]
        if ip.startswith("127.") or ip in ("0.0.0.0", "::1"):
            return ip  # loopback says nothing about anyone
        self.replaced.add("IP addresses")
        return self._ips.setdefault(ip, f"<ip-{len(self._ips) + 1}>")


def secret_values(env: Mapping[str, str]) -> tuple[str, ...]:
    """Values of environment variables whose names suggest secrets (GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY …).

    They are removed literally wherever they appear: a token that leaked into an
    error message or a URL is as secret there as in the environment.
    """
    found = {
        v
        for k, v in env.items()
        if _SECRET_VALUE_NAME.search(k) and isinstance(v, str) and len(v.strip()) >= _MIN_SECRET_LEN
    }
    # Longest first, so that a secret that contains another is removed whole.
    return tuple(sorted(found, key=len, reverse=True))


def scrub(obj: Any, anonymize: Anonymizer | None = None, *, key: str = "", secrets: Sequence[str] = ()) -> Any:
    """A copy of a JSON-ready document with secrets (and, optionally, identities) removed.

    `secrets`: literal values to remove wherever they appear (see `secret_values`).
    """
    if isinstance(obj, str):
        if key and SECRET_NAME.search(key) and key not in ("auth_registries",):
            return REDACTED if obj else obj
        text = obj
        for value in secrets:
            if value in text:
                text = text.replace(value, REDACTED)
        text = scrub_text(text)
        return anonymize(text) if anonymize else text
    if isinstance(obj, dict):
        return {k: scrub(v, anonymize, key=str(k), secrets=secrets) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [scrub(v, anonymize, key="", secrets=secrets) for v in obj]
    return obj
