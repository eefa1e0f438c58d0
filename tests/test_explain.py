"""doctor.reader: the pure reader behind `cdoctor explain`.

The seed corpus (tests/data/explain/corpus/seed.json) holds error texts as users pasted
them in public GitHub issues and pull requests; entries whose origin is "derived" are
wordings taken from source code where no public paste was found (each names the file
it was read from). Every one of them is read exactly as labelled
(a regression set); the whole corpus, with the corpus helpers' files, is scored by
tests/explain_score.py (tests/test_explain_score.py). The seed pastes
(tests/data/explain/pastes/*.txt listed in seed.json) are `docker version` /
`docker info` / `docker context ls` outputs from public issues; the first line of each
names its source.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doctor.reader import ErrorReading, PasteReading, read_error, read_paste

DATA = Path(__file__).parent / "data" / "explain"
CORPUS = json.loads((DATA / "corpus" / "seed.json").read_text(encoding="utf-8"))
ALL_RECORDS = [
    (f.name, r) for f in sorted((DATA / "corpus").glob("*.json")) for r in json.loads(f.read_text(encoding="utf-8"))
]
PRODUCTS = {"docker-desktop", "rancher-desktop", "colima", "orbstack", "podman", "lima", "minikube",
            "docker-engine", "dind", "unknown"}  # fmt: skip

SYMPTOMS = {
    "socket-missing", "permission-denied", "connection-refused", "daemon-not-running",
    "timeout", "dns-failure", "tls", "http-to-https", "api-version", "context-not-found",
    "invalid-host", "config-parse", "ssh", "named-pipe-missing", "not-docker-api",
    "no-environment", "wsl-stub", "cli-shim", "unknown",
}  # fmt: skip
CLIENTS = {
    "docker-cli", "docker-py", "compose", "compose-v1", "buildx", "testcontainers-java",
    "testcontainers-go", "testcontainers-python", "podman", "podman-docker", "unknown",
}  # fmt: skip
CAUSES = {
    "endpoint-mismatch", "engine-not-running", "engine-not-installed", "engine-unresponsive",
    "permission-denied", "not-docker-api", "containerd-only", "context-not-found",
    "invalid-docker-host", "invalid-config", "tcp-unreachable", "tls-error",
    "api-version-mismatch", "ssh-error", "named-pipe-missing", "wsl-integration-disabled",
}  # fmt: skip


# -- the corpus -------------------------------------------------------------------------


def _id(e: dict[str, object]) -> str:
    return f"{e['symptom']}:{str(e['source']).removeprefix('https://github.com/')[:60]}"


def test_corpus_shape() -> None:
    """Every record of every corpus file has the fields PLAN.md's corpus format names."""
    assert len(CORPUS) >= 60
    required = {"text", "source", "repo", "client", "symptom", "endpoint", "product", "cause", "origin"}
    for name, e in ALL_RECORDS:
        assert required <= set(e) <= required | {"note"}, (name, set(e) ^ required)
        assert isinstance(e["text"], str) and e["text"], name
        assert e["origin"] in ("pasted", "docs", "derived", "handwritten"), (name, e["origin"])
        if e["origin"] in ("pasted", "docs"):
            assert e["source"].startswith("https://"), (name, e["source"])
        assert isinstance(e["repo"], str) and e["repo"], (name, e["source"])
        assert e["symptom"] in SYMPTOMS, (name, e["symptom"])
        assert isinstance(e["client"], str), name
        assert e["product"] is None or e["product"] in PRODUCTS, (name, e["product"])
        assert e["cause"] is None or e["cause"] in CAUSES, (name, e["cause"])
        assert e["endpoint"] is None or "://" in e["endpoint"], (name, e["endpoint"])
    for e in CORPUS:
        assert e["client"] in CLIENTS, e["client"]
        if e["origin"] == "pasted":
            assert e["repo"] in e["source"], e["source"]


def test_corpus_covers_every_symptom_and_client() -> None:
    assert {e["symptom"] for e in CORPUS} == SYMPTOMS
    assert {e["client"] for e in CORPUS} >= CLIENTS
    # Old and new CLI wordings are both represented.
    texts = "\n".join(e["text"] for e in CORPUS)
    for wording in (
        "Got permission denied while trying to connect to the Docker daemon socket",  # <=20.10
        "permission denied while trying to connect to the Docker daemon socket",  # 23-28
        "failed to connect to the docker API at",  # 29+
        "Le fichier spécifié est introuvable",  # localized Windows text
        "Emulate Docker CLI using podman",
    ):
        assert wording in texts


@pytest.mark.parametrize("entry", CORPUS, ids=[_id(e) for e in CORPUS])
def test_corpus_entry(entry: dict[str, str | None]) -> None:
    r = read_error(str(entry["text"]))
    got = {
        "symptom": r.symptom,
        "endpoint": r.endpoint,
        "client": r.client,
        "cause": r.cause,
        "product": r.product.product if r.product else None,
    }
    want = {k: entry[k] for k in got}
    assert got == want
    if r.symptom != "unknown":
        assert r.evidence, "a decision always quotes the line that made it"


# -- details and hints ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        (
            "Got permission denied while trying to connect to the Docker daemon socket at "
            "unix:///var/run/docker.sock: Get http://%2Fvar%2Frun%2Fdocker.sock/v1.40/info: "
            "dial unix /var/run/docker.sock: connect: permission denied",
            "<=20.10",
        ),
        (
            "permission denied while trying to connect to the Docker daemon socket at unix:///var/"
            'run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.50/containers/json": dial '
            "unix /var/run/docker.sock: connect: permission denied",
            "23.0-28.x",
        ),
        ("permission denied while trying to connect to the docker API at unix:///x.sock", "29.0+"),
        ("WARNING: Error parsing config file (/h/.docker/config.json): unexpected EOF", "28.0+"),
        ("WARNING: Error loading config file: /h/.docker/config.json: : unexpected EOF", "27.x"),
        ('unable to resolve docker endpoint: context "x" does not exist', "19.03-20.10"),
    ],
)
def test_cli_version_hint(text: str, hint: str) -> None:
    assert read_error(text).cli_version_hint == hint


def test_api_versions_are_extracted() -> None:
    r = read_error("Error response from daemon: client version 1.52 is too new. Maximum supported API version is 1.43")
    assert r.symptom == "api-version"
    assert r.details["client_api_version"] == "1.52"
    assert r.details["server_max_api_version"] == "1.43"
    r = read_error(
        "Error response from daemon: client version 1.32 is too old. Minimum supported API "
        "version is 1.44, please upgrade your client to a newer version"
    )
    assert r.details["server_min_api_version"] == "1.44"


def test_context_config_and_ssh_details() -> None:
    r = read_error(
        'Failed to initialize: unable to resolve docker endpoint: context "desktop-linux": '
        "context not found: open /h/.docker/contexts/meta/fe9c/meta.json: no such file or directory"
    )
    assert (r.symptom, r.details["context"], r.endpoint) == (
        "context-not-found",
        "desktop-linux",
        None,
    )
    r = read_error("WARNING: Error parsing config file (/root/.docker/config.json): unexpected EOF")
    assert r.details["config_path"] == "/root/.docker/config.json"
    assert r.details["json_error"] == "unexpected EOF"
    ssh = next(e for e in CORPUS if e["source"].endswith("sonic-mgmt/issues/1581"))
    r = read_error(ssh["text"])
    assert r.details["ssh_exit_status"] == "255"
    assert r.details["ssh_stderr"].startswith("Host key verification failed.")


def test_errno_beats_the_generic_question() -> None:
    # causes.md: an errno shown beats "Is the docker daemon running?" around it.
    text = (
        "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker "
        "daemon running?\nERROR: failed to connect to the docker API at unix:///var/run/docker."
        "sock; check if the path is correct and if the daemon is running: dial unix /var/run/"
        "docker.sock: connect: no such file or directory\n"
    )
    assert read_error(text).symptom == "socket-missing"
    assert read_error(text.splitlines()[0]).cause is None


def test_noise_is_tolerated() -> None:
    text = (
        "\x1b[31m2024-05-01T10:00:00.000Z #12 ERROR: \x1b[0mfailed to connect to the docker API "
        "at unix:///run/user/1000/docker.sock; check if the path is correct and if the daemon "
        "is running: dial unix /run/user/1000/docker.sock: connect: permission denied\r\n"
        "[+] Running 0/1\r\n"
    )
    r = read_error(text)
    assert (r.symptom, r.endpoint, r.cause) == (
        "permission-denied",
        "unix:///run/user/1000/docker.sock",
        "permission-denied",
    )


@pytest.mark.parametrize(
    ("text", "endpoint"),
    [
        ('Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/info": EOF', "unix:///var/run/docker.sock"),
        ("open \\\\.\\pipe\\docker_engine: Access is denied.", "npipe:////./pipe/docker_engine"),
        ("open //./pipe/podman-machine-default: x", "npipe:////./pipe/podman-machine-default"),
        ("at npipe:////./pipe/docker_engine; check", "npipe:////./pipe/docker_engine"),
        ("Cannot connect to the Docker daemon at tcp://10.0.0.5:2376.", "tcp://10.0.0.5:2376"),
        ("ERROR: Couldn't connect to Docker daemon at http+docker://localunixsocket", None),
    ],
)
def test_endpoint_normalisation(text: str, endpoint: str | None) -> None:
    assert read_error(text).endpoint == endpoint


def test_pipe_access_denied_is_permission() -> None:
    r = read_error("error during connect: open //./pipe/docker_engine: Access is denied.")
    assert r.symptom == "permission-denied"


# -- pastes -------------------------------------------------------------------------------

PASTES: dict[str, tuple[str, dict[str, str], str | None]] = {
    "docker-version-server-failed-windows.txt": (
        "docker-version",
        {"client_version": "28.5.1", "context": "desktop-linux"},
        "named-pipe-missing",
    ),
    "docker-version-server-failed-linux.txt": (
        "docker-version",
        {"client_version": "18.09.6", "client_api_version": "1.39"},
        "daemon-not-running",
    ),
    "docker-version-colima.txt": (
        "docker-version",
        {"context": "colima", "server_version": "26.1.1", "api_version": "1.45",
         "min_api_version": "1.24", "os": "linux"},
        None,
    ),
    "docker-version-29.txt": (
        "docker-version",
        {"client_version": "29.0.0", "api_version": "1.52", "min_api_version": "1.44"},
        None,
    ),
    "docker-version-23.txt": ("docker-version", {"server_version": "23.0.0"}, None),
    "docker-version-17.03.txt": (
        "docker-version",
        {"server_version": "17.03.1-ce", "min_api_version": "1.12", "os": "linux"},
        None,
    ),
    "docker-info-desktop-20.10.txt": (
        "docker-info",
        {"server_version": "20.10.5", "operating_system": "Docker Desktop", "os": "linux",
         "kernel": "5.4.72-microsoft-standard-WSL2", "security_options": "seccomp",
         "rootless": "false", "context": "default"},
        None,
    ),
    "docker-info-client-only-windows.txt": (
        "docker-info", {"client_version": "28.5.1", "context": "desktop-linux"}, None,
    ),
    "docker-info-json-desktop.txt": (
        "docker-info-json",
        {"operating_system": "Docker Desktop", "kernel": "5.15.49-linuxkit-pr", "arch": "aarch64"},
        None,
    ),
    "context-ls-20.10.txt": (
        "context-ls", {"context": "default", "endpoint": "npipe:////./pipe/docker_engine"}, None,
    ),
    "context-ls-19.03-dev.txt": (
        "context-ls",
        {"context": "swarm", "endpoint": "unix:///var/run/docker.sock", "contexts": "default,swarm"},
        None,
    ),
    "context-ls-json-lines.txt": (
        "context-ls-json",
        {"context": "desktop-linux",
         "endpoint": "unix:///Users/chriswiegman/.docker/run/docker.sock"},
        None,
    ),
    "context-ls-json-array-desktop.txt": (
        "context-ls-json", {"context": "desktop-linux", "context_count": "2"}, None,
    ),
}  # fmt: skip


def test_every_paste_is_checked_and_sourced() -> None:
    files = {p.relative_to(DATA / "pastes").as_posix() for p in (DATA / "pastes").rglob("*.txt")}
    listed = {
        r["file"]: r for m in (DATA / "pastes").glob("*.json") for r in json.loads(m.read_text(encoding="utf-8"))
    }
    assert files == set(listed), files ^ set(listed)  # every paste is in a manifest, and exists
    for r in listed.values():
        assert r["source"].startswith("https://") and r["repo"], r
        assert r["product"] is None or r["product"] in PRODUCTS, r
        assert r["origin"] in ("pasted", "docs", "derived", "handwritten"), r
    seed = {r["file"] for r in json.loads((DATA / "pastes" / "seed.json").read_text(encoding="utf-8"))}
    assert seed == set(PASTES)
    for name in seed:
        first = (DATA / "pastes" / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert first.startswith("# source: https://github.com/"), name


@pytest.mark.parametrize("name", sorted(PASTES))
def test_paste(name: str) -> None:
    kind, facts, server_symptom = PASTES[name]
    text = (DATA / "pastes" / name).read_text(encoding="utf-8").split("\n", 1)[1]
    r = read_paste(text)
    assert r.kind == kind
    for k, v in facts.items():
        assert r.facts.get(k) == v, k
    if server_symptom is None:
        assert r.server_error is None
    else:
        assert r.server_error is not None
        assert r.server_error.symptom == server_symptom


def test_docker_info_server_error_and_warnings() -> None:
    # docker info <= 28.0 on a dead daemon (docker/cli cli/command/system/info.go prints
    # the server error under Server:), and engine warnings.
    dead = (
        "Client:\n Context:    default\n Debug Mode: false\n\nServer:\nERROR: Cannot connect to "
        "the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"
        "errors pretty printing info\n"
    )
    r = read_paste(dead)
    assert r.kind == "docker-info"
    assert r.server_error is not None
    assert r.server_error.symptom == "daemon-not-running"
    live = (
        "Client:\n Context:    rootless\n\nServer:\n Server Version: 28.2.2\n Security Options:\n"
        "  seccomp\n   Profile: builtin\n  rootless\n  cgroupns\n Kernel Version: 6.8.0\n"
        "WARNING: No cpu cfs quota support\nWARNING: bridge-nf-call-iptables is disabled\n"
    )
    r = read_paste(live)
    assert r.facts["rootless"] == "true"
    assert r.facts["security_options"] == "seccomp,rootless,cgroupns"
    assert r.warnings == (
        "WARNING: No cpu cfs quota support",
        "WARNING: bridge-nf-call-iptables is disabled",
    )


def test_json_pastes() -> None:
    info = json.dumps(
        {
            "ServerVersion": "29.1.0",
            "SecurityOptions": ["name=seccomp,profile=builtin", "name=rootless"],
            "Warnings": ["WARNING: bridge-nf-call-iptables is disabled"],
            "ClientInfo": {"Version": "29.1.0", "Context": "rootless"},
        }
    )
    r = read_paste(info)
    assert (r.kind, r.facts["rootless"], r.facts["context"]) == (
        "docker-info-json",
        "true",
        "rootless",
    )
    assert r.warnings == ("WARNING: bridge-nf-call-iptables is disabled",)
    failed = json.dumps({"ClientInfo": {"Version": "28.2.2"}, "ServerErrors": [
        "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker "
        "daemon running?"]})  # fmt: skip
    r = read_paste(failed)
    assert r.server_error is not None
    assert r.server_error.endpoint == "unix:///var/run/docker.sock"
    version = json.dumps(
        {"Client": {"Version": "28.2.2", "ApiVersion": "1.50", "Context": "default"},
         "Server": {"Version": "28.2.2", "ApiVersion": "1.50", "MinAPIVersion": "1.24",
                    "Os": "linux", "Platform": {"Name": "Docker Engine - Community"}}}
    )  # fmt: skip
    r = read_paste(version)
    assert r.kind == "docker-version-json"
    assert r.facts["min_api_version"] == "1.24"
    assert r.facts["platform_name"] == "Docker Engine - Community"


def test_error_log_fallback() -> None:
    r = read_paste(
        "docker compose up\nunable to get image 'x': Cannot connect to the Docker "
        "daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
    )
    assert r.kind == "error-log"
    assert r.server_error is not None
    assert r.server_error.client == "compose"


# -- linear time, totality ------------------------------------------------------------------

TEN_MB = 10_000_000


def _adversarial() -> list[tuple[str, str]]:
    line = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker"
    return [
        ("repeated-cannot-connect", ((line + " daemon running?\n") * (TEN_MB // 100))[:TEN_MB]),
        ("one-line-no-newline", ((line + " ") * (TEN_MB // len(line)))[:TEN_MB]),
        (
            "near-misses",
            (
                "permission denie docker.soc dial uni context not foun \\\\.\\pip ssh x50 "
                'client version 1.5 is too ne "a":"b" timeou\n'
            )
            * (TEN_MB // 120),
        ),
        ("newlines", "\n" * TEN_MB),
        ("escapes", ("\x1b[" + ";" * 40 + '\\"' + "\\n") * (TEN_MB // 46)),
        (
            "needle-at-the-end",
            "noise " * (TEN_MB // 6) + "\ndial unix /var/run/docker.sock: connect: permission denied",
        ),
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "text"), _adversarial(), ids=[n for n, _ in _adversarial()])
def test_ten_megabytes_in_linear_time(name: str, text: str) -> None:
    t0 = time.perf_counter()
    r = read_error(text)
    t1 = time.perf_counter()
    p = read_paste(text)
    t2 = time.perf_counter()
    print(f"{name}: {len(text)} chars, read_error {t1 - t0:.2f}s, read_paste {t2 - t1:.2f}s")
    assert isinstance(r, ErrorReading)
    assert isinstance(p, PasteReading)
    assert t1 - t0 < 4.0  # well under 2 s here; generous for slow CI
    assert t2 - t1 < 4.0
    if name == "needle-at-the-end":
        assert r.symptom == "permission-denied"


_ALPHABET = st.characters(codec=None, blacklist_categories=())  # includes surrogates and NUL
_WORDS = st.sampled_from(
    [
        "Cannot connect to the Docker daemon at ", "unix://", "npipe:////./pipe/", "tcp://",
        "ssh://", "http://%2F", "%252F", "dial unix ", ": no such file or directory",
        "permission denied", "context \"", "\": context not found", "client version ",
        " is too new. Maximum supported API version is ", "\\\\.\\pipe\\", "open //./pipe/",
        "WARNING: Error loading config file: ", "\n", "\r\n", "\x1b[31m", "\x00", "\ud800",
        "Client:\n", "Server:\n", " Version: ", " API version: ", "NAME DOCKER ENDPOINT\n",
        "{\"Current\":true,\"Name\":", "[", "{", "\"", "command [ssh ",
        "] has exited with exit status ",
        "Security Options:\n", "  rootless\n", "ERROR: ", "time=\"x\" level=error msg=\"",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.text(_ALPHABET, max_size=40)), max_size=40))
def test_never_raises_on_fragments(parts: list[str]) -> None:
    text = "".join(parts)
    r = read_error(text)
    assert r.symptom in SYMPTOMS
    assert "internal_error" not in r.details, r.details
    p = read_paste(text)
    assert "internal_error" not in p.facts, p.facts


@settings(max_examples=200, deadline=None)
@given(st.text(_ALPHABET, max_size=2000))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    assert read_error(text).symptom in SYMPTOMS
    assert read_paste(text).kind in {
        "docker-version", "docker-info", "docker-info-json", "docker-version-json",
        "context-ls", "context-ls-json", "error-log",
    }  # fmt: skip


def test_tui_borders_are_undone_in_linear_time() -> None:
    """Panel borders are removed around line ends only, a bounded number of times."""
    for text in ("│ " * 2_000_000, "│\n" * 2_000_000, ("x│" + " " * 200 + "│\n│" + " " * 200 + "│y ") * 10_000):
        t0 = time.perf_counter()
        read_error(text)
        assert time.perf_counter() - t0 < 2.0


def test_huge_single_line_and_bytes_like_input() -> None:
    assert read_error("x" * 3_000_000 + "\ud800\x00").symptom == "unknown"
    assert read_error(b"Cannot connect to the Docker daemon".decode()).symptom == "daemon-not-running"


def test_a_reader_bug_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """No catch-all: a bug in the reader raises, so the fuzz tests above can fail (issue 9)."""
    from doctor.reader import match

    def boom(s: str, pos: int) -> list[match.Signal]:
        raise RuntimeError("reader bug")

    monkeypatch.setattr(match, "signals_in", boom)
    with pytest.raises(RuntimeError):
        read_error("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.")
    with pytest.raises(RuntimeError):
        read_paste("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.")


def test_the_reader_is_pure() -> None:
    """doctor/reader/ imports nothing that touches the system and calls no I/O builtin."""
    import ast

    forbidden = {"os", "subprocess", "socket", "pathlib", "shutil", "psutil", "docker", "requests", "urllib.request",
                 "http", "ssl", "glob", "io", "tempfile", "threading", "importlib"}  # fmt: skip
    pkg = Path(__file__).resolve().parent.parent / "doctor" / "reader"
    files = sorted(pkg.glob("*.py"))
    assert len(files) >= 7
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & forbidden, path.name
            elif isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in forbidden and node.module != "urllib.request", path.name
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"open", "print", "input", "exec", "eval", "__import__"}, path.name


def test_the_catalogue_loads_lazily() -> None:
    """`import doctor.reader` (and cdoctor's start-up for diagnose) does not load the catalogue."""
    import subprocess
    import sys

    code = (
        "import sys, doctor.reader, doctor.cli; "
        "print(sorted(m for m in sys.modules if m.startswith('doctor.reader.')))"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True).stdout
    assert "doctor.reader.templates" not in out and "doctor.reader.match" not in out, out


def test_every_template_cites_its_source_and_is_reachable() -> None:
    from doctor.reader.templates import TEMPLATES, TRIGGERS

    ids = [t.id for t in TEMPLATES]
    assert len(ids) == len(set(ids))
    for t in TEMPLATES:
        assert t.source, t.id
        assert t.symptom in SYMPTOMS, t.id
        # A template is only tried on a line found by a trigger word: whenever it matches,
        # a trigger is in the line (every word of one of its groups contains a trigger).
        assert any(all(any(tr in w for tr in TRIGGERS) for w in group) for group in t.when), t.id


# -- issue 13: the classes the reader used to miss ---------------------------------------


@pytest.mark.parametrize(
    ("text", "symptom", "endpoint", "product"),
    [
        # the right sentence inside a logrus wrapper (error="…" after msg="…")
        (
            'time="2025-11-12T10:00:00Z" level=fatal msg="failed to list containers" error="Error response '
            "from daemon: client version 1.24 is too old. Minimum supported API version is 1.44, please "
            'upgrade your client to a newer version"',
            "api-version", None, None,
        ),
        # the same as a zap/JSON log line
        (
            '{"level":"error","ts":1731400000,"msg":"docker","error":"Cannot connect to the Docker daemon at '
            'unix:///var/run/docker.sock. Is the docker daemon running?"}',
            "daemon-not-running", "unix:///var/run/docker.sock", None,
        ),
        # paths as people paste them
        (
            "Cannot connect to the Docker daemon at unix:///Users/{USER}/.orbstack/run/docker.sock. "
            "Is the docker daemon running?",
            "daemon-not-running", "unix:///Users/{USER}/.orbstack/run/docker.sock", "orbstack",
        ),
        (
            "Cannot connect to the Docker daemon at unix:///var/run/docker. sock. Is the docker daemon running?",
            "daemon-not-running", "unix:///var/run/docker.sock", None,
        ),
        (
            "Cannot connect to the Docker daemon at unix:///home/<user>/.docker/desktop/docker.sock. Is the "
            "docker daemon running?",
            "daemon-not-running", "unix:///home/<user>/.docker/desktop/docker.sock", "docker-desktop",
        ),
        (
            "error during connect: Get \"https://X.X.X.X:2376/v1.24/version\": x509: certificate signed by "
            "unknown authority",
            "tls", "tcp://X.X.X.X:2376", None,
        ),
        # a message wrapped by the terminal in the middle of the path
        (
            "ERROR: failed to connect to the docker API at unix:///Users/jane/.colima/default/docker.\n"
            "sock; check if the path is correct and if the daemon is running: dial unix /Users/jane/.colima/"
            "default/docker.sock: connect: no such file or directory",
            "socket-missing", "unix:///Users/jane/.colima/default/docker.sock", "colima",
        ),
        # products from the text: a Windows pipe, a CI service alias
        ("open //./pipe/dockerDesktopLinuxEngine: Access is denied.", "permission-denied",
         "npipe:////./pipe/dockerDesktopLinuxEngine", "docker-desktop"),
        (
            'error during connect: Post "http://docker:2375/v1.24/auth": dial tcp: lookup docker: Try again',
            "dns-failure", "tcp://docker:2375", "dind",
        ),
        # other clients' wordings
        (
            "Error checking TLS connection: Error checking and/or regenerating the certs: There was an error "
            'validating certificates for host "192.168.99.100:2376": tls: oversized record received with '
            "length 20527",
            "tls", "tcp://192.168.99.100:2376", None,
        ),
        (
            'testcontainers [DEBUG] Container runtime strategy "UnixSocketStrategy" does not work: "Error: '
            'connect ENOENT /var/run/docker.sock"\nError: Could not find a working container runtime strategy',
            "socket-missing", "unix:///var/run/docker.sock", None,
        ),
        ("Emulate Docker CLI using podman. Create /etc/containers/nodocker to quiet msg.", "cli-shim", None, "podman"),
        (
            "[ERROR] Failed to execute goal io.fabric8:docker-maven-plugin:0.43.0:build (default-cli): No "
            "<dockerHost> given, no DOCKER_HOST environment variable, no read/writable '/var/run/docker.sock' "
            "or '//./pipe/docker_engine' and no external provider like Docker machine configured",
            "no-environment", None, None,
        ),
        # a Java exception chain: the errno is on the "Caused by" line, the socket above it
        (
            "com.github.dockerjava.api.exception.DockerClientException: Failed to ping /var/run/docker.sock\n"
            "Caused by: java.io.IOException: com.sun.jna.LastErrorException: [13] Permission denied",
            "permission-denied", "unix:///var/run/docker.sock", None,
        ),
    ],
)
def test_the_classes_issue_13_names(text: str, symptom: str, endpoint: str | None, product: str | None) -> None:
    r = read_error(text)
    assert (r.symptom, r.endpoint) == (symptom, endpoint), r
    assert (r.product.product if r.product else None) == product, r.product
    if r.product:
        assert r.product.signals and r.product.confidence in ("certain", "likely", "guess")


@pytest.mark.parametrize(
    ("text", "symptom", "endpoint", "cause"),
    [
        # PLAN.md Decisions: Go's resolver error is a DNS failure whatever errno the query got
        (
            'error during connect: Get "http://docker.example:2375/v1.47/info": dial tcp: lookup docker.example '
            "on 10.255.255.53:53: dial udp 10.255.255.53:53: connect: network is unreachable",
            "dns-failure", "tcp://docker.example:2375", "tcp-unreachable",
        ),
        (
            "Cannot connect to the Docker daemon at tcp://build-host:2375. Is the docker daemon running?\n"
            "dial tcp: lookup build-host on 127.0.0.53:53: read udp 127.0.0.1:41234->127.0.0.53:53: read: "
            "connection refused",
            "dns-failure", "tcp://build-host:2375", "tcp-unreachable",
        ),
        (
            "dial tcp: lookup docker on [::1]:53: read udp [::1]:5353->[::1]:53: i/o timeout",
            "dns-failure", None, "tcp-unreachable",
        ),
        # ... unless the name looked up is a scheme: `tcp//host:2375` lost its colon (test_causes_real)
        (
            'error during connect: Get "http://tcp//localhost:2375/v1.47/info": dial tcp: lookup tcp on '
            "10.255.255.53:53: dial udp 10.255.255.53:53: connect: network is unreachable",
            "invalid-host", None, "invalid-docker-host",
        ),
    ],
)
def test_go_resolver_errors_are_dns_failures(text: str, symptom: str, endpoint: str | None, cause: str) -> None:
    r = read_error(text)
    assert (r.symptom, r.endpoint, r.cause) == (symptom, endpoint, cause), r


@pytest.mark.parametrize(
    ("text", "symptom", "endpoint"),
    [
        # other clients' wordings, from their sources (templates.py cites each line)
        ("Docker client strategy UnixSocketStrategy is not reachable", "no-environment", None),
        ("Error: Unsupported protocol: ftp", "invalid-host", None),
        # a DOCKER_HOST scheme or path taken for a host name, as Node, Java and Go say it
        ("TypeError [ERR_INVALID_URL]: Invalid URL: tcp//localhost:2375", "invalid-host", None),
        ("Error: getaddrinfo ENOTFOUND unix", "invalid-host", None),
        ("java.net.UnknownHostException: tcp", "invalid-host", None),
        ("Error: getaddrinfo ENOTFOUND docker", "dns-failure", None),
        ('error during connect: Get "https://10.0.0.5:2376/v1.45/info": tls: failed to parse private key',
         "tls", "tcp://10.0.0.5:2376"),
        ("FileNotFoundError: [Errno 2] No such file or directory: 'docker'", "no-environment", None),
        ("failed to start daemon: invalid minimum API version (1.12): must be between 1.24 and 1.52",
         "api-version", None),
        ("dial tcp 10.0.0.5:2375: connectex: Impossibile stabilire la connessione. Rifiuto persistente del computer "
         "di destinazione.", "connection-refused", "tcp://10.0.0.5:2375"),
        ("unable to resolve docker endpoint: open /certs/client/cert.pem: no such file or directory", "tls", None),
        ("io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: /127.0.0.1:2375",
         "connection-refused", "tcp://127.0.0.1:2375"),
        ("ERROR: Couldn't connect to Docker daemon. You might need to start Docker for Windows.",
         "named-pipe-missing", None),
        ("ERROR: Windows named pipe error: The system cannot find the file specified. (code: 2)",
         "named-pipe-missing", None),
        ("ERROR: Windows named pipe error: Access is denied. (code: 5)", "permission-denied", None),
        ("ERROR: Windows named pipe error: All pipe instances are busy. (code: 231)", "unknown", None),
        (
            "NpipeSocketClientProviderStrategy: failed with exception TimeoutException (Timeout waiting for result "
            "with exception). Root cause FileNotFoundException (\\\\.\\pipe\\docker_engine (The system cannot "
            "find the file specified))",
            "named-pipe-missing", "npipe:////./pipe/docker_engine",
        ),
        ("org.apache.http.conn.HttpHostConnectException: Connection to http://localhost:2375 refused",
         "connection-refused", "tcp://localhost:2375"),
        ('Error: unable to create connection. "http" is not a supported schema', "invalid-host", None),
        (
            "UnixSocketClientProviderStrategy: failed with exception InvalidConfigurationException (Could not find "
            "unix domain socket). Root cause AccessDeniedException (/var/run/docker.sock)",
            "permission-denied", "unix:///var/run/docker.sock",
        ),
        ("WARN Unknown DOCKER_HOST scheme http, skipping the strategy test...", "invalid-host", None),
        ("Failed to connect. Is Docker installed and running? Error: Error: (HTTP code 500) server error",
         "daemon-not-running", None),
        (
            "The value provided for the setting `docker.host` or environment variable `DOCKER_HOST` is invalid. "
            "It must include the protocol, for example, ssh://myuser@mymachine or tcp://1.2.3.4.",
            "invalid-host", None,
        ),
        ('"docker buildx build" requires API version 1.31, but the Docker daemon API version is 1.30',
         "api-version", None),
        ("could not load X509 key pair: open /root/.docker/cert.pem: no such file or directory", "tls", None),
        # a sentence wrapped where the phrase is cut
        ("Error: Could not find a working container\nruntime strategy", "no-environment", None),
        ("Error: No Docker client\n    strategy found", "no-environment", None),
        # podman's own usage error behind a `docker` command (no banner): the shim
        ("$ docker run --foo busybox\nError: unknown flag: --foo\nSee 'podman run --help'", "cli-shim", None),
        (
            'testcontainers [DEBUG] Container runtime strategy "UnixSocketStrategy" does not work: "Error: '
            '(HTTP code 500) server error"',
            "no-environment", None,
        ),
        ("X Exiting due to DRV_NOT_HEALTHY: Found driver(s) but none were healthy.", "no-environment", None),
        ("X Unable to pick a default driver. Here is what was considered, in preference order:", "no-environment", None),
        (
            "java.lang.IllegalArgumentException: Illegal character in authority at index 6: tcp://[::1]:2375x/\n"
            "\tat com.github.dockerjava.core.DefaultDockerClientConfig.<init>",
            "invalid-host", None,
        ),
        (
            "com.spotify.docker.client.exceptions.DockerException: java.util.concurrent.ExecutionException: "
            "javax.ws.rs.ProcessingException: java.io.IOException: No such file or directory",
            "socket-missing", None,
        ),
        (
            "FATA[0000] rootless containerd not running? (hint: use `containerd-rootless-setuptool.sh install` "
            "to start rootless containerd): exit status 1",
            "daemon-not-running", None,
        ),
        ("Verbindung zum Docker Client fehlgeschlagen. Du musst ggf. den Docker Client neustarten.",
         "daemon-not-running", None),
        ("Error response from daemon: Minimum supported API version is 1.44, please upgrade", "api-version", None),
        # Windows' socket errors in the display language
        (
            'error during connect: Get "http://10.0.0.5:2375/v1.24/version": dial tcp 10.0.0.5:2375: connectex: '
            "A connection attempt failed because the connected party did not properly respond after a period of "
            "time, or established connection failed because connected host has failed to respond.",
            "timeout", "tcp://10.0.0.5:2375",
        ),
        (
            'error during connect: Get "http://10.0.0.5:2375/v1.24/version": dial tcp 10.0.0.5:2375: connectex: '
            "Es konnte keine Verbindung hergestellt werden, da der Zielcomputer die Verbindung verweigerte.",
            "connection-refused", "tcp://10.0.0.5:2375",
        ),
        # Node/OpenSSL TLS errors; Java unix-socket libraries; Apache HttpClient's address
        ("Error: write EPROTO 1408F10B:SSL routines:ssl3_get_record:wrong version number", "tls", None),
        ("Error: self signed certificate in certificate chain", "tls", None),
        (
            "java.io.IOException: No such file or directory\n\tat jnr.unixsocket.UnixSocketChannel.doConnect"
            "(UnixSocketChannel.java:127)",
            "socket-missing", None,
        ),
        (
            "org.apache.http.conn.HttpHostConnectException: Connect to localhost:2375 [localhost/127.0.0.1] "
            "failed: Connection refused (Connection refused)",
            "connection-refused", "tcp://localhost:2375",
        ),
        # podman's ssh transport (containers/common pkg/ssh/connection_golang.go): the key, the session,
        # the remote podman fail before any socket is reached
        (
            "Error: unable to connect to Podman socket: failed to read identity \"/Users/u/.local/share/containers/"
            "podman/machine/machine\": open /Users/u/.local/share/containers/podman/machine/machine: no such file "
            "or directory",
            "ssh", None,
        ),
        ('Error: failed to create new ssh session on "192.168.1.5:22": EOF', "ssh", None),
        ('Error: remote podman "host:22" failed to report its UDS socket', "ssh", None),
        ("Error: unable to connect to Podman socket: failed to connect: ssh: handshake failed: knownhosts: key "
         "is unknown", "ssh", None),
        # ... but a refused ssh port is still a refusal (corpus rule: the errno shown wins)
        (
            "Error: unable to connect to Podman. failed to create sshClient: Connection to bastion host "
            "(ssh://core@localhost:50717/run/user/1000/podman/podman.sock) failed.: dial tcp [::1]:50717: "
            "connect: connection refused",
            "connection-refused", "ssh://core@localhost:50717/run/user/1000/podman/podman.sock",
        ),
        # an errno no symptom names beats the generic wrapper around it
        (
            'Error: unable to connect to Podman socket: Get "http://d/v5.0.1/libpod/_ping": read unix '
            "@->/run/podman/podman.sock: read: connection reset by peer",
            "unknown", "unix:///run/podman/podman.sock",
        ),
        ("Failed to connect. Is Docker installed and running? Error: read ECONNRESET", "unknown", None),
        # the VS Code Docker extension names the runtime it looks for (LocalRootTreeItemBase.ts)
        ("Failed to connect. Is Podman running?", "daemon-not-running", None),
        ("Failed to connect. Is Podman installed?", "no-environment", None),
        # the first sentence of the API floor alone (dockerode cuts the second)
        ("Failed to connect. Is Docker installed and running? Error: (HTTP code 400) unexpected - client "
         "version 1.32 is too old", "api-version", None),
        # a missing docker-compose program is not a missing socket
        ("FileNotFoundError: [Errno 2] No such file or directory: 'docker-compose'", "no-environment", None),
        ('exec: "docker-compose": executable file not found in $PATH', "no-environment", None),
        # Netty's address of a refused or timed-out connection (IDE plugins, docker-java's netty transport)
        ("Cannot connect: io.netty.channel.ConnectTimeoutException: connection timed out: /192.168.99.100:2376",
         "timeout", "tcp://192.168.99.100:2376"),
        (
            "io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: no further "
            "information: /127.0.0.1:2375",
            "connection-refused", "tcp://127.0.0.1:2375",
        ),
        # the ssh library of docker-modem (dockerode, testcontainers-node, VS Code): mscdex/ssh2 lib/client.js
        ("Failed to connect. Is Docker installed and running? Error: All configured authentication methods failed",
         "ssh", None),
        ("Failed to connect. Is Docker running?\n  Error: Timed out while waiting for handshake", "ssh", None),
        ("In order to use an SSH DOCKER_HOST, you must configure an ssh-agent.", "ssh", None),
        # Node's EPERM on a Windows pipe is ERROR_ACCESS_DENIED (libuv src/win/error.c)
        ("Failed to connect. Is Docker installed and running? Error: connect EPERM //./pipe/docker_engine",
         "permission-denied", "npipe:////./pipe/docker_engine"),
        # docker-java's missing DOCKER_CERT_PATH; Netty's native connect errors
        ("com.github.dockerjava.api.exception.DockerClientException: Enabled TLS verification (DOCKER_TLS_VERIFY=1) "
         "but certificate path (DOCKER_CERT_PATH) '/home/u/.docker' doesn't exist.", "tls", None),
        ("Caused by: io.netty.channel.unix.Errors$NativeIoException: connect(..) failed: Permission denied",
         "permission-denied", None),
        # curl against the API socket (curl/curl lib/strerror.c, lib/cf-ip-happy.c, lib/vdns/hostip.c)
        ("$ curl --unix-socket /var/run/docker.sock http://localhost/version\ncurl: (7) Couldn't connect to server",
         "daemon-not-running", "unix:///var/run/docker.sock"),
        ("curl: (7) Failed to connect to localhost port 2375 after 0 ms: Connection refused",
         "connection-refused", "tcp://localhost:2375"),
        ("curl: (6) Could not resolve host: docker", "dns-failure", None),
        # a VM product's own "not running" (colima app/app.go, Rancher Desktop's nerdctl wrapper)
        ("Rancher Desktop is not running. Please start Rancher Desktop to use nerdctl", "daemon-not-running", None),
        ("FATA[0000] colima [profile=dev] is not running", "daemon-not-running", None),
        # docker-machine's stopped VM behind its TLS wrapper (libmachine/drivers/drivers.go:75)
        ("Error checking TLS connection: Host is not running", "daemon-not-running", None),
        # Gradle could not start the docker program (DefaultExecHandle)
        ("Execution failed for task ':docker'.\n> A problem occurred starting process 'command 'docker''",
         "no-environment", None),
        # a registry's network failure relayed by the daemon or BuildKit is not the endpoint's
        ('Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup '
         "registry-1.docker.io on 127.0.0.53:53: server misbehaving", "unknown", None),
        ('failed to solve: failed to fetch oauth token: Post "https://auth.docker.io/token": dial tcp: lookup '
         "auth.docker.io: no such host", "unknown", None),
        ("docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', "
         "ConnectionResetError(104, 'Connection reset by peer'))", "unknown", None),
        # podman compose finding no provider (cmd/podman/compose.go:95)
        ('Error: looking up compose provider failed\n7 errors occurred:\n\t* exec: "docker-compose": executable '
         "file not found in $PATH", "no-environment", None),
        # a unix-socket transport's placeholder URI is not a TCP address (UnixConnectionSocketFactory)
        ("java.io.IOException: No such file or directory (unix://localhost:80)", "socket-missing", None),
        # testcontainers-go's list of places it looked is no endpoint (internal/core/docker_rootless.go)
        ("[Provider] failed to create Docker provider: rootless Docker not found: checked path: "
         "~/.docker/desktop/docker.sock: checked path: /run/user/1000/docker.sock", "no-environment", None),
        ("Error: failed to detect docker host", "no-environment", None),
        # testcontainers-dotnet's missing context (Builders/DockerConfig.cs:126)
        ("The Docker context 'colima' does not exist.", "context-not-found", None),
        # the daemon answered and could not mount the socket into a container: not the client's connection
        ('docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI '
         'runtime create failed: runc create failed: unable to start container process: error mounting '
         '"/var/run/docker.sock" to rootfs at "/var/run/docker.sock": permission denied: unknown.',
         "unknown", "unix:///var/run/docker.sock"),
        ("Cannot connect: io.netty.channel.ConnectTimeoutException: connection timed out after 30000 ms: "
         "/192.168.99.100:2376", "timeout", "tcp://192.168.99.100:2376"),
        # nerdctl build without BuildKit (pkg/buildkitutil/buildkitutil.go:87/126)
        ("FATA[0000] no buildkit host is available, tried 2 candidates: failed to ping to host "
         "unix:///run/buildkit-default/buildkitd.sock: exit status 1", "daemon-not-running",
         "unix:///run/buildkit-default/buildkitd.sock"),
        # fabric8 docker-maven-plugin's wrapper around the socket's errno (DockerAccessFactory.java)
        ("[ERROR] DOCKER> Cannot create docker access object : Permission denied", "permission-denied", None),
        # Jib's credentials suggestion is a registry's refusal, not a missing engine (HelpfulSuggestions.java)
        ("Build to Docker daemon failed, perhaps you should make sure your credentials for "
         "'registry-1.docker.io/library/eclipse-temurin' are set up correctly", "unknown", None),
        # Windows' "Access is denied." in the display language is a denied pipe, not a missing one
        ('error during connect: Get "http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.24/version": open '
         "//./pipe/docker_engine: 拒绝访问。", "permission-denied", "npipe:////./pipe/docker_engine"),
        ("error during connect: open //./pipe/docker_engine: Отказано в доступе.", "permission-denied",
         "npipe:////./pipe/docker_engine"),
        # a TUI panel (lazydocker) wraps the message between its borders
        (
            "Docker event stream returned error: Cannot connect to t│          │\n│          │he Docker daemon "
            "at unix:///var/run/docker.sock. Is the│          │\n│          │ docker daemon running?",
            "daemon-not-running", "unix:///var/run/docker.sock",
        ),
    ],
)
def test_wordings_from_client_sources(text: str, symptom: str, endpoint: str | None) -> None:
    r = read_error(text)
    assert (r.symptom, r.endpoint) == (symptom, endpoint), r


def test_products_of_pastes_from_every_signal() -> None:
    colima = (
        "Client: Docker Engine - Community\n Version:           26.1.1\n API version:       1.45\n"
        " OS/Arch:           darwin/arm64\n Context:           colima\n\nServer: Docker Engine - Community\n"
        " Engine:\n  Version:          26.1.1\n  API version:      1.45 (minimum version 1.24)\n"
        "  OS/Arch:          linux/arm64\n"
    )
    p = read_paste(colima)
    assert p.product is not None and p.product.product == "colima", p.product
    assert any("context" in s for s in p.product.signals)
    podman = (
        "Client:       Podman Engine\nVersion:      4.9.3\nAPI Version:  4.9.3\n\n"
        "Client: Docker Engine - Community\n Version:           24.0.7\n API version:       1.41 (downgraded from 1.43)\n"
        " OS/Arch:           linux/amd64\n Context:           default\n\nServer: linux/amd64/ubuntu-24.04\n"
        " Podman Engine:\n  Version:          4.9.3\n  APIVersion:       4.9.3\n  Arch:             amd64\n"
    )
    p = read_paste(podman)
    assert p.product is not None and p.product.product == "podman", p.product
    wsl = (
        "Client:\n Context:    default\n\nServer:\n Server Version: 24.0.7\n Kernel Version: "
        "5.15.133.1-microsoft-standard-WSL2\n Operating System: Ubuntu 22.04.3 LTS\n OSType: linux\n Name: DESKTOP-1\n"
    )
    p = read_paste(wsl)
    assert p.product is not None and p.product.product == "docker-engine", p.product



def test_minikube_driver_checks_name_the_hosts_engine_not_minikube() -> None:
    """minikube's PROVIDER_*/DRV_* exits are about the host's engine (pkg/minikube/reason/reason.go)."""
    r = read_error(
        "$ minikube start\n✨  Using the docker driver based on user configuration\n❌  Exiting due to "
        "DRV_DOCKER_NOT_RUNNING: Found docker, but the docker service isn't running. Try restarting the docker service."
    )
    assert r.symptom == "daemon-not-running"
    assert r.product is None or r.product.product != "minikube", r.product
    env = read_error(
        "unable to parse minikube docker-env keyvalue: DOCKER_HOST=tcp://127.0.0.1:32781\nMINIKUBE_ACTIVE_DOCKERD=minikube"
    )
    assert env.product is not None and env.product.product == "minikube", env.product


@pytest.mark.parametrize(
    "text",
    [
        '[FAIL] DD0031: does the Docker API work? error during connect: Get "http://%2F%2F.%2Fpipe%2Fdocker_engine/'
        'v1.24/containers/json?limit=0": open //./pipe/docker_engine: The system cannot find the file specified.',
        "System.InvalidOperationException: Failed to deploy distro docker-desktop to C:\\Users\\me\\AppData\\Local\\"
        "Docker\\wsl\\distro: exit code: -1\n   at Docker.ApiServices.WSL2.WslShortLivedCommandResult.LogAndThrow()",
    ],
)
def test_docker_desktops_own_output_names_it(text: str) -> None:
    """Docker Desktop's diagnose checks and its Windows backend's exceptions are Docker Desktop's."""
    r = read_error(text)
    assert r.product is not None and r.product.product == "docker-desktop", r.product


# The docker CLI against containerd's gRPC socket prints one of two texts, depending on whether
# the server's HTTP/2 SETTINGS frame arrives before or after the request is written (seen from
# docker 28.2 against containerd 1.6 in tests/test_causes_real.py, under load).
_H2_IDLE = (
    '2026/11/30 03:41:53 Unsolicited response received on idle HTTP channel starting with '
    '"\\x00\\x00\\x06\\x04\\x00\\x00\\x00\\x00\\x00\\x00\\x05\\x00\\x00@\\x00"; err=<nil>\n'
    'error during connect: Get "http://%2Frun%2Fcontainerd%2Fcontainerd.sock/v1.50/containers/json": '
    "readLoopPeekFailLocked: %!w(<nil>)"
)


def test_an_http2_servers_unsolicited_frame_is_not_the_docker_api() -> None:
    r = read_error(_H2_IDLE)
    assert (r.symptom, r.endpoint) == ("not-docker-api", "unix:///run/containerd/containerd.sock")


def test_read_loop_failure_without_the_frame_names_no_server() -> None:
    text = _H2_IDLE.split("\n", 1)[1]  # the error line alone: whatever answered is unknown
    assert read_error(text).symptom == "unknown"
