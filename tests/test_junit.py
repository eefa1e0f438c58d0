"""`cdoctor check --format junit` validates against the JUnit schema CI systems read.

tests/data/junit/junit-10.xsd is the Jenkins xUnit plugin's schema (source in
the file). The Ant-schema attributes it leaves optional (classname, time on
each case; timestamp, hostname, id, package on the suite) are asserted too,
because GitLab and the GitHub report actions expect them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from doctor.render import junit
from tests.conftest import DATA, cdoctor
from tests.engines import write_context

XSD = xmlschema.XMLSchema(str(DATA / "junit" / "junit-10.xsd"))


def validate(text: str) -> ET.Element:
    XSD.validate(text)
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    for suite in root.iter("testsuite"):
        for attr in ("name", "tests", "failures", "errors", "time", "timestamp", "hostname", "id", "package"):
            assert suite.get(attr), attr
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "")) == len(cases)
        assert int(suite.get("failures", "")) == sum(1 for c in cases if c.find("failure") is not None)
        for c in cases:
            assert c.get("classname", "").startswith("cdoctor.") and float(c.get("time", "")) >= 0
    return root


def failing(root: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name", ""): f for c in root.iter("testcase") if (f := c.find("failure")) is not None}


def test_schema_rejects_what_it_should() -> None:
    """The validator is not a rubber stamp."""
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        XSD.validate("<testsuites><testsuite><testcase/></testsuite></testsuites>")  # no tests=, no name=


def test_broken_endpoint(tmp_path: Path) -> None:
    r = cdoctor("-H", f"unix://{tmp_path}/nothing.sock", "check", "-f", "junit", "--timeout", "1")
    assert r.returncode == 1
    root = validate(r.stdout)
    bad = failing(root)
    assert "endpoint-connection" in bad
    assert bad["endpoint-connection"].get("type")  # the cause id
    assert "--require" not in r.stdout


def test_wait_timeout_is_a_failed_case(tmp_path: Path) -> None:
    out = tmp_path / "cdoctor.xml"
    r = cdoctor("-H", f"unix://{tmp_path}/never.sock", "check", "-f", "junit", "--wait", "1s", "-o", str(out))
    assert r.returncode == 4 and "did not answer within 1s" in r.stdout  # the verdict stays in the log
    root = validate(out.read_text())
    assert failing(root)["wait"].get("type") == "wait-timeout"


def test_control_characters_cannot_break_the_xml() -> None:
    doc = {
        "tool": {"version": "0"},
        "diagnosis": {"status": "broken", "primary_cause": "x", "summary": "bad \x1b[31m\x00 text <&>"},
        "findings": [
            {
                "id": "x",
                "check": "c",
                "severity": "error",
                "cause": "x",
                "title": "t\x07 <b>",
                "detail": "",
                "evidence": [],
                "fix": [],
            }
        ],
        "checks": [{"id": "c", "category": "k", "seconds": 0.1}],
        "seconds": 0.2,
    }
    import io

    buf = io.StringIO()
    junit.render(doc, buf)
    validate(buf.getvalue())


@pytest.mark.engine
def test_healthy_requirements_and_strict(real_dockerd: object, home: Path) -> None:
    host = real_dockerd.host  # type: ignore[attr-defined]
    ok = cdoctor("-H", host, "check", "-f", "junit", "--require-server", "19.03")
    assert ok.returncode == 0
    root = validate(ok.stdout)
    names = [c.get("name") for c in root.iter("testcase")]
    assert "requirement-server" in names and "endpoint-connection" in names
    assert not failing(root)

    bad = cdoctor("-H", host, "check", "-f", "junit", "--require-server", "999", "--require-rootless")
    assert bad.returncode == 1
    f = failing(validate(bad.stdout))
    assert set(f) == {"requirement-server", "requirement-rootless"}
    assert all(x.get("type") == "requirement-unmet" for x in f.values())

    # A warning: passing, with the warning in system-out; a failure with --strict.
    write_context(home / ".docker", "other", host)
    (home / ".docker" / "config.json").write_text('{"currentContext": "other"}')
    lax = validate(cdoctor("check", "-f", "junit", env={"DOCKER_HOST": host}).stdout)
    assert not failing(lax)
    strict = cdoctor("check", "-f", "junit", "--strict", env={"DOCKER_HOST": host})
    assert strict.returncode == 2
    assert "docker-host-overrides-context" in failing(validate(strict.stdout))
