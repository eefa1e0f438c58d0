"""Issue 13's targets, measured by tests/explain_score.py on the whole corpus and on half B
(the half the catalogue was not written from). A regression fails here.

Reproduce the tables: `PYTHONPATH=. python -m tests.explain_score` (and `--misses A`).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests import explain_score

# What the issue asks for on the half not used to write the catalogue.
TARGETS = explain_score.TARGETS
# Measured when the catalogue was last changed (round 3, B: 95.5 / 95.2 / 95.6 / 95.2 %,
# whole: 97.3 / 97.3 / 96.7 / 96.4 %), less two to three points of slack for texts the
# corpus helpers still add; a change of the reader may not go below them.
FLOORS = {
    "B": {"symptom": 0.92, "endpoint": 0.93, "product": 0.93, "cause": 0.92},
    "whole": {"symptom": 0.94, "endpoint": 0.95, "product": 0.94, "cause": 0.94},
}


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    cases = explain_score.load()
    explain_score.run(cases)
    return explain_score.summary(cases)


def _rate(summary: dict[str, Any], half: str, field: str) -> float:
    right, total = summary["halves"][half][field]
    assert total > 0
    return float(right) / float(total)


def test_the_corpus_is_big_enough_to_measure(summary: dict[str, Any]) -> None:
    whole = summary["halves"]["whole"]
    assert whole["symptom"][1] >= 400  # scored texts (pasted or docs)
    pastes = sum(v["records"] for k, v in summary["client"]["whole"].items() if v["symptom"][1] == 0)
    assert pastes >= 60
    clients = [k for k, v in summary["client"]["whole"].items() if v["symptom"][1] > 0]
    assert len(clients) >= 12
    products = [k for k in summary["product"]["whole"] if k != "(none)"]
    assert len(products) >= 8
    assert summary["halves"]["A"]["records"] and summary["halves"]["B"]["records"]


MET = [
    ("whole", "endpoint"),
    ("whole", "product"),
    ("B", "product"),
    ("B", "endpoint"),
    ("whole", "symptom"),
    ("B", "symptom"),  # met in round 3 (95.2 %, 360/378)
]


@pytest.mark.parametrize(("half", "field"), MET)
def test_targets(summary: dict[str, Any], half: str, field: str) -> None:
    assert _rate(summary, half, field) >= TARGETS[field], explain_score.tables(summary)


@pytest.mark.parametrize("half", ["B", "whole"])
@pytest.mark.parametrize("field", ["symptom", "endpoint", "product", "cause"])
def test_no_regression(summary: dict[str, Any], half: str, field: str) -> None:
    assert _rate(summary, half, field) >= FLOORS[half][field], explain_score.tables(summary)


def test_the_split_is_by_repository() -> None:
    assert explain_score.half("docker/cli") in ("A", "B")
    assert explain_score.half("docker/cli") == explain_score.half("docker/cli")
    halves = {explain_score.half(c.repo) for c in explain_score.load() if c.scored}
    assert halves == {"A", "B"}
    for c in explain_score.load():
        assert c.half == ("A" if int(__import__("hashlib").sha256(c.repo.encode()).hexdigest(), 16) % 2 == 0 else "B")
