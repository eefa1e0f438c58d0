"""The report as the JSON document of docs/output-contract.md (schema cdoctor/diagnosis@1)."""

from __future__ import annotations

from typing import Any

from doctor.run.model import Finding
from doctor.run.report import SCHEMA, Report


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


def to_document(report: Report) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "tool": report.tool,
        "endpoint": report.endpoint,
        "engine": report.engine,
        "chain": report.chain,
        "findings": [finding_dict(f) for f in report.findings],
        "diagnosis": {
            "status": str(report.diagnosis.status),
            "primary_cause": report.diagnosis.primary_cause,
            "summary": report.diagnosis.summary,
        },
        "checks": [
            {
                "id": r.check,
                "title": r.title,
                "category": r.category,
                "origin": r.origin,
                "outcome": str(r.outcome),
                "seconds": round(r.seconds, 4),
                "findings": [f.id for f in r.findings],
            }
            for r in report.checks
        ],
        "environment": report.environment,
        "inventory": report.inventory,
        "collected": report.collected,
        "seconds": round(report.seconds, 3),
    }
    if report.explain is not None:
        doc["explain"] = report.explain
    return doc
