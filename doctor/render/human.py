"""The human view: the verdict in one sentence, then the chain, the evidence, the fix.

Readable in an 80-column terminal. Colour only when asked by the caller
(a TTY without NO_COLOR); the text is complete without it.
"""

from __future__ import annotations

import textwrap
from typing import Any, TextIO

WIDTH = 80

LAYER_EXPLAINED = {
    "cli": "The docker command is only a client: it turns `docker ps` into an HTTP "
    "request to the Docker Engine API and prints the answer.",
    "endpoint": "The address the client sends that request to: a unix socket, a TCP port, "
    "ssh, or a Windows named pipe, chosen by -H, DOCKER_HOST, --context, "
    "DOCKER_CONTEXT, currentContext, or the default.",
    "api-server": "The server that answers the Docker API: dockerd (Docker Engine, also inside "
    "Docker Desktop, Colima, OrbStack, Rancher Desktop), or a compatible one "
    "such as Podman. It manages images, networks and volumes.",
    "containerd": "The high-level runtime dockerd hands containers to: it pulls and stores "
    "images, keeps container state and starts one shim per container.",
    "runtime": "The low-level OCI runtime (runc, crun) that actually creates the container "
    "process with Linux namespaces and cgroups, then exits; the shim stays.",
    "containers": "Your containers: ordinary processes, isolated by the kernel.",
}

_LABELS = {
    "cli": "docker ps",
    "endpoint": "↓ endpoint",
    "api-server": "↓ API server",
    "containerd": "↓ containerd",
    "runtime": "↓ runtime",
    "containers": "→ containers",
}


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def _c(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def bold(self, t: str) -> str:
        return self._c("1", t)

    def red(self, t: str) -> str:
        return self._c("31;1", t)

    def yellow(self, t: str) -> str:
        return self._c("33", t)

    def green(self, t: str) -> str:
        return self._c("32;1", t)

    def dim(self, t: str) -> str:
        return self._c("2", t)


def _wrap(text: str, indent: str, width: int = WIDTH) -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent]


def layer_text(layer: dict[str, Any]) -> str:
    """One line of the chain, without its label."""
    kind = layer["layer"]
    if not layer.get("seen"):
        why = layer.get("why") or "not seen"
        extra = f" — expected: {layer['expected_product']}" if layer.get("expected_product") else ""
        return f"(not seen: {why}){extra}"
    if kind == "cli":
        label = layer.get("label") or layer.get("kind")
        return f"{layer.get('path')} ({label})"
    if kind == "endpoint":
        src = {
            "env:DOCKER_HOST": "DOCKER_HOST",
            "env:DOCKER_CONTEXT": "DOCKER_CONTEXT",
            "config": "currentContext in config.json",
            "flag": "-H",
            "flag:--context": "--context",
            "default": "default",
        }.get(layer.get("source") or "", layer.get("source") or "")
        ctx = f"context {layer.get('context')!r}"
        state = "" if layer.get("reachable") else f"  ✗ {layer.get('outcome')}"
        return f"{layer.get('host')}  ← {ctx} ({src}){state}"
    if kind == "api-server":
        parts = [str(layer.get("product"))]
        if layer.get("variant"):
            parts[0] += f" ({layer['variant']})"
        if layer.get("version"):
            parts.append(str(layer["version"]))
        if layer.get("api_version"):
            parts.append(f"API {layer['api_version']}")
        text = ", ".join(parts)
        if layer.get("docker_compatible"):
            text += ", Docker-compatible"
        if layer.get("pid"):
            text += f"   pid {layer['pid']}"
        return text
    if kind == "containerd":
        bits = [str(layer.get("version") or "?")]
        if layer.get("address"):
            bits.append(str(layer["address"]))
        if layer.get("pid"):
            bits.append(f"pid {layer['pid']}")
        return "   ".join(bits)
    if kind == "runtime":
        text = f"{layer.get('name')} {layer.get('version') or ''}".strip()
        if layer.get("shims"):
            ns = ", ".join(layer.get("namespaces") or [])
            text += f"   {layer['shims']} shim{'s' if layer['shims'] != 1 else ''}" + (
                f" (namespace {ns})" if ns else ""
            )
        return text
    if kind == "containers":
        return f"{layer.get('running')} running"
    return ""


def render_chain(doc: dict[str, Any], out: TextIO, *, explain: bool = False, indent: str = "  ") -> None:
    for layer in doc.get("chain") or []:
        label = _LABELS.get(layer["layer"], layer["layer"])
        text = layer_text(layer)
        line = f"{indent}{label:<17}{text}"
        if len(line) <= WIDTH:
            out.write(line + "\n")
        else:
            # Too wide for 80 columns: one part per line, aligned under the first.
            parts = [p.strip() for p in text.split("  ") if p.strip()]
            out.write(f"{indent}{label:<17}{parts[0]}\n")
            for part in parts[1:]:
                out.write(f"{indent}{'':<17}  {part}\n")
        if explain and layer["layer"] in LAYER_EXPLAINED:
            for w in _wrap(LAYER_EXPLAINED[layer["layer"]], indent + " " * 19):
                out.write(w + "\n")


def render(
    doc: dict[str, Any], out: TextIO, *, color: bool = False, verbose: bool = False, explain_layers: bool = False
) -> None:
    s = Style(color)
    diag = doc["diagnosis"]
    status = diag["status"]
    mark = {"ok": s.green("✓"), "degraded": s.yellow("!"), "broken": s.red("✗")}.get(status, "?")
    for line in _wrap(f"{mark} {diag['summary']}", ""):
        out.write(s.bold(line) + "\n")
    if diag.get("primary_cause"):
        out.write(s.dim(f"  cause: {diag['primary_cause']}") + "\n")
    ex = doc.get("explain")
    if ex:
        out.write("\n")
        bits = [f"symptom {ex.get('symptom')}"]
        if ex.get("client"):
            bits.append(f"from {ex['client']}")
        if ex.get("endpoint"):
            bits.append(f"endpoint {ex['endpoint']}")
        if ex.get("product_hint"):
            bits.append(f"path of {ex['product_hint']}")
        for w in _wrap("The error text: " + ", ".join(bits) + ".", "  "):
            out.write(w + "\n")
    out.write("\n")
    render_chain(doc, out, explain=explain_layers)
    findings = doc.get("findings") or []
    primary = next(
        (f for f in findings if f.get("cause") == diag.get("primary_cause") and f.get("severity") == "error"), None
    )
    if primary is not None:
        out.write("\n" + s.bold("Why") + "\n")
        if primary.get("detail"):
            for w in _wrap(primary["detail"], "  "):
                out.write(w + "\n")
        for e in primary.get("evidence") or []:
            for w in _wrap(f"- {e}", "  "):
                out.write(w + "\n")
        if primary.get("fix"):
            out.write("\n" + s.bold("Fix") + "\n")
            for fix in primary["fix"]:
                out.write(f"  $ {fix}\n" if not fix.startswith("#") else f"  {fix}\n")
    others = [f for f in findings if f is not primary and f.get("severity") in ("error", "warning")]
    if others:
        out.write("\n" + s.bold("Also found") + "\n")
        for f in others:
            sign = s.red("✗") if f["severity"] == "error" else s.yellow("!")
            for i, w in enumerate(_wrap(f"{f['title']} [{f['id']}]", "    ")):
                out.write((f"  {sign} " + w.lstrip()) if i == 0 else w)
                out.write("\n")
            for fix in f.get("fix") or []:
                out.write(f"      $ {fix}\n" if not fix.startswith("#") else f"      {fix}\n")
    engine_warnings = (doc.get("engine") or {}).get("warnings") or []
    if verbose:
        out.write("\n" + s.bold("Checks") + "\n")
        for c in doc.get("checks") or []:
            mark = {"ok": "✓", "info": "·", "warning": "!", "error": "✗"}.get(c["outcome"], "?")
            out.write(f"  {mark} {c['id']:<34} {c['outcome']:<8} {c['seconds'] * 1000:7.1f} ms\n")
        for f in findings:
            if f.get("severity") in ("ok", "info"):
                for w in _wrap(f"· {f['title']}", "    "):
                    out.write(w + "\n")
        out.write(s.dim(f"\n  timeout {doc['tool']['timeout']}s per probe; run took {doc.get('seconds')}s") + "\n")
    elif engine_warnings and status == "ok":
        pass
