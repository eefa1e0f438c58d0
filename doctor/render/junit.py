"""The diagnosis as JUnit XML: one test case per check (and per requirement), for CI test reports.

The Ant/Surefire format that Jenkins, GitLab (`artifacts:reports:junit`) and
the GitHub test-report actions read; validated in tests against the Jenkins
xUnit plugin's junit-10.xsd. A check whose outcome is `error` is a
`<failure>`; `warning` is a failure only with --strict (otherwise the warning
is in `<system-out>`). Requirements are test cases of their own, so that a
pipeline sees which one was unmet. A passed wait deadline is a failed test
case `wait`.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any, TextIO

from doctor.render import boundary


def _clean(text: object) -> str:
    # XML 1.0 cannot carry most characters below U+0020, U+FFFE or lone surrogates, whatever the escaping.
    return boundary.xml("" if text is None else str(text))


def _finding_text(f: Mapping[str, Any]) -> str:
    lines = [f"{f['severity']}: {f['title']} [{f['id']}]"]
    if f.get("cause"):
        lines.append(f"cause: {f['cause']}")
    if f.get("detail"):
        lines.append(f["detail"])
    lines += [f"- {e}" for e in f.get("evidence") or []]
    lines += [f"$ {x}" if not x.startswith("#") else x for x in f.get("fix") or []]
    return "\n".join(lines)


def render(doc: Mapping[str, Any], out: TextIO, *, strict: bool = False, timestamp: float | None = None) -> None:
    doc = boundary.render_ready(doc, "xml")
    wait = doc.get("wait")
    cases = ([_wait_case(wait)] if wait else []) + _check_cases(doc, strict)
    suites = _suites(doc, cases, timestamp)
    ET.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suites, encoding="unicode"))
    out.write("\n")


def _case(
    name: str, classname: str, seconds: float, failing: list[Mapping[str, Any]], passing: list[Mapping[str, Any]]
) -> ET.Element:
    """One test case: a `<failure>` from the failing findings, the others in `<system-out>`."""
    el = ET.Element("testcase", {"name": _clean(name), "classname": _clean(classname), "time": f"{seconds:.3f}"})
    if failing:
        first = failing[0]
        ET.SubElement(
            el,
            "failure",
            {
                "message": _clean(first["title"]),
                "type": _clean(first.get("cause") or first["id"]),
            },
        ).text = _clean("\n\n".join(_finding_text(f) for f in failing))
    if passing:
        ET.SubElement(el, "system-out").text = _clean("\n".join(_finding_text(f) for f in passing))
    return el


def _wait_case(wait: Mapping[str, Any]) -> ET.Element:
    """`check --wait`: a failed test case when the deadline passed."""
    seconds = float(wait.get("seconds") or 0)
    if wait.get("ready"):
        ready = {"id": "wait-ready", "severity": "ok", "title": f"answered after {wait.get('seconds')} s"}
        return _case("wait", "cdoctor.wait", seconds, [], [ready])
    timeout = {
        "id": "wait-timeout",
        "severity": "error",
        "cause": "wait-timeout",
        "title": f"{wait.get('endpoint')} did not answer /_ping within {wait.get('deadline')} s",
        "detail": f"{wait.get('attempts')} attempts; the last one: {wait.get('last_outcome')}",
    }
    return _case("wait", "cdoctor.wait", seconds, [timeout], [])


def _check_cases(doc: Mapping[str, Any], strict: bool) -> list[ET.Element]:
    """One test case per check, and one per requirement; warnings fail only with --strict."""
    findings: dict[str, list[Mapping[str, Any]]] = {}
    for f in doc.get("findings") or []:
        findings.setdefault(f["check"], []).append(f)
    bad_sev = ("error", "warning") if strict else ("error",)
    cases: list[ET.Element] = []
    for c in doc.get("checks") or []:
        mine = findings.get(c["id"], [])
        if c["id"] == "requirements":
            for f in mine:  # one test case per requirement
                bad = f["severity"] == "error"
                cases.append(
                    _case(f["id"], "cdoctor.requirements", c["seconds"], [f] if bad else [], [] if bad else [f])
                )
            continue
        failing = [f for f in mine if f["severity"] in bad_sev]
        passing = [f for f in mine if f["severity"] not in bad_sev and f["severity"] != "ok"]
        cases.append(_case(c["id"], f"cdoctor.{c['category']}", c["seconds"], failing, passing))
    return cases


def _suites(doc: Mapping[str, Any], cases: list[ET.Element], timestamp: float | None) -> ET.Element:
    """The one test suite with its properties (versions, the verdict) around the cases."""
    failures = str(sum(1 for el in cases if el.find("failure") is not None))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(timestamp if timestamp is not None else time.time()))
    total = f"{float(doc.get('seconds') or 0):.3f}"
    suites = ET.Element(
        "testsuites",
        {"name": "cdoctor", "tests": str(len(cases)), "failures": failures, "errors": "0", "time": total},
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        {
            "name": "cdoctor",
            "package": "cdoctor",
            "id": "0",
            "tests": str(len(cases)),
            "failures": failures,
            "errors": "0",
            "skipped": "0",
            "time": total,
            "timestamp": stamp,
            # The Ant schema requires a host name; the real one is not cdoctor's to publish.
            "hostname": "localhost",
        },
    )
    props = ET.SubElement(suite, "properties")
    engine = doc.get("engine") or {}
    diag = doc.get("diagnosis") or {}
    for name, value in (
        ("cdoctor.version", doc["tool"]["version"]),
        ("endpoint", (doc.get("endpoint") or {}).get("host")),
        ("engine.product", engine.get("product")),
        ("engine.version", engine.get("server_version")),
        ("engine.api_version", engine.get("api_version")),
        ("diagnosis.status", diag.get("status")),
        ("diagnosis.primary_cause", diag.get("primary_cause")),
    ):
        ET.SubElement(props, "property", {"name": name, "value": _clean(value or "")})
    suite.extend(cases)
    ET.SubElement(suite, "system-out").text = _clean(diag.get("summary"))
    return suites
