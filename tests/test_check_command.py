"""`cdoctor check`, the CI preflight: every exit code from a real scenario, requirements, GitHub output.

Exit 4 (a wait deadline) is produced by real scenarios in tests/test_wait.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from doctor.knowledge.requirements import EngineView, Requirement, Stated, evaluate, parse_requirements, parse_version
from doctor.render.github import command, escape_data
from tests.conftest import ROOT, assert_could_not_run, cdoctor
from tests.engines import write_context

SCHEMA = json.loads((ROOT / "doctor" / "schema" / "diagnosis-1.json").read_text())

# --- the pure parts -----------------------------------------------------------------------


def test_versions_compare_like_engines_print_them() -> None:
    assert parse_version("20.10.24+dfsg1") == (20, 10, 24)
    assert parse_version("v2.1.5") == (2, 1, 5)
    assert parse_version("1.6.20~ds1") == (1, 6, 20)
    assert parse_version("banana") is None
    view = EngineView(server_version="20.10.24+dfsg1", api_version="1.41", containerd_version="1.6.20~ds1")
    assert evaluate(Requirement("server", ("20.10",)), view).met
    assert not evaluate(Requirement("server", ("24.0",)), view).met
    assert evaluate(Requirement("api", ("1.41",)), view).met
    assert not evaluate(Requirement("api", ("1.44",)), view).met
    assert evaluate(Requirement("containerd", ("1.6",)), view).met
    assert not evaluate(Requirement("containerd", ("2.0",)), view).met


def test_requirements_without_an_engine_are_unmet() -> None:
    for req in parse_requirements(Stated(api="1.44", products=["podman"], rootless=True)):
        v = evaluate(req, None)
        assert not v.met and "no engine answers" in v.title


def test_bad_requirements_are_refused() -> None:
    for kw in (
        {"api": "latest"},
        {"products": ["dockerr"]},
        {"rootless": True, "rootful": True},
        {"cgroup": "3"},
        {"os_type": "macos"},
        {"arch": "sparc"},
    ):
        with pytest.raises(ValueError):
            parse_requirements(Stated(**kw))
    reqs = parse_requirements(Stated(products=["docker-engine,podman", "dind"], runtimes=["runc"], arch="x86_64"))
    assert [r.id for r in reqs] == ["requirement-product", "requirement-runtime", "requirement-arch"]
    assert reqs[0].values == ("docker-engine", "podman", "dind") and reqs[2].values == ("amd64",)


def test_annotations_cannot_be_broken_or_injected() -> None:
    line = command("error", "50% done\nline two\r::error::injected", title="cdoctor: a, b")
    assert "\n" not in line and "\r" not in line
    assert line == "::error title=cdoctor%3A a%2C b::50%25 done%0Aline two%0D::error::injected"
    assert escape_data("%0A") == "%250A"


# --- exit codes through a real subprocess --------------------------------------------------


def test_exit_3_cdoctor_could_not_run() -> None:
    for args, named in (
        (["check", "--wait", "soon"], "soon"),
        (["check", "--require-product", "dockerr"], "dockerr"),
        (["check", "--require-rootless", "--require-rootful"], "--require-root"),
        (["check", "--require-api", "new"], "new"),
        (["check", "--format", "tap"], "tap"),
        (["check", "--no-such-option"], "--no-such-option"),
    ):
        assert_could_not_run(cdoctor(*args), named)


def test_exit_1_nothing_answers_full_diagnosis(tmp_path: Path) -> None:
    host = f"unix://{tmp_path}/nothing.sock"
    r = cdoctor("-H", host, "check", "--timeout", "1")
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("✗") and len(lines) > 5  # the full diagnosis on failure
    assert "cause: " in r.stdout and "Checks" in r.stdout
    doc = json.loads(cdoctor("-H", host, "check", "-f", "json", "--timeout", "1").stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["check"]["exit_code"] == 1 and doc["diagnosis"]["status"] == "broken"


@pytest.mark.engine
def test_exit_0_quiet_success(real_dockerd: object) -> None:
    host = real_dockerd.host  # type: ignore[attr-defined]
    r = cdoctor("-H", host, "check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(r.stdout.splitlines()) == 1 and r.stdout.startswith("✓") and "docker-engine" in r.stdout
    assert r.stderr == ""
    verbose = cdoctor("-H", host, "check", "-v")
    assert verbose.returncode == 0 and "Checks" in verbose.stdout


@pytest.mark.engine
def test_requirements_met_and_unmet(real_dockerd: object) -> None:
    host = real_dockerd.host  # type: ignore[attr-defined]
    ok = cdoctor(
        "-H",
        host,
        "check",
        "-f",
        "json",
        "--require-api",
        "1.24",
        "--require-server",
        "19.03",
        "--require-product",
        "docker-engine,podman",
        "--require-rootful",
        "--require-runtime",
        "runc",
        "--require-os",
        "linux",
        "--require-containerd",
        "1.4",
    )
    doc = json.loads(ok.stdout)
    assert ok.returncode == 0, [f["title"] for f in doc["findings"] if f["check"] == "requirements"]
    req = {f["id"]: f for f in doc["findings"] if f["check"] == "requirements"}
    assert set(req) == {
        "requirement-api",
        "requirement-server",
        "requirement-product",
        "requirement-rootful",
        "requirement-runtime",
        "requirement-os",
        "requirement-containerd",
    }
    assert all(f["severity"] == "ok" for f in req.values())

    bad = cdoctor(
        "-H",
        host,
        "check",
        "-f",
        "json",
        "--require-server",
        "999.0",
        "--require-product",
        "podman",
        "--require-rootless",
        "--require-runtime",
        "runsc",
        "--require-api",
        "1.24",
    )
    assert bad.returncode == 1
    doc = json.loads(bad.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["diagnosis"]["primary_cause"] == "requirement-unmet"
    unmet = {f["id"] for f in doc["findings"] if f.get("cause") == "requirement-unmet"}
    assert unmet == {"requirement-server", "requirement-product", "requirement-rootless", "requirement-runtime"}
    assert (
        doc["check"]["requirements"][0] == "--require-api 1.24" or "--require-api 1.24" in doc["check"]["requirements"]
    )


@pytest.mark.engine
def test_exit_2_warnings_only_with_strict(real_dockerd: object, home: Path) -> None:
    """DOCKER_HOST overrides the context config.json names: a warning; exit 2 only with --strict."""
    host = real_dockerd.host  # type: ignore[attr-defined]
    write_context(home / ".docker", "other", host)
    (home / ".docker" / "config.json").write_text('{"currentContext": "other"}')
    env = {"DOCKER_HOST": host}
    plain = cdoctor("check", env=env)
    assert plain.returncode == 0, plain.stdout
    assert len(plain.stdout.splitlines()) == 1 and "warning" in plain.stdout
    strict = cdoctor("check", "--strict", env=env)
    assert strict.returncode == 2, strict.stdout
    assert "docker-host-overrides-context" in strict.stdout  # the full diagnosis says which warning


# --- GitHub Actions -------------------------------------------------------------------------


def test_github_annotations_and_summary_on_failure(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    host = f"unix://{tmp_path}/nothing.sock"
    env = {"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    r = cdoctor("-H", host, "check", "--timeout", "1", env=env)
    assert r.returncode == 1
    annotations = [ln for ln in r.stdout.splitlines() if ln.startswith("::")]
    assert annotations, r.stdout
    first = annotations[0]
    assert first.startswith("::error title=cdoctor%3A ") and "::" in first[2:]
    cause = json.loads(cdoctor("-H", host, "check", "-f", "json", "--timeout", "1").stdout)["diagnosis"][
        "primary_cause"
    ]
    assert first.startswith(f"::error title=cdoctor%3A {cause}::")
    assert all(ln.startswith(("::error ", "::warning ")) for ln in annotations)
    text = summary.read_text()
    assert text.startswith("# earlier step\n")  # appended, never overwritten
    assert "## Docker preflight (cdoctor check)" in text and "❌ **broken**" in text
    assert "| severity" in text and f"`{cause}`" in text

    # JSON on stdout stays a document: the annotations go to stderr.
    j = cdoctor("-H", host, "check", "-f", "json", "--timeout", "1", env=env)
    json.loads(j.stdout)
    assert "::error title=cdoctor%3A" in j.stderr


@pytest.mark.engine
def test_github_quiet_on_success(real_dockerd: object, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    r = cdoctor("-H", real_dockerd.host, "check", env=env)  # type: ignore[attr-defined]
    assert r.returncode == 0
    text = [ln for ln in r.stdout.splitlines() if not ln.startswith("::")]
    assert len(text) == 1 and "::error" not in r.stdout  # one line, plus ::warning:: annotations if any
    assert all(ln.startswith("::warning title=cdoctor%3A ") for ln in r.stdout.splitlines() if ln.startswith("::"))
    assert "✅ **ok**" in summary.read_text()
