"""Planted secrets never leave cdoctor, in any output format, with and without --anonymize.

Each scenario plants the secrets a real machine has (config.json `auths` with
`auth` and `identitytoken`, `credHelpers`, a context's TLS key.pem,
DOCKER_HOST with user:password, proxy URLs with passwords, GITHUB_TOKEN and
AWS_SECRET_ACCESS_KEY in the environment) and runs every command and format
as a real subprocess; no output stream, file or job summary may contain any
of them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from doctor.redact import Anonymizer, scrub, secret_values
from tests.conftest import cdoctor
from tests.engines import write_context

GITHUB_TOKEN = "ghp_PlantedGithubToken0123456789"
AWS_SECRET = "PlantedAwsSecret/Key+0123"
AUTH_PASSWORD = "AuthPassw0rd-planted"
AUTH_B64 = base64.b64encode(f"alice:{AUTH_PASSWORD}".encode()).decode()
IDENTITY_TOKEN = "IdentityToken-planted-9f8e"
CRED_HELPER = "ecr-login-planted-helper"
KEY_MATERIAL = "KEYMATERIALplanted5d4c"
HOST_PASSWORD = "HostPassw0rd-planted"
PROXY_PASSWORD = "ProxyPassw0rd-planted"

SECRETS = (
    GITHUB_TOKEN,
    AWS_SECRET,
    AUTH_PASSWORD,
    AUTH_B64,
    IDENTITY_TOKEN,
    CRED_HELPER,
    KEY_MATERIAL,
    HOST_PASSWORD,
    PROXY_PASSWORD,
)


def plant(home: Path) -> None:
    cfg = home / ".docker"
    write_context(cfg, "tlsctx", "tcp://127.0.0.1:1", description="planted")
    tls = cfg / "contexts" / "tls" / hashlib.sha256(b"tlsctx").hexdigest() / "docker"
    tls.mkdir(parents=True)
    (tls / "key.pem").write_text(f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_MATERIAL}\n-----END RSA PRIVATE KEY-----\n")
    (tls / "cert.pem").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    (cfg / "config.json").write_text(
        json.dumps(
            {
                "auths": {"registry.example.com": {"auth": AUTH_B64, "identitytoken": IDENTITY_TOKEN}},
                "credHelpers": {"123456789.dkr.ecr.us-east-1.amazonaws.com": CRED_HELPER},
                "currentContext": "tlsctx",
            }
        )
    )


BASE_ENV = {
    "GITHUB_TOKEN": GITHUB_TOKEN,
    "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
    "HTTP_PROXY": f"http://proxyuser:{PROXY_PASSWORD}@10.20.30.40:3128",
    "HTTPS_PROXY": f"http://proxyuser:{PROXY_PASSWORD}@10.20.30.40:3128",
    "NO_PROXY": "10.99.0.1,localhost",
}

SCENARIOS = {
    # the context from config.json: TLS material on disk, nothing answers
    "context-with-tls": {},
    # DOCKER_HOST carries a password
    "docker-host-password": {"DOCKER_HOST": f"tcp://bob:{HOST_PASSWORD}@127.0.0.1:1"},
    # a token pasted into the wrong variable: it is printed as a context name unless removed literally
    "token-as-context": {"DOCKER_CONTEXT": GITHUB_TOKEN},
}

COMMANDS = (
    ("diagnose",),
    ("diagnose", "--format", "json", "-v"),
    ("report",),
    ("report", "--anonymize"),
    ("report", "--format", "json"),
    ("report", "--format", "json", "--anonymize"),
    ("check", "-v"),
    ("check", "--format", "json"),
    ("check", "--format", "junit", "--require-server", "24.0"),
)


def assert_clean(text: str, where: str) -> None:
    for s in SECRETS:
        assert s not in text, f"{s!r} leaked in {where}"
    assert "PRIVATE KEY-----\n" not in text


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_no_secret_in_any_output(scenario: str, home: Path, tmp_path: Path) -> None:
    plant(home)
    summary = tmp_path / "summary.md"
    env = {**BASE_ENV, **SCENARIOS[scenario], "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}

    def run(i: int, args: tuple[str, ...]) -> None:
        out = tmp_path / f"out-{i}.txt"
        extra = ("--output", str(out)) if args[0] == "report" else ()
        r = cdoctor(*args, *extra, "--timeout", "1", env=env)
        assert r.returncode in (0, 1, 2), (args, r.stderr)
        assert_clean(r.stdout + r.stderr, f"{args} stdout/stderr")
        if extra:
            assert out.stat().st_size > 200 and r.stdout == ""
            assert_clean(out.read_text(), f"{args} --output")

    # The commands are independent processes: run them side by side to keep the suite fast.
    with ThreadPoolExecutor(max_workers=4) as pool:
        for f in [pool.submit(run, i, args) for i, args in enumerate(COMMANDS)]:
            f.result()
    assert "::error" in summary.read_text() or "broken" in summary.read_text()
    assert_clean(summary.read_text(), "GITHUB_STEP_SUMMARY")
    # The annotations were printed (the check runs above), and were clean.


def test_no_secret_in_explain(home: Path) -> None:
    """A pasted error log that carries the secrets itself."""
    plant(home)
    paste = (
        f'error during connect: Get "http://bob:{HOST_PASSWORD}@docker:2375/v1.45/version": '
        f"dial tcp: lookup docker: no such host\nGITHUB_TOKEN={GITHUB_TOKEN}\n"
        f'{{"auths": {{"r.io": {{"auth": "{AUTH_B64}"}}}}, "credHelpers": {{"gcr.io": "{CRED_HELPER}"}}}}\n'
        f"-----BEGIN PRIVATE KEY-----\n{KEY_MATERIAL}\n-----END PRIVATE KEY-----\n"
    )
    for fmt in ("human", "json", "markdown"):
        r = cdoctor("explain", "--offline", "--format", fmt, input=paste, env=BASE_ENV)
        assert r.returncode in (0, 1), r.stderr
        assert_clean(r.stdout + r.stderr, f"explain --offline {fmt}")
    r = cdoctor("explain", "--timeout", "1", input=paste, env=BASE_ENV)
    assert_clean(r.stdout + r.stderr, "explain")


def test_anonymize_replaces_identities_with_stable_placeholders(home: Path, tmp_path: Path) -> None:
    plant(home)
    out = tmp_path / "r.json"
    env = {**BASE_ENV, "DOCKER_CERT_PATH": f"{home}/certs"}  # the home directory, printed as it is set
    r = cdoctor("report", "--format", "json", "--anonymize", "--output", str(out), "--timeout", "1", env=env)
    assert r.returncode == 1, r.stderr
    text = out.read_text()
    doc = json.loads(text)
    assert str(home) not in text
    host = socket.gethostname()
    if len(host) > 3:
        assert not re.search(rf"(?<![\w-]){re.escape(host)}(?![\w-])", text)
    assert "10.20.30.40" not in text and "10.99.0.1" not in text
    variables = doc["environment"]["variables"]
    ip_http = re.findall(r"<ip-\d+>", variables["HTTP_PROXY"])
    ip_https = re.findall(r"<ip-\d+>", variables["HTTPS_PROXY"])
    ip_no = re.findall(r"<ip-\d+>", variables["NO_PROXY"])
    assert ip_http and ip_http == ip_https  # one address, one placeholder, throughout the report
    assert ip_no and ip_no != ip_http
    assert "<redacted>" in variables["HTTP_PROXY"]
    redaction = doc["report"]["redaction"]
    assert redaction["anonymize"] is True
    assert {"IP addresses", "home directory"} <= set(redaction["anonymized"])
    # kinds only, never the values
    assert "10.20.30.40" not in json.dumps(redaction) and str(home) not in json.dumps(redaction)

    md = cdoctor("report", "--anonymize", "--timeout", "1", env=BASE_ENV).stdout
    assert "Anonymized: " in md and "IP addresses" in md and "10.20.30.40" not in md
    assert "&lt;ip-" in md or "`" in md  # placeholders survive GitHub's HTML sanitiser


def test_without_anonymize_the_report_says_so(home: Path) -> None:
    plant(home)
    doc = json.loads(cdoctor("report", "--format", "json", "--timeout", "1", env=BASE_ENV).stdout)
    assert doc["report"]["redaction"] == {"secrets": "always removed", "anonymize": False, "anonymized": []}
    assert "10.20.30.40" in doc["environment"]["variables"]["HTTP_PROXY"]  # not anonymized, but
    assert PROXY_PASSWORD not in doc["environment"]["variables"]["HTTP_PROXY"]  # never the password


def test_scrub_units() -> None:
    env = {
        "GITHUB_TOKEN": GITHUB_TOKEN,
        "PWD": "/work/main",
        "SSH_AUTH_SOCK": "/tmp/ssh-x/agent.1",
        "DB_PASSWORD": "abc",
        "NPM_AUTH_TOKEN": "npm_0123456789",
    }
    values = secret_values(env)
    assert GITHUB_TOKEN in values and "npm_0123456789" in values
    assert "/work/main" not in values and "/tmp/ssh-x/agent.1" not in values and "abc" not in values
    doc = {"a": f"x {GITHUB_TOKEN} y", "creds": {"credHelpers": "gcloud"}, "list": [f"tcp://u:{HOST_PASSWORD}@h:1"]}
    clean = scrub(doc, secrets=values)
    assert json.dumps(clean).count("<redacted>") == 3
    anon = Anonymizer(user="alice", home="/home/alice", hostname="alice-laptop")
    text = scrub("alice on alice-laptop in /home/alice/x at 192.168.1.7 and 192.168.1.7, 127.0.0.1", anon)
    assert text == "<user> on <hostname> in <home>/x at <ip-1> and <ip-1>, 127.0.0.1"
    short = Anonymizer(hostname="vm")
    assert short("kvm on vm, vm-2") == "kvm on <hostname>, vm-2"
    assert anon.replaced == {"user name", "host name", "home directory", "IP addresses"}
