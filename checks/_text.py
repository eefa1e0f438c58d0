"""Small pure helpers the built-in checks share for wording."""

from __future__ import annotations

import shlex

SOURCE_WORDS = {
    "flag": "the -H flag",
    "env:DOCKER_HOST": "DOCKER_HOST in your environment",
    "flag:--context": "the --context flag",
    "env:DOCKER_CONTEXT": "DOCKER_CONTEXT in your environment",
    "config": "currentContext in config.json",
    "default": "the built-in default (nothing else is set)",
}


def source_words(source: str) -> str:
    return SOURCE_WORDS.get(source, source)


def quote(value: str) -> str:
    """A value as the shell needs it pasted."""
    return shlex.quote(value)


def tilde(path: str, home: str | None) -> str:
    """Show a path under the home directory as ~/…, for reading (never for commands)."""
    if home and home != "/" and (path == home or path.startswith(home.rstrip("/") + "/")):
        return "~" + path[len(home.rstrip("/")) :]
    return path
