"""The public surface for check authors: the one import a check (built-in or plugin) needs.

    from doctor.api import ENDPOINT_PROBE, Facts, Finding, Severity, check

It re-exports the fact keys and value types (doctor.facts), the check decorator
and the finding types (doctor.run). Everything here is pure data and functions
of data: importing it imports no gatherer, and a check that reads facts through
it never touches the system itself. Names not listed here are internal.
"""

from __future__ import annotations

from doctor.facts.keys import (
    CERT_FILES,
    CONFIG,
    CONTEXT_PROBES,
    CONTEXT_STORE,
    DOCKER_BINARY,
    ENDPOINT_PROBE,
    ENGINE,
    ENVIRONMENT,
    INSTALLED,
    LOCAL_ENGINE,
    PROCESSES,
    PYTHON_SDK,
    REQUIREMENTS,
    RESOLUTION,
    RESOLUTION_INPUTS,
    SOCKETS,
    UNIX_LISTENERS,
)
from doctor.facts.store import Fact, Facts, FactUnavailable
from doctor.facts.types import (
    DockerBinary,
    EndpointProbe,
    Environment,
    Installed,
    LocalEngine,
    Processes,
    ProcessInfo,
    PythonSDKView,
    SocketInfo,
    UserInfo,
)
from doctor.knowledge.dockerconfig import ConfigFile, ContextMeta, ContextStore
from doctor.knowledge.outcomes import EngineAnswers, ProbeResult
from doctor.knowledge.resolve import Resolution
from doctor.run.check import Check, check
from doctor.run.model import Finding, Severity

__all__ = [
    "CERT_FILES",
    "CONFIG",
    "CONTEXT_PROBES",
    "CONTEXT_STORE",
    "DOCKER_BINARY",
    "ENDPOINT_PROBE",
    "ENGINE",
    "ENVIRONMENT",
    "INSTALLED",
    "LOCAL_ENGINE",
    "PROCESSES",
    "PYTHON_SDK",
    "REQUIREMENTS",
    "RESOLUTION",
    "RESOLUTION_INPUTS",
    "SOCKETS",
    "UNIX_LISTENERS",
    "Check",
    "ConfigFile",
    "ContextMeta",
    "ContextStore",
    "DockerBinary",
    "EndpointProbe",
    "EngineAnswers",
    "Environment",
    "Fact",
    "FactUnavailable",
    "Facts",
    "Finding",
    "Installed",
    "LocalEngine",
    "ProbeResult",
    "ProcessInfo",
    "Processes",
    "PythonSDKView",
    "Resolution",
    "Severity",
    "SocketInfo",
    "UserInfo",
    "check",
]
