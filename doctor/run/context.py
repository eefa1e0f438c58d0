"""What a run was asked to do: the invocation, separate from what is found."""

from __future__ import annotations

import time
from collections.abc import Mapping

from doctor.facts.record import field, record
from doctor.knowledge.resolve import Flags

DEFAULT_TIMEOUT = 3.0  # seconds per probe: short enough for a person, long enough for a busy VM


@record
class RunContext:
    flags: Flags = field(default_factory=Flags)
    env: Mapping[str, str] = field(default_factory=dict)  # a snapshot of the environment, taken once
    timeout: float = DEFAULT_TIMEOUT
    # When the invocation began (time.monotonic()): probe deadlines count from here.
    started: float = field(default_factory=time.monotonic)
    # `cdoctor explain` focuses the diagnosis on the endpoint an error text names.
    focus_endpoint: str | None = None
    # Connect to systemd-activated sockets even though that starts the daemon.
    allow_activation: bool = False
    # Gather the socket/process inventory (the stack view); `check` may skip it.
    inventory: bool = True
    # `cdoctor check --require-*` (doctor.knowledge.requirements.Requirement), read by checks/requirements.py.
    requirements: tuple[object, ...] = ()
