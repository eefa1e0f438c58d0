"""config.json and the context store, parsed the way the docker CLI reads them (pure).

The gatherer (doctor.gather.config) reads bytes; everything here works on
those bytes so that it can be tested from recorded files. Go's
`encoding/json` rules that users trip over are reproduced: keys match
case-insensitively (the last matching key wins), only the first JSON value
is read, an empty file is fine, a syntax error applies no field at all, and a
wrong-typed field is dropped while the others still apply.

Nothing secret leaves this module: of `auths` only registry names are kept,
of credential helpers only their names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_CONFIG_BYTES = 8 * 1024 * 1024  # a config.json larger than this is not read


def context_id(name: str) -> str:
    """The directory name of a context: sha256 of its name (docker/cli contextdirOf)."""
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True, slots=True)
class JSONProblem:
    """Why a JSON file was not (fully) applied, with the position of the error."""

    kind: str  # "syntax" | "type" | "unreadable" | "too-large" | "not-a-file"
    message: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True, slots=True)
class ConfigFile:
    path: str
    exists: bool
    current_context: str | None = None
    creds_store: str | None = None
    cred_helpers: tuple[str, ...] = ()  # registry names with a helper (values are helper names: not secret)
    cred_helper_names: tuple[str, ...] = ()
    auth_registries: tuple[str, ...] = ()  # registries with stored credentials (never the credentials)
    has_proxies: bool = False
    has_http_headers: bool = False
    problem: JSONProblem | None = None
    # Every problem, for the finding: syntax errors stop at the first; type errors accumulate.
    problems: tuple[JSONProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class ContextMeta:
    """One context on disk (contexts/meta/<id>/meta.json)."""

    dir_id: str
    meta_path: str
    name: str | None  # the Name inside the file (not checked against the directory by the CLI)
    description: str | None = None
    host: str | None = None
    has_docker_endpoint: bool = False
    skip_tls_verify: bool = False
    tls_files: tuple[str, ...] = ()  # file names under contexts/tls/<id>/docker/
    problem: JSONProblem | None = None

    @property
    def name_matches_dir(self) -> bool:
        return self.name is not None and context_id(self.name) == self.dir_id


@dataclass(frozen=True, slots=True)
class ContextStore:
    root: str  # <configdir>/contexts
    contexts: Mapping[str, ContextMeta] = field(default_factory=dict)  # by dir_id
    problem: str | None = None  # the store could not be listed (unreadable, too many entries)
    truncated: bool = False

    def by_name(self, name: str) -> ContextMeta | None:
        """The context the CLI would load for `name`: looked up by directory, like the CLI."""
        return self.contexts.get(context_id(name))


# --- Go encoding/json emulation ---------------------------------------------


def _position(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def _go_char(text: str, pos: int) -> str:
    if pos >= len(text):
        return "unexpected end of JSON input"
    ch = text[pos]
    if ch == "\ufeff":
        return "invalid character 'ï' looking for beginning of value"
    return f"invalid character {ch!r} near position {pos}"


def decode_first_value(data: bytes) -> tuple[object | None, JSONProblem | None]:
    """Decode the first JSON value of `data` as Go's json.Decoder does.

    Returns (None, None) for an empty or blank file (Go: io.EOF, ignored).
    Keys of objects keep their order and duplicates as a list of pairs so that
    Go's "last key wins, case-insensitively" rule can be applied by the caller.
    """
    text = data.decode("utf-8", errors="replace")
    stripped = text.lstrip(" \t\r\n")
    if stripped == "":
        return None, None
    start = len(text) - len(stripped)
    decoder = json.JSONDecoder(object_pairs_hook=_Pairs)
    try:
        value, _end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as e:
        line, col = _position(text, e.pos)
        message = _go_char(text, e.pos) if e.msg.startswith("Expecting value") else e.msg
        if e.pos >= len(text.rstrip()):
            message = "unexpected EOF"
        return None, JSONProblem("syntax", message, line, col)
    except RecursionError:
        return None, JSONProblem("syntax", "exceeded max depth")
    return value, None


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its ordered (key, value) pairs."""

    def get_folded(self, key: str) -> tuple[bool, Any]:
        """Go's field matching: the last key equal to `key` case-insensitively wins."""
        found, value = False, None
        folded = key.casefold()
        for k, v in self:
            if k.casefold() == folded:
                found, value = True, v
        return found, value

    def to_dict(self) -> dict[str, Any]:
        return dict(self)


def _string_field(obj: _Pairs, key: str, problems: list[JSONProblem], owner: str) -> str | None:
    found, value = obj.get_folded(key)
    if not found or value is None:
        return None
    if not isinstance(value, str):
        problems.append(
            JSONProblem(
                "type", f"json: cannot unmarshal {_go_type(value)} into Go struct field {owner}.{key} of type string"
            )
        )
        return None
    return value


def _go_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def parse_config(path: str, data: bytes | None, *, read_error: str | None = None) -> ConfigFile:
    """Parse config.json bytes (None: the file does not exist)."""
    if read_error is not None:
        unreadable = JSONProblem("unreadable", read_error)
        return ConfigFile(path=path, exists=True, problem=unreadable, problems=(unreadable,))
    if data is None:
        return ConfigFile(path=path, exists=False)
    value, problem = decode_first_value(data)
    if problem is not None:
        return ConfigFile(path=path, exists=True, problem=problem, problems=(problem,))
    if value is None:
        return ConfigFile(path=path, exists=True)
    if not isinstance(value, _Pairs):
        p = JSONProblem("type", f"json: cannot unmarshal {_go_type(value)} into Go value of type configfile.ConfigFile")
        return ConfigFile(path=path, exists=True, problem=p, problems=(p,))
    problems: list[JSONProblem] = []
    current = _string_field(value, "currentContext", problems, "ConfigFile")
    creds_store = _string_field(value, "credsStore", problems, "ConfigFile")
    helpers: list[str] = []
    helper_names: list[str] = []
    found, raw_helpers = value.get_folded("credHelpers")
    if found and isinstance(raw_helpers, _Pairs):
        for registry, helper in raw_helpers:
            helpers.append(str(registry))
            if isinstance(helper, str) and helper not in helper_names:
                helper_names.append(helper)
    elif found and raw_helpers is not None:
        problems.append(JSONProblem("type", "json: cannot unmarshal into Go struct field ConfigFile.credHelpers"))
    auths: list[str] = []
    found, raw_auths = value.get_folded("auths")
    if found and isinstance(raw_auths, _Pairs):
        auths = [str(k) for k, _v in raw_auths]
    elif found and raw_auths is not None:
        problems.append(JSONProblem("type", "json: cannot unmarshal into Go struct field ConfigFile.auths"))
    has_proxies = value.get_folded("proxies")[0]
    has_headers = value.get_folded("HttpHeaders")[0]
    return ConfigFile(
        path=path,
        exists=True,
        current_context=current or None,
        creds_store=creds_store or None,
        cred_helpers=tuple(helpers),
        cred_helper_names=tuple(helper_names),
        auth_registries=tuple(auths),
        has_proxies=has_proxies,
        has_http_headers=has_headers,
        problem=problems[0] if problems else None,
        problems=tuple(problems),
    )


def parse_meta(
    dir_id: str, meta_path: str, data: bytes | None, *, read_error: str | None = None, tls_files: tuple[str, ...] = ()
) -> ContextMeta:
    """Parse a context's meta.json as docker/cli's metadata store does."""
    if read_error is not None or data is None:
        return ContextMeta(
            dir_id, meta_path, None, problem=JSONProblem("unreadable", read_error or "missing"), tls_files=tls_files
        )
    value, problem = decode_first_value(data)
    if problem is None and value is None:
        problem = JSONProblem("syntax", "unexpected end of JSON input")
    if problem is not None:
        return ContextMeta(dir_id, meta_path, None, problem=problem, tls_files=tls_files)
    if not isinstance(value, _Pairs):
        p = JSONProblem("type", f"json: cannot unmarshal {_go_type(value)} into Go value of type store.Metadata")
        return ContextMeta(dir_id, meta_path, None, problem=p, tls_files=tls_files)
    problems: list[JSONProblem] = []
    name = _string_field(value, "Name", problems, "Metadata")
    description = None
    found, metadata = value.get_folded("Metadata")
    if found and isinstance(metadata, _Pairs):
        description = _string_field(metadata, "Description", problems, "DockerContext")
    host = None
    skip = False
    has_docker = False
    found, endpoints = value.get_folded("Endpoints")
    if found and isinstance(endpoints, _Pairs):
        # Endpoints is a Go map: its keys match exactly, not case-insensitively.
        docker = None
        for k, v in endpoints:
            if k == "docker":
                docker = v
        if isinstance(docker, _Pairs):
            has_docker = True
            host = _string_field(docker, "Host", problems, "EndpointMeta")
            found_skip, raw_skip = docker.get_folded("SkipTLSVerify")
            if found_skip and isinstance(raw_skip, bool):
                skip = raw_skip
            elif found_skip and raw_skip is not None:
                problems.append(
                    JSONProblem(
                        "type", "json: cannot unmarshal into Go struct field EndpointMeta.SkipTLSVerify of type bool"
                    )
                )
        elif docker is not None:
            problems.append(JSONProblem("type", "json: cannot unmarshal docker endpoint"))
    return ContextMeta(
        dir_id=dir_id,
        meta_path=meta_path,
        name=name,
        description=description,
        host=host,
        has_docker_endpoint=has_docker,
        skip_tls_verify=skip,
        tls_files=tls_files,
        problem=problems[0] if problems else None,
    )
