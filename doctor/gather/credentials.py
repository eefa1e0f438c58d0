"""Credential helpers named in config.json, looked up on PATH (never run).

`credsStore` and `credHelpers` name programs `docker-credential-NAME`; the CLI
execs them on login, pull, push and build. A helper left behind by an
uninstalled Docker Desktop (`"credsStore": "desktop"`) breaks all of those
with `exec: "docker-credential-desktop": executable file not found in $PATH`
while `docker ps` keeps working.
"""

from __future__ import annotations

import json
import os

from doctor.facts import Facts
from doctor.facts.keys import CONFIG
from doctor.facts.types import CredentialHelper
from doctor.gather.local import read_capped
from doctor.gather.threads import which
from doctor.run.context import RunContext

MAX_BYTES = 1024 * 1024




def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def find_helpers(config_path: str, text: str, path_env: str) -> tuple[CredentialHelper, ...]:
    """The helpers `text` (config.json) names, each looked up on `path_env`."""
    try:
        data = json.loads(text)
    except ValueError:
        return ()  # the configuration check reports an unparsable file
    if not isinstance(data, dict):
        return ()
    out: list[CredentialHelper] = []
    store = data.get("credsStore")
    if isinstance(store, str) and store:
        prog = "docker-credential-" + store
        out.append(
            CredentialHelper(store, prog, "credsStore", (), which(prog, path=path_env), config_path,
                             _line_of(text, '"credsStore"'))
        )
    helpers = data.get("credHelpers")
    if isinstance(helpers, dict):
        by_name: dict[str, list[str]] = {}
        for registry, name in helpers.items():
            if isinstance(name, str) and name:
                by_name.setdefault(name, []).append(str(registry))
        for name, registries in by_name.items():
            prog = "docker-credential-" + name
            out.append(
                CredentialHelper(name, prog, "credHelpers", tuple(registries), which(prog, path=path_env),
                                 config_path, _line_of(text, '"credHelpers"'))
            )
    return tuple(out)


def _gather(facts: Facts) -> tuple[CredentialHelper, ...]:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    cfg = facts.get(CONFIG)
    if not cfg.exists or (cfg.creds_store is None and not cfg.cred_helpers):
        return ()
    try:
        text = read_capped(cfg.path, MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return ()
    return find_helpers(cfg.path, text, ctx.env.get("PATH", os.defpath))


