"""What the docker-py installed beside cdoctor would reach, asked of docker-py itself.

docker-py is the reference Python client: rather than re-implementing its
resolution (which changed in 7.2, when it learned docker contexts), cdoctor
calls the same functions `docker.from_env()` calls — `kwargs_from_env` and,
where present, `ContextAPI.kwargs_from_context` — without connecting. The
import costs ~0.15 s, so the check asks for this fact only when the CLI
resolved through a context (the one case where docker-py's answer can differ).
"""

from __future__ import annotations

import contextlib
import io

from doctor.facts import Facts, FactUnavailable
from doctor.facts.types import PythonSDKView
from doctor.run.context import RunContext


def normalise(base_url: str) -> str:
    """docker-py spellings of an endpoint as the CLI writes them."""
    for prefix in ("http+unix://", "unix://"):
        if base_url.startswith(prefix):
            path = base_url[len(prefix) :]
            return "unix://" + (path if path.startswith("/") else "/" + path)
    if base_url.startswith(("http://", "https://")):
        return "tcp://" + base_url.split("://", 1)[1]
    return base_url


def _gather(facts: Facts) -> PythonSDKView:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    try:
        import docker
        from docker.utils import kwargs_from_env
    except ImportError as e:  # pragma: no cover - a dependency of cdoctor
        raise FactUnavailable("python_sdk", f"docker-py cannot be imported: {e}") from None
    env = dict(ctx.env)
    version = str(getattr(docker, "__version__", "?"))
    reads_contexts = hasattr(docker.DockerClient, "from_context")
    # docker-py prints nothing, but keep anything it might write off our streams.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            params = kwargs_from_env(environment=env)
        except Exception as e:  # docker-py refuses the TLS material (TLSParameterError) or the host
            return PythonSDKView(version, None, "DOCKER_HOST", reads_contexts, f"{type(e).__name__}: {e}")
        if "base_url" in params:
            return PythonSDKView(version, normalise(str(params["base_url"])), "DOCKER_HOST", reads_contexts)
        if reads_contexts:
            from docker.context import ContextAPI
            from docker.context.config import get_current_context_name

            name = env.get("DOCKER_CONTEXT")
            try:
                from_context = ContextAPI.kwargs_from_context(environment=env)
                current = name or get_current_context_name()
            except Exception as e:  # a broken meta.json: docker.from_env() raises the same
                return PythonSDKView(version, None, "context", reads_contexts, f"{type(e).__name__}: {e}")
            if "base_url" in from_context:
                return PythonSDKView(
                    version, normalise(str(from_context["base_url"])), f"context {current}", reads_contexts
                )
    from docker.constants import DEFAULT_UNIX_SOCKET

    return PythonSDKView(version, normalise(DEFAULT_UNIX_SOCKET), "default", reads_contexts)


