"""Comments, docstrings and recorded data cite what a reader can open.

The project's knowledge rests on public sources (a repository's file at a commit, an
issue, a docs page) or on documents in this repository (docs/). Notes that live outside
the repository — the research the first versions were written from — are not citable:
a reader of the code cannot follow them.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("doctor", "checks", "tests", "docs", "examples", "bench", "scripts", "README.md", "CHANGELOG.md")
# The research notes' file names, and the path they were read from.
UNCITABLE = re.compile(r"shared/research|\b(?:stacks|cli-resolution|peers|field)\.md\b")


def _files() -> list[Path]:
    out: list[Path] = []
    for name in SCANNED:
        p = ROOT / name
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out.extend(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix in {".py", ".md", ".json", ".txt", ".toml", ".yml", ".yaml", ""}
                and "__pycache__" not in f.parts and f != Path(__file__).resolve()
            )
    return out


def uncitable_lines(files: list[Path]) -> list[str]:
    hits = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for no, line in enumerate(text.splitlines(), 1):
            if UNCITABLE.search(line):
                hits.append(f"{f}:{no}: {line.strip()[:120]}")
    return hits


def test_no_citation_of_notes_outside_the_repository() -> None:
    assert uncitable_lines(_files()) == []


def test_the_scan_finds_a_planted_citation(tmp_path: Path) -> None:
    planted = tmp_path / "x.py"
    planted.write_text("# see stacks.md §13\n", encoding="utf-8")
    assert uncitable_lines([planted]) != []


def test_the_identification_doc_that_code_cites_exists() -> None:
    assert (ROOT / "docs" / "identification.md").is_file()
    assert (ROOT / "docs" / "resolution.md").is_file()
