"""Version numbers, read one way everywhere: engine and API versions, `docker --version` lines.

`parse` reads a version at the start of a string (`24.0`, `v2.1.5`, `20.10.24+dfsg1`);
`search` finds the first one inside a line of output (`Docker version 28.2.2, build …`);
`at_least` compares them as the engine does (missing parts are zeros).
"""

from __future__ import annotations

import re
from functools import cache


@cache
def _leading() -> re.Pattern[str]:
    return re.compile(r"^v?(\d{1,6}(?:\.\d{1,6}){0,3})")


@cache
def _anywhere(after: str) -> re.Pattern[str]:
    return re.compile(re.escape(after) + r"(\d{1,6})\.(\d{1,6})(?:\.(\d{1,6}))?")


def parse(text: str | None) -> tuple[int, ...] | None:
    """`24.0` → (24, 0); `v2.1.5` → (2, 1, 5); `20.10.24+dfsg1` → (20, 10, 24); garbage → None."""
    if not text:
        return None
    m = _leading().match(text.strip())
    return tuple(int(p) for p in m[1].split(".")) if m else None


def search(text: str, *, after: str = "") -> tuple[int, int, int] | None:
    """The first MAJOR.MINOR[.PATCH] in `text` (right after `after` when given), patch 0 when absent."""
    m = _anywhere(after).search(text)
    return (int(m[1]), int(m[2]), int(m[3] or 0)) if m else None


def at_least(have: tuple[int, ...], want: tuple[int, ...]) -> bool:
    width = max(len(have), len(want))
    return have + (0,) * (width - len(have)) >= want + (0,) * (width - len(want))
