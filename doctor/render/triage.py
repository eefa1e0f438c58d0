"""What a pasted `docker version` / `docker info` / `docker context ls` shows, for a support engineer.

`cdoctor explain --offline` reads a paste (doctor.reader.read_paste); this
turns the document's `explain.paste` section into labelled rows (product,
versions, context, endpoint, engine warnings) and says what the paste does
*not* show, so that the next question to the user is obvious. Shared by the
human and the Markdown renderers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

KIND_WORDS = {
    "docker-version": "`docker version`",
    "docker-info": "`docker info`",
    "docker-info-json": "`docker info --format json`",
    "docker-version-json": "`docker version --format json`",
    "context-ls": "`docker context ls`",
    "context-ls-json": "`docker context ls --format json`",
}


def is_paste(doc: Mapping[str, Any]) -> bool:
    paste = ((doc.get("explain") or {}).get("paste")) or {}
    return bool(paste.get("kind")) and paste.get("kind") != "error-log"


def _join(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p)


def rows(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of what the paste shows, in the order a support engineer reads them."""
    ex = doc.get("explain") or {}
    paste = ex.get("paste") or {}
    f: Mapping[str, str] = paste.get("facts") or {}
    engine = doc.get("engine") or {}
    out: list[tuple[str, str]] = [("pasted", KIND_WORDS.get(paste.get("kind", ""), str(paste.get("kind"))))]
    out += _product_rows(ex, engine, f)
    out += _version_rows(ex, paste, f)
    out += _place_rows(doc, f)
    out += _setup_rows(paste, f)
    if doc.get("diagnosis", {}).get("primary_cause"):
        out.append(("cause", f"{doc['diagnosis']['primary_cause']} — established by the paste alone"))
    elif ex.get("symptom") not in (None, "unknown"):
        out.append(("symptom", f"{ex['symptom']} — the paste alone does not say why"))
    return out


def _product_rows(ex: Mapping[str, Any], engine: Mapping[str, Any], f: Mapping[str, str]) -> list[tuple[str, str]]:
    """Which product, and a hint from a context named after one."""
    out: list[tuple[str, str]] = []
    if engine.get("product"):
        product = engine["product"] + (f" ({engine['variant']})" if engine.get("variant") else "")
        out.append(("product", f"{product} — {engine.get('confidence')}: {'; '.join(engine.get('evidence') or [])}"))
    elif ex.get("product_hint"):
        out.append(("product", f"{ex['product_hint']} (from the endpoint's path only)"))
    context = f.get("context")
    # A context named after a product says more than the engine's Platform.Name,
    # which Colima, Lima and others copy from docker-ce.
    if context and engine.get("product") == "docker-engine" and context in ("colima", "orbstack", "rancher-desktop"):
        out.append(("hint", f"the context is named {context!r}: the engine is likely {context}'s VM"))
    return out


def _version_rows(ex: Mapping[str, Any], paste: Mapping[str, Any], f: Mapping[str, str]) -> list[tuple[str, str]]:
    """The server, runtime and client versions."""
    out: list[tuple[str, str]] = []
    if f.get("server_version"):
        out.append(
            (
                "server",
                _join(
                    f.get("server_version"),
                    f"(API {f['api_version']}" + (f", min {f['min_api_version']})" if f.get("min_api_version") else ")")
                    if f.get("api_version")
                    else "",
                ),
            )
        )
    elif paste.get("kind", "").startswith("docker-"):
        out.append(
            (
                "server",
                "not shown: the client did not reach a daemon"
                if ex.get("symptom") != "unknown"
                else "not shown in the paste",
            )
        )
    if f.get("containerd_version") or f.get("runc_version"):
        out.append(
            (
                "runtime",
                _join(
                    f"containerd {f['containerd_version']}" if f.get("containerd_version") else "",
                    f"runc {f['runc_version']}" if f.get("runc_version") else "",
                ),
            )
        )
    if f.get("client_version"):
        client = _join(
            f.get("client_platform_name"),
            f["client_version"],
            f"(API {f['client_api_version']})" if f.get("client_api_version") else "",
            f"on {f['client_os']}/{f.get('client_arch', '?')}" if f.get("client_os") else "",
        )
        out.append(("client", client))
    return out


def _place_rows(doc: Mapping[str, Any], f: Mapping[str, str]) -> list[tuple[str, str]]:
    """The context, the endpoint and the engine's host."""
    out: list[tuple[str, str]] = []
    context = f.get("context")
    if context:
        listed = f.get("contexts")
        out.append(("context", f"{context}" + (f" (of {listed})" if listed and listed != context else "")))
    # The paste's own endpoint (the current context's) before any URL found elsewhere in the text:
    # a context list names every context's endpoint, and only the current one is used.
    endpoint = f.get("endpoint") or (doc.get("endpoint") or {}).get("host")
    if endpoint:
        out.append(("endpoint", str(endpoint)))
    if f.get("operating_system") or f.get("kernel"):
        out.append(
            (
                "engine host",
                _join(
                    f.get("operating_system"),
                    f"kernel {f['kernel']}" if f.get("kernel") else "",
                    f"{f.get('os', '')}/{f['arch']}" if f.get("arch") else "",
                ),
            )
        )
    return out


def _setup_rows(paste: Mapping[str, Any], f: Mapping[str, str]) -> list[tuple[str, str]]:
    """How the engine is set up, what it holds, and its warnings."""
    out: list[tuple[str, str]] = []
    setup = [
        f"{k.replace('_', ' ')} {f[k]}"
        for k in ("storage_driver", "cgroup_driver", "cgroup_version", "default_runtime")
        if f.get(k)
    ]
    if f.get("rootless"):
        setup.append("rootless" if f["rootless"] == "true" else "rootful")
    if setup:
        out.append(("setup", ", ".join(setup)))
    if f.get("containers") or f.get("images"):
        out.append(("contents", f"{f.get('containers', '?')} containers, {f.get('images', '?')} images"))
    warnings = paste.get("warnings") or []
    if warnings:
        # Each warning is also a finding (listed with the findings): here only how many.
        out.append(
            (
                "engine warnings",
                f"{len(warnings)}: "
                + "; ".join(str(w).removeprefix("WARNING: ") for w in warnings[:3])
                + (" …" if len(warnings) > 3 else ""),
            )
        )
    return out


def missing(doc: Mapping[str, Any]) -> list[str]:
    """What to ask the user for next: the commands whose output the paste lacks."""
    paste = (doc.get("explain") or {}).get("paste") or {}
    kind = paste.get("kind") or ""
    f = paste.get("facts") or {}
    asks = []
    if not kind.startswith("context-ls") and not f.get("endpoint"):
        asks.append("docker context ls    # which endpoint the CLI uses")
    if kind.startswith("context-ls") or not (f.get("server_version") or f.get("operating_system")):
        asks.append("cdoctor report      # on the user's machine: the whole chain, redacted")
    return asks


def render_human(doc: Mapping[str, Any], out: TextIO, indent: str = "  ") -> None:
    import textwrap

    items = rows(doc)
    width = max((len(label) for label, _ in items), default=0)
    for label, value in items:
        text = value.replace("`", "")
        lines = textwrap.wrap(text, 78 - len(indent) - width - 2, break_on_hyphens=False) or [""]
        out.write(f"{indent}{label:<{width}}  {lines[0]}\n")
        for more in lines[1:]:
            out.write(f"{indent}{'':<{width}}    {more}\n")
    asks = missing(doc)
    if asks:
        out.write(f"\n{indent}Ask for\n")
        for a in asks:
            out.write(f"{indent}  $ {a}\n")
