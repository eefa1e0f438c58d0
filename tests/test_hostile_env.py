"""Hostile environments and users, and property tests of the parsers and the resolution.

Every run: a finding or a one-line error, within the deadline, no traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doctor.knowledge import dockerconfig, hosts, resolve
from tests.conftest import ROOT, read_only

RUN_LIMIT = 1.0 + 4.0  # --timeout 1, plus starting Python on a busy 2-core machine
CDOCTOR = [sys.executable, "-c", "import sys; from doctor.cli import main; sys.exit(main())"]


def run_raw(
    env: dict[bytes, bytes], *args: str, timeout: float = 60, prefix: Sequence[str] = ()
) -> tuple[subprocess.CompletedProcess[bytes], float]:
    """cdoctor with an environment given as bytes (so that values need not be UTF-8)."""
    full = {b"PATH": os.environb.get(b"PATH", b"/usr/bin:/bin"), b"PYTHONPATH": str(ROOT).encode(), **env}
    started = time.monotonic()
    r = subprocess.run(
        [*prefix, *CDOCTOR, "diagnose", "--format", "json", "--timeout", "1", *args],
        env=full,
        capture_output=True,
        timeout=timeout,
        check=False,
        cwd="/",
    )
    return r, time.monotonic() - started


def assert_clean(r: subprocess.CompletedProcess[bytes], seconds: float) -> dict[str, object]:
    err = r.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in r.stderr, err
    assert r.returncode in (0, 1, 2), err
    assert seconds < RUN_LIMIT
    doc: dict[str, object] = json.loads(r.stdout)
    return doc


# Shapes of DOCKER_HOST that docker/cli's ParseHost (opts/hosts.go) rejects.
MALFORMED_HOSTS = [
    "foo",
    "://x",
    "tcp://:::1",
    "tcp://host:port",
    "tcp://host:99999999999",
    "tcp://host/path?query=1",
    "tcp://user:secret@host:2375",
    "tcp://[::1",
    "udp://127.0.0.1:2375",
    "http://127.0.0.1:2375",
    "fd://",
    "tcp://host:2375:extra",
    "tcp://%zz",
    " tcp://127.0.0.1:2375",
    "unix:// ",
    "ssh://",
    "ssh://host:notaport",
]


@pytest.mark.parametrize("value", MALFORMED_HOSTS)
def test_malformed_docker_host(home: Path, value: str) -> None:
    r, seconds = run_raw({b"HOME": str(home).encode(), b"DOCKER_HOST": value.encode()})
    doc = assert_clean(r, seconds)
    assert r.returncode == 1
    assert doc["diagnosis"]["status"] == "broken"  # type: ignore[index]
    assert "secret" not in r.stdout.decode() + r.stderr.decode()  # credentials in the URL are never printed


@pytest.mark.parametrize(
    "var",
    [b"DOCKER_HOST", b"DOCKER_CONTEXT", b"DOCKER_CONFIG", b"DOCKER_CERT_PATH", b"DOCKER_API_VERSION", b"HOME", b"PATH"],
)
def test_non_utf8_values(home: Path, var: bytes) -> None:
    env = {b"HOME": str(home).encode(), var: b"unix:///tmp/\xff\xfe-\xc3\x28.sock"}
    r, seconds = run_raw(env)
    assert_clean(r, seconds)


@pytest.mark.parametrize("var", [b"DOCKER_HOST", b"DOCKER_CONTEXT", b"DOCKER_CONFIG", b"DOCKER_CERT_PATH", b"HOME"])
def test_absurdly_long_values(home: Path, var: bytes) -> None:
    value = {b"DOCKER_HOST": b"tcp://" + b"a" * 100_000 + b":2375"}.get(var, b"/" + b"x" * 100_000)
    r, seconds = run_raw({b"HOME": str(home).encode(), var: value})
    assert_clean(r, seconds)


def test_no_home(home: Path) -> None:
    r, seconds = run_raw({})
    assert_clean(r, seconds)


def test_home_does_not_exist(home: Path) -> None:
    r, seconds = run_raw({b"HOME": str(home / "gone").encode()})
    assert_clean(r, seconds)


def test_read_only_home(home: Path) -> None:
    (home / ".docker").mkdir()
    (home / ".docker" / "config.json").write_text("{}")
    with read_only(home) as prefix:
        r, seconds = run_raw({b"HOME": str(home).encode()}, prefix=prefix)
    assert_clean(r, seconds)


def test_no_docker_binary(home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    r, seconds = run_raw({b"HOME": str(home).encode(), b"PATH": str(empty).encode()})
    doc = assert_clean(r, seconds)
    assert "docker" in json.dumps(doc)


def hanging_elf(path: Path) -> None:
    """A tiny static x86-64 program that pauses forever (cdoctor reads scripts, it runs only binaries)."""
    import struct

    code = bytes.fromhex("b822000000" "0f05" "ebf7")  # loop: mov eax, 34 (pause); syscall; jmp loop
    base, header = 0x400000, 64 + 56
    size = header + len(code)
    ehdr = struct.pack(
        "<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + bytes(9), 2, 0x3E, 1, base + header, 64, 0, 0, 64, 56, 1, 64, 0, 0
    )
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, size, size, 0x1000)
    path.write_bytes(ehdr + phdr + code)
    path.chmod(0o755)


def test_docker_on_path_that_hangs(home: Path, tmp_path: Path) -> None:
    if os.uname().machine != "x86_64":
        pytest.skip("the hanging test binary is x86-64 machine code")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    hanging_elf(bindir / "docker")
    r, seconds = run_raw({b"HOME": str(home).encode(), b"PATH": f"{bindir}:/usr/bin:/bin".encode()})
    doc = assert_clean(r, seconds)
    assert str(bindir / "docker") in json.dumps(doc)


def test_no_proc_access(home: Path) -> None:
    """/proc hidden (an empty tmpfs over it, in a private mount namespace): processes unknown, no crash."""
    unshare = "/usr/bin/unshare"
    if os.geteuid() != 0 or not os.path.exists(unshare):
        pytest.skip("needs root and unshare to hide /proc")
    probe = subprocess.run([unshare, "-m", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a mount namespace here: {probe.stderr.decode()[:200]}")
    script = f"mount -t tmpfs none /proc && exec {' '.join(CDOCTOR[:2])} '{CDOCTOR[2]}' diagnose --format json --timeout 1"
    started = time.monotonic()
    r = subprocess.run(
        [unshare, "-m", "--propagation", "private", "sh", "-c", script],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "HOME": str(home)},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert_clean(r, time.monotonic() - started)


# --- property tests ------------------------------------------------------------

hostish = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda scheme, rest: f"{scheme}://{rest}",
        st.sampled_from(["tcp", "unix", "ssh", "npipe", "fd", "http", "udp", ""]),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    ),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostish, st.booleans(), st.booleans())
def test_parse_host_only_raises_host_error(value: str, tls: bool, path_as_unix: bool) -> None:
    try:
        out = hosts.parse_host(value, default_to_tls=tls, path_as_unix=path_as_unix)
    except hosts.HostError:
        return
    assert isinstance(out, str) and "://" in out
    with contextlib.suppress(hosts.HostError):
        hosts.parse_host_url(out)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_config_and_meta_parsers_never_raise(data: bytes) -> None:
    cfg = dockerconfig.parse_config("/x/config.json", data)
    assert cfg is not None
    meta = dockerconfig.parse_meta("0" * 64, "/x/meta.json", data)
    assert meta is not None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["currentContext", "auths", "credsStore", "proxies", "plugins", "x"]), json_values, max_size=5
    )
)
def test_config_with_any_json_shape(obj: dict[str, object]) -> None:
    dockerconfig.parse_config("/x/config.json", json.dumps(obj).encode())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    env=st.dictionaries(
        st.sampled_from(["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS"]),
        st.text(max_size=40),
        max_size=4,
    ),
    current=st.one_of(st.none(), st.text(max_size=20)),
    flag_context=st.one_of(st.none(), st.text(max_size=20)),
    flag_hosts=st.one_of(st.none(), st.lists(hostish, max_size=2).map(tuple)),
    version=st.one_of(st.none(), st.sampled_from([(19, 3, 0), (20, 10, 24), (23, 0, 0), (28, 2, 2), (29, 8, 0)])),
)
def test_resolution_always_decides(
    env: dict[str, str],
    current: str | None,
    flag_context: str | None,
    flag_hosts: tuple[str, ...] | None,
    version: tuple[int, int, int] | None,
) -> None:
    """Any combination of inputs resolves to an endpoint or to an error with a cause, never an exception."""
    config_doc = {} if current is None else {"currentContext": current}
    inputs = resolve.Inputs(
        flags=resolve.Flags(hosts=flag_hosts, context=flag_context),
        env=env,
        home="/home/u",
        config=dockerconfig.parse_config("/home/u/.docker/config.json", json.dumps(config_doc).encode()),
        store=dockerconfig.ContextStore(root="/home/u/.docker/contexts"),
        cli=resolve.CliFamily(version),
    )
    res = resolve.resolve(inputs)
    assert (res.host is not None) or (res.error is not None)
