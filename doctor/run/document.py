"""The one builder of the JSON document of docs/output-contract.md (schema cdoctor/diagnosis@1).

Every command's document is made here: `diagnose` from a `RunResult`; `explain` from a result
that carries an `ExplainSection` (live, or `explain --offline`'s result of the text alone);
`check` and `report` add their typed `Sections`. The keys and their order live in this file
only (tests/test_document.py fails when another module writes a section of the document).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from doctor.run.model import CheckRun, Finding
from doctor.run.result import SCHEMA, RunResult
from doctor.run.sections import (
    CheckSection,
    ExplainSection,
    Redaction,
    ReportSection,
    Sections,
    TextOnly,
    WaitSection,
)

Document = dict[str, Any]


def finding_dict(f: Finding) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": f.id,
        "check": f.check,
        "severity": str(f.severity),
        "cause": f.cause,
        "title": f.title,
        "detail": f.detail,
        "evidence": list(f.evidence),
        "fix": list(f.fix),
    }
    if f.data:
        d["data"] = f.data
    return d


def _check_dict(r: CheckRun) -> dict[str, Any]:
    return {
        "id": r.check,
        "title": r.title,
        "category": r.category,
        "origin": r.origin,
        "outcome": str(r.outcome),
        "seconds": round(r.seconds, 4),
        "findings": [f.id for f in r.findings],
    }


def _explain_dict(ex: ExplainSection) -> dict[str, Any]:
    d: dict[str, Any] = {
        "symptom": ex.symptom,
        "endpoint": ex.endpoint,
        "client": ex.client,
        "product_hint": ex.product.product,
        "product_confidence": ex.product.confidence,
        "product_signals": list(ex.product.signals),
    }
    if ex.live:
        d["local_product_hint"] = ex.local_product_hint
    d["cli_version_hint"] = ex.cli_version_hint
    d["text_cause"] = ex.text_cause
    d["evidence"] = list(ex.evidence)
    text: TextOnly | None = ex.text_only
    if text is not None:
        d["details"] = dict(text.details)
        d["paste"] = {"kind": text.paste.kind, "facts": dict(text.paste.facts), "warnings": list(text.paste.warnings)}
    if ex.pasted_endpoint is not None:
        d["pasted_endpoint"] = dict(ex.pasted_endpoint)
    return d


def _wait_dict(w: WaitSection) -> dict[str, Any]:
    return {
        "deadline": w.deadline,
        "ready": w.ready,
        "seconds": round(w.seconds, 2),
        "attempts": w.attempts,
        "endpoint": w.endpoint,
        "last_outcome": w.last_outcome,
    }


def _check_section(c: CheckSection) -> dict[str, Any]:
    return {"exit_code": c.exit_code, "strict": c.strict, "requirements": list(c.requirements)}


def _versions(doc: Mapping[str, Any]) -> dict[str, Any]:
    """`report`: the versions a bug report asks for, read from the run's own sections."""
    import platform  # here, not at import: platform.platform() runs `uname -p` on Linux

    cli = next((c for c in doc.get("chain") or [] if c.get("layer") == "cli" and c.get("seen")), None)
    engine = doc.get("engine") or {}
    return {
        "cdoctor": doc["tool"]["version"],
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
        "cli": (cli or {}).get("version") or (cli or {}).get("label"),
        "engine": engine.get("server_version"),
        "engine_api": engine.get("api_version"),
        "engine_product": engine.get("product"),
    }


def _run_sections(result: RunResult) -> Document:
    """What a run on this machine adds: absent from `explain --offline`, which runs nothing."""
    if result.offline:
        return {}
    return {
        "checks": [_check_dict(r) for r in result.checks],
        "environment": result.environment,
        "inventory": result.inventory,
        "collected": result.collected,
        "seconds": round(result.seconds, 3),
    }


def _assemble(result: RunResult, sections: Sections) -> Document:
    doc: Document = {
        "schema": SCHEMA,
        "tool": result.tool,
        "endpoint": result.endpoint,
        "engine": result.engine,
        "chain": result.chain,
        "findings": [finding_dict(f) for f in result.findings],
        "diagnosis": {
            "status": str(result.diagnosis.status),
            "primary_cause": result.diagnosis.primary_cause,
            "summary": result.diagnosis.summary,
        },
        **_run_sections(result),
    }
    if result.explain is not None:
        doc["explain"] = _explain_dict(result.explain)
    if sections.wait is not None:
        doc["wait"] = _wait_dict(sections.wait)
    if sections.check is not None:
        doc["check"] = _check_section(sections.check)
    if sections.report is not None:
        doc["report"] = {"versions": _versions(doc)}
    return doc


def _redaction_note(section: ReportSection, redaction: Redaction) -> dict[str, Any]:
    # What kinds were replaced is known only after scrubbing; the values never are.
    anon = redaction.anonymizer
    return {
        "secrets": "always removed",
        "anonymize": section.anonymize,
        "anonymized": sorted(anon.replaced) if anon is not None else [],
    }


def build_document(result: RunResult, sections: Sections | None = None, redaction: Redaction | None = None) -> Document:
    """The document of one command: the report's sections, then the command's own, then redacted.

    Without `redaction` the document is returned as built (tests and the explain scorer
    read it so); every command passes the run's secrets.
    """
    parts = sections or Sections()
    doc = _assemble(result, parts)
    if redaction is None:
        return doc
    from doctor.render.boundary import redacted

    doc = dict(redacted(doc, secrets=redaction.secrets, anonymize=redaction.anonymizer))
    if parts.report is not None:
        doc["report"]["redaction"] = _redaction_note(parts.report, redaction)
    return doc
