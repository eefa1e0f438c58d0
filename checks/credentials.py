"""Credential helpers that config.json names but PATH does not have.

The CLI runs `docker-credential-NAME` for `credsStore` (every registry) and for
each `credHelpers` entry (one registry). When the program is missing, login,
pull, push, build and `compose up` fail with
`error storing credentials - err: exec: "docker-credential-desktop": executable
file not found in $PATH` (login) or `error getting credentials …` (compose, buildx),
while `docker ps` keeps working: the classic leftover
of an uninstalled Docker Desktop (docker/compose#11584, lando/drupal#155).
The helpers are looked up on PATH, never run.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks._text import quote
from doctor.api import (
    CREDENTIAL_HELPERS,
    ENVIRONMENT,
    CredentialHelper,
    Facts,
    Finding,
    Severity,
    check,
)

CHECK_ID = "credential-helpers"
CAUSE = "credential-helper-missing"

# Helpers that come with a product, and how to get them back when they are wanted.
_INSTALL = {
    "desktop": "# docker-credential-desktop ships only with Docker Desktop: remove the key unless you reinstall it",
    "pass": "sudo apt-get install golang-docker-credential-helpers    # Debian/Ubuntu: provides docker-credential-pass",
    "secretservice": "sudo apt-get install golang-docker-credential-helpers    # provides docker-credential-secretservice",
    "ecr-login": "sudo apt-get install amazon-ecr-credential-helper",
    "gcloud": "gcloud components install docker-credential-gcr    # or: gcloud auth configure-docker",
}


def remove_fix(helper: CredentialHelper) -> str:
    """A pasteable edit of config.json that drops only this helper (python3, no jq)."""
    path = quote(helper.config)
    if helper.key == "credsStore":
        code = 'import json,sys;p=sys.argv[1];c=json.load(open(p));c.pop("credsStore",None);json.dump(c,open(p,"w"),indent=2)'
    else:
        code = (
            'import json,sys;p=sys.argv[1];c=json.load(open(p));'
            f'c["credHelpers"]={{k:v for k,v in c["credHelpers"].items() if v!={helper.name!r}}};'
            'json.dump(c,open(p,"w"),indent=2)'
        )
    return f"python3 -c {quote(code)} {path}"


@check(id=CHECK_ID, title="Credential helpers named in config.json exist", category="credentials",
       requires=(CREDENTIAL_HELPERS, ENVIRONMENT))  # fmt: skip
def credential_helpers(facts: Facts) -> Iterator[Finding]:
    """`credsStore`/`credHelpers` naming a `docker-credential-*` program that is not on
    PATH: pulls, pushes, logins and builds fail while `docker ps` works. Fix: remove the
    key from config.json (or install the helper)."""
    helpers = facts.get(CREDENTIAL_HELPERS)
    if not helpers:
        yield Finding(id="credential-helpers-none", check=CHECK_ID, severity=Severity.OK,
                      title="config.json names no credential helper")  # fmt: skip
        return
    for h in helpers:
        where = f"{h.config}" + (f" line {h.line}" if h.line else "")
        if h.path is not None:
            yield Finding(id="credential-helper-found", check=CHECK_ID, severity=Severity.OK,
                          title=f"{h.key} {h.name!r}: {h.program} is {h.path}",
                          evidence=(f"{where}: {h.key} names {h.name!r}",))  # fmt: skip
            continue
        scope = "every registry" if h.key == "credsStore" else ", ".join(h.registries)
        fails = ("docker login fails, and builds and compose pulls that read credentials fail" if h.key == "credsStore"
                 else "docker login to those registries fails, and builds that need their credentials fail")  # fmt: skip
        fix = [f"{remove_fix(h)}    # removes only {h.key} {h.name!r} from {h.config}"]
        fix.append(_INSTALL.get(h.name, f"# or install {h.program} and put it on PATH"))
        yield Finding(
            id=CAUSE,
            check=CHECK_ID,
            severity=Severity.ERROR,
            cause=CAUSE,
            title=f"{h.key} names {h.name!r}, but {h.program} is not on PATH: {fails} ({scope})",
            detail=f'docker login prints: Error saving credentials: error storing credentials - err: exec: "{h.program}": '
            "executable file not found in $PATH (compose and buildx: error getting credentials …). `docker ps` is not affected"
            + (" (a leftover of an uninstalled Docker Desktop)." if h.name == "desktop" else "."),
            evidence=(f"{where}: {h.key} names {h.name!r}" + (f" for {scope}" if h.registries else ""),
                      f"{h.program}: not found on PATH (looked up, not run)"),
            fix=tuple(fix),
            data={"helper": h.name, "program": h.program, "key": h.key, "registries": list(h.registries),
                  "config": h.config, "line": h.line},
        )


CHECKS = (credential_helpers,)
