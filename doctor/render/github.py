"""GitHub Actions: workflow-command annotations and the job summary.

Annotations (`::error title=…::message`) appear on the run's page and in the
pull request; the job summary is Markdown appended to the file named by
`GITHUB_STEP_SUMMARY`. Escaping follows the runner's rules
(actions/toolkit `command.ts`: `%`, CR and LF in the message; also `:` and
`,` in properties), so a message can never end the command early or inject
another one.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from doctor.render import boundary, markdown

escape_data = boundary.workflow_data
escape_property = boundary.workflow_property


def command(kind: str, message: str, title: str | None = None) -> str:
    return boundary.workflow_command(kind, message, title=title)


def annotation_lines(doc: Mapping[str, Any], *, strict: bool = False) -> list[str]:
    """One annotation for the verdict (error when broken), then one per other error/warning."""
    doc = boundary.render_ready(doc, "workflow")
    lines = []
    diag = doc["diagnosis"]
    wait = doc.get("wait")
    if wait and not wait.get("ready"):
        lines.append(
            command(
                "error",
                f"{wait.get('endpoint')} did not answer /_ping within {wait.get('deadline')} s "
                f"({wait.get('attempts')} attempts, last: {wait.get('last_outcome')}). {diag['summary']}",
                title="cdoctor: Docker was not ready",
            )
        )
    primary = None
    if diag.get("primary_cause"):
        primary = next(
            (
                f
                for f in doc.get("findings") or []
                if f.get("cause") == diag["primary_cause"] and f.get("severity") == "error"
            ),
            None,
        )
        fix = "; ".join((primary or {}).get("fix") or [])
        lines.append(
            command(
                "error", diag["summary"] + (f" — fix: {fix}" if fix else ""), title=f"cdoctor: {diag['primary_cause']}"
            )
        )
    for f in doc.get("findings") or []:
        if f is primary or f.get("severity") not in ("error", "warning"):
            continue
        kind = "error" if f["severity"] == "error" or strict else "warning"
        lines.append(command(kind, f["title"], title=f"cdoctor: {f['id']}"))
    return lines


def summary(doc: Mapping[str, Any]) -> str:
    """The job summary: the compact Markdown report."""
    buf = io.StringIO()
    markdown.render(doc, buf, title="Docker preflight (cdoctor check)", compact=True)
    return buf.getvalue() + "\n"
