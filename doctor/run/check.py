"""The check interface: a pure function of facts that yields findings.

Built-in checks and third-party ones register the same way, through the
entry-point group `cdoctor.checks`; each entry point names a sequence of
`Check` objects (usually made with the `@check` decorator).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from doctor.facts import Fact, Facts
from doctor.run.model import Finding

CheckFunction = Callable[[Facts], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str
    category: str
    run: CheckFunction
    requires: tuple[Fact[Any], ...] = ()  # prefetched in parallel before checks run
    doc: str = ""


def check(
    *, id: str, title: str, category: str, requires: tuple[Fact[Any], ...] = ()
) -> Callable[[CheckFunction], Check]:
    """Make a `Check` of a function; its docstring is the check's documentation."""

    def wrap(fn: CheckFunction) -> Check:
        return Check(id=id, title=title, category=category, run=fn, requires=requires, doc=(fn.__doc__ or "").strip())

    return wrap
