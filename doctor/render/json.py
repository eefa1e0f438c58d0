"""JSON: the machine contract."""

from __future__ import annotations

import json
from typing import Any, TextIO


def render(doc: dict[str, Any], out: TextIO) -> None:
    # ensure_ascii keeps undecodable bytes (surrogate escapes from non-UTF-8 paths) printable.
    json.dump(doc, out, indent=2, ensure_ascii=True, default=str)
    out.write("\n")
