"""Every fact key, each naming its gatherer by dotted path (imported when first gathered).

This is the list of what cdoctor knows about a machine. Importing it imports
no gatherer, no socket and no subprocess code: checks and plugins read these
keys through doctor.api and stay pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from doctor.facts.store import Fact

if TYPE_CHECKING:
    from doctor.facts.types import (
        Buildx,
        CallResult,
        ClientSettings,
        ContainerView,
        CredentialHelper,
        DockerBinary,
        DockerCLI,
        EndpointProbe,
        Environment,
        Installed,
        LocalEngine,
        PastedEndpoint,
        Processes,
        PythonSDKView,
        RootlessState,
        SocketInfo,
        Stores,
    )
    from doctor.knowledge.dockerconfig import ConfigFile, ContextStore
    from doctor.knowledge.identify import Identification
    from doctor.knowledge.outcomes import EngineAnswers, ProbeResult
    from doctor.knowledge.requirements import Requirement
    from doctor.knowledge.resolve import Inputs, Resolution

# --- local: the environment, the user, config.json, the context store, the docker binary
ENVIRONMENT: Fact[Environment] = Fact("environment", "doctor.gather.local:_gather_env")
CONFIG: Fact[ConfigFile] = Fact("config", "doctor.gather.local:_gather_config")
CONTEXT_STORE: Fact[ContextStore] = Fact("context_store", "doctor.gather.local:_gather_store")
CERT_FILES: Fact[frozenset[str]] = Fact("cert_files", "doctor.gather.local:_gather_cert_files")
DOCKER_BINARY: Fact[DockerBinary] = Fact("docker_binary", "doctor.gather.local:_gather_binary", network=True)
# What resolution reads: the model check of a fix (knowledge/fixes.py) changes these and resolves again.
RESOLUTION_INPUTS: Fact[Inputs] = Fact("resolution_inputs", "doctor.gather.local:_gather_inputs")
RESOLUTION: Fact[Resolution] = Fact("resolution", "doctor.gather.local:_gather_resolution")

# --- the machine's container stack
# /proc/net/unix is read once a run: the process scan, the socket inventory and the
# socket-activation test of the endpoint all need it.
UNIX_LISTENERS: Fact[dict[str, int]] = Fact("unix_listeners", "doctor.gather.procfs:gather_unix_listeners")
PROCESSES: Fact[Processes] = Fact("processes", "doctor.gather.processes:_gather_processes")
INSTALLED: Fact[Installed] = Fact("installed", "doctor.gather.installed:_gather_installed")
SOCKETS: Fact[tuple[SocketInfo, ...]] = Fact("sockets", "doctor.gather.sockets:_gather_sockets", network=True)
CONTEXT_PROBES: Fact[dict[str, ProbeResult]] = Fact(
    "context_probes", "doctor.gather.contexts:_gather_context_probes", network=True
)

# --- the resolved endpoint and its engine
ENDPOINT_PROBE: Fact[EndpointProbe] = Fact("endpoint_probe", "doctor.gather.endpoint:_gather_probe", network=True)
ENGINE: Fact[EngineAnswers | None] = Fact("engine", "doctor.gather.endpoint:_gather_engine", network=True)
# The dockerd serving the endpoint here, and whether its OCI runtimes' binaries are there.
LOCAL_ENGINE: Fact[LocalEngine | None] = Fact("local_engine", "doctor.gather.runtimes:_gather")
# Which product the answering engine is (None when it does not answer): identified once a run.
IDENTIFICATION: Fact[Identification | None] = Fact("identification", "doctor.gather.endpoint:_gather_identification")

# --- `cdoctor explain`: the endpoint an error text names (contacted only when it is ours)
PASTED_ENDPOINT: Fact[PastedEndpoint | None] = Fact("pasted_endpoint", "doctor.gather.pasted:_gather")

# --- the Python SDK beside cdoctor
PYTHON_SDK: Fact[PythonSDKView] = Fact("python_sdk", "doctor.gather.sdk:_gather")

# --- the invocation: `cdoctor check --require-*`
REQUIREMENTS: Fact[tuple[Requirement, ...]] = Fact("requirements", "doctor.gather.local:_gather_requirements")

# --- the world around the engine: other clients, credential helpers, partial APIs, builders,
# rootless engines, running in a container, where containers and images are
CREDENTIAL_HELPERS: Fact[tuple[CredentialHelper, ...]] = Fact("credential_helpers", "doctor.gather.credentials:_gather")
# Read by api-floor only when the engine's range can refuse a CLI, which is known once the engine
# answers; started early, beside the probes, so that it is not waited for alone at the end. With
# one docker on PATH it runs nothing more (that docker is DOCKER_BINARY's); each other one costs
# a `docker --version` on another core.
DOCKER_CLIS: Fact[tuple[DockerCLI, ...]] = Fact("docker_clis", "doctor.gather.clients:_gather_clis", early=True)
DOCKER_PY_VERSION: Fact[str | None] = Fact("docker_py_version", "doctor.gather.clients:_gather_docker_py")
CLIENT_SETTINGS: Fact[ClientSettings] = Fact("client_settings", "doctor.gather.clients:_gather_settings")
PARTIAL_API: Fact[tuple[CallResult, ...]] = Fact("partial_api", "doctor.gather.partial_api:_gather", network=True)
BUILDX: Fact[Buildx] = Fact("buildx", "doctor.gather.buildx:_gather", network=True)
ROOTLESS: Fact[RootlessState] = Fact("rootless", "doctor.gather.rootless:_gather")
CONTAINER: Fact[ContainerView] = Fact("container", "doctor.gather.container:_gather")
STORES: Fact[Stores] = Fact("stores", "doctor.gather.stores:_gather", network=True)
