"""Read a pasted error text or command output, without touching the machine.

``read_error`` classifies an error text (from the docker CLI, docker-py, compose,
buildx, testcontainers, podman, build plugins, CI runners, ...) by *symptom* (the ids
in causes.md), names the endpoint the text mentions, the client that printed it, a
CLI version range suggested by the wording, the cause the text alone establishes and
the product every signal in it points at.

``read_paste`` recognises pasted ``docker version``, ``docker info`` and
``docker context ls`` output (text and JSON) and falls back to an error log.

The package:

* :mod:`~doctor.reader.normalise` undoes what logs and pasting do to a message;
* :mod:`~doctor.reader.templates` is the catalogue (data): wordings, their client,
  versions, symptom and source;
* :mod:`~doctor.reader.match` applies it; :mod:`~doctor.reader.extract` reads
  details and endpoints; :mod:`~doctor.reader.identify` names the product;
  :mod:`~doctor.reader.paste` reads pasted command output.

Both readers are pure, total and linear in the input. The catalogue is imported on
the first read, not when ``cdoctor`` starts.
"""

from __future__ import annotations

from doctor.reader.reading import ErrorReading, PasteReading, ProductHint

__all__ = ["ErrorReading", "PasteReading", "ProductHint", "read_error", "read_paste"]


def read_error(text: str | bytes) -> ErrorReading:
    """Classify an error text (see :func:`doctor.reader.match.read_error`)."""
    from doctor.reader import match

    return match.read_error(text)


def read_paste(text: str, error: ErrorReading | None = None) -> PasteReading:
    """Read a pasted command output (see :func:`doctor.reader.paste.read_paste`)."""
    from doctor.reader import paste

    return paste.read_paste(text, error)
