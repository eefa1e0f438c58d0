"""One run of cdoctor, from an invocation to a finished result (no parsing, no printing)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from doctor.facts import Facts
from doctor.knowledge import identify
from doctor.run.context import RunContext
from doctor.run.model import Diagnosis, Finding, Severity, Status
from doctor.run.result import RunResult, build_result
from doctor.run.sections import ExplainSection, NamedProduct, PasteSection, TextOnly

if TYPE_CHECKING:  # the explain reader is imported by explain only, not by every diagnosis
    from doctor.reader import ErrorReading, PasteReading, ProductHint

# A run never takes longer than this many probe deadlines (plus a small constant):
# probes run in parallel, and whatever has not answered by then is reported as such.
RUN_DEADLINES = 2.0


class UnknownSelector(ValueError):
    """--only/--skip names no check and no category: a usage error, not an internal one."""


def run_diagnosis(
    ctx: RunContext, *, only: Sequence[str] = (), skip: Sequence[str] = (), explain: ExplainSection | None = None
) -> RunResult:
    from doctor.facts import keys
    from doctor.run import plugins, runner

    started = time.monotonic()
    loaded, errors = plugins.load()
    unknown = runner.unknown_selectors(loaded, [*only, *skip])
    if unknown:
        raise UnknownSelector(f"unknown check or category: {', '.join(unknown)} (see `cdoctor checks`)")
    chosen = runner.select(loaded, only, skip)
    facts = Facts(
        ctx, timeout=ctx.timeout, run_deadline=started + RUN_DEADLINES * ctx.timeout + 0.5, started=ctx.started
    )
    extra = (keys.PROCESSES, keys.SOCKETS, keys.INSTALLED) if ctx.inventory else ()
    declared_only = ctx.env.get(runner.DECLARED_FACTS_ONLY) == "1"
    runs = runner.plugin_error_runs(errors) + runner.run_checks(chosen, facts, extra, declared_only=declared_only)
    return build_result(facts, runs, started, explain=explain)


def explain_reading(text: str) -> tuple[ErrorReading, PasteReading]:
    from doctor.reader import read_error, read_paste

    error = read_error(text)
    return error, read_paste(text, error)


def product_hint(endpoint: str | None, home: str | None = None, uid: int | None = None) -> str | None:
    """The product an endpoint's path belongs to on THIS machine (its OS, its home)."""
    import sys

    if not endpoint:
        return None
    ident = identify.product_from_path(endpoint, home=home, uid=uid, platform=sys.platform)
    return ident.product if ident and ident.product != "unknown" else None


def text_product(reading: ErrorReading, paste: PasteReading) -> ProductHint | None:
    """One product for the whole text: the paste's when it shows one, else the error text's."""
    return paste.product or (paste.server_error.product if paste.server_error else None) or reading.product


def _paste_engine(paste: PasteReading) -> dict[str, Any] | None:
    f = paste.facts
    if not any(k in f for k in ("server_version", "operating_system", "name")):
        return None
    options = [s.strip() for s in f.get("security_options", "").split(",") if s.strip()]
    if f.get("rootless") == "true" and "name=rootless" not in options:
        options.append("name=rootless")
    info: dict[str, Any] = {
        "Name": f.get("name"),
        "OperatingSystem": f.get("operating_system"),
        "KernelVersion": f.get("kernel"),
        "ServerVersion": f.get("server_version"),
        "SecurityOptions": options,
    }
    version = {
        "Version": f.get("server_version"),
        "ApiVersion": f.get("api_version"),
        "MinAPIVersion": f.get("min_api_version"),
        "Platform": {"Name": f.get("platform_name") or ""},
    }
    ident = identify.identify_from_api(
        ping_headers=None, version=version, info=info, endpoint=f.get("endpoint"), env={}
    )
    product = paste.product  # every signal of the paste, the API fields read by the same rules
    return {
        "product": product.product if product else ident.product,
        "variant": product.variant if product else ident.variant,
        "confidence": product.confidence if product else ident.confidence,
        "evidence": list(product.signals) if product else list(ident.evidence),
        "server_version": f.get("server_version"),
        "api_version": f.get("api_version"),
        "min_api_version": f.get("min_api_version"),
        "os": f.get("operating_system"),
        "kernel": f.get("kernel"),
        "rootless": f.get("rootless") == "true",
        "warnings": list(paste.warnings),
    }


def _named(reading: ErrorReading, paste: PasteReading) -> NamedProduct:
    named = text_product(reading, paste)
    if named is None:
        return NamedProduct(None, None, ())
    return NamedProduct(named.product, named.confidence, tuple(named.signals))


def _section(error: ErrorReading, reading: ErrorReading, paste: PasteReading, **extra: Any) -> ExplainSection:
    """The `explain` section from the reading of the error (the paste's server error, offline)."""
    return ExplainSection(
        symptom=error.symptom,
        endpoint=error.endpoint,
        client=error.client,
        product=_named(reading, paste),
        cli_version_hint=error.cli_version_hint,
        text_cause=error.cause,
        evidence=tuple(error.evidence),
        **extra,
    )


def explain_section(reading: ErrorReading, paste: PasteReading, *, local_product_hint: str | None) -> ExplainSection:
    """The live `explain` section: what the text says (the product it names, as --offline reports
    it) and what the endpoint's path is on THIS machine; the run adds what it found of the endpoint."""
    return _section(reading, reading, paste, live=True, local_product_hint=local_product_hint)


def _offline_findings(error: ErrorReading, paste: PasteReading) -> list[Finding]:
    findings = []
    if error.symptom != "unknown":
        findings.append(
            Finding(
                id=error.cause or f"symptom-{error.symptom}",
                check="explain",
                severity=Severity.ERROR if error.cause else Severity.WARNING,
                cause=error.cause,
                title=_symptom_title(error),
                detail="Read from the text alone; run `cdoctor explain` without --offline on the machine "
                "that printed it to find the cause there.",
                evidence=tuple(error.evidence),
                fix=tuple(offline_fixes(error)),
            )
        )
    findings.extend(
        Finding(id="engine-warnings", check="explain", severity=Severity.WARNING, title=w) for w in paste.warnings
    )
    return findings


def _offline_diagnosis(error: ErrorReading, engine: dict[str, Any] | None) -> Diagnosis:
    if error.cause:
        return Diagnosis(Status.BROKEN, error.cause, _symptom_title(error))
    if error.symptom != "unknown":
        return Diagnosis(Status.BROKEN, None, _symptom_title(error) + " (the text alone does not say why)")
    summary = (
        f"the paste shows {engine['product']} {engine.get('server_version') or ''}".strip()
        if engine
        else "no Docker error recognised in the text"
    )
    return Diagnosis(Status.OK, None, summary)


def _offline_explain(reading: ErrorReading, paste: PasteReading, error: ErrorReading) -> ExplainSection:
    pasted = PasteSection(kind=paste.kind, facts=dict(paste.facts), warnings=tuple(paste.warnings))
    return _section(error, reading, paste, text_only=TextOnly(details=dict(error.details), paste=pasted))


def offline_result(reading: ErrorReading, paste: PasteReading, *, timeout: float) -> RunResult:
    """What `explain --offline` reports: what the text alone establishes (nothing is probed)."""
    from doctor import __version__

    error = paste.server_error if paste.kind != "error-log" and paste.server_error else reading
    engine = _paste_engine(paste) if paste.kind != "error-log" else None
    return RunResult(
        tool={"name": "cdoctor", "version": __version__, "timeout": timeout, "offline": True},
        endpoint={
            "host": error.endpoint or paste.facts.get("endpoint"),
            "source": None,
            "context": paste.facts.get("context"),
            "config_dir": None,
        },
        engine=engine,
        chain=[],
        findings=_offline_findings(error, paste),
        diagnosis=_offline_diagnosis(error, engine),
        checks=[],
        explain=_offline_explain(reading, paste, error),
        offline=True,
    )


def explain_offline(reading: ErrorReading, paste: PasteReading, *, timeout: float) -> dict[str, Any]:
    """The document `explain --offline` prints (before redaction), made by the one builder."""
    from doctor.run.document import build_document

    return build_document(offline_result(reading, paste, timeout=timeout))


def offline_fixes(r: ErrorReading) -> list[str]:
    """What to run next when only the text is known (the texts live in knowledge/fixes.py)."""
    from doctor.knowledge.fixes import offline_fixes as fixes_for

    return fixes_for(r.cause, r.details, r.endpoint, start=_start_line(r))


# Products whose start command is the same wherever the text came from. A docker-engine's
# (`systemctl start docker`) is given for a local socket only: over tcp:// it may be another
# machine's, and a CI service's (dind) is started by the pipeline, not by a command.
_STARTABLE_ANYWHERE = frozenset({"docker-desktop", "rancher-desktop", "colima", "orbstack", "podman", "lima", "minikube"})


def _start_line(r: ErrorReading) -> str | None:
    """The named product's own start command, when the text names it with confidence."""
    from doctor.knowledge.identify import endpoint_platform
    from doctor.knowledge.outcomes import SYMPTOMS
    from doctor.knowledge.products import start_command

    hint, symptom = r.product, SYMPTOMS.get(r.symptom)
    # The engine was not reached and the text says no why: its owner may simply be stopped.
    if symptom is None or not symptom.unreached or hint is None or hint.confidence not in ("certain", "likely"):
        return None
    local = bool(r.endpoint and r.endpoint.startswith(("unix://", "npipe://")))
    if hint.product not in _STARTABLE_ANYWHERE and not (hint.product == "docker-engine" and local):
        return None
    # The client's OS as the endpoint's shape shows it; Linux when it does not.
    platform = endpoint_platform(r.endpoint) or "linux"
    command = start_command(hint.product, hint.variant, platform=platform)
    return f"{command}    # if {hint.product} is stopped" if command else None


def _symptom_title(r: ErrorReading) -> str:
    from doctor.knowledge.outcomes import SYMPTOMS

    known = SYMPTOMS.get(r.symptom)
    words = known.words if known is not None else r.symptom
    where = f" at {r.endpoint}" if r.endpoint else ""
    who = f" ({r.client})" if r.client else ""
    return f"{words[0].upper()}{words[1:]}{where}{who}"
