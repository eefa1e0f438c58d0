"""The complexity rules stay on for the product's code: no global ignore, no per-file
exemption, no inline noqa (issue #10: functions that fit a screen)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPLEXITY = {"PLR0911", "PLR0912", "PLR0913", "PLR0915"}


def exemptions(pyproject: dict[str, object], sources: dict[str, str]) -> list[str]:
    lint = pyproject["tool"]["ruff"]["lint"]  # type: ignore[index]
    found = [f"ignore: {code}" for code in COMPLEXITY & set(lint.get("ignore", ()))]
    for pattern, codes in lint.get("per-file-ignores", {}).items():
        if not pattern.startswith(("tests/", "bench/")):
            found += [f"per-file-ignores {pattern}: {c}" for c in COMPLEXITY & set(codes)]
    for name, text in sources.items():
        found += [f"{name}: noqa {m}" for m in re.findall(r"noqa:[^\n]*?(PLR09(?:11|12|13|15))", text)]
    return found


def _sources() -> dict[str, str]:
    return {
        str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
        for top in ("doctor", "checks")
        for p in (ROOT / top).rglob("*.py")
    }


def test_no_complexity_exemption_in_doctor_or_checks() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert exemptions(pyproject, _sources()) == []


def test_each_kind_of_exemption_is_found() -> None:
    planted = {"tool": {"ruff": {"lint": {"ignore": ["PLR0912"], "per-file-ignores": {"doctor/x.py": ["PLR0913"]}}}}}
    found = exemptions(planted, {"doctor/y.py": "def f():  # noqa: PLR0915\n"})
    assert len(found) == 3, found
