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


# Helper names that are public knowledge (shipped by Docker, the distributions, the clouds): shown.
# Any other name is not printed — a config.json may carry names private to an organisation.
KNOWN = frozenset({"desktop", "osxkeychain", "wincred", "pass", "secretservice", "ecr-login", "gcloud", "gcr",
                   "acr-env", "dev-containers", "rancher-desktop"})  # fmt: skip


def shown(helper: CredentialHelper) -> str:
    return repr(helper.name) if helper.name in KNOWN else "a helper (its name is not shown)"


def remove_fix(helper: CredentialHelper) -> str:
    """A pasteable edit of config.json that drops only this helper (python3, no jq)."""
    path = quote(helper.config)
    if helper.key == "credsStore":
        code = 'import json,sys;p=sys.argv[1];c=json.load(open(p));c.pop("credsStore",None);json.dump(c,open(p,"w"),indent=2)'
    else:
        # By registry, so that the helper's name is never printed.
        code = (
            'import json,sys;p=sys.argv[1];c=json.load(open(p));'
            f'[c["credHelpers"].pop(r,None) for r in {list(helper.registries)!r}];'
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
        name = shown(h)
        program = h.program if h.name in KNOWN else "its docker-credential-* program"
        if h.path is not None:
            yield Finding(id="credential-helper-found", check=CHECK_ID, severity=Severity.OK,
                          title=f"{h.key} names {name}: {program} is on PATH",
                          evidence=(f"{where}: {h.key} names {name}",))  # fmt: skip
            continue
        scope = "every registry" if h.key == "credsStore" else ", ".join(h.registries)
        fails = ("docker login fails, and builds and compose pulls that read credentials fail" if h.key == "credsStore"
                 else "docker login to those registries fails, and builds that need their credentials fail")  # fmt: skip
        fix = [f"{remove_fix(h)}    # removes only that {h.key} entry from {h.config}"]
        fix.append(_INSTALL.get(h.name, f"# or install {program} and put it on PATH"))
        yield Finding(
            id=CAUSE,
            check=CHECK_ID,
            severity=Severity.ERROR,
            cause=CAUSE,
            title=f"{h.key} names {name}, but {program} is not on PATH: {fails} ({scope})",
            # Worded so that no "credential…: value" pair appears (the render boundary redacts those).
            detail=f"docker login stops with 'error storing credentials - err: exec: …: executable file not found in "
            f"$PATH' for {program} (compose and buildx: 'error getting credentials …'). `docker ps` is not affected"
            + (" (a leftover of an uninstalled Docker Desktop)." if h.name == "desktop" else "."),
            evidence=(f"{where}: {h.key} names {name}" + (f" for {scope}" if h.registries else ""),
                      f"not found on PATH: {program} (looked up, not run)"),
            fix=tuple(fix),
            data={"helper": h.name if h.name in KNOWN else None, "key": h.key, "registries": list(h.registries),
                  "config": h.config, "line": h.line},
        )


CHECKS = (credential_helpers,)
