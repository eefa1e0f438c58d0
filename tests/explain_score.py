"""Score `cdoctor explain --offline` on the explain corpus, by half (issue 13).

    PYTHONPATH=. python -m tests.explain_score            # tables for half A, half B, whole
    PYTHONPATH=. python -m tests.explain_score --misses B # what half B gets wrong
    PYTHONPATH=. python -m tests.explain_score --json     # the numbers, for tests and CI

Inputs (format: PLAN.md, "Explain corpus format"): every `tests/data/explain/corpus/*.json`
(error texts) and every manifest `tests/data/explain/pastes/*.json` (pasted command
output). Only records whose origin is "pasted" or "docs" are scored; "derived" and
"handwritten" ones are read (they must not crash the reader) but not counted.

Split: a record is in half A when int(sha256(repo).hexdigest(), 16) % 2 == 0, else in
half B. The catalogue (doctor/reader/templates.py) and the product rules were written
from half A; half B measures how the reader generalises.

What is compared is what the command reports (`explain_offline`): symptom, endpoint,
product (`explain.product_hint`) and cause (`diagnosis.primary_cause`); for a paste, the
product only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "explain"
SCORED_ORIGINS = frozenset({"pasted", "docs"})
FIELDS = ("symptom", "endpoint", "product", "cause")
TARGETS = {"symptom": 0.95, "endpoint": 0.95, "product": 0.90}


def half(repo: str) -> str:
    return "A" if int(hashlib.sha256(repo.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "B"


@dataclass
class Case:
    kind: str  # "text" or "paste"
    text: str
    want: dict[str, Any]
    client: str
    repo: str
    source: str
    origin: str
    where: str  # file (and index) it came from
    got: dict[str, Any] = field(default_factory=dict)

    @property
    def half(self) -> str:
        return half(self.repo)

    @property
    def scored(self) -> bool:
        return self.origin in SCORED_ORIGINS

    def fields(self) -> tuple[str, ...]:
        return FIELDS if self.kind == "text" else ("product",)


def _strip_header(text: str) -> str:
    """The seed pastes start with a `# source:` line; the corpus helpers' files are verbatim."""
    if text.startswith("# source:"):
        return text.split("\n", 1)[1] if "\n" in text else ""
    return text


def load(data: Path = DATA) -> list[Case]:
    cases: list[Case] = []
    for f in sorted((data / "corpus").glob("*.json")):
        for i, r in enumerate(json.loads(f.read_text(encoding="utf-8"))):
            cases.append(
                Case(
                    "text",
                    r["text"],
                    {k: r.get(k) for k in FIELDS},
                    r.get("client") or "unknown",
                    r.get("repo") or "",
                    r.get("source") or "",
                    r.get("origin") or "handwritten",
                    f"{f.name}[{i}]",
                )
            )
    pastes = data / "pastes"
    for f in sorted(pastes.glob("*.json")):
        for r in json.loads(f.read_text(encoding="utf-8")):
            path = pastes / r["file"]
            if not path.is_file():
                continue
            cases.append(
                Case(
                    "paste",
                    _strip_header(path.read_text(encoding="utf-8", errors="surrogateescape")),
                    {"product": r.get("product")},
                    r.get("kind") or "paste",
                    r.get("repo") or "",
                    r.get("source") or "",
                    r.get("origin") or "handwritten",
                    f"{f.name}:{r['file']}",
                )
            )
    return cases


def run(cases: Iterable[Case]) -> None:
    from doctor.run.pipeline import explain_offline, explain_reading

    for c in cases:
        reading, paste = explain_reading(c.text)
        doc = explain_offline(reading, paste, timeout=3.0)
        ex = doc["explain"]
        c.got = {
            "symptom": ex["symptom"],
            "endpoint": ex["endpoint"],
            "product": ex["product_hint"],
            "cause": doc["diagnosis"]["primary_cause"],
        }


def ok(c: Case, f: str) -> bool:
    return bool(c.got.get(f) == c.want.get(f))


def accuracy(cases: list[Case], f: str) -> tuple[int, int]:
    relevant = [c for c in cases if f in c.fields()]
    return sum(ok(c, f) for c in relevant), len(relevant)


def summary(cases: list[Case]) -> dict[str, Any]:
    """{half: {field: [right, total]}, per client, per product} for the scored cases."""
    scored = [c for c in cases if c.scored]
    out: dict[str, Any] = {"halves": {}, "client": {}, "product": {}}
    for name, sel in (("A", "A"), ("B", "B"), ("whole", None)):
        part = [c for c in scored if sel is None or c.half == sel]
        out["halves"][name] = {f: list(accuracy(part, f)) for f in FIELDS} | {"records": len(part)}
        for key, group_of in (("client", lambda c: c.client), ("product", lambda c: c.want.get("product") or "(none)")):
            groups: dict[str, list[Case]] = defaultdict(list)
            for c in part:
                groups[group_of(c)].append(c)
            out[key][name] = {
                g: {f: list(accuracy(cs, f)) for f in FIELDS} | {"records": len(cs)} for g, cs in sorted(groups.items())
            }
    return out


def _pct(rt: list[int]) -> str:
    right, total = rt
    return f"{100 * right / total:5.1f}% ({right}/{total})" if total else "    -"


def tables(s: dict[str, Any]) -> str:
    from tabulate import tabulate

    parts = []
    rows = [[h, v["records"], *(_pct(v[f]) for f in FIELDS)] for h, v in s["halves"].items()]
    parts.append(tabulate(rows, headers=["half", "records", *FIELDS], tablefmt="github"))
    for key in ("client", "product"):
        for h in ("A", "B", "whole"):
            rows = [[g, v["records"], *(_pct(v[f]) for f in FIELDS)] for g, v in s[key][h].items()]
            parts.append(f"\nper {key}, half {h}\n" + tabulate(rows, headers=[key, "n", *FIELDS], tablefmt="github"))
    return "\n".join(parts)


def misses(cases: list[Case], which: str) -> str:
    lines = []
    for c in cases:
        if not c.scored or (which != "whole" and c.half != which):
            continue
        bad = [f for f in c.fields() if not ok(c, f)]
        if bad:
            lines.append(f"- {c.where} {c.source}")
            for f in bad:
                lines.append(f"    {f}: want {c.want.get(f)!r} got {c.got.get(f)!r}")
            lines.append("    " + c.text[:300].replace("\n", "⏎"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--misses", choices=("A", "B", "whole"))
    args = ap.parse_args(argv)
    cases = load()
    run(cases)
    s = summary(cases)
    if args.json:
        json.dump(s, sys.stdout, indent=1)
        sys.stdout.write("\n")
    elif args.misses:
        print(misses(cases, args.misses))
    else:
        print(tables(s))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
