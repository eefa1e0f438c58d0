"""JSON: the machine contract, written through the output boundary (valid UTF-8, controls escaped)."""

from __future__ import annotations

from typing import Any, TextIO

from doctor.render import boundary


def render(doc: dict[str, Any], out: TextIO) -> None:
    out.write(boundary.json_dumps(boundary.render_ready(doc, "json")))
    out.write("\n")
