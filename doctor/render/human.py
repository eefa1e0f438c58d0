"""The human view: the verdict in one sentence, then the chain, the evidence, the fix.

Readable in an 80-column terminal. Colour only when asked by the caller
(a TTY without NO_COLOR); the text is complete without it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any, TextIO

from doctor.render import boundary

WIDTH = 80

LAYER_ROLES = {
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
    "conmon": "Podman has no daemon between it and the runtime: one conmon process per "
    "container holds its terminal and logs and reports its exit code.",
    "runtime": "The low-level OCI runtime (runc, crun) that actually creates the container "
    "process with Linux namespaces and cgroups, then exits; the shim (conmon for "
    "Podman) stays with the container.",
    "containers": "Your containers: ordinary processes, isolated by the kernel.",
}

_LABELS = {
    "cli": "docker ps",
    "endpoint": "↓ endpoint",
    "api-server": "↓ API server",
    "containerd": "↓ containerd",
    "conmon": "↓ conmon",
    "runtime": "↓ runtime",
    "containers": "→ containers",
}
LABEL_WIDTH = 15  # "  " + label column + text: the text starts at column 17


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def layer_parts(layer: dict[str, Any]) -> list[str]:
    """One layer of the chain as parts: the first always on the label's line,
    the others after it when they fit in 80 columns, else on lines of their own."""
    if not layer.get("seen"):
        why = layer.get("why") or "not seen"
        parts = [f"(not seen: {why})"]
        if layer.get("expected_product"):
            parts.append(f"expected: {layer['expected_product']}")
        return parts
    describe = _LAYER_PARTS.get(layer["layer"])
    return describe(layer) if describe else [""]


def _cli_parts(layer: dict[str, Any]) -> list[str]:
    label = layer.get("label") or layer.get("kind")
    parts = [f"{layer.get('path')} ({label})"]
    real = layer.get("realpath")
    if real and real != layer.get("path") and layer.get("shim"):
        parts.append(f"→ {real}")
    return parts


def _endpoint_parts(layer: dict[str, Any]) -> list[str]:
    parts = [str(layer.get("host"))]
    if layer.get("target"):
        state = " (dangling)" if layer.get("dangling") else " (a loop)" if layer.get("loop") else ""
        parts.append(f"→ {layer['target']}{state}")
    src = layer.get("provenance") or layer.get("source") or ""
    ctx = layer.get("context")
    if layer.get("source") in ("flag", "env:DOCKER_HOST") or not ctx:
        parts.append(f"← {src}")
    elif layer.get("source") == "default":
        parts.append(f"← {src} (context {ctx!r})")
    else:
        parts.append(f"← context {ctx!r} ({src})")
    if not layer.get("reachable"):
        # An endpoint that was not probed (its resolution failed first) has no outcome to show.
        outcome = layer.get("outcome") or "not probed"
        parts.append(f"✗ {outcome}" + (f" ({layer['errno']})" if layer.get("errno") else ""))
    return parts


def _api_server_parts(layer: dict[str, Any]) -> list[str]:
    head = str(layer.get("product"))
    if layer.get("variant"):
        head += f" ({layer['variant']})"
    if layer.get("version"):
        head += f" {layer['version']}"
    parts = [head]
    if layer.get("api_version"):
        parts.append(f"API {layer['api_version']}")
    if layer.get("docker_compatible"):
        parts.append("Docker-compatible")
    if layer.get("pid"):
        parts.append(f"{layer.get('process') or ''} pid {layer['pid']}".strip())
    return parts


def _containerd_parts(layer: dict[str, Any]) -> list[str]:
    parts = [str(layer.get("version") or ("version not asked" if layer.get("standalone") else "?"))]
    if layer.get("pid"):
        parts.append(f"pid {layer['pid']}")
    if layer.get("address"):
        parts.append(str(layer["address"]))
    if layer.get("standalone"):
        n = len(layer.get("instances") or [])
        parts.append("no Docker API in front of it" + (f" ({n} containerd running)" if n > 1 else ""))
    return parts


def _conmon_parts(layer: dict[str, Any]) -> list[str]:
    parts = [str(layer.get("version") or "?")]
    count = layer.get("processes")
    if isinstance(count, int):
        parts.append(f"{count} running on this machine (one per container)")
    return parts


def _runtime_parts(layer: dict[str, Any]) -> list[str]:
    parts = [f"{layer.get('name')} {layer.get('version') or ''}".strip()]
    if layer.get("shims"):
        ns = ", ".join(layer.get("namespaces") or [])
        parts.append(_plural(layer["shims"], "shim") + (f" (namespace {ns})" if ns else ""))
    return parts


def _containers_parts(layer: dict[str, Any]) -> list[str]:
    text = f"{layer.get('running')} running"
    if isinstance(layer.get("total"), int) and layer["total"] != layer.get("running"):
        text += f" ({layer['total']} in all)"
    return [text]


_LAYER_PARTS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "cli": _cli_parts,
    "endpoint": _endpoint_parts,
    "api-server": _api_server_parts,
    "containerd": _containerd_parts,
    "conmon": _conmon_parts,
    "runtime": _runtime_parts,
    "containers": _containers_parts,
}


def chain_lines(doc: dict[str, Any], *, roles: bool = False, indent: str = "  ", width: int = WIDTH) -> list[str]:
    lines: list[str] = []
    pad = indent + " " * LABEL_WIDTH
    for layer in doc.get("chain") or []:
        label = _LABELS.get(layer["layer"], layer["layer"])
        parts = layer_parts(layer)
        line = f"{indent}{label:<{LABEL_WIDTH}}{parts[0]}"
        for part in parts[1:]:
            if len(line) + 3 + len(part) <= width:
                line += "   " + part
                continue
            lines.append(line)
            # A part too long for its own line breaks at its spaces (never inside a path).
            wrapped = _wrap(part, pad, width, hang="  ")
            lines.extend(wrapped[:-1])
            line = wrapped[-1]
        lines.append(line)
        if roles and layer["layer"] in LAYER_ROLES:
            lines.extend(_wrap(LAYER_ROLES[layer["layer"]], pad, width, hang=""))
    # Other engines that answer here: each has its own containers, so "my container
    # is gone" often means "docker talks to the other one" (finding multiple-engines).
    multi = next((f for f in doc.get("findings") or [] if f.get("id") == "multiple-engines"), None)
    engines = ((multi or {}).get("data") or {}).get("engines") or []
    others = [e for e in engines if e.get("url") != (multi or {}).get("data", {}).get("cli")]
    if others:
        lines.append("")
        lines.append(f"{indent}Also answering here (each engine has its own containers):")
        for e in others[:4]:
            url, what = str(e.get("url")), str(e.get("label"))
            if len(indent) + 2 + len(url) + 3 + len(what) <= width:
                lines.append(f"{indent}  {url}   {what}")
            else:
                lines.extend((f"{indent}  {url}", f"{indent}    {what}"))
        if len(others) > 4:
            lines.append(f"{indent}  … and {len(others) - 4} more (--format json lists them)")
    return lines


def render_chain(doc: dict[str, Any], out: TextIO, *, roles: bool = False, indent: str = "  ") -> None:
    for line in chain_lines(doc, roles=roles, indent=indent):
        out.write(line + "\n")


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


def _wrap(text: str, indent: str, width: int = WIDTH, hang: str = "  ") -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + hang,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent]


def render(
    doc: dict[str, Any], out: TextIO, *, color: bool = False, verbose: bool = False, layer_roles: bool = False
) -> None:
    doc = boundary.render_ready(doc, "terminal")
    s = Style(color)
    diag = doc["diagnosis"]
    mark = {"ok": s.green("✓"), "degraded": s.yellow("!"), "broken": s.red("✗")}.get(diag["status"], "?")
    for line in _wrap(f"{mark} {diag['summary']}", ""):
        out.write(s.bold(line) + "\n")
    if diag.get("primary_cause"):
        out.write(s.dim(f"  cause: {diag['primary_cause']}") + "\n")
    _render_pasted(doc, out)
    out.write("\n")
    render_chain(doc, out, roles=layer_roles)
    findings = doc.get("findings") or []
    primary = next(
        (f for f in findings if f.get("cause") == diag.get("primary_cause") and f.get("severity") == "error"), None
    )
    if primary is not None:
        _render_primary(primary, out, s)
    _render_others([f for f in findings if f is not primary and f.get("severity") in ("error", "warning")], out, s)
    if verbose:
        _render_checks(doc, out, s)


def _write_wrapped(out: TextIO, text: str, indent: str) -> None:
    for w in _wrap(text, indent):
        out.write(w + "\n")


def _render_pasted(doc: dict[str, Any], out: TextIO) -> None:
    """What a pasted error text (``cdoctor explain``) shows, before the chain."""
    ex = doc.get("explain")
    if not ex:
        return
    from doctor.render import triage  # a pasted docker version/info/context ls: what it shows

    out.write("\n")
    if triage.is_paste(doc):
        triage.render_human(doc, out)
        return
    bits = [f"symptom {ex.get('symptom')}"]
    if ex.get("client"):
        bits.append(f"from {ex['client']}")
    if ex.get("endpoint"):
        bits.append(f"endpoint {ex['endpoint']}")
    if ex.get("product_hint"):
        confidence = f" ({ex['product_confidence']})" if ex.get("product_confidence") else ""
        bits.append(f"product {ex['product_hint']}{confidence}")
    _write_wrapped(out, "The error text: " + ", ".join(bits) + ".", "  ")
    local = ex.get("local_product_hint")
    if local and ex.get("endpoint") and local != ex.get("product_hint"):
        _write_wrapped(out, f"On this machine: that path belongs to {local}.", "  ")
    seen = ex.get("pasted_endpoint") or {}
    if seen.get("summary"):
        _write_wrapped(out, seen["summary"], "  ")


def _render_primary(primary: dict[str, Any], out: TextIO, s: Style) -> None:
    """The primary cause's finding: why, with its evidence, then the fix."""
    out.write("\n" + s.bold("Why") + "\n")
    if primary.get("detail"):
        _write_wrapped(out, primary["detail"], "  ")
    for e in primary.get("evidence") or []:
        _write_wrapped(out, f"- {e}", "  ")
    if primary.get("fix"):
        out.write("\n" + s.bold("Fix") + "\n")
        for fix in primary["fix"]:
            out.write(f"  $ {fix}\n" if not fix.startswith("#") else f"  {fix}\n")


def _render_others(others: list[dict[str, Any]], out: TextIO, s: Style) -> None:
    if not others:
        return
    out.write("\n" + s.bold("Also found") + "\n")
    for f in others:
        sign = s.red("✗") if f["severity"] == "error" else s.yellow("!")
        for i, w in enumerate(_wrap(f"{f['title']} [{f['id']}]", "    ")):
            out.write((f"  {sign} " + w.lstrip()) if i == 0 else w)
            out.write("\n")
        for fix in f.get("fix") or []:
            out.write(f"      $ {fix}\n" if not fix.startswith("#") else f"      {fix}\n")


def _render_checks(doc: dict[str, Any], out: TextIO, s: Style) -> None:
    """--verbose: every check with its outcome and time, then the ok and info findings."""
    out.write("\n" + s.bold("Checks") + "\n")
    for c in doc.get("checks") or []:
        mark = {"ok": "✓", "info": "·", "warning": "!", "error": "✗"}.get(c["outcome"], "?")
        out.write(f"  {mark} {c['id']:<34} {c['outcome']:<8} {c['seconds'] * 1000:7.1f} ms\n")
    for f in doc.get("findings") or []:
        if f.get("severity") in ("ok", "info"):
            _write_wrapped(out, f"· {f['title']}", "    ")
    out.write(s.dim(f"\n  timeout {doc['tool']['timeout']}s per probe; run took {doc.get('seconds')}s") + "\n")
