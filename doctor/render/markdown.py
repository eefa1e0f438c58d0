"""The report as GitHub-flavoured Markdown: to paste into an issue or a ticket.

Headings, one summary line, the chain as a text block, findings and checks as
tables (`tabulate`, GitHub pipe tables), the long parts in `<details>` blocks.
GitHub renders `<details>` only when a blank line separates the `<summary>`
from the Markdown inside it; it drops unknown HTML tags, so the placeholders
`<redacted>`, `<user>` … are escaped as `&lt;…&gt;` outside code.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from tabulate import tabulate

from doctor.render import boundary, human, triage

_MARK = {"ok": "✅", "degraded": "⚠️", "broken": "❌"}
_SEV = {"error": "❌ error", "warning": "⚠️ warning", "info": "ℹ️ info", "ok": "✅ ok"}


# Every external string is escaped by the output boundary's Markdown helpers, nowhere else.
esc = boundary.md_text
code = boundary.md_code


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    return tabulate([list(r) for r in rows], headers=list(headers), tablefmt="github", disable_numparse=True)


def details(summary: str, body: str) -> str:
    return f"<details>\n<summary>{boundary.md_html(summary)}</summary>\n\n{body.rstrip()}\n\n</details>\n"


def fence(text: str, lang: str = "text") -> str:
    return boundary.md_fence(text, lang)


def summary_line(doc: Mapping[str, Any]) -> str:
    diag = doc["diagnosis"]
    cause = f" (cause {code(diag['primary_cause'])})" if diag.get("primary_cause") else ""
    return f"{_MARK.get(diag['status'], '❔')} **{esc(diag['status'])}** — {esc(diag['summary'])}{cause}"


def _primary(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    diag = doc["diagnosis"]
    return next(
        (
            f
            for f in doc.get("findings") or []
            if f.get("cause") == diag.get("primary_cause") and f.get("severity") == "error"
        ),
        None,
    )


def _versions(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    env = doc.get("environment") or {}
    cli = next((c for c in doc.get("chain") or [] if c.get("layer") == "cli"), None)
    engine = doc.get("engine") or {}
    ep = doc.get("endpoint") or {}
    rows = [("cdoctor", code(doc["tool"]["version"]))]
    if env.get("python"):
        rows.append(("Python", code(env["python"])))
    if env.get("os"):
        rows.append(("OS", esc(env["os"]) + (f" (WSL {esc(env['wsl'])})" if env.get("wsl") else "")))
    if cli is not None:
        rows.append(
            (
                "docker CLI",
                f"{code(cli.get('path'))} {esc(cli.get('version') or cli.get('label'))}"
                if cli.get("seen")
                else esc(cli.get("why")),
            )
        )
    if engine:
        label = str(engine.get("product")) + (f" ({engine['variant']})" if engine.get("variant") else "")
        rows.append(
            (
                "engine",
                f"{esc(label)} {code(engine.get('server_version') or '?')}, API "
                f"{code(engine.get('api_version') or '?')}, {esc(engine.get('os'))}",
            )
        )
    else:
        probe = ep.get("probe") or {}
        rows.append(("engine", "not reached" + (f" ({code(probe.get('outcome'))})" if probe.get("outcome") else "")))
    if ep.get("host"):
        rows.append(
            ("endpoint", f"{code(ep['host'])} — context {code(ep.get('context'))}, from {code(ep.get('source'))}")
        )
    return rows


def _findings_table(findings: list[dict[str, Any]]) -> str:
    return table(
        ["severity", "id", "check", "finding"],
        [(_SEV.get(f["severity"], f["severity"]), code(f["id"]), code(f["check"]), esc(f["title"])) for f in findings],
    )


def _finding_details(f: Mapping[str, Any]) -> str:
    parts = []
    if f.get("detail"):
        parts.append(esc(f["detail"]))
    if f.get("evidence"):
        parts.append(fence("\n".join(f["evidence"])))
    if f.get("fix"):
        parts.append("Fix:\n\n" + fence("\n".join(f["fix"]), "sh"))
    return "\n\n".join(p.rstrip("\n") for p in parts)


def _collected(doc: Mapping[str, Any]) -> str:
    col = doc.get("collected") or {}
    lines = []
    procs = col.get("processes")
    if col.get("root") is not None:
        lines.append(
            f"- ran as root: **{'yes' if col['root'] else 'no'}**"
            + ("" if col["root"] else " (other users' processes and sockets may be hidden)")
        )
    if procs:
        lines.append(
            f"- processes: {procs.get('scanned')} scanned, {procs.get('denied')} not readable "
            f"(permission), {procs.get('vanished')} vanished while reading"
        )
    missing = col.get("not_collected") or []
    if missing:
        lines.append(
            f"- **not collected** ({len(missing)}): "
            + "; ".join(f"{code(m['name'])}: {esc(m['reason'])}" for m in missing)
        )
    else:
        lines.append("- every fact was collected within its deadline")
    lines.append(f"- probe deadline {esc(doc['tool'].get('timeout'))} s; the run took {esc(doc.get('seconds'))} s")
    body = "\n".join(lines) + "\n"
    facts = col.get("facts") or []
    if facts:
        body += (
            "\n"
            + table(
                ["fact", "seconds", "result"],
                [(code(f["name"]), esc(f.get("seconds")), esc(f.get("error") or "ok")) for f in facts],
            )
            + "\n"
        )
    return body


def render(doc: Mapping[str, Any], out: TextIO, *, title: str = "cdoctor report", compact: bool = False) -> None:
    """Write the report. `compact`: the CI job summary (verdict, chain, findings; no inventory)."""
    doc = boundary.render_ready(doc, "markdown")
    out.write(f"## {esc(title)}\n\n{summary_line(doc)}\n\n")
    _head(doc, out)
    _findings(doc, out, compact)
    _checks(doc, out)
    if compact:
        return
    _inventory(doc, out)
    _footer(doc, out)


def _head(doc: Mapping[str, Any], out: TextIO) -> None:
    """What a paste shows, the wait, the versions and the chain."""
    w = out.write
    if triage.is_paste(doc):
        w("### What the paste shows\n\n")
        w(table(["", ""], [(esc(label), esc(value)) for label, value in triage.rows(doc)]) + "\n\n")
        asks = triage.missing(doc)
        if asks:
            w("Ask the user for:\n\n" + fence("\n".join(asks), "sh") + "\n")
    wait = doc.get("wait")
    if wait:
        w(
            f"> **Waited {esc(wait.get('seconds'))} s** for {code(wait.get('endpoint'))} "
            f"({esc(wait.get('attempts'))} attempts, last {code(wait.get('last_outcome'))}): "
            f"{'it answered' if wait.get('ready') else '**the deadline passed**'}.\n\n"
        )
    if not triage.is_paste(doc) or doc.get("chain"):
        w(table(["", ""], [(k, v) for k, v in _versions(doc)]) + "\n\n")
    if doc.get("chain"):
        buf = io.StringIO()
        human.render_chain(dict(doc), buf, indent="")
        w("### The chain\n\n" + fence(buf.getvalue()) + "\n")


def _findings(doc: Mapping[str, Any], out: TextIO, compact: bool) -> None:
    """Why (the primary cause), the problems, the engine's warnings, the other observations."""
    w = out.write
    primary = _primary(doc)
    if primary is not None:
        w("### Why\n\n" + _finding_details(primary) + "\n\n")
    findings = list(doc.get("findings") or [])
    problems = [f for f in findings if f.get("severity") in ("error", "warning")]
    rest = [f for f in findings if f.get("severity") not in ("error", "warning")]
    if problems:
        w("### Findings\n\n" + _findings_table(problems) + "\n\n")
        for f in problems:
            if f is not primary and (f.get("detail") or f.get("evidence") or f.get("fix")):
                w(details(f"{f['id']}: {f['title']}", _finding_details(f)) + "\n")
    elif not compact:
        w("### Findings\n\nNo errors or warnings.\n\n")
    engine_warnings = (doc.get("engine") or {}).get("warnings") or []
    if engine_warnings and not triage.is_paste(doc):
        w(details(f"The engine's own warnings ({len(engine_warnings)})", fence("\n".join(engine_warnings))) + "\n")
    if rest and not compact:
        w(details(f"Other observations ({len(rest)})", _findings_table(rest)) + "\n")


def _checks(doc: Mapping[str, Any], out: TextIO) -> None:
    w = out.write
    checks = doc.get("checks") or []
    if checks:
        counts: dict[str, int] = {}
        for c in checks:
            counts[c["outcome"]] = counts.get(c["outcome"], 0) + 1
        label = f"Checks: {len(checks)} run — " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        w(
            details(
                label,
                table(
                    ["check", "category", "outcome", "ms", "findings"],
                    [
                        (
                            code(c["id"]),
                            esc(c["category"]),
                            _SEV.get(c["outcome"], c["outcome"]),
                            f"{c['seconds'] * 1000:.1f}",
                            esc(", ".join(c.get("findings") or [])),
                        )
                        for c in checks
                    ],
                ),
            )
            + "\n"
        )


def _inventory(doc: Mapping[str, Any], out: TextIO) -> None:
    """What was collected: the environment, the sockets, the engine processes."""
    w = out.write
    if doc.get("collected"):
        w(details("What cdoctor collected, and what it could not", _collected(doc)) + "\n")
    env = doc.get("environment") or {}
    if env:
        rows = [
            ("user", f"{code(env.get('user'))} (uid {esc(env.get('uid'))})"),
            ("groups", esc(", ".join(env.get("groups") or [])) or "none"),
            ("platform", esc(f"{env.get('platform')} {env.get('kernel') or ''}")),
        ]
        rows += [(code(k), code(v)) for k, v in sorted((env.get("variables") or {}).items())]
        w(details("Environment (Docker-related variables only)", table(["", ""], rows)) + "\n")
    sockets = (doc.get("inventory") or {}).get("sockets") or []
    if sockets:
        w(
            details(
                f"Sockets ({len(sockets)})",
                table(
                    ["path", "kind", "owner", "mode", "listeners", "probe"],
                    [
                        (
                            code(s["path"]),
                            esc(s.get("kind")),
                            esc(f"{s['owner']}:{s.get('group')}" if s.get("owner") is not None else "—"),
                            code(s.get("mode")),
                            esc(", ".join(f"{p['name']} {p['pid']}" for p in s.get("listeners") or [])),
                            esc((s.get("probe") or {}).get("outcome") or ""),
                        )
                        for s in sockets
                    ],
                ),
            )
            + "\n"
        )
    processes = (doc.get("inventory") or {}).get("processes") or []
    if processes:
        w(
            details(
                f"Engine processes ({len(processes)})",
                table(
                    ["pid", "name", "user", "serves"],
                    [
                        (esc(p["pid"]), code(p["name"]), esc(p.get("user")), esc(", ".join(p.get("serves") or [])))
                        for p in processes
                    ],
                ),
            )
            + "\n"
        )


def _footer(doc: Mapping[str, Any], out: TextIO) -> None:
    """What was removed or anonymized, and the version of cdoctor."""
    w = out.write
    rep = doc.get("report") or {}
    redaction = rep.get("redaction") or {}
    if redaction:
        kinds = redaction.get("anonymized") or []
        w(
            "---\n\n<sub>Secrets are always removed (registry credentials, tokens, credential helpers, private keys, "
            "passwords in URLs, variables named like secrets). "
            + (
                f"Anonymized: {esc(', '.join(kinds))} (replaced by placeholders; values not shown)."
                if redaction.get("anonymize") and kinds
                else "Anonymized: nothing found to replace."
                if redaction.get("anonymize")
                else "Not anonymized: run with `--anonymize` to replace user, home, host name and IP addresses."
            )
            + f" Generated by cdoctor {esc(doc['tool']['version'])}.</sub>\n"
        )
