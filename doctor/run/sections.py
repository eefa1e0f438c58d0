"""The command-specific parts of the document, as typed inputs of its one builder (run/document.py).

`diagnose` has none; `explain` adds an `ExplainSection` (carried by the report, since the run
adds what it found about the pasted endpoint); `check` a `CheckSection` and, with --wait, a
`WaitSection`; `report` a `ReportSection`. How each becomes JSON is decided by document.py
alone, in the order docs/output-contract.md shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from doctor.facts.record import record


@record
class PasteSection:
    """`explain --offline`: what the text alone shows besides the error (docker info, a compose log, …)."""

    kind: str
    facts: Mapping[str, str]
    warnings: tuple[str, ...]


@record
class TextOnly:
    """What only `explain --offline` reports: the reader's details and the paste."""

    details: Mapping[str, Any]
    paste: PasteSection


@record
class NamedProduct:
    """The product the text names (its paths, pipes, contexts, kernel …), with how sure and why."""

    product: str | None
    confidence: str | None
    signals: tuple[str, ...]


@record
class ExplainSection:
    """The `explain` section: what the error text says (and, live, what became of its endpoint)."""

    symptom: str
    endpoint: str | None
    client: str | None
    product: NamedProduct
    cli_version_hint: str | None
    text_cause: str | None
    evidence: tuple[str, ...]
    text_only: TextOnly | None = None  # explain --offline
    # Live explain only: what the endpoint's path is on THIS machine (the text may come from another).
    live: bool = False
    local_product_hint: str | None = None
    pasted_endpoint: Mapping[str, Any] | None = None  # live: set from the PASTED_ENDPOINT fact


@record
class WaitSection:
    """`check --wait`: how the wait for /_ping went."""

    deadline: float
    ready: bool
    seconds: float
    attempts: int
    endpoint: str | None
    last_outcome: str | None


@record
class CheckSection:
    """`check`: its exit code, --strict, and the requirements it was given (as labels)."""

    exit_code: int
    strict: bool
    requirements: tuple[str, ...]


@record
class ReportSection:
    """`report`: whether identities are replaced too (secrets always are); the versions are read from the run."""

    anonymize: bool


@record
class Sections:
    """Every command-specific part a command adds to the document (none for `diagnose`)."""

    wait: WaitSection | None = None
    check: CheckSection | None = None
    report: ReportSection | None = None


@record
class Redaction:
    """What the document is scrubbed of before anyone sees it: the run's secrets, and identities
    when an Anonymizer (doctor.redact) is given."""

    secrets: tuple[str, ...] = ()
    anonymizer: Any = None
