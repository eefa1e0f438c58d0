"""The GitHub Action (action.yml) and the GitLab CI template, run as their runners would (issue 15).

No runner is reachable here, so the steps run as the runners run them:

* GitHub (docs "Metadata syntax for GitHub Actions", composite `runs.steps`, and "Workflow
  syntax", `jobs.<id>.steps[*].shell`): each `run:` is written to a file and run as
  `bash --noprofile --norc -eo pipefail {0}`; `${{ inputs.* }}` and `${{ github.action_path }}`
  are substituted; GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY are files, GITHUB_ENV's
  lines reach the later steps; a failed step skips the rest; the action's outputs are
  its `outputs.*.value` expressions over `steps.<id>.outputs`.
* GitLab: the job's variables (with `extends:` merged) in the environment, the
  `before_script` lines run in one POSIX shell with `set -e`, as the docker executor
  does for images whose shell is sh (docker:27 is Alpine).

Both install cdoctor for real, with pip, from a copy of this tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, need, need_root

yaml = pytest.importorskip("yaml")

# pip installs cdoctor's dependencies from the registry: scripts/test runs these with the
# network (scripts/isolate --with-network).
pytestmark = [pytest.mark.slow, pytest.mark.network]
_EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The action's own checkout (`github.action_path`): a copy of this tree, so pip's build stays out of it."""
    dst = tmp_path_factory.mktemp("action") / "cdoctor"
    shutil.copytree(
        ROOT,
        dst,
        ignore=shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", "build", ".*_cache", ".venv", "tests"),
    )
    return dst


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runner-temp")


def _substitute(text: str, inputs: dict[str, str], action_path: Path) -> str:
    def value(m: re.Match[str]) -> str:
        expr = m.group(1)
        if expr.startswith("inputs."):
            return inputs[expr[len("inputs.") :]]
        if expr == "github.action_path":
            return str(action_path)
        raise AssertionError(f"an expression the test runner does not know: {expr}")

    return _EXPR.sub(value, text)


def _read_kv_file(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV syntax: NAME=value lines and NAME<<DELIM … DELIM blocks."""
    out: dict[str, str] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            block: list[str] = []
            i += 1
            while lines[i] != delim:
                block.append(lines[i])
                i += 1
            out[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


class Run:
    def __init__(self) -> None:
        self.log = ""
        self.outputs: dict[str, str] = {}
        self.failed_step: str | None = None
        self.exit_code = 0
        self.summary = ""


def run_action(
    checkout: Path, runner_temp: Path, work: Path, inputs: dict[str, str], env: dict[str, str] | None = None
) -> Run:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    declared = action["inputs"]
    unknown = set(inputs) - set(declared)
    assert not unknown, unknown
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()} | inputs
    work.mkdir(parents=True, exist_ok=True)
    summary, github_env = work / "summary.md", work / "github_env"
    summary.touch()
    github_env.touch()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "PYTHON", "CDOCTOR"))}
    base.update(env or {})
    base.update(
        GITHUB_ACTIONS="true", CI="true", RUNNER_TEMP=str(runner_temp), GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_ENV=str(github_env), GITHUB_ACTION_PATH=str(checkout), HOME=str(work / "home"),
    )  # fmt: skip
    (work / "home").mkdir(exist_ok=True)
    run = Run()
    steps: dict[str, dict[str, str]] = {}
    for n, step in enumerate(action["runs"]["steps"]):
        assert step["shell"] == "bash" and "uses" not in step
        script = work / f"step{n}.sh"
        script.write_text(_substitute(step["run"], values, checkout))
        output = work / f"output{n}"
        output.touch()
        step_env = {k: _substitute(str(v), values, checkout) for k, v in (step.get("env") or {}).items()}
        full = {**base, **_read_kv_file(github_env), **step_env, "GITHUB_OUTPUT": str(output)}
        r = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            capture_output=True, text=True, env=full, cwd=str(work), timeout=600, check=False,
        )  # fmt: skip
        run.log += r.stdout + r.stderr
        if "id" in step:
            steps[step["id"]] = _read_kv_file(output)
        if r.returncode != 0:
            run.failed_step, run.exit_code = step["name"], r.returncode
            break
    for name, spec in action["outputs"].items():
        m = re.fullmatch(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}", spec["value"])
        assert m, spec["value"]
        run.outputs[name] = steps.get(m[1], {}).get(m[2], "")
    run.summary = summary.read_text()
    return run


# --- the GitHub Action -----------------------------------------------------------------------------


def test_action_metadata_declares_the_inputs_and_outputs() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert {"wait", "require-api", "require-server", "require-product", "require-rootless", "require-runtime",
            "strict", "host", "context"} <= set(action["inputs"])  # fmt: skip
    assert {"status", "cause", "product", "api-version"} <= set(action["outputs"])
    # No input is spliced into a script: they reach the shell as environment variables only.
    for step in action["runs"]["steps"]:
        assert "${{" not in step["run"], step["name"]


@pytest.mark.engine
def test_action_against_a_real_engine(checkout: Path, runner_temp: Path, tmp_path: Path, real_dockerd: object) -> None:
    host = real_dockerd.host  # type: ignore[attr-defined]
    run = run_action(checkout, runner_temp, tmp_path / "ok",
                     {"host": host, "wait": "30s", "require-api": "1.24", "require-product": "docker-engine"})  # fmt: skip
    assert run.failed_step is None, run.log
    assert run.outputs["status"] == "ok" and run.outputs["cause"] == "" and run.outputs["exit-code"] == "0"
    assert run.outputs["product"] == "docker-engine" and re.fullmatch(r"1\.\d+", run.outputs["api-version"])
    assert "✓" in run.log and "::error" not in run.log
    assert run.summary.strip()  # cdoctor check wrote the job summary


def test_action_against_a_dead_endpoint(checkout: Path, runner_temp: Path, tmp_path: Path) -> None:
    dead = f"unix://{tmp_path}/dead/docker.sock"
    run = run_action(checkout, runner_temp, tmp_path / "dead", {"host": dead, "wait": "1s"})
    assert run.failed_step == "cdoctor check" and run.exit_code == 4, run.log
    assert run.outputs["status"] == "broken" and run.outputs["exit-code"] == "4"
    assert run.outputs["cause"] and run.outputs["product"] == "" and run.outputs["api-version"] == ""
    assert re.search(r"^::error\b", run.log, re.M), run.log
    assert run.summary.strip()


def test_action_inputs_cannot_inject_shell(checkout: Path, runner_temp: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    run = run_action(checkout, runner_temp, tmp_path / "inj",
                     {"host": f"unix://{tmp_path}/x.sock", "require-product": f'docker-engine"; touch {marker}; "',
                      "wait": "$(touch {marker})"})  # fmt: skip
    assert not marker.exists()
    assert run.exit_code == 3 and run.outputs["exit-code"] == "3"  # cdoctor refused the values


# --- the GitLab CI template --------------------------------------------------------------------------


def _gitlab_job(name: str) -> dict[str, object]:
    """The job with `extends:` merged the way GitLab merges it (hashes deep, the rest replaced)."""
    doc = yaml.safe_load((ROOT / "ci" / "gitlab" / "cdoctor.gitlab-ci.yml").read_text())
    job = dict(doc[name])
    parent = job.pop("extends", None)
    if parent:
        merged = _gitlab_job(parent)
        for key, value in job.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}  # type: ignore[dict-item]
            else:
                merged[key] = value
        return merged
    return job


def run_gitlab(job: dict[str, object], work: Path, overrides: dict[str, str], shell: str = "sh") -> tuple[int, str]:
    variables = {k: str(v) for k, v in job["variables"].items()} | overrides  # type: ignore[union-attr]
    lines = job["before_script"]
    assert isinstance(lines, list)
    script = work / "job.sh"
    script.write_text("set -e\n" + "\n".join(lines) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "PYTHON", "CDOCTOR"))}
    env.update(variables, CI="true", GITLAB_CI="true", HOME=str(work))
    r = subprocess.run([shell, str(script)], capture_output=True, text=True, env=env, cwd=str(work), timeout=600,
                       check=False)  # fmt: skip
    return r.returncode, r.stdout + r.stderr


def test_gitlab_dind_job_has_the_tls_variables_right() -> None:
    job = _gitlab_job(".cdoctor-dind")
    assert job["variables"] == job["variables"] | {  # type: ignore[operator]
        "DOCKER_HOST": "tcp://docker:2376",
        "DOCKER_TLS_CERTDIR": "/certs",
        "DOCKER_CERT_PATH": "/certs/client",
        "DOCKER_TLS_VERIFY": "1",
    }
    assert job["services"] == [{"name": "docker:dind", "alias": "docker"}]
    assert job["artifacts"]["reports"]["dotenv"] == "cdoctor.env"  # type: ignore[index]


def test_gitlab_template_against_the_dind_address_with_no_dind(
    checkout: Path, runner_temp: Path, tmp_path: Path
) -> None:
    """The template's own variables, with no `docker` service: the check fails the job, and says why."""
    job = _gitlab_job(".cdoctor-dind")
    code, log = run_gitlab(job, tmp_path, {"CDOCTOR_PIP_SPEC": str(checkout), "CDOCTOR_CHECK_ARGS": "--wait 2s",
                                           "CDOCTOR_VENV": str(runner_temp / "gitlab-venv")})  # fmt: skip
    assert code == 4, log
    env = dict(line.split("=", 1) for line in (tmp_path / "cdoctor.env").read_text().splitlines())
    assert env["CDOCTOR_STATUS"] == "broken" and env["CDOCTOR_EXIT_CODE"] == "4" and env["CDOCTOR_CAUSE"]
    doc = json.loads((tmp_path / "cdoctor.json").read_text())
    assert doc["endpoint"]["host"] == "tcp://docker:2376"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dind_certs(d: Path) -> Path:
    """The layout docker:dind writes under DOCKER_TLS_CERTDIR: ca/, server/, client/ (ca.pem, cert.pem, key.pem)."""
    for sub in ("ca", "server", "client"):
        (d / sub).mkdir(parents=True)

    def ssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca/key.pem", "-out", "ca/cert.pem",
        "-days", "2", "-subj", "/CN=docker:dind CA")  # fmt: skip
    for sub, ext in (("server", "subjectAltName=DNS:docker,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
                     ("client", "extendedKeyUsage=clientAuth\n")):  # fmt: skip
        (d / f"{sub}.cnf").write_text(ext)
        ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{sub}/key.pem", "-out", f"{sub}.csr",
            "-subj", f"/CN={sub}")  # fmt: skip
        ssl("x509", "-req", "-in", f"{sub}.csr", "-CA", "ca/cert.pem", "-CAkey", "ca/key.pem", "-CAcreateserial",
            "-out", f"{sub}/cert.pem", "-days", "2", "-extfile", f"{sub}.cnf")  # fmt: skip
        shutil.copy(d / "ca" / "cert.pem", d / sub / "ca.pem")
    return d


@pytest.fixture
def tls_dockerd(engine_dir: Path) -> Iterator[tuple[str, Path]]:
    """A dockerd with --tlsverify on tcp://127.0.0.1:PORT and dind's certificate layout."""
    need_root()
    need("containerd", "dockerd", "openssl")
    from tests.engines import Containerd, Dockerd

    certs = _dind_certs(engine_dir / "certs")
    port = _free_port()
    tls = (str(certs / "server" / "ca.pem"), str(certs / "server" / "cert.pem"), str(certs / "server" / "key.pem"))
    with Containerd(engine_dir) as ctrd, Dockerd(engine_dir, ctrd, tcp_port=port, tls=tls):
        yield f"tcp://127.0.0.1:{port}", certs


@pytest.mark.engine
def test_gitlab_template_with_tls_like_dind(
    checkout: Path, runner_temp: Path, tmp_path: Path, tls_dockerd: tuple[str, Path]
) -> None:
    """dind's TLS setup for real: DOCKER_TLS_VERIFY=1 and the client certificates under DOCKER_CERT_PATH."""
    host, certs = tls_dockerd
    job = _gitlab_job(".cdoctor-dind")
    code, log = run_gitlab(job, tmp_path, {
        "DOCKER_HOST": host,  # `docker` resolves to the service on a runner; here, to nothing
        "DOCKER_TLS_CERTDIR": str(certs),
        "DOCKER_CERT_PATH": str(certs / "client"),
        "CDOCTOR_PIP_SPEC": str(checkout),
        "CDOCTOR_CHECK_ARGS": "--wait 30s --require-product docker-engine",
        "CDOCTOR_VENV": str(runner_temp / "gitlab-venv"),
    }, shell="bash")  # fmt: skip
    assert code == 0, log
    env = dict(line.split("=", 1) for line in (tmp_path / "cdoctor.env").read_text().splitlines())
    assert env["CDOCTOR_STATUS"] == "ok" and env["CDOCTOR_PRODUCT"] == "docker-engine" and env["CDOCTOR_API_VERSION"]
    assert env["CDOCTOR_EXIT_CODE"] == "0" and env["CDOCTOR_CAUSE"] == ""
