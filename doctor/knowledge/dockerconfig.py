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
from typing import Any

from doctor.facts.record import field, record

MAX_CONFIG_BYTES = 8 * 1024 * 1024  # a config.json larger than this is not read


def context_id(name: str) -> str:
    """The directory name of a context: sha256 of its name (docker/cli contextdirOf)."""
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()


@record
class JSONProblem:
    """Why a JSON file was not (fully) applied, with the position of the error."""

    kind: str  # "syntax" | "type" | "unreadable" | "too-large" | "not-a-file"
    message: str
    line: int | None = None
    column: int | None = None


@record
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


@record
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
    # `"docker": null` decodes, then the CLI refuses it when the context is used.
    docker_endpoint_problem: str | None = None

    @property
    def fatal(self) -> bool:
        """The CLI cannot load this context at all (it decodes meta.json strictly)."""
        return self.problem is not None

    @property
    def name_matches_dir(self) -> bool:
        return self.name is not None and context_id(self.name) == self.dir_id


@record
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
    decoder = json.JSONDecoder(object_pairs_hook=_Pairs, parse_constant=_reject_constant)
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
    except ValueError as e:  # NaN / Infinity
        line, col = _position(text, start)
        return None, JSONProblem("syntax", str(e), line, col)
    return value, None


def _reject_constant(name: str) -> object:
    # Python accepts NaN/Infinity; Go's encoding/json does not.
    raise ValueError(f"invalid character {name[0]!r} looking for beginning of value")


def decode_whole(data: bytes) -> tuple[object | None, JSONProblem | None]:
    """json.Unmarshal: one JSON value and nothing after it but whitespace.

    docker/cli reads meta.json this way (metadatastore.go getByID), unlike
    config.json (a json.Decoder, which stops after the first value).
    An empty file is "unexpected end of JSON input".
    """
    text = data.decode("utf-8", errors="replace")
    if text.strip(" \t\r\n") == "":
        return None, JSONProblem("syntax", "unexpected end of JSON input")
    try:
        value, problem = decode_first_value(data)
    except ValueError as e:
        return None, JSONProblem("syntax", str(e))
    if problem is not None:
        if problem.message == "unexpected EOF":
            problem = JSONProblem("syntax", "unexpected end of JSON input", problem.line, problem.column)
        return None, problem
    decoder = json.JSONDecoder(object_pairs_hook=_Pairs, parse_constant=_reject_constant)
    start = len(text) - len(text.lstrip(" \t\r\n"))
    _value, end = decoder.raw_decode(text, start)
    rest = text[end:].lstrip(" \t\r\n")
    if rest:
        pos = len(text) - len(rest)
        line, col = _position(text, pos)
        return None, JSONProblem("syntax", f"invalid character {rest[0]!r} after top-level value", line, col)
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


def _string_field(obj: _Pairs, key: str, problems: list[JSONProblem], owner: str) -> str | None:
    """A Go `string` struct field: every matching key is applied in order.

    A string sets the field, null leaves it as it was, any other type is an
    error that also leaves it as it was (`{"k":"a","k":5}` keeps "a").
    """
    value: str | None = None
    folded = key.casefold()
    for k, v in obj:
        if k.casefold() != folded or v is None:
            continue
        if isinstance(v, str):
            value = v
        else:
            problems.append(
                JSONProblem(
                    "type", f"json: cannot unmarshal {_go_type(v)} into Go struct field {owner}.{key} of type string"
                )
            )
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


# The typed fields of docker/cli's configfile.ConfigFile, so that a wrong-typed
# one is reported as the CLI does (it warns, and keeps the other fields).
_STRING_FIELDS = (
    "psFormat",
    "imagesFormat",
    "networksFormat",
    "pluginsFormat",
    "volumesFormat",
    "statsFormat",
    "detachKeys",
    "serviceInspectFormat",
    "servicesFormat",
    "tasksFormat",
    "secretFormat",
    "configFormat",
    "nodesFormat",
    "experimental",
)
_STRING_MAP_FIELDS = ("HttpHeaders", "aliases", "features")
_STRING_LIST_FIELDS = ("pruneFilters", "cliPluginsExtraDirs")
_OBJECT_MAP_FIELDS = ("proxies", "plugins")


def _other_field_problems(value: _Pairs) -> list[JSONProblem]:
    """Type errors in the fields cdoctor does not use (one level deep)."""
    problems: list[JSONProblem] = []
    for key in _STRING_FIELDS:
        _string_field(value, key, problems, "ConfigFile")
    for key, want in (
        *((k, "map[string]string") for k in _STRING_MAP_FIELDS),
        *((k, "[]string") for k in _STRING_LIST_FIELDS),
        *((k, "map") for k in _OBJECT_MAP_FIELDS),
    ):
        for k, v in value:
            if k.casefold() != key.casefold() or v is None:
                continue
            if want == "[]string":
                ok = isinstance(v, list) and all(isinstance(x, str) or x is None for x in v)
            elif want == "map[string]string":
                ok = isinstance(v, _Pairs) and all(isinstance(x, str) or x is None for _k, x in v)
            else:
                ok = isinstance(v, _Pairs) and all(isinstance(x, _Pairs) or x is None for _k, x in v)
            if not ok:
                problems.append(JSONProblem("type", f"json: cannot unmarshal into Go struct field ConfigFile.{key}"))
    return problems


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
    problems.extend(_other_field_problems(value))
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


def _invalid(message: str) -> JSONProblem:
    return JSONProblem("invalid", message)


def parse_meta(
    dir_id: str, meta_path: str, data: bytes | None, *, read_error: str | None = None, tls_files: tuple[str, ...] = ()
) -> ContextMeta:
    """Parse a context's meta.json as docker/cli's metadata store does.

    The CLI decodes meta.json strictly (json.Unmarshal into typed structs,
    metadatastore.go parseTypedOrMap): trailing text after the object, or any
    field of the wrong type, makes the whole context unusable. Keys of the
    structs match case-insensitively; `Endpoints` is a Go map, so its keys
    (`docker`) match exactly; `Metadata` is decoded into a map where only the
    exact key `Description` is special. Checked against docker CLI 28.2.2 and
    20.10.24 (tests/test_differential.py).
    """

    def meta(problem: JSONProblem | None = None, **kw: Any) -> ContextMeta:
        return ContextMeta(dir_id, meta_path, kw.pop("name", None), problem=problem, tls_files=tls_files, **kw)

    if read_error is not None or data is None:
        return meta(JSONProblem("unreadable", read_error or "missing"))
    value, problem = decode_whole(data)
    if problem is not None:
        return meta(problem)
    if value is None:
        # `null` decodes into an empty struct: no endpoints at all.
        return meta()
    if not isinstance(value, _Pairs):
        return meta(
            _invalid(f"json: cannot unmarshal {_go_type(value)} into Go value of type store.untypedContextMetadata")
        )
    problems: list[JSONProblem] = []
    name = _string_field(value, "Name", problems, "untypedContextMetadata")
    metadata, endpoints = _meta_members(value, problems)
    description = _description(metadata, problems)
    host, skip, has_docker, endpoint_problem = _docker_endpoint(endpoints, problems)
    problems = [_invalid(pr.message) if pr.kind == "type" else pr for pr in problems]
    return meta(
        problems[0] if problems else None,
        name=name,
        description=description,
        host=host,
        has_docker_endpoint=has_docker,
        skip_tls_verify=skip,
        docker_endpoint_problem=endpoint_problem,
    )


def _meta_members(value: _Pairs, problems: list[JSONProblem]) -> tuple[object, dict[str, object] | None]:
    """meta.json's Metadata (raw) and Endpoints (a Go map), decoded as Go decodes them."""
    # Metadata is a json.RawMessage: the last occurrence wins, then it is decoded.
    metadata: object = None
    endpoints: dict[str, object] | None = None
    for k, v in value:
        folded = k.casefold()
        if folded == "metadata":
            metadata = v
        elif folded == "endpoints":
            if v is None:
                endpoints = None  # null resets a Go map
            elif isinstance(v, _Pairs):
                # Decoding into an existing map merges: a second "Endpoints" adds keys.
                endpoints = endpoints if endpoints is not None else {}
                for ek, ev in v:
                    endpoints[ek] = ev
            else:
                problems.append(
                    _invalid(
                        f"json: cannot unmarshal {_go_type(v)} into Go struct field "
                        "untypedContextMetadata.endpoints of type map[string]json.RawMessage"
                    )
                )
    return metadata, endpoints


def _description(metadata: object, problems: list[JSONProblem]) -> str | None:
    """Metadata.Description, which the CLI reads as a string (it panics on anything else)."""
    description = None
    if metadata is not None:
        if not isinstance(metadata, _Pairs):
            problems.append(
                _invalid(f"json: cannot unmarshal {_go_type(metadata)} into Go value of type map[string]interface {{}}")
            )
        else:
            found = [v for k, v in metadata if k == "Description"]
            if found and not isinstance(found[-1], str):
                # command.DockerContext.UnmarshalJSON does v.(string): the CLI panics.
                problems.append(
                    _invalid(
                        f"the docker CLI crashes on this file (panic: interface conversion: "
                        f"Metadata.Description is {_go_type(found[-1]) if found[-1] is not None else 'null'}, not string)"
                    )
                )
            elif found:
                description = found[-1]
    return description


def _docker_endpoint(
    endpoints: dict[str, object] | None, problems: list[JSONProblem]
) -> tuple[str | None, bool, bool, str | None]:
    """(Host, SkipTLSVerify, whether there is a docker endpoint, its problem) of the "docker" endpoint."""
    host = None
    skip = False
    has_docker = False
    endpoint_problem = None
    for ek, ev in (endpoints or {}).items():
        if ev is not None and not isinstance(ev, _Pairs):
            # Every endpoint is decoded (the docker one into EndpointMetaBase, others into a map).
            target = "context.EndpointMetaBase" if ek == "docker" else "map[string]interface {}"
            problems.append(_invalid(f"json: cannot unmarshal {_go_type(ev)} into Go value of type {target}"))
    if endpoints is not None and "docker" in endpoints:
        docker = endpoints["docker"]
        has_docker = True
        if docker is None:
            endpoint_problem = 'endpoint "docker" is not of type EndpointMeta'
        elif isinstance(docker, _Pairs):
            type_problems: list[JSONProblem] = []
            host = _string_field(docker, "Host", type_problems, "EndpointMetaBase")
            for k, v in docker:
                if k.casefold() != "skiptlsverify" or v is None:
                    continue
                if isinstance(v, bool):
                    skip = v
                else:
                    type_problems.append(
                        JSONProblem(
                            "type",
                            f"json: cannot unmarshal {_go_type(v)} into Go struct field "
                            "EndpointMetaBase.SkipTLSVerify of type bool",
                        )
                    )
            problems.extend(_invalid(tp.message) for tp in type_problems)
    return host, skip, has_docker, endpoint_problem
