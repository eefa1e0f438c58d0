"""`cdoctor fix`: the plan, --dry-run, --yes, --shell, and the verdict after applying (real dockerd)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import cdoctor
from tests.engines import write_context

pytestmark = [pytest.mark.engine]

DOCKER = "/usr/local/bin/docker" if os.access("/usr/local/bin/docker", os.X_OK) else "docker"


def broken_world(home: Path, live_host: str) -> Path:
    """currentContext 'old' (its socket gone), context 'work' answers."""
    cfg = home / ".docker"
    write_context(cfg, "work", live_host)
    write_context(cfg, "old", f"unix://{home}/gone/docker.sock")
    (cfg / "config.json").write_text(json.dumps({"currentContext": "old", "auths": {}}))
    return cfg


def docker_ps(home: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    e.update({"HOME": str(home), **(env or {})})
    return subprocess.run([DOCKER, "ps"], capture_output=True, text=True, env=e, timeout=60, check=False)


def test_dry_run_shows_the_plan_and_changes_nothing(real_dockerd: Any, home: Path) -> None:
    cfg = broken_world(home, real_dockerd.host)
    before = (cfg / "config.json").read_bytes()
    r = cdoctor("fix", "--dry-run", "--timeout", "5", "--color", "never")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "docker context use work" in r.stdout and "checked" in r.stdout, r.stdout
    assert "--dry-run: nothing was changed" in r.stdout
    assert (cfg / "config.json").read_bytes() == before
    assert not list(cfg.glob("config.json.cdoctor-backup-*"))


def test_yes_applies_the_context_switch_then_diagnoses_again(real_dockerd: Any, home: Path) -> None:
    cfg = broken_world(home, real_dockerd.host)
    assert docker_ps(home).returncode != 0
    r = cdoctor("fix", "--yes", "--timeout", "5", "--color", "never")
    assert "applying fix 1" in r.stdout, r.stdout + r.stderr
    assert r.returncode == 0, r.stdout + r.stderr  # the verdict of the diagnosis after applying
    data = json.loads((cfg / "config.json").read_text())
    assert data["currentContext"] == "work" and data["auths"] == {}
    backups = list(cfg.glob("config.json.cdoctor-backup-*"))
    assert len(backups) == 1 and json.loads(backups[0].read_text())["currentContext"] == "old"
    assert docker_ps(home).returncode == 0


def test_without_a_terminal_nothing_is_applied(real_dockerd: Any, home: Path) -> None:
    cfg = broken_world(home, real_dockerd.host)
    before = (cfg / "config.json").read_bytes()
    r = cdoctor("fix", "--timeout", "5", input="")
    assert r.returncode == 1 and "use --yes" in r.stderr, r.stdout + r.stderr
    assert (cfg / "config.json").read_bytes() == before


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_lines_for_eval(real_dockerd: Any, home: Path, shell: str) -> None:
    """DOCKER_CONTEXT names a dead context while currentContext works: the fix is the environment's."""
    cfg = broken_world(home, real_dockerd.host)
    (cfg / "config.json").write_text(json.dumps({"currentContext": "work"}))
    env = {"DOCKER_CONTEXT": "old"}
    r = cdoctor("fix", "--shell", shell, "--timeout", "5", env=env)
    want = "set -e DOCKER_CONTEXT" if shell == "fish" else "unset DOCKER_CONTEXT"
    assert r.stdout.splitlines() == [want], r.stdout + r.stderr
    if shell == "bash":
        # The real use: eval "$(cdoctor fix --shell bash)" in the user's shell, then docker ps.
        from tests.conftest import ROOT

        e = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        e.update({"HOME": str(home), "PYTHONPATH": str(ROOT), **env})
        script = f'eval "$({sys.executable} -m doctor fix --shell bash --timeout 5)"\n{DOCKER} ps'
        ran = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=e, timeout=60, check=False)
        assert ran.returncode == 0, ran.stderr
        assert docker_ps(home, env).returncode != 0  # and without the eval it does not work


def test_fix_never_runs_sudo_or_joins_a_group(tmp_path: Path) -> None:
    """Fixes that need root (sudo, usermod, chgrp) are printed for the user, never run; a privileged
    group in a plan is dropped whatever produced it."""
    from io import StringIO

    from doctor.commands import fix as fix_cmd
    from doctor.knowledge import fixes as fx

    group = fx.Fix("group", ("sudo usermod -aG docker u", "newgrp docker"),
                   (fx.Change(fx.GROUP_ADD, "docker"), fx.Change(fx.GROUP_ACTIVATE, "docker")), "system", checked=True)
    root = fx.Fix("group", ("sudo usermod -aG root u",), (fx.Change(fx.GROUP_ADD, "root"),), "system", checked=True)
    doc = {
        "diagnosis": {"status": "broken", "primary_cause": "permission-denied", "summary": "denied"},
        "findings": [{"id": "permission-denied", "cause": "permission-denied", "severity": "error", "title": "t",
                      "data": {"fixes": fx.describe([group, root])}}],
    }  # fmt: skip
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    out, err = StringIO(), StringIO()
    asked: list[str] = []
    rc = fix_cmd.run(lambda: doc, fix_cmd.FixOptions(yes=True, start=True, config_flag=str(cfg)),
                     fix_cmd.Console(lambda d: None, out, err, ask=lambda q: asked.append(q) or True))  # fmt: skip
    assert rc == 1 and not asked
    text = out.getvalue()
    assert "run it yourself" in text and "sudo usermod -aG docker u" in text
    assert "-aG root" not in text and "applying" not in text and "running:" not in text
    assert list(cfg.iterdir()) == []


def test_yes_rewrites_an_unparsable_config_json_with_a_backup(real_dockerd: Any, home: Path) -> None:
    """docker ignores a config.json that does not parse (and warns on every command): `cdoctor fix`
    keeps a backup and rewrites it."""
    cfg = home / ".docker"
    cfg.mkdir(exist_ok=True)
    broken = '{"auths": {"x": {}},\n  "currentContext": '
    (cfg / "config.json").write_text(broken)
    env = {"DOCKER_HOST": real_dockerd.host}
    r = cdoctor("fix", "--yes", "--timeout", "5", "--color", "never", env=env)
    assert "rewritten" in r.stdout, r.stdout + r.stderr
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads((cfg / "config.json").read_text()) == {}
    (backup,) = cfg.glob("config.json.cdoctor-backup-*")
    assert backup.read_text() == broken
    ps = docker_ps(home, env)
    assert ps.returncode == 0 and "WARNING: Error loading config file" not in ps.stderr, ps.stderr


def _start_doc(line: str) -> dict[str, Any]:
    from doctor.knowledge import fixes as fx

    start = fx.Fix("start", (line,), (fx.Change(fx.ENGINE_START, "colima"),), "user",
                   note="not checked: cdoctor cannot know the engine will come up")  # fmt: skip
    return {
        "diagnosis": {"status": "broken", "primary_cause": "engine-not-running", "summary": "Colima is not running"},
        "findings": [{"id": "engine-not-running", "cause": "engine-not-running", "severity": "error", "title": "t",
                      "data": {"fixes": fx.describe([start])}}],
    }  # fmt: skip


def test_start_runs_the_products_command_only_when_agreed(tmp_path: Path) -> None:
    """`--start`: the identified product's own command, after the user agrees; then a new diagnosis."""
    from io import StringIO

    from doctor.commands import fix as fix_cmd

    marker = tmp_path / "started"
    doc = _start_doc(f"touch {marker}")
    runs: list[int] = []

    def diagnose() -> dict[str, Any]:
        runs.append(1)
        return doc if len(runs) == 1 else {"diagnosis": {"status": "ok", "summary": "ok"}, "findings": []}

    def options(yes: bool, start: bool) -> Any:
        return fix_cmd.FixOptions(yes=yes, start=start, config_flag=str(tmp_path))

    def console(out: StringIO, agree: bool) -> Any:
        return fix_cmd.Console(lambda d: None, out, StringIO(), ask=lambda q: agree)

    out = StringIO()
    rc = fix_cmd.run(diagnose, options(False, False), console(out, True))
    assert rc == 1 and not marker.exists() and "not checked" in out.getvalue()  # no --start: nothing runs
    runs.clear()
    rc = fix_cmd.run(diagnose, options(False, True), console(StringIO(), False))
    assert rc == 1 and not marker.exists()  # the user said no
    runs.clear()
    rc = fix_cmd.run(diagnose, options(False, True), console(StringIO(), True))
    assert rc == 0 and marker.exists() and len(runs) == 2  # started, diagnosed again, exit by the new verdict
    # A start command that needs sudo is never run by cdoctor.
    marker.unlink()
    sudo_doc = _start_doc(f"sudo touch {marker}")
    rc = fix_cmd.run(lambda: sudo_doc, options(True, True), console(StringIO(), True))
    assert rc == 1 and not marker.exists()
