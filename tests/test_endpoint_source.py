"""One table says how the endpoint was chosen (doctor/knowledge/endpoint_source.py).

Every source the resolver can name has words in every form, and no second table of
those words exists anywhere in doctor/ or checks/.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from doctor.knowledge import endpoint_source
from doctor.knowledge.endpoint_source import SOURCES, SourceWords, source_words

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "doctor" / "knowledge" / "endpoint_source.py"


def _schema_sources() -> set[str]:
    schema = json.loads((ROOT / "doctor" / "schema" / "diagnosis-1.json").read_text())
    return {s for s in schema["properties"]["endpoint"]["properties"]["source"]["enum"] if s is not None}


def test_every_source_of_the_schema_has_words_in_every_form() -> None:
    assert set(SOURCES) == _schema_sources()
    for source in SOURCES:
        for form in SourceWords.__slots__:
            assert source_words(source, form), (source, form)


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_source_the_resolver_names_is_in_the_table(source: str) -> None:
    resolve = (ROOT / "doctor" / "knowledge" / "resolve.py").read_text()
    assert f'"{source}"' in resolve, f"{source} is no longer a source of resolve.py: drop it from the table"


def _phrases() -> set[str]:
    # The words that only this table may spell (the short forms are plain names: DOCKER_HOST, -H).
    return {getattr(w, f) for w in SOURCES.values() for f in ("link", "sentence", "rival")} - {
        w.short for w in SOURCES.values()
    }


def _second_tables(root: Path) -> list[str]:
    """Where a dict keyed by source ids, or a string spelling a table phrase, lives outside the table."""
    phrases = _phrases()
    found: list[str] = []
    for path in sorted([*root.glob("doctor/**/*.py"), *root.glob("checks/**/*.py")]):
        if path.resolve() == TABLE:
            continue
        tree = ast.parse(path.read_text(), str(path))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
                words = [v for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
                if len(keys & set(SOURCES)) >= 3 and len(words) >= 3:
                    found.append(f"{path.relative_to(root)}:{node.lineno}: a table of source words")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                hits = [p for p in phrases if p in node.value]
                if hits:
                    found.append(f"{path.relative_to(root)}:{node.lineno}: spells {hits}")
    return found


def test_no_second_table_of_source_words() -> None:
    assert _second_tables(ROOT) == []


def test_the_second_table_test_can_fail(tmp_path: Path) -> None:
    (tmp_path / "doctor").mkdir()
    (tmp_path / "checks").mkdir()
    (tmp_path / "doctor" / "report.py").write_text(
        '_WORDS = {"flag": "-H", "env:DOCKER_HOST": "DOCKER_HOST", "config": "the file"}\n'
    )
    (tmp_path / "checks" / "x.py").write_text(
        '"""currentContext in config.json is fine in a docstring."""\n'
        'TITLE = "chosen by DOCKER_HOST in your environment"\n'
    )
    found = _second_tables(tmp_path)
    assert len(found) == 2, found
    assert endpoint_source.source_words("no-such-source") == "no-such-source"
