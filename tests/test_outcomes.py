"""One table from probe outcome to symptom to cause (doctor/knowledge/outcomes.py).

Every outcome a probe can have means a symptom of docs/causes.md; every symptom is the
schema's and the docs'; the cause a symptom supports is a cause of the diagnosis. The
readers (the connection check, the explain reader, the offline report, the docker hook)
keep no table of their own.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from doctor.knowledge import outcomes
from doctor.knowledge.outcomes import OUTCOMES, SYMPTOMS
from doctor.run.verdict import CAUSE_ORDER

ROOT = Path(__file__).resolve().parent.parent
TABLE = "doctor/knowledge/outcomes.py"
CAUSES_MD = (ROOT / "docs" / "causes.md").read_text()


def _outcome_constants() -> dict[str, str]:
    return {k: v for k, v in vars(outcomes).items() if k.isupper() and isinstance(v, str)}


def _schema_symptoms() -> set[str]:
    schema = json.loads((ROOT / "doctor" / "schema" / "diagnosis-1.json").read_text())
    found: list[set[str]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "enum" in node and "socket-missing" in node["enum"] and "wsl-stub" in node["enum"]:
                found.append({e for e in node["enum"] if isinstance(e, str)})
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    assert found, "the schema has no symptom enum"
    return found[0]


def test_every_outcome_but_ok_means_a_symptom() -> None:
    constants = _outcome_constants()
    assert set(OUTCOMES) == set(constants.values()) - {outcomes.OK}
    for outcome, row in OUTCOMES.items():
        assert row.symptom in SYMPTOMS, (outcome, row.symptom)
        assert outcomes.outcome_words(outcome, seconds=1.0)


def test_every_symptom_is_the_schemas_and_documented() -> None:
    assert set(SYMPTOMS) == _schema_symptoms()
    section = CAUSES_MD[CAUSES_MD.index("## Symptoms") :]
    section = section[: section.index("\n## ", 10)]
    documented = set(re.findall(r"`([a-z0-9-]+)`", section))
    assert set(SYMPTOMS) <= documented, set(SYMPTOMS) - documented


def test_a_symptoms_cause_is_a_cause_of_the_diagnosis() -> None:
    for symptom, row in SYMPTOMS.items():
        assert row.cause is None or row.cause in CAUSE_ORDER, (symptom, row.cause)
        assert not (row.network and not row.engine), symptom


def test_the_readers_read_the_table() -> None:
    from doctor.commands.docker_plugin import ENGINE_SYMPTOMS
    from doctor.reader.templates import FIXED_CAUSE, NETWORK_SYMPTOMS

    assert {s: r.cause for s, r in SYMPTOMS.items() if r.cause} == FIXED_CAUSE
    assert {s for s, r in SYMPTOMS.items() if r.network} == NETWORK_SYMPTOMS
    assert {s for s, r in SYMPTOMS.items() if r.engine} == ENGINE_SYMPTOMS


def _second_tables(root: Path) -> list[str]:
    """Dicts or sets outside the table keyed by several outcomes or symptoms: a copy of the table."""
    names = set(_outcome_constants()) - {"OK"}
    symptoms = set(SYMPTOMS) - {"unknown"}
    found = []
    for path in sorted([*root.glob("doctor/**/*.py"), *root.glob("checks/**/*.py")]):
        rel = path.relative_to(root).as_posix()
        if rel == TABLE:
            continue
        for node in ast.walk(ast.parse(path.read_text(), rel)):
            keys = node.keys if isinstance(node, ast.Dict) else node.elts if isinstance(node, ast.Set) else None
            if keys is None:
                continue
            consts = {k.value for k in keys if isinstance(k, ast.Constant)}
            attrs = {k.attr for k in keys if isinstance(k, ast.Attribute)}
            if len(attrs & names) >= 3 or len(consts & symptoms) >= 4:
                found.append(f"{rel}:{node.lineno}")
    return found


def test_no_second_table_of_outcomes_or_symptoms() -> None:
    assert _second_tables(ROOT) == []


def test_the_second_table_test_can_fail(tmp_path: Path) -> None:
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "x.py").write_text(
        "from doctor.knowledge import outcomes as api\n"
        'WORDS = {api.SOCKET_MISSING: "gone", api.REFUSED: "no", api.DNS: "dns"}\n'
        'HOOK = frozenset({"socket-missing", "timeout", "tls", "ssh"})\n'
    )
    assert _second_tables(tmp_path) == ["checks/x.py:2", "checks/x.py:3"]
