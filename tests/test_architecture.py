"""Checks are pure functions of facts: no module under checks/ touches the system."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_MODULES = {"os", "subprocess", "socket", "pathlib", "shutil", "psutil", "docker", "requests",
                     "urllib.request", "http.client", "ssl", "glob", "io", "tempfile", "threading"}
FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval", "__import__"}
# What a check may import from doctor: the pure core and the fact *keys* (never a gatherer function).
ALLOWED_DOCTOR = ("doctor.check", "doctor.model", "doctor.facts", "doctor.identify", "doctor.hosts",
                  "doctor.dockerconfig", "doctor.resolve", "doctor.outcomes", "doctor.requirements",
                  "doctor.explain", "doctor.diagnose", "doctor.gather.")


def _modules() -> list[Path]:
    return sorted((ROOT / "checks").glob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_checks_do_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] not in FORBIDDEN_MODULES, f"{path.name} imports {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] not in FORBIDDEN_MODULES, f"{path.name} imports {node.module}"
            if node.module == "doctor":
                for alias in node.names:
                    assert f"doctor.{alias.name}".startswith(ALLOWED_DOCTOR), f"{path.name} imports doctor.{alias.name}"
            elif node.module.startswith("doctor"):
                assert node.module.startswith(ALLOWED_DOCTOR), f"{path.name} imports {node.module}"
                if node.module.startswith("doctor.gather."):
                    # Only fact keys (UPPER_CASE) and types (CapWords) from the gatherers, never functions.
                    for alias in node.names:
                        assert alias.name[0].isupper(), f"{path.name} imports gatherer function {alias.name}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in FORBIDDEN_CALLS, f"{path.name} calls {node.func.id}()"


def test_the_lint_rule_bans_io_in_checks() -> None:
    """ruff's banned-api (TID251) is the first line of defence; keep it configured."""
    text = (ROOT / "pyproject.toml").read_text()
    assert '"subprocess".msg' in text and '"socket".msg' in text
    assert '"checks/**"' not in text  # checks/ is never exempted
