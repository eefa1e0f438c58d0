"""How the endpoint was chosen, in words: the one table every reader of `Resolution.source` uses.

`Resolution.source` (doctor/knowledge/resolve.py, `endpoint.source` in the JSON schema) names
the input that chose the endpoint. Each place that says so in words reads its form here:

- `short`: the input alone, in the verdict ("chosen by DOCKER_HOST");
- `link`: the chain's endpoint link (`provenance`, "← set by DOCKER_HOST");
- `sentence`: a finding's title or detail ("chosen by DOCKER_HOST in your environment");
- `rival`: an input that wins over another ("DOCKER_HOST takes precedence").

tests/test_endpoint_source.py fails when a source has no words or a second table appears.
"""

from __future__ import annotations

from typing import Literal

from doctor.facts.record import record

Form = Literal["short", "link", "sentence", "rival"]


@record
class SourceWords:
    short: str
    link: str
    sentence: str
    rival: str


_CONFIG = "currentContext in config.json"

# In the order the docker CLI lets them win (resolve._choose_context).
SOURCES: dict[str, SourceWords] = {
    "flag:--context": SourceWords("--context", "--context", "the --context flag", "the --context flag"),
    "flag": SourceWords("-H", "set by -H", "the -H flag", "the -H flag"),
    "env:DOCKER_HOST": SourceWords(
        "DOCKER_HOST", "set by DOCKER_HOST", "DOCKER_HOST in your environment", "DOCKER_HOST"
    ),
    "env:DOCKER_CONTEXT": SourceWords(
        "DOCKER_CONTEXT", "DOCKER_CONTEXT", "DOCKER_CONTEXT in your environment", "DOCKER_CONTEXT"
    ),
    "config": SourceWords(_CONFIG, _CONFIG, _CONFIG, _CONFIG),
    "default": SourceWords(
        "the default", "the default", "the built-in default (nothing else is set)", "the built-in default"
    ),
}


def source_words(source: str, form: Form = "sentence") -> str:
    """`source` in words of the given form; an unknown source as it is."""
    words = SOURCES.get(source)
    return getattr(words, form) if words is not None else source
