"""The layers keep to their rooms: checks are pure functions of facts, the contract imports no I/O.

Two kinds of proof: what a module *really* imports (each module is imported in a fresh
interpreter and sys.modules is read afterwards), and what its source calls (the AST).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_MODULES = {"os", "subprocess", "socket", "pathlib", "shutil", "psutil", "docker", "requests",
                     "urllib.request", "http.client", "ssl", "glob", "io", "tempfile", "threading"}
FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval", "__import__"}
# What a check may import from doctor: the public surface, the fact contract and pure knowledge.
ALLOWED_DOCTOR = ("doctor.api", "doctor.facts", "doctor.knowledge")
# Modules that touch the system (or run the program): none may be loaded by importing a check.
IO_PACKAGES = ("doctor.gather", "doctor.commands", "doctor.cli", "doctor.run.pipeline", "doctor.run.runner",
               "doctor.run.plugins", "doctor.render", "psutil", "docker", "subprocess", "socket", "ssl",
               "http.client", "typer", "tabulate")


def _modules() -> list[Path]:
    return sorted((ROOT / "checks").glob("*.py"))


def _loaded_by(module: str) -> list[str]:
    """Every module in sys.modules after a fresh interpreter imports `module`."""
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    return list(json.loads(out.stdout))


def _io(loaded: list[str]) -> list[str]:
    return [m for m in loaded if any(m == p or m.startswith(p + ".") for p in IO_PACKAGES)]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_importing_a_check_loads_no_io_module(path: Path) -> None:
    """Not a name heuristic: what is in sys.modules once the check module is imported."""
    name = "checks." + path.stem if path.stem != "__init__" else "checks"
    assert _io(_loaded_by(name)) == []


@pytest.mark.parametrize("module", ["doctor.api", "doctor.facts", "doctor.facts.keys", "doctor.facts.types",
                                    "doctor.knowledge.identify", "doctor.knowledge.resolve",
                                    "doctor.knowledge.requirements", "doctor.knowledge.outcomes"])
def test_the_contract_loads_no_io_module(module: str) -> None:
    """The keys name their gatherers by dotted path: importing them imports no gatherer."""
    assert _io(_loaded_by(module)) == []


def test_the_import_test_can_fail(tmp_path: Path) -> None:
    """A check that imports a gatherer is caught by the same test (it can fail)."""
    bad = tmp_path / "badcheck.py"
    bad.write_text("from doctor.gather.local import _gather_env\n")
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import badcheck; "
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True)
    assert "doctor.gather.local" in _io(json.loads(out.stdout))


def test_every_key_names_an_existing_gatherer() -> None:
    """Dotted paths are resolved lazily, so a typo would only show at run time: resolve them all here."""
    from doctor.facts import keys
    from doctor.facts.store import Fact, _resolve

    facts = [v for v in vars(keys).values() if isinstance(v, Fact)]
    assert len(facts) >= 15
    for fact in facts:
        assert isinstance(fact.gatherer, str), fact
        assert callable(_resolve(fact.gatherer)), fact


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_checks_do_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] not in FORBIDDEN_MODULES, f"{path.name} imports {alias.name}"
                if alias.name.startswith("doctor"):
                    assert alias.name.startswith(ALLOWED_DOCTOR), f"{path.name} imports {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] not in FORBIDDEN_MODULES, f"{path.name} imports {node.module}"
            if node.module == "doctor":
                for alias in node.names:
                    assert f"doctor.{alias.name}".startswith(ALLOWED_DOCTOR), f"{path.name} imports doctor.{alias.name}"
            elif node.module.startswith("doctor"):
                assert node.module.startswith(ALLOWED_DOCTOR), f"{path.name} imports {node.module}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in FORBIDDEN_CALLS, f"{path.name} calls {node.func.id}()"


def test_the_lint_rule_bans_io_in_checks() -> None:
    """ruff's banned-api (TID251) is the first line of defence; keep it configured."""
    text = (ROOT / "pyproject.toml").read_text()
    assert '"subprocess".msg' in text and '"socket".msg' in text
    assert '"doctor.gather".msg' in text
    assert '"checks/**"' not in text  # checks/ is never exempted
