"""The check interface: a pure function of facts that yields findings.

Built-in checks and third-party ones register the same way, through the
entry-point group `cdoctor.checks`; each entry point names a sequence of
`Check` objects (usually made with the `@check` decorator).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from doctor.facts import Fact, Facts
from doctor.facts.record import record
from doctor.run.model import Finding

CheckFunction = Callable[[Facts], Iterable[Finding]]


@record
class Check:
    id: str
    title: str
    category: str
    run: CheckFunction
    requires: tuple[Fact[Any], ...] = ()  # read on every run: prefetched in parallel before checks run
    doc: str = ""
    # Read only on some paths (a failure's details, say): declared, but not gathered unless read.
    optional: tuple[Fact[Any], ...] = ()

    @property
    def declared(self) -> frozenset[Fact[Any]]:
        """Every fact the check may read; reading any other one is a bug (the runner can enforce it)."""
        return frozenset((*self.requires, *self.optional))


def check(
    *,
    id: str,
    title: str,
    category: str,
    requires: tuple[Fact[Any], ...] = (),
    optional: tuple[Fact[Any], ...] = (),
) -> Callable[[CheckFunction], Check]:
    """Make a `Check` of a function; its docstring is the check's documentation.

    `requires`: the facts it reads on every run (gathered in parallel before checks run);
    `optional`: the facts it reads only on some paths. A check reads no other fact.
    """

    def wrap(fn: CheckFunction) -> Check:
        doc = (fn.__doc__ or "").strip()
        return Check(id=id, title=title, category=category, run=fn, requires=requires, doc=doc, optional=optional)

    return wrap
