"""Small pure helpers the built-in checks share for wording."""

from __future__ import annotations

import shlex

from doctor.knowledge.endpoint_source import source_words

__all__ = ["quote", "source_words", "tilde"]


def quote(value: str) -> str:
    """A value as the shell needs it pasted."""
    return shlex.quote(value)


def tilde(path: str, home: str | None) -> str:
    """Show a path under the home directory as ~/…, for reading (never for commands)."""
    if home and home != "/" and (path == home or path.startswith(home.rstrip("/") + "/")):
        return "~" + path[len(home.rstrip("/")) :]
    return path
