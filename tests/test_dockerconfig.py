"""config.json and meta.json read the way docker/cli reads them (research R2.3, R3.2–R3.3).

config.json goes through a json.Decoder (first value only, keys
case-insensitive, wrong-typed fields dropped with a warning, a syntax error
drops everything); meta.json through json.Unmarshal into typed structs
(strict: trailing text or any wrong type makes the context unusable). Each
expectation below was checked against docker CLI 28.2.2 and 20.10.24 (see
tests/data/resolution/recorded.json and tests/test_differential.py).
"""

from __future__ import annotations

import json

import pytest

from doctor.knowledge.dockerconfig import context_id, decode_first_value, decode_whole, parse_config, parse_meta

P = "/h/.docker/config.json"


@pytest.mark.parametrize(
    ("data", "current", "problem_kind"),
    [
        (b'{"currentContext": "x"}', "x", None),
        (b'{"CurrentContext": "x"}', "x", None),  # case-insensitive keys
        (b'{"currentcontext": "x"}', "x", None),
        (b'{"currentContext": "x"} trailing', "x", None),  # only the first JSON value is read
        (b'{"currentContext": "x"}{"currentContext": "y"}', "x", None),
        (b"", None, None),  # an empty file is fine (io.EOF)
        (b" \n\t", None, None),
        (b"null", None, None),
        (b'{"currentContext": null}', None, None),
        (b'{"currentContext": ""}', None, None),
        (b'{"currentContext": 5}', None, "type"),  # wrong type: the field is dropped, with a warning
        (b'{"psFormat": 5, "currentContext": "x"}', "x", "type"),  # ...and the others still apply
        (b'{"auths": 5, "currentContext": "x"}', "x", "type"),
        (b'{"currentContext": "x", "currentContext": 5}', "x", "type"),  # Go keeps the last good value
        (b'{"currentContext": "x", "CURRENTCONTEXT": "y"}', "y", None),  # the last matching key wins
        (b'{"currentContext": "x",}', None, "syntax"),  # a syntax error drops the whole file
        (b'{"currentContext": "x"', None, "syntax"),
        (b'\xef\xbb\xbf{"currentContext": "x"}', None, "syntax"),  # a UTF-8 BOM is a syntax error
        (b'{"currentContext": NaN}', None, "syntax"),  # Python would accept NaN; Go does not
        (b"[]", None, "type"),
        (b'"x"', None, "type"),
    ],
)
def test_config_json_quirks(data: bytes, current: str | None, problem_kind: str | None) -> None:
    cfg = parse_config(P, data)
    assert cfg.exists and cfg.current_context == current
    assert (cfg.problem.kind if cfg.problem else None) == problem_kind


def test_config_json_error_texts_are_gos_for_the_common_cases() -> None:
    assert parse_config(P, b'\xef\xbb\xbf{"a": 1}').problem.message == "invalid character 'ï' looking for beginning of value"  # type: ignore[union-attr]
    assert parse_config(P, b'{"a": 1').problem.message == "unexpected EOF"  # type: ignore[union-attr]
    wrong = parse_config(P, b'{"currentContext": 5}').problem
    assert wrong is not None
    assert wrong.message == "json: cannot unmarshal number into Go struct field ConfigFile.currentContext of type string"


def test_config_json_missing_or_unreadable() -> None:
    assert not parse_config(P, None).exists
    cfg = parse_config(P, None, read_error=f"open {P}: permission denied")
    assert cfg.exists and cfg.problem is not None and cfg.problem.kind == "unreadable"


def test_config_json_keeps_no_secret() -> None:
    data = json.dumps({"auths": {"r.example": {"auth": "c2VjcmV0OnNlY3JldA=="}}, "credsStore": "pass"}).encode()
    cfg = parse_config(P, data)
    assert cfg.auth_registries == ("r.example",) and cfg.creds_store == "pass"
    assert "c2VjcmV0" not in repr(cfg)


def test_decode_whole_is_json_unmarshal() -> None:
    assert decode_whole(b'{"a": 1} ')[1] is None
    assert decode_whole(b'{"a": 1} x')[1].message == "invalid character 'x' after top-level value"  # type: ignore[union-attr]
    assert decode_whole(b"")[1].message == "unexpected end of JSON input"  # type: ignore[union-attr]
    assert decode_whole(b'{"a": ')[1].message == "unexpected end of JSON input"  # type: ignore[union-attr]
    assert decode_first_value(b'{"a": 1} x')[1] is None


ID = context_id("a")
MP = f"/h/.docker/contexts/meta/{ID}/meta.json"


def meta(doc: object | bytes) -> object:
    return parse_meta(ID, MP, doc if isinstance(doc, bytes) else json.dumps(doc).encode())


def test_context_id_is_sha256_of_the_name() -> None:
    assert context_id("desktop-linux") == "fe9c6bd7a66301f49ca9b6a70b217107cd1284598bfc254700c989b916da791e"


def test_meta_json_as_written_by_the_cli() -> None:
    m = meta({"Name": "a", "Metadata": {"Description": "d"}, "Endpoints": {"docker": {"Host": "tcp://h:1", "SkipTLSVerify": True}}})
    assert (m.name, m.description, m.host, m.skip_tls_verify, m.problem) == ("a", "d", "tcp://h:1", True, None)  # type: ignore[attr-defined]
    assert m.name_matches_dir and m.has_docker_endpoint  # type: ignore[attr-defined]


def test_meta_json_name_is_not_checked_against_the_directory() -> None:
    m = meta({"Name": "zzz", "Endpoints": {"docker": {"Host": "unix:///x"}}})
    assert m.problem is None and not m.name_matches_dir and m.host == "unix:///x"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("doc", "host", "has_docker"),
    [
        ({"name": "a", "endpoints": {"docker": {"host": "unix:///x", "skiptlsverify": False}}}, "unix:///x", True),
        ({"Endpoints": {"Docker": {"Host": "unix:///x"}}}, None, False),  # a Go map: the key is exact
        ({"Endpoints": {}}, None, False),
        ({"Endpoints": None}, None, False),
        (None, None, False),
        ({"Endpoints": {"docker": {}}}, None, True),  # no Host: the client default (see test_resolve)
        ({"Metadata": None, "Endpoints": {"docker": {"Host": "unix:///x"}}}, "unix:///x", True),
        ({"Metadata": {"description": 5}, "Endpoints": {"docker": {"Host": "unix:///x"}}}, "unix:///x", True),
    ],
)
def test_meta_json_that_loads(doc: object, host: str | None, has_docker: bool) -> None:
    m = meta(doc)
    assert m.problem is None, m.problem  # type: ignore[attr-defined]
    assert (m.host, m.has_docker_endpoint) == (host, has_docker)  # type: ignore[attr-defined]


def test_meta_json_duplicate_keys_merge_like_go() -> None:
    # Two "Endpoints" objects merge into one Go map; a later null resets it.
    m = meta(b'{"Endpoints": {"docker": {"Host": "unix:///y"}}, "Endpoints": {"other": {}}}')
    assert m.host == "unix:///y"  # type: ignore[attr-defined]
    m = meta(b'{"Endpoints": {"docker": {"Host": "unix:///y"}}, "Endpoints": null}')
    assert not m.has_docker_endpoint  # type: ignore[attr-defined]
    m = meta(b'{"Endpoints": {"docker": {"Host": "unix:///1"}, "docker": {"Host": "unix:///2"}}}')
    assert m.host == "unix:///2"  # type: ignore[attr-defined]
    m = meta(b'{"Endpoints": {"docker": {"Host": "unix:///1", "host": "unix:///2"}}}')
    assert m.host == "unix:///2"  # type: ignore[attr-defined]
    m = meta(b'{"Endpoints": {"docker": {"Host": "unix:///1", "Host": null}}}')
    assert m.host == "unix:///1"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "unexpected end of JSON input"),
        (b'{"Endpoints": {}} trailing', "invalid character 't' after top-level value"),
        (b'\xef\xbb\xbf{"Endpoints": {}}', "invalid character 'ï' looking for beginning of value"),
        (b'{"Endpoints": {"docker": {"Host": 5}}}', "json: cannot unmarshal number into Go struct field EndpointMetaBase.Host of type string"),
        (
            b'{"Endpoints": {"docker": {"Host": "unix:///x", "SkipTLSVerify": "yes"}}}',
            "json: cannot unmarshal string into Go struct field EndpointMetaBase.SkipTLSVerify of type bool",
        ),
        (b'{"Name": 7}', "json: cannot unmarshal number into Go struct field untypedContextMetadata.Name of type string"),
        (b'{"Metadata": 5}', "json: cannot unmarshal number into Go value of type map[string]interface {}"),
        (b'{"Endpoints": {"docker": "x"}}', "json: cannot unmarshal string into Go value of type context.EndpointMetaBase"),
        (b"[]", "json: cannot unmarshal array into Go value of type store.untypedContextMetadata"),
    ],
)
def test_meta_json_that_breaks_the_context(raw: bytes, message: str) -> None:
    m = meta(raw)
    assert m.problem is not None and m.fatal  # type: ignore[attr-defined]
    assert m.problem.message == message  # type: ignore[attr-defined]


def test_meta_json_description_that_crashes_the_cli() -> None:
    for desc in (5, None):
        m = meta({"Metadata": {"Description": desc}, "Endpoints": {"docker": {"Host": "unix:///x"}}})
        assert m.problem is not None and "crashes" in m.problem.message  # type: ignore[attr-defined]


def test_meta_json_docker_null_fails_when_used() -> None:
    m = meta({"Endpoints": {"docker": None}})
    assert m.problem is None and m.docker_endpoint_problem == 'endpoint "docker" is not of type EndpointMeta'  # type: ignore[attr-defined]
