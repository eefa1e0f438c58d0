"""Pasted command output: ``docker version``, ``docker info`` (text and ``--format json``)
and ``docker context ls`` (table and JSON), read into flat facts.

Pure and bounded: JSON is decoded from at most ``_PASTE_JSON_LIMIT`` characters and
text is read line by line from at most 5,000 lines. Falls back to an error log
(:func:`doctor.reader.match.read_error`) when the text is none of these.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from doctor.reader import identify
from doctor.reader.match import read_error
from doctor.reader.normalise import lower, prepare
from doctor.reader.reading import ErrorReading, PasteReading

__all__ = ["read_paste"]

_PASTE_JSON_LIMIT = 4_000_000  # characters handed to the JSON decoder


def read_paste(text: object, error: ErrorReading | None = None) -> PasteReading:
    """Recognise pasted ``docker version`` / ``docker info`` / ``docker context ls``.

    ``error`` is the caller's :func:`read_error` of the same text, reused when the text
    is an error log rather than a paste (so a log is read once, not twice).
    """
    raw = text if isinstance(text, str) else str(text)
    t = prepare(raw[:_PASTE_JSON_LIMIT] if error is not None else raw)
    head = t[:_PASTE_JSON_LIMIT]
    reading = _paste_json(head)
    if reading is None:
        reading = _paste_text(head)
    if reading is None:
        return PasteReading(kind="error-log", server_error=error if error is not None else read_error(t))
    return PasteReading(
        reading.kind,
        reading.facts,
        reading.warnings,
        reading.server_error,
        identify.from_paste(reading.facts, lower(head[:200_000])),
    )

# -- JSON ------------------------------------------------------------------------------

_RE_JSON_PAIR = re.compile(
    r'"([A-Za-z][A-Za-z0-9_]{0,63})"\s{0,4}:\s{0,4}("(?:[^"\\\n]|\\.){0,512}"|true|false|null|-?[0-9]{1,20})'
)


def _first_json_start(t: str) -> int:
    """Index of the first line that starts a JSON value, within the first 40 lines."""
    pos = 0
    for _ in range(40):
        i = pos
        while i < len(t) and t[i] in " \t":
            i += 1
        if i < len(t) and t[i] in "{[":
            return i
        nl = t.find("\n", pos)
        if nl < 0:
            return -1
        pos = nl + 1
    return -1


def _paste_json(t: str) -> PasteReading | None:
    start = _first_json_start(t)
    if start < 0:
        return None
    dec = json.JSONDecoder()
    values: list[Any] = []
    try:
        first, end = dec.raw_decode(t, start)
        values.append(first)
        # `docker context ls --format json`: one object per line.
        pos = end
        for _ in range(1000):
            while pos < len(t) and t[pos] in " \t\n":
                pos += 1
            if pos >= len(t) or t[pos] != "{":
                break
            v, pos = dec.raw_decode(t, pos)
            values.append(v)
    except (ValueError, RecursionError):
        if not values:
            return _paste_json_fragment(t[start:])
    return _paste_from_values(values)


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _paste_from_values(values: list[Any]) -> PasteReading | None:
    first = values[0]
    if isinstance(first, list):
        values = list(first)
        first = values[0] if values else None
    if not isinstance(first, dict):
        return None
    if "DockerEndpoint" in first and "Name" in first:
        return _contexts([v for v in values if isinstance(v, dict)], "context-ls-json")
    if "Client" in first or (
        "Server" in first and isinstance(first.get("Server"), (dict, type(None)))
    ):
        return _version_json(first)
    if any(
        k in first
        for k in ("ServerVersion", "OperatingSystem", "KernelVersion", "ServerErrors", "ClientInfo")
    ):
        return _info_json(first)
    return None


def _paste_json_fragment(t: str) -> PasteReading | None:
    """A truncated JSON paste: pick the flat ``"Key": value`` pairs we know."""
    pairs: dict[str, str] = {}
    for m in _RE_JSON_PAIR.finditer(t[:1_000_000]):
        k, v = m.group(1), m.group(2)
        if k in pairs:
            continue
        if v.startswith('"'):
            try:
                v = json.loads(v)
            except ValueError:
                v = v.strip('"')
        pairs[k] = v
    if "DockerEndpoint" in pairs:
        return _contexts([pairs], "context-ls-json")
    pairs.pop("Name", None)  # in a cut-off `docker info` the first "Name" is a nested one
    if any(k in pairs for k in ("ServerVersion", "OperatingSystem", "KernelVersion", "Architecture", "CgroupDriver")):
        return _info_json(pairs)
    return None


def _sec_names(opts: Iterable[Any]) -> list[str]:
    names: list[str] = []
    for o in opts:
        for part in _s(o).split(","):
            if part.startswith("name="):
                names.append(part[5:])
    return names


def _info_json(d: Mapping[str, Any]) -> PasteReading:
    f: dict[str, str] = {}
    for key, fact in (
        ("ServerVersion", "server_version"),
        ("KernelVersion", "kernel"),
        ("OperatingSystem", "operating_system"),
        ("OSType", "os"),
        ("Architecture", "arch"),
        ("Name", "name"),
        ("CgroupDriver", "cgroup_driver"),
        ("CgroupVersion", "cgroup_version"),
        ("Driver", "storage_driver"),
        ("DockerRootDir", "docker_root_dir"),
        ("DefaultRuntime", "default_runtime"),
    ):
        if d.get(key) not in (None, ""):
            f[fact] = _s(d[key])
    sec = d.get("SecurityOptions")
    if isinstance(sec, list):
        names = _sec_names(sec)
        f["security_options"] = ",".join(names)
        f["rootless"] = "true" if "rootless" in names else "false"
    ci = d.get("ClientInfo")
    if isinstance(ci, dict):
        if ci.get("Version"):
            f["client_version"] = _s(ci["Version"])
        if ci.get("Context"):
            f["context"] = _s(ci["Context"])
        if ci.get("Os"):
            f["client_os"] = _s(ci["Os"])
    warnings = (
        tuple(_s(w) for w in d.get("Warnings") or () if w)
        if isinstance(d.get("Warnings"), list)
        else ()
    )
    errs = d.get("ServerErrors")
    server_error = None
    if isinstance(errs, list) and errs:
        server_error = read_error("\n".join(_s(e) for e in errs))
    return PasteReading("docker-info-json", MappingProxyType(f), warnings, server_error)


def _version_json(d: Mapping[str, Any]) -> PasteReading:
    f: dict[str, str] = {}
    c = d.get("Client")
    if isinstance(c, dict):
        for key, fact in (
            ("Version", "client_version"),
            ("ApiVersion", "client_api_version"),
            ("Context", "context"),
            ("Os", "client_os"),
            ("Arch", "client_arch"),
        ):
            if c.get(key):
                f[fact] = _s(c[key])
        p = c.get("Platform")
        if isinstance(p, dict) and p.get("Name"):
            f["client_platform_name"] = _s(p["Name"])
    sv = d.get("Server")
    server_error = None
    if isinstance(sv, dict):
        for key, fact in (
            ("Version", "server_version"),
            ("ApiVersion", "api_version"),
            ("MinAPIVersion", "min_api_version"),
            ("Os", "os"),
            ("Arch", "arch"),
            ("KernelVersion", "kernel"),
        ):
            if sv.get(key):
                f[fact] = _s(sv[key])
        p = sv.get("Platform")
        if isinstance(p, dict) and p.get("Name"):
            f["platform_name"] = _s(p["Name"])
    elif "Server" in d:
        f["server"] = "unreachable"
    return PasteReading("docker-version-json", MappingProxyType(f), (), server_error)


def _contexts(rows: Sequence[Mapping[str, Any]], kind: str) -> PasteReading:
    f: dict[str, str] = {}
    names: list[str] = []
    for r in rows:
        name = _s(r.get("Name"))
        names.append(name)
        if r.get("Current") in (True, "true"):
            f["context"] = name
            if r.get("DockerEndpoint"):
                f["endpoint"] = _s(r["DockerEndpoint"])
            if r.get("Error"):
                f["context_error"] = _s(r["Error"])
    f["contexts"] = ",".join(names)
    f["context_count"] = str(len(names))
    return PasteReading(kind, MappingProxyType(f))


# -- text --------------------------------------------------------------------------------

_RE_KV = re.compile(r"^( {1,12})([A-Za-z][A-Za-z0-9 /()._-]{0,40}?):(?:\s{1,40}(.{0,512}))?$")


_PASTE_TEXT_LIMIT = 1_000_000  # a `docker info` paste is a few kB; a log of megabytes is not one


def _paste_text(t: str) -> PasteReading | None:
    t = t[:_PASTE_TEXT_LIMIT]
    low = lower(t)
    lines = t.split("\n", 5000)[:5000]
    for ln in lines[:200]:
        st = ln.strip()
        if st.startswith("NAME") and "DOCKER ENDPOINT" in st:
            return _context_table(lines)
    has_client = (
        re.search(r"(?m)^\s{0,4}client(?::| [^\n:]{0,80}:)\s*$", low) is not None
    )
    has_server = re.search(r"(?m)^\s{0,4}server(?::| [^\n:]{0,80}:)", low) is not None
    # `docker info` before 19.03 printed the server's fields at column 0, with no
    # Client:/Server: headings (e.g. treehouses/builder#215): read it as a server section.
    head = "\n" + low  # substring tests: a regex over megabytes of log costs 0.1 s
    if "\nserver version:" in head and "\nstorage driver:" in head:
        indented = [" " + ln if ln.strip() and not ln.lstrip().lower().startswith("warning") else ln for ln in lines]
        return _info_text(["Server:", *indented])
    if not (has_client or has_server):
        return None
    if any(k in low for k in ("debug mode:", "server version:", " containers:", "storage driver:")):
        return _info_text(lines)
    if "api version:" in low or "git commit:" in low:
        return _version_text(lines)
    return None


def _context_table(lines: list[str]) -> PasteReading:
    rows: list[dict[str, Any]] = []
    f_over = False
    started = False
    for ln in lines:
        st = ln.strip()
        if not started:
            started = st.startswith("NAME") and "DOCKER ENDPOINT" in st
            continue
        if not st:
            continue
        if st.lower().startswith("warning: docker_host environment variable overrides"):
            f_over = True
            continue
        toks = st.split()
        name = toks[0]
        current = name.endswith("*") or (len(toks) > 1 and toks[1] == "*")
        name = name.rstrip("*").strip()
        endpoint = next((x for x in toks if "://" in x), "")
        rows.append({"Name": name, "Current": current, "DockerEndpoint": endpoint})
    reading = _contexts(rows, "context-ls")
    if f_over:
        facts = dict(reading.facts)
        facts["docker_host_overrides_context"] = "true"
        reading = PasteReading(reading.kind, MappingProxyType(facts))
    return reading


def _sections(lines: list[str]) -> Iterable[tuple[str, str, int, str, str, str]]:
    """Yield (section, subsection, indent, key, value, raw) for each line."""
    section = sub = ""
    for raw in lines:
        if not raw.strip():
            continue
        if raw[:1] not in (" ", "\t"):
            head = raw.strip()
            hl = head.lower()
            if hl.startswith("client"):
                section, sub = "client", ""
                yield section, sub, 0, "", head[len("client") :].strip(" :"), raw
                continue
            if hl.startswith("server"):
                section, sub = "server", ""
                yield section, sub, 0, "", head[len("server") :].strip(" :"), raw
                continue
            yield section, sub, 0, "", "", raw
            continue
        m = _RE_KV.match(raw[:600].expandtabs(2))
        if not m:
            yield section, sub, len(raw) - len(raw.lstrip()), "", raw.strip(), raw
            continue
        indent, key, value = len(m.group(1)), m.group(2).strip(), (m.group(3) or "").strip()
        if indent == 1 and not value and section == "server":
            sub = key.lower()
        yield section, sub, indent, key, value, raw


Facts = dict[str, str]
Setter = Callable[[Facts, str], None]


def _set(name: str) -> Setter:
    def put(f: Facts, value: str) -> None:
        f[name] = value

    return put


def _set_os_arch(os_key: str, arch_key: str) -> Setter:
    def put(f: Facts, value: str) -> None:
        f[os_key], _, f[arch_key] = value.partition("/")

    return put


def _client_api(f: Facts, value: str) -> None:
    f["client_api_version"] = value.split(maxsplit=1)[0] if value else ""


_RE_SERVER_API = re.compile(r"([0-9.]{1,10})(?:\s*\(minimum version ([0-9.]{1,10})\))?")


def _server_api(f: Facts, value: str) -> None:
    m = _RE_SERVER_API.match(value)
    if m:
        f["api_version"] = m.group(1)
        if m.group(2):
            f["min_api_version"] = m.group(2)


# `docker version`: the key of each section (lower-cased) and the fact it gives.
_VERSION_CLIENT: Mapping[str, Setter] = MappingProxyType(
    {
        "version": _set("client_version"),
        "api version": _client_api,
        "context": _set("context"),
        "os/arch": _set_os_arch("client_os", "client_arch"),
    }
)
_VERSION_ENGINE: Mapping[str, Setter] = MappingProxyType(
    {
        "version": _set("server_version"),
        "api version": _server_api,
        "os/arch": _set_os_arch("os", "arch"),
        "kernel version": _set("kernel"),
        "experimental": _set("experimental"),
    }
)
_VERSION_COMPONENTS: Mapping[str, Setter] = MappingProxyType(
    {"containerd": _set("containerd_version"), "runc": _set("runc_version")}
)


def _version_header(f: Facts, errors: list[str], section: str, raw: str, value: str) -> None:
    """A line at the left margin: ``Client: NAME``, ``Server: NAME`` or an error the CLI printed."""
    head = raw.strip().lower()
    if section == "client" and head.startswith("client") and value:
        f["client_platform_name"] = value
    elif section == "server" and head.startswith("server"):
        if value:
            f["platform_name"] = value
    elif raw.strip() and not raw.lstrip().startswith(("$", "#", ">", "PS ", "C:\\")):
        errors.append(raw.strip())


def _version_field(f: Facts, errors: list[str], where: tuple[str, str], key: str, value: str) -> bool:
    """One indented ``key: value`` line; True when it is the engine's own data."""
    section, sub = where
    k = key.lower()
    if section == "client":
        setter = _VERSION_CLIENT.get(k)
    elif section == "server" and sub in ("", "engine"):
        setter = _VERSION_ENGINE.get(k)
        if setter:
            setter(f, value)
        return bool(key)
    elif section == "server" and k == "version":
        setter = _VERSION_COMPONENTS.get(sub)
    else:
        setter = None
        if section == "server" and not key and value.upper().startswith("ERROR"):
            errors.append(value)
    if setter:
        setter(f, value)
    return False


def _version_text(lines: list[str]) -> PasteReading:
    f: Facts = {}
    errors: list[str] = []
    saw_server_data = False
    for section, sub, indent, key, value, raw in _sections(lines):
        if indent == 0 and not key:
            _version_header(f, errors, section, raw, value)
        elif _version_field(f, errors, (section, sub), key, value):
            saw_server_data = True
    server_error = read_error("\n".join(errors)) if errors and not saw_server_data else None
    if server_error is not None and server_error.symptom == "unknown":
        server_error = None
    return PasteReading(
        "docker-version", MappingProxyType({k: v for k, v in f.items() if v}), (), server_error
    )


_INFO_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "server version": "server_version",
        "kernel version": "kernel",
        "operating system": "operating_system",
        "ostype": "os",
        "architecture": "arch",
        "name": "name",
        "cgroup driver": "cgroup_driver",
        "cgroup version": "cgroup_version",
        "storage driver": "storage_driver",
        "docker root dir": "docker_root_dir",
        "default runtime": "default_runtime",
        "containers": "containers",
        "images": "images",
        "cpus": "cpus",
        "total memory": "total_memory",
    }
)


class _InfoLines:
    """The state of one ``docker info`` read: facts, warnings, errors, security options."""

    def __init__(self) -> None:
        self.facts: Facts = {}
        self.warnings: list[str] = []
        self.errors: list[str] = []
        self.sec_opts: list[str] = []
        self.sec_indent = -1
        self.saw_server_data = False

    def in_security_options(self, section: str, indent: int, key: str, st: str) -> bool:
        """The lines under ``Security Options:`` (one option each, more indented)."""
        if self.sec_indent < 0:
            return False
        if indent > self.sec_indent and section == "server":
            if not key and st and ":" not in st:
                self.sec_opts.append(st)
            return True
        self.sec_indent = -1
        return False

    def message(self, section: str, indent: int, key: str, st: str) -> bool:
        """A WARNING, an ERROR or another unindented line inside the server section."""
        if section == "server" and st.startswith("WARNING:"):
            self.warnings.append(st)
            return True
        if section == "server" and (st.startswith("ERROR:") or st == "errors pretty printing info"):
            if st.startswith("ERROR:"):
                self.errors.append(st)
            return True
        if indent == 0 and not key:
            if section == "server" and not st.lower().startswith("server") and st:
                self.errors.append(st)
            return True
        return False

    def field(self, section: str, indent: int, key: str, value: str) -> None:
        k = key.lower()
        if section == "client":
            if k == "version" and indent == 1:
                self.facts["client_version"] = value
            elif k == "context":
                self.facts["context"] = value
        elif section == "server" and k == "security options" and indent >= 1:
            self.sec_indent = indent
        elif section == "server":
            fact = _INFO_KEYS.get(k)
            if fact and indent == 1 and value:
                self.facts[fact] = value
                self.saw_server_data = True

    def reading(self) -> PasteReading:
        f = self.facts
        if self.sec_indent >= 0 or self.sec_opts:
            f["security_options"] = ",".join(self.sec_opts)
            f["rootless"] = "true" if "rootless" in self.sec_opts else "false"
        server_error = None
        if self.errors and not self.saw_server_data:
            server_error = read_error("\n".join(self.errors))
        return PasteReading("docker-info", MappingProxyType(f), tuple(self.warnings), server_error)


def _info_text(lines: list[str]) -> PasteReading:
    state = _InfoLines()
    for section, _sub, indent, key, value, raw in _sections(lines):
        st = raw.strip()
        if state.in_security_options(section, indent, key, st) or state.message(section, indent, key, st):
            continue
        state.field(section, indent, key, value)
    return state.reading()
