"""One vocabulary: product, cause and symptom ids agree across code, the JSON schema and the docs.

Each id list lives once in code (knowledge/products.py, run/verdict.py's CAUSE_ORDER,
the explain reader's templates); the schema's enums and the docs must say the same.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "doctor" / "schema" / "diagnosis-1.json").read_text())
CAUSES_MD = (ROOT / "docs" / "causes.md").read_text()
CONTRACT_MD = (ROOT / "docs" / "output-contract.md").read_text()


def _enums_with(value: str, node: Any = SCHEMA) -> list[list[str]]:
    """Every enum in the schema that contains `value`."""
    found: list[list[str]] = []
    if isinstance(node, dict):
        if value in node.get("enum", ()):
            found.append(list(node["enum"]))
        for child in node.values():
            found.extend(_enums_with(value, child))
    elif isinstance(node, list):
        for child in node:
            found.extend(_enums_with(value, child))
    return found


def test_schema_product_enums_are_the_catalogue() -> None:
    from doctor.knowledge import identify, products

    enums = _enums_with("docker-desktop")
    assert len(enums) >= 2  # engine.product and explain.product_hint
    for enum in enums:
        assert enum == list(products.IDS)
    assert identify.PRODUCTS == products.IDS
    assert set(products.NAMES) == set(products.IDS)


def test_docs_list_the_catalogues_products() -> None:
    from doctor.knowledge import products

    line = CONTRACT_MD[CONTRACT_MD.index("Product ids:") : CONTRACT_MD.index("Product ids:") + 400]
    assert re.findall(r"`([a-z-]+)`", line.split(".\n")[0].split("A finer label")[0]) == list(products.IDS)


def test_every_identified_product_is_in_the_catalogue() -> None:
    """Identification names only catalogue products (read from its source: every done/hit/Identification)."""
    from doctor.knowledge import products

    text = (ROOT / "doctor" / "knowledge" / "identify.py").read_text()
    named = set(re.findall(r'(?:done|hit|Identification)\(\s*"([a-z-]+)"', text))
    assert named and named <= set(products.IDS), named - set(products.IDS)


def test_every_product_but_unknown_has_a_start_command() -> None:
    from doctor.knowledge import products

    for product in products.IDS:
        command = products.start_command(product, None, platform="linux")
        assert bool(command) == (product != "unknown"), product


def test_causes_agree_across_code_schema_and_docs() -> None:
    from doctor.run.verdict import CAUSE_ORDER

    [schema] = [e for e in _enums_with("endpoint-mismatch") if "diagnosis-incomplete" in e]
    assert schema == list(CAUSE_ORDER)
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", CAUSES_MD, re.M))
    missing = [c for c in CAUSE_ORDER if c not in documented]
    assert not missing, f"causes without an entry in docs/causes.md: {missing}"


def test_symptoms_agree_across_reader_schema_and_docs() -> None:
    from doctor.reader import templates

    [schema] = _enums_with("socket-missing")
    section = CAUSES_MD[CAUSES_MD.index("## Symptoms") :]
    section = section[: section.index("\n## ", 10)] if "\n## " in section[10:] else section
    documented = set(re.findall(r"`([a-z0-9-]+)`", section))
    assert set(schema) - {"unknown"} <= documented, set(schema) - documented
    used = {getattr(t, "symptom", None) for t in vars(templates).values() if hasattr(t, "symptom")}
    used |= {
        getattr(t, "symptom", None)
        for v in vars(templates).values()
        if isinstance(v, list | tuple)
        for t in v
        if hasattr(t, "symptom")
    }
    used = {s for s in used if isinstance(s, str)}  # not the Template class's own slot
    assert used, "the reader's templates name no symptom"
    assert used <= set(schema), used - set(schema)
