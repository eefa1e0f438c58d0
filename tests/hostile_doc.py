"""A complete cdoctor document whose every external string is chosen by the test.

`document(s)` calls `s(i)` for the i-th free-text field (engine answers,
headers, process names, paths, variable values, pasted text, titles …) and
keeps the fields the renderers branch on (severity, outcome, layer, status …)
as cdoctor sets them. Rendering `document(hostile)` and `document(lambda i: "x")`
must give outputs of the same structure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

HOSTILE_FRAGMENTS = (
    "\x1b]0;pwned\x07",  # OSC window title
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1b[2J\x1b[H",  # clear screen, cursor home
    "\x1bP1$r0m\x1b\\",  # DCS
    "\x9b31m",  # C1 CSI
    "\x9d0;title\x9c",  # C1 OSC … ST
    "\x85",  # C1 NEL
    "\r",
    "\n::error::injected\n",
    "\n::add-mask::x\n",
    "\n  ::stop-commands::tok\n",
    "##[set-output name=x]y",
    "\u202e",  # right-to-left override
    "\u2066",
    "\u2028",
    "\ufffe",
    "\uffff",
    "\ud800",  # lone surrogate
    "\udfff",
    "\x00",
    "\x7f",
    "``",
    "```",
    "`",
    "</details>",
    "</summary>",
    "<details><summary>x</summary>",
    '<img src=x onerror="alert(1)">',
    '<a href="https://evil.example">x</a>',
    "<script>alert(1)</script>",
    "<!--",
    "-->",
    "&lt;",
    "&amp;",
    "|",
    "\\|",
    "[x](https://evil.example)",
    "![x](https://evil.example/x.png)",
    "*em*",
    "**strong**",
    "_em_",
    "~~del~~",
    "# heading",
    "\n# heading\n",
    "\n> quote\n",
    "\n- item\n",
    "\n1. item\n",
    "\n---\n",
    "\n    indented\n",
    "<https://evil.example>",
    "%",
    "%0A",
    ":",
    ",",
    "]]>",
    "<![CDATA[",
    '"',
    "'",
    "\\",
    "\t",
)

# Fields whose value the renderers branch on: cdoctor's own vocabulary, not external text.
ENUMS = {"severity", "outcome", "layer", "status", "schema"}


def document(s: Callable[[int], str]) -> dict[str, Any]:
    n = iter(range(1_000_000))

    def t() -> str:
        return s(next(n))

    primary = {
        "id": "endpoint-mismatch",
        "check": "endpoint-connection",
        "severity": "error",
        "cause": "endpoint-mismatch",
        "title": t(),
        "detail": t(),
        "evidence": [t(), t()],
        "fix": [t(), "# " + t()],
        "data": {"outcome": t()},
    }
    warning = {
        "id": "engine-warnings",
        "check": "engine",
        "severity": "warning",
        "cause": None,
        "title": t(),
        "detail": t(),
        "evidence": [t()],
        "fix": [t()],
    }
    info = {
        "id": "info-note",
        "check": "stack",
        "severity": "info",
        "cause": None,
        "title": t(),
        "detail": t(),
        "evidence": [],
        "fix": [],
    }
    return {
        "schema": "cdoctor/diagnosis@1",
        "tool": {"name": "cdoctor", "version": "0.1.0", "timeout": 3.0},
        "endpoint": {
            "host": t(),
            "source": "env:DOCKER_HOST",
            "context": t(),
            "config_dir": t(),
            "probe": {"outcome": "socket-missing"},
        },
        "engine": {
            "product": "docker-engine",
            "variant": t(),
            "server_version": t(),
            "api_version": t(),
            "min_api_version": t(),
            "os": t(),
            "kernel": t(),
            "rootless": False,
            "warnings": [t(), t()],
        },
        "chain": [
            {"layer": "cli", "seen": True, "path": t(), "realpath": t(), "label": t(), "shim": True, "version": t()},
            {
                "layer": "endpoint",
                "seen": True,
                "host": t(),
                "target": t(),
                "source": "config",
                "provenance": t(),
                "context": t(),
                "reachable": False,
                "outcome": t(),
                "errno": t(),
            },
            {"layer": "api-server", "seen": True, "product": t(), "variant": t(), "version": t(), "api": t()},
            {"layer": "containerd", "seen": False, "why": t(), "expected_product": t()},
            {"layer": "runtime", "seen": True, "name": t(), "version": t(), "path": t()},
        ],
        "findings": [primary, warning, info],
        "diagnosis": {"status": "broken", "primary_cause": "endpoint-mismatch", "summary": t()},
        "checks": [
            {
                "id": "endpoint-connection",
                "title": t(),
                "category": "connection",
                "origin": t(),
                "outcome": "error",
                "seconds": 0.01,
                "findings": ["endpoint-mismatch"],
            },
            {
                "id": "engine",
                "title": t(),
                "category": "engine",
                "origin": t(),
                "outcome": "warning",
                "seconds": 0.01,
                "findings": ["engine-warnings"],
            },
            {
                "id": "stack",
                "title": t(),
                "category": "stack",
                "origin": t(),
                "outcome": "info",
                "seconds": 0.01,
                "findings": ["info-note"],
            },
        ],
        "environment": {
            "platform": "linux",
            "kernel": t(),
            "user": t(),
            "uid": 1000,
            "groups": [t(), t()],
            "variables": {"DOCKER_HOST": t(), "DOCKER_CONTEXT": t()},
            "python": t(),
            "os": t(),
        },
        "inventory": {
            "sockets": [
                {
                    "path": t(),
                    "kind": "docker",
                    "owner": t(),
                    "group": t(),
                    "mode": t(),
                    "listeners": [{"name": t(), "pid": 42}],
                    "probe": {"outcome": "ok", "server": t()},
                }
            ],
            "processes": [{"pid": 42, "name": t(), "user": t(), "serves": [t()]}],
        },
        "collected": {
            "root": False,
            "processes": {"scanned": 10, "denied": 1, "vanished": 0},
            "not_collected": [{"name": t(), "reason": t()}],
            "facts": [{"name": t(), "seconds": 0.1, "error": t()}],
        },
        "seconds": 0.5,
        "wait": {
            "deadline": 5.0,
            "ready": False,
            "seconds": 5.0,
            "attempts": 3,
            "endpoint": t(),
            "last_outcome": t(),
        },
        "report": {
            "versions": {"cdoctor": "0.1.0", "engine": t()},
            "redaction": {"secrets": "always removed", "anonymize": False, "anonymized": []},
        },
        "check": {"exit_code": 1, "strict": False, "requirements": [t()]},
    }


def paste_document(s: Callable[[int], str]) -> dict[str, Any]:
    """`explain --offline` of a pasted `docker info`: the triage rows are pasted text."""
    n = iter(range(1_000_000))

    def t() -> str:
        return s(next(n))

    doc = document(s)
    doc["chain"] = []
    doc["explain"] = {
        "symptom": "daemon-not-running",
        "endpoint": t(),
        "client": t(),
        "product_hint": None,
        "paste": {
            "kind": "docker-info",
            "facts": {
                "server_version": t(),
                "api_version": t(),
                "context": t(),
                "endpoint": t(),
                "operating_system": t(),
                "kernel": t(),
                "client_version": t(),
                "storage_driver": t(),
            },
            "warnings": [t(), t()],
        },
    }
    return doc
