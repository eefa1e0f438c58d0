"""What the reader returns: plain frozen values, no behaviour."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["EMPTY", "ErrorReading", "PasteReading", "ProductHint"]

EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ProductHint:
    """The product a text or paste points at, with every signal that was used.

    ``confidence`` is ``certain`` (the product names itself: Platform.Name, an OS or
    kernel marker), ``likely`` (a path, pipe, context name or service alias that
    belongs to it) or ``guess`` (weak or conflicting signals). ``score`` is the
    combined weight of the signals in [0, 1]; ``signals`` cite each one.
    """

    product: str
    variant: str | None
    confidence: str
    score: float
    signals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ErrorReading:
    """What an error text says on its own (see causes.md, "Symptoms")."""

    symptom: str
    endpoint: str | None = None
    client: str | None = None
    cli_version_hint: str | None = None
    cause: str | None = None
    details: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    evidence: tuple[str, ...] = ()
    product: ProductHint | None = None
    template: str | None = None  # id of the catalogue entry that decided the symptom


@dataclass(frozen=True, slots=True)
class PasteReading:
    """What a pasted ``docker version`` / ``docker info`` / ``docker context ls`` says."""

    kind: str
    facts: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    warnings: tuple[str, ...] = ()
    server_error: ErrorReading | None = None
    product: ProductHint | None = None
