"""ParseHost / ParseHostURL / url.Parse / ssh URL rules (research R5, R7.2), from recorded CLI answers.

Every expected error text here was printed by docker CLI 28.2.2 (after its
"Failed to initialize: unable to resolve docker endpoint: " prefix) on this
project's machine image; tests/test_differential.py re-checks them against the
installed CLIs on every run.
"""

from __future__ import annotations

import pytest

from doctor.knowledge import hosts
from doctor.knowledge.hosts import HostError, parse_host, parse_host_url, parse_ssh_url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "unix:///var/run/docker.sock"),  # R4.2 empty -> default socket
        ("  \t", "unix:///var/run/docker.sock"),  # whitespace is trimmed
        (" unix:///tmp/x.sock ", "unix:///tmp/x.sock"),
        ("localhost", "tcp://localhost:2375"),  # R5.1 no scheme: a tcp address
        ("127.0.0.1:1", "tcp://127.0.0.1:1"),
        ("tcp://", "tcp://localhost:2375"),
        ("tcp://h", "tcp://h:2375"),
        ("tcp://:5", "tcp://localhost:5"),
        ("tcp://[::1]:5", "tcp://[::1]:5"),
        ("tcp://h:2375/base", "tcp://h:2375/base"),  # the path is kept (API base path)
        ("unix://", "unix:///var/run/docker.sock"),
        ("unix://tmp/x.sock", "unix://tmp/x.sock"),  # R5.4 relative, used literally
        ("npipe://", "npipe:////./pipe/docker_engine"),
        ("fd://", "fd://"),
        ("ssh://u@h:22", "ssh://u@h:22"),
        # R5.1: a scheme typo is read as a host named "tcp" (the CLI dials tcp:2375).
        ("tcp//127.0.0.1:2375", "tcp://tcp:2375//127.0.0.1:2375"),
    ],
)
def test_parse_host_normalises_like_the_cli(value: str, expected: str) -> None:
    assert parse_host(value) == expected


def test_tls_on_and_no_host_is_localhost_2376_but_an_explicit_tcp_keeps_2375() -> None:
    # R4.2: the TLS default is tcp://localhost:2376, not the socket; tcp://h stays :2375.
    assert parse_host("", default_to_tls=True) == "tcp://localhost:2376"
    assert parse_host("tcp://h", default_to_tls=True) == "tcp://h:2375"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("http://x", "invalid bind address format: http://x"),
        ("https://h:2376", "invalid bind address format: https://h:2376"),
        ("tcp://[::1]", "invalid bind address format: [::1]"),
        ("tcp://h:abc", 'parse "tcp://h:abc": invalid port ":abc" after host'),
        ("unix://a://b", "invalid proto, expected unix: a://b"),
        ("tcp://a://b", "invalid proto, expected tcp: a://b"),
    ],
)
def test_parse_host_errors_are_the_clis(value: str, message: str) -> None:
    with pytest.raises(HostError) as e:
        parse_host(value)
    assert str(e.value) == message


def test_parse_host_url_refuses_an_empty_address_only_from_client_v24() -> None:
    with pytest.raises(HostError, match=r"unable to parse docker host `fd://`"):
        parse_host_url("fd://")
    assert parse_host_url("fd://", require_addr=False).scheme == "fd"  # 20.10: fails later, when it dials
    with pytest.raises(HostError, match="unable to parse docker host `localhost:1`"):
        parse_host_url("localhost:1")  # a context Host is not normalised (R5.5)
    url = parse_host_url("tcp://127.0.0.1/base")
    assert (url.scheme, url.address, url.base_path) == ("tcp", "127.0.0.1", "/base")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("  unix:///tmp/x.sock", 'parse "  unix:///tmp/x.sock": first path segment in URL cannot contain colon'),
        ("unix:///tmp/a%zz", 'parse "unix:///tmp/a%zz": invalid URL escape "%zz"'),
        ("unix:///tmp/\x01", 'parse "unix:///tmp/\\x01": net/url: invalid control character in URL'),
        (":x", 'parse ":x": missing protocol scheme'),
    ],
)
def test_go_url_parse_errors(value: str, message: str) -> None:
    # connhelper.GetConnectionHelper runs url.Parse on every host first.
    with pytest.raises(HostError) as e:
        hosts.go_url_parse(value)
    assert str(e.value) == message


def test_go_url_parse_accepts_what_go_accepts() -> None:
    assert hosts.go_url_parse("unix:///tmp/a?x=1").path == "/tmp/a"
    assert hosts.go_url_parse("localhost:1").opaque == "1"
    u = hosts.go_url_parse("ssh://me@h:22/p")
    assert (u.scheme, u.host, u.user, u.path) == ("ssh", "h:22", "me", "/p")


@pytest.mark.parametrize(
    ("url", "new", "legacy"),
    [
        ("ssh://u:pw@h", "invalid SSH URL: plain-text password is not supported", "plain-text password is not supported"),
        ("ssh://h?x=1", 'invalid SSH URL: query parameters are not allowed: "x=1"', 'extra query after the host: "x=1"'),
        ("ssh://h#f", 'invalid SSH URL: fragments are not allowed: "f"', 'extra fragment after the host: "f"'),
        ("ssh://u@", "invalid SSH URL: hostname is empty", "no host specified"),
        ("ssh://:22", "invalid SSH URL: hostname is empty", "no host specified"),
    ],
)
def test_ssh_url_errors_per_cli_family(url: str, new: str, legacy: str) -> None:
    # R7.2 (23.0+ wording, verified 28.2.2) and docker CLI 20.10.24's own wording.
    with pytest.raises(HostError) as e:
        parse_ssh_url(url)
    assert str(e.value) == new
    with pytest.raises(HostError) as e:
        parse_ssh_url(url, legacy=True)
    assert str(e.value) == legacy


def test_ssh_url_parts() -> None:
    t = parse_ssh_url("ssh://me@[::1]:2222/run/docker.sock")
    assert (t.user, t.host, t.port, t.path) == ("me", "::1", "2222", "/run/docker.sock")
    t = parse_ssh_url("ssh://host")
    assert (t.user, t.host, t.port, t.path) == (None, "host", None, None)
    with pytest.raises(HostError, match="incorrect scheme: tcp"):
        parse_ssh_url("tcp://h")


def test_redact_url_hides_a_password_only() -> None:
    assert hosts.redact_url("ssh://me:secret@h:22/x") == "ssh://me:REDACTED@h:22/x"
    assert hosts.redact_url("tcp://h:2375") == "tcp://h:2375"
