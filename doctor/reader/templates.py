"""The catalogue: message templates as data.

Each :class:`Template` is one wording a client prints, with

* ``when``: what must occur in the (lower-cased, normalised) line, as groups that
  each need one hit (``(("a", "b"), ("c",))`` = (a or b) and c); ``unless``: what
  must not; ``starts``: the first group must open the line;
* ``symptom`` (causes.md, "Symptoms") and ``rank`` (the most specific wins: an errno
  shown beats the generic "Is the docker daemon running?" around it);
* ``extract``: the named extractor (doctor/reader/extract.py) that reads details
  from the line and may veto the match; ``endpoint``: how the endpoint is taken
  (``"line"``: from the line, else from the other lines of the text; ``"none"``: the
  wording names no endpoint, e.g. a context or a shim);
* ``cause``: the cause the text alone supports, when it differs from the symptom's
  default (``AUTO``), ``None`` to say it supports none;
* ``client``/``versions``: whose wording it is, and in which versions;
* ``source``: where the wording comes from (file:line at the commit read, or the
  the function that prints it).

Commits read (``git grep`` on each): docker/cli 28f756087e, moby/moby b985e2313a,
docker/docker-py afc6d1ee, testcontainers-java deb78e1e6, -go 5dec9ddf8, -node 457707f3,
-python c958e40c, -dotnet 1717807a, docker/compose f72979427 (1.29.2 for v1),
docker/buildx 461836ba0, containers/podman c6580b4a52, docker/machine b170508b; second pass (explain2):
testcontainers-node 457707f3 (history: e26e7448, 68e8cf9e), containerd/nerdctl 8da50408,
jesseduffield/lazydocker 7e7aadc2, microsoft/vscode-docker 6289ab3b/31ae3b61 (before the move to
Container Tools), docker-java 002b6eb7, kubernetes/minikube eb25dbc703; third pass (explain3):
containers/common f437c58a (podman's ssh transport), containers/podman v3.4.0 and c6580b4a52,
microsoft/vscode-docker v1.29.6, mscdex/ssh2 318d447 (docker-modem's ssh), curl/curl 5c61e16869,
netty/netty 0bb88a3e06 and netty-4.1.100.Final, docker/machine b170508b, testcontainers-go 5dec9ddf8,
testcontainers-dotnet 1717807a, abiosoft/colima 05dea41e, rancher-sandbox/rancher-desktop 2c87288a.

The catalogue was written from half A of the corpus (tests/explain_score.py) and the
sources above only; half B is what it is scored on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from doctor.knowledge.outcomes import SYMPTOMS

__all__ = [
    "AUTO",
    "CLIENT_MARKERS",
    "CLI_STARTS",
    "CORE_TRIGGERS",
    "FIXED_CAUSE",
    "NETWORK_SYMPTOMS",
    "TEMPLATES",
    "TRIGGERS",
    "VERSION_HINTS",
    "Template",
]

AUTO: Final = "auto"

# Ranks: the most specific symptom wins when a text carries several.
R_WSL = 100
R_SHIM = 95
R_CONFIG = 90
R_HOST = 88
R_CONTEXT = 87
R_META = 86
R_API = 85
R_HTTPS = 81
R_TLS = 80
R_SSH = 75
R_PIPE = 70
R_EACCES = 68
R_RESOLVER = 67  # "lookup HOST on SERVER:53: <anything>": the DNS query failed, whatever its errno
R_ENOENT = 66
R_REFUSED = 64
R_DNS = 63
R_SSH_STDERR = 62  # below the errno family: podman's "failed to create sshClient: ... refused" is a refusal
R_TIMEOUT = 60
R_NOTAPI = 55
R_OTHER_ERRNO = 53  # an errno no symptom names (ECONNRESET, WSAEINVAL): above the generic wrappers only
R_NOENV = 50
R_GENERIC = 45
R_TLS_HINT = 40
R_SHIM_FLAGS = 20  # podman's usage errors: a shim's own wording, but any connection symptom says more
R_UNKNOWN = 10


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    symptom: str
    rank: int
    when: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...] = ()
    starts: bool = False
    extract: str = ""
    endpoint: str = "line"
    cause: str | None = AUTO
    client: str = ""
    versions: str = ""
    source: str = ""
    alone: bool = False  # only when no other template matched the line


_CLI = "docker/cli@28f756087e "
_CLI_OLD = "docker/cli@v27.5.1 "
_MOBY = "moby/moby@b985e2313a client/"
# Windows' ERROR_ACCESS_DENIED (5) text as the display language prints it (winerror.h / "System Error
# Codes", learn.microsoft.com, and the localised message tables): en, fr, de, pt, es, it, ja, zh-CN,
# zh-TW, ko, ru, pl, nl, tr — Go's winio and .NET quote it after the pipe's name. And Node's name for
# it: libuv maps ERROR_ACCESS_DENIED to UV_EPERM (libuv src/win/error.c), so dockerode prints
# "connect EPERM //./pipe/docker_engine".
_ACCESS_DENIED = (
    "access is denied", "accès refusé", "zugriff verweigert", "acesso negado", "acceso denegado", "accesso negato",
    "アクセスが拒否されました", "拒绝访问", "存取被拒", "액세스가 거부되었습니다", "отказано в доступе",
    "odmowa dostępu", "toegang geweigerd", "erişim engellendi", "connect eperm",
)
# Windows' own message texts for WSAECONNREFUSED (10061) and WSAETIMEDOUT (10060), in the
# languages of the Windows display (Go's connectex, .NET and Node print them as the system has
# them): the English text, then de, fr, es, pt-BR, zh-CN, ja, ru, ko, it, pl, nl, tr, zh-TW. Source: winerror.h /
# "Windows Sockets Error Codes" (learn.microsoft.com, WSAECONNREFUSED, WSAETIMEDOUT) and the
# localised Windows message tables.
_WIN_REFUSED = (
    "actively refused",
    "zielcomputer die verbindung verweigerte",
    "expressément refusée",
    "denegó expresamente",
    "recusou ativamente",
    "积极拒绝",
    "によって拒否されたため",
    "отверг запрос на подключение",
    "연결을 거부했으므로",
    "rifiuto persistente del computer di destinazione",
    "komputer docelowy aktywnie go odmawia",
    "de doelcomputer de verbinding actief heeft geweigerd",
    "etkin olarak reddettiğinden",
    "因為目標電腦拒絕連線",
)
_WIN_TIMEOUT = (
    "did not properly respond after a period of time",
    "nach einer bestimmten zeitspanne nicht richtig reagiert",
    "n'a pas répondu convenablement",
    "no respondió adecuadamente",
    "não respondeu corretamente após um período",
    "在一段时间后没有正确答复",
    "一定の時間を過ぎても正しく応答しなかった",
    "за требуемое время не получен нужный отклик",
    "응답이 없어 연결하지 못했거나",
    "risposta non corretta della parte connessa",
    "nie odpowiedziała poprawnie po ustalonym okresie",
    "na een bepaalde tijd niet correct heeft gereageerd",
    "有一段時間並未正確回應",
)
# The daemon answered and failed to start a container: a mount of the socket into it, an OCI runtime
# error (runc/containerd "OCI runtime create failed", moby daemon/oci "error while creating mount source
# path"). The errno is the container's, not the client's connection.
_CONTAINER_START = (
    "oci runtime",
    "error mounting",
    "failed to create shim",
    "failed to create task",
    "error while creating mount source path",
    "mounts denied",
)
# A registry's errno, relayed by the daemon or BuildKit ("Error response from daemon: Get
# https://registry-1.docker.io/v2/: dial tcp: lookup ...", "failed to solve: failed to fetch oauth token"):
# the engine answered; the network failure is the pull's, not the endpoint's (docker/cli@28f756087e
# and moby's distribution errors quote the registry URL; the Registry HTTP API is /v2/).
_REGISTRY = (
    "/v2/",
    "registry-1.docker.io",
    "auth.docker.io",
    "index.docker.io",
    "production.cloudflare.docker.com",
    "failed to resolve source metadata",
    "failed to fetch oauth token",
    "failed to fetch anonymous token",
    "failed to authorize",
)
_NO_SUCH_FILE = (
    "no such file or directory",
    "cannot find the file specified",
    "cannot find the path specified",
)
_TLS_WORDS = (
    "x509:",
    "tls: failed to verify",
    "remote error: tls",
    "tls: first record does not look like",
    "tls: oversized record received",
    "tls: handshake failure",
    "tls: bad certificate",
    "tls handshake timeout",
    "server gave http response to https client",
    "client authentication (--tlsverify)",
    "remote error: bad certificate",
    "tlsparametererror",
    "path to a certificate and key files must be provided",
    "ca.pem seems invalid",
    "private key is encrypted",
    "no valid private key found",
    "certificate_verify_failed",
    "ssl: wrong_version_number",
    "[ssl: wrong_version_number]",
    "sslhandshakeexception",
    "could not read ca certificate",
    "unable to find ca",
    "certificate signed by unknown authority",
    "certificate has expired",
    "certificate is valid for",
    "pkix path building failed",
    "validatorexception",
    # Node's TLS errors (lib/_tls_wrap.js via OpenSSL: X509_verify_cert_error_string) and
    # OpenSSL's record-layer error, as printed by dockerode / testcontainers-node / docker-py
    "self signed certificate",
    "self-signed certificate",
    "unable to verify the first certificate",
    "unable to get local issuer certificate",
    "depth_zero_self_signed_cert",
    "self_signed_cert_in_chain",
    "unable_to_verify_leaf_signature",
    "err_tls_cert_altname_invalid",
    "ssl routines",
    "wrong version number",
    "sslerror(",
    # docker/go-connections tlsconfig/config.go:98/106/109/221/239 (vendored by docker/cli@28f756087e)
    # and Go crypto/tls's key-pair errors: the client's own TLS material is unusable
    "could not load x509 key pair",
    "failed to append certificates from pem",
    "failed to find any pem data",
    "private key does not match public key",
    "failed to read system certificates",
    # Go crypto/tls (alert.go alert texts after "remote error: " are above; tls.go X509KeyPair, handshake_client.go)
    "tls: failed to parse",
    "tls: failed to find",
    "tls: found a certificate rather than a key",
    "tls: private key type does not match",
    "tls: unknown certificate",
    "tls: certificate required",
    "tls: protocol version not supported",
    "tls: no supported versions satisfy",
    "tls: server selected unsupported protocol version",
    "tls: internal error",
)
_GENERIC_WORDS = (
    "cannot connect to the docker daemon",
    "is the docker daemon running",
    "couldn't connect to docker daemon",
    "docker daemon is not running",
    "cannot connect to podman",
    "unable to connect to podman",
    "failed to connect to the docker api",
    "error pinging docker server",
    "is docker daemon running",
    "is the docker daemon accessible",
    "could not connect to docker daemon",
    "unable to connect to docker",
    "connection to the docker daemon at",
    "docker daemon not running",
    "is docker running",
    "is podman running",  # microsoft/vscode-docker@v1.29.6 src/tree/LocalRootTreeItemBase.ts:294 ('Is {0} running?')
    "failed to reach docker daemon",
    "connection to docker client failed",
    "is currently not running",
    "connect to docker socket",
    "docker is not running",
    "daemon is not running",
    "make sure docker is running",
    "ensure docker is running",
    "docker engine is not running",
    "docker desktop is not running",
    "cannot reach the docker daemon",
    "could not reach docker",
    "failed to connect. is docker running",
    "provider_docker_not_running",
    "provider_docker_cannot_connect",
    "drv_docker_not_running",
    "the docker service isn't running",
    "is 'docker daemon' running",
    "docker daemon is not reachable",
    # curl's CURLE_COULDNT_CONNECT (curl/curl@5c61e16869 lib/strerror.c:61; "Couldn't ..." before 8.x),
    # as `curl --unix-socket /var/run/docker.sock` checks print it
    "could not connect to server",
    "couldn't connect to server",
    "rootless containerd not running?",
    "cannot access containerd socket",
    # lazydocker pkg/i18n/*.go ConnectionFailed (the English one is above): zh, nl, fr, de, pl, pt, es, tr
    "无法连接到 docker 客户端",
    "connectie naar de docker client mislukt",
    "erreur lors de la connexion au client docker",
    "verbindung zum docker client fehlgeschlagen",
    "błąd połączenia z dockerem",
    "falha na conexão com o cliente docker",
    "falló la conexión con el docker client",
    "docker bağlantısı başarısız",
)
_NOENV_WORDS = (
    "could not find a valid docker environment",
    "previous attempts to find a docker environment failed",
    "rootless docker not found",
    "docker may not be installed or running",
    "failed to create docker provider",
    "could not find a working container runtime strategy",
    "docker is either not running or misconfigured",
    "no <dockerhost> given",
    "no docker_host environment variable",
    "docker environment should have more than",
    "dockerunavailableexception",
    "docker is not available",
    "docker not available",
    "docker is not installed",
    "is docker installed",
    "is podman installed",  # microsoft/vscode-docker@v1.29.6 src/tree/LocalRootTreeItemBase.ts:298 ('Is {0} installed?')
    "no docker client strategy found",
    "couldn't get a valid docker connection",
    "please install docker",
    "docker does not appear to be installed",
    "sh: docker: not found",
    "unable to find docker",
    "could not find docker",
    "cannot find docker",
    "no docker daemon found",
    "docker not found",
    "unable to detect a docker",
    "mustextractdockerhost",
    "failed to detect docker host",  # testcontainers-go@5dec9ddf8 internal/core/docker_host.go:51
    "make sure docker is installed",
    # Jib: GoogleContainerTools/jib@755df833 jib-plugins-common/.../HelpfulSuggestions.java forDockerNotInstalled
    # ("Build to Docker daemon failed, perhaps you should make sure Docker is installed ..."), read through
    # "make sure docker is installed" above; its other "perhaps you should make sure your credentials for
    # REGISTRY are set up correctly" is a registry's refusal, not a missing engine
    'cannot run program "docker"',
    # Gradle's Exec tasks (the Palantir and other CLI-driven plugins): gradle/gradle DefaultExecHandle.java
    # ExecException "A problem occurred starting process '%s'" and its native cause "Could not start '%s'"
    "a problem occurred starting process 'command 'docker''",
    "could not start 'docker'",
    "could not automatically start the docker daemon",
    "spawn docker enoent",
    'exec: "docker": executable file not found',
    "docker: command not found",
    "'docker' is not recognized",
    # minikube's driver selection: kubernetes/minikube@eb25dbc703 cmd/minikube/cmd/start.go:819/821,
    # pkg/minikube/reason/reason.go:320/326
    "drv_not_detected",
    "no possible driver was detected",
    "drv_not_healthy",
    "found driver(s) but none were healthy",
    "unable to pick a default driver",  # cmd/minikube/cmd/start.go:775
    # start.go:984-990: 'PROVIDER_<DRIVER>_NOT_FOUND: The '<driver>' provider was not found: <error>'
    "provider_docker_not_found",
    "provider_podman_not_found",
    "' provider was not found",
)
_DNS_WORDS = (
    "no such host",
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "getaddrinfo failed",
    "getaddrinfo enotfound",
    "getaddrinfo eai_again",
    "server misbehaving",
    "unknownhostexception",
    "name does not resolve",
    "no address associated with hostname",
    # curl's CURLE_COULDNT_RESOLVE_HOST: lib/vdns/hostip.c:348 "Could not resolve %s: %s" (curl@5c61e16869)
    "could not resolve host",
    "couldn't resolve host",
)

TEMPLATES: Final[tuple[Template, ...]] = (
    # -- things that are not the Docker CLI at all -------------------------------------
    Template(
        "wsl-stub", "wsl-stub", R_WSL, (("could not be found in this wsl",),),
        extract="wsl_command", endpoint="none", client="docker-desktop-wsl-stub",
        source="Docker Desktop's /mnt/c/ProgramData/DockerDesktop/version-bin/docker (the stub Docker Desktop installs into WSL distributions where its integration is off)",
    ),
    Template(
        "podman-docker-banner", "cli-shim", R_SHIM, (("emulate docker cli using podman",),),
        extract="shim_podman", endpoint="none", client="podman-docker",
        source="containers/podman@c6580b4a52 docker/docker.in:3",
    ),
    Template(
        "podman-flag-error", "cli-shim", R_SHIM_FLAGS, (("see 'podman ", "try 'podman --help'", "try 'podman "),),
        extract="shim_podman", endpoint="none", client="podman-docker",
        source="containers/podman@c6580b4a52 cmd/podman/main.go:132 (\"See 'podman CMD --help'\" after a flag "
        "error), cmd/podman/validate/args.go:26/28 (\"Try 'podman --help'\"): podman's own usage errors "
        "(causes.md: cli-shim); ranked below every connection symptom",
    ),
    # -- configuration -------------------------------------------------------------
    Template(
        "config-parse-28", "config-parse", R_CONFIG, (("error parsing config file (",),),
        extract="config_parse", endpoint="none", client="docker-cli", versions="28.0+",
        source=_CLI + "cli/config/config.go load (28.0+: error parsing config file)",
    ),
    Template(
        "config-load", "config-parse", R_CONFIG, (("error loading config file",),),
        extract="config_load", endpoint="none", client="docker-cli", versions="<=27.x",
        source=_CLI_OLD + "cli/config/config.go load (error loading config file)",
    ),
    Template(
        "invalid-bind", "invalid-host", R_HOST, (("invalid bind address",),),
        extract="bind_address", endpoint="none", source=_CLI + "opts/hosts.go ParseHost, parseSimpleProtoAddr",
    ),
    Template(
        "parse-docker-host", "invalid-host", R_HOST, (("unable to parse docker host",),),
        extract="parse_host", endpoint="none", source=_MOBY + "client.go:383",
    ),
    Template(
        "protocol-not-available", "invalid-host", R_HOST,
        (("protocol not available",), ("failed to initialize",)),
        extract="reason_protocol", endpoint="none", source=_MOBY + "client.go ParseHostURL; " + _CLI + "opts/hosts.go ParseHost",
    ),
    Template(
        "protocol-not-available-bare", "invalid-host", R_HOST, (("protocol not available",),),
        starts=True, extract="reason_protocol", endpoint="none", source=_MOBY + "client.go ParseHostURL; " + _CLI + "opts/hosts.go ParseHost",
    ),
    Template(
        "invalid-proto", "invalid-host", R_HOST, (("invalid proto, expected",),),
        extract="reason_proto", endpoint="none", source="docker/docker-py@afc6d1ee docker/utils/utils.py parse_host",
    ),
    Template(
        "protocol-not-available-init", "invalid-host", R_HOST,
        (("protocol not available",), ("error initializing docker client",)),
        extract="reason_protocol", endpoint="none", source="kreuzwerker/terraform-provider-docker (client init error)",
    ),
    Template(
        "endpoint-options", "invalid-host", R_HOST,
        (("invalid docker endpoint options", "unable to create docker endpoint config"),),
        extract="reason_line", endpoint="none", source="docker/cli@28f756087e cli/context/docker/load.go (context create)",
    ),
    Template(
        "host-is-a-path", "invalid-host", R_HOST,
        (("name or service not known", "no such host", "server misbehaving", "unknown host", "try again", "lookup ",
          "unknownhostexception", "enotfound", "eai_again"),),
        extract="host_is_a_path",
        source="a DOCKER_HOST without its scheme, looked up as a host name (Go resolver / Java UnknownHostException / "
        "Node getaddrinfo ENOTFOUND)",
    ),
    Template(
        "url-parse", "invalid-host", R_HOST,
        (("unsupported protocol scheme", "missing protocol scheme", "first path segment in url cannot contain colon",
          "too many colons in address", "missing port in address"),),
        unless=("registry", "https://index.docker.io", "/v2/"),
        extract="reason_line", endpoint="none", source="Go net/url and net errors for a malformed DOCKER_HOST / -H",
    ),
    Template(
        "tc-java-unknown-scheme", "invalid-host", R_HOST, (("unknown docker_host scheme",),),
        extract="reason_line", endpoint="none", client="testcontainers-java",
        source="testcontainers-java@deb78e1e6 core/src/main/java/org/testcontainers/dockerclient/"
        "DockerClientProviderStrategy.java:204 ('Unknown DOCKER_HOST scheme {}, skipping the strategy test...')",
    ),
    Template(
        "node-invalid-url", "invalid-host", R_HOST, (("err_invalid_url", "typeerror: invalid url"),),
        unless=("registry", "https://", "http://"), extract="reason_line", endpoint="none",
        source="Node's WHATWG URL parser ('TypeError [ERR_INVALID_URL]: Invalid URL', lib/internal/url.js) on a "
        "DOCKER_HOST, as docker-modem/dockerode users (testcontainers-node, the VS Code extension) report it",
    ),
    Template(
        "vscode-host-setting", "invalid-host", R_HOST,
        (("environment variable `docker_host` is invalid", "it must include the protocol, for example"),),
        extract="reason_line", endpoint="none", client="ide-vscode",
        source="microsoft/vscode-docker@31ae3b61 src/docker/ContextManager.ts:445 ('The value provided for the "
        "setting `docker.host` or environment variable `DOCKER_HOST` is invalid. It must include the protocol')",
    ),
    Template(
        "vscode-context-parse", "config-parse", R_META, (("docker context could not be parsed",),),
        extract="reason_line", endpoint="none", client="ide-vscode",
        source="microsoft/vscode-docker@6289ab3b src/utils/dockerContextManager.ts:229",
    ),
    Template(
        "java-uri", "invalid-host", R_HOST,
        (("urisyntaxexception", "illegal character in authority", "illegal character in scheme name",
          "expected scheme-specific part", "expected authority at index", "illegal character in path at index",
          "illegal character in opaque part"),
         ("docker_host", "dockerhost", "docker.host", "tcp:", "unix:", "npipe:")),
        unless=("registry",), extract="reason_line", endpoint="none",
        source="JDK java/net/URI.java Parser.fail messages, as docker-java@002b6eb7 "
        "DefaultDockerClientConfig (URI.create of DOCKER_HOST / docker.host) and its users report them",
    ),
    Template(
        "url-parse-quoted", "invalid-host", R_HOST, (('parse "',), ("invalid character", "invalid port")),
        extract="reason_line", endpoint="none", source="Go net/url: parse \"HOST\": invalid character / invalid port",
    ),
    Template(
        "no-host-in-url", "invalid-host", R_HOST, (("no host in request url",),),
        extract="reason_line", cause=None,
        source="Go net/http: a unix path used as an http:/// URL (an old client's bug as often as a bad DOCKER_HOST)",
    ),
    Template(
        "ssh-not-a-docker-url", "ssh", R_SSH, (("is not a valid docker url",), ("ssh://",)),
        extract="ssh_reason", source="docker-py/k3x: an ssh:// URL where only tcp/unix were accepted",
    ),
    Template(
        "npipe-on-unix", "invalid-host", R_HOST,
        (("npipe:// protocol is only supported on windows", "fd protocol is not implemented"),),
        extract="reason_line", endpoint="none", source=_CLI + "opts/hosts_unix.go, opts/hosts.go parseDockerDaemonHost",
    ),
    # -- contexts -----------------------------------------------------------------------
    Template(
        "context-not-found", "context-not-found", R_CONTEXT,
        (("context not found", "does not exist", "is not found on the file system", "' not found"),
         ("context",)),
        extract="context_name", endpoint="none",
        source="docker/cli@28f756087e cli/context/store/metadatastore.go:76; " + _CLI + "cli/command/cli.go resolveContextName; "
        "testcontainers-dotnet@1717807a src/Testcontainers/Builders/DockerConfig.cs:126 (\"The Docker context 'NAME' "
        "does not exist.\")",
    ),
    Template(
        "context-no-docker-endpoint", "context-not-found", R_CONTEXT, (("docker endpoint for \"",),),
        extract="context_endpoint", endpoint="none", cause=None, client="compose",
        source=_CLI + "cli/context/docker/load.go EndpointFromContext (compose: the context has no docker endpoint)",
    ),
    Template(
        "context-cannot-find-endpoint", "context-not-found", R_CONTEXT,
        (("cannot find docker endpoint in context",),), endpoint="none", cause=None,
        source=_CLI + "cli/context/docker/load.go EndpointFromContext",
    ),
    Template(
        "context-meta", "config-parse", R_META, (("meta.json", "failed to read metadata"),),
        extract="meta_path", endpoint="none", source=_CLI + "cli/context/store/metadatastore.go",
    ),
    # -- API versions ------------------------------------------------------------------------
    Template(
        "api-too-new", "api-version", R_API, (("is too new",), ("version",)),
        extract="api_new", source="moby/moby@b985e2313a daemon/server/middleware/version.go:61",
    ),
    Template(
        "api-too-old", "api-version", R_API, (("is too old",), ("version",)),
        extract="api_old", versions="engine 25.0+ (floor 1.44 from 29.0)",
        source="moby/moby@b985e2313a daemon/server/middleware/version.go:59",
    ),
    Template(
        "api-requires", "api-version", R_API, (("requires api version",), ("daemon api version is",)),
        source="docker/cli@28f756087e cmd/docker/docker.go:688/720 ('\"--FLAG\" requires API version X, but the "
        "Docker daemon API version is Y' / 'docker CMD requires API version ...')",
    ),
    Template(
        "api-daemon-range", "api-version", R_API,
        (("invalid minimum api version (", "invalid default api version (", "the minimum api version (",
          "not supported in this api version"),),
        source="moby/moby@b985e2313a daemon/server/middleware/version.go:38/41/44 (DOCKER_MIN_API_VERSION / "
        "the default version out of range), daemon/server/router/image/image_routes.go:267 ('not supported in "
        "this API version; use API version 1.52 or later')",
    ),
    Template(
        "api-floor-bare", "api-version", R_API,
        (("minimum supported api version is", "maximum supported api version is"),),
        source="moby/moby@b985e2313a daemon/server/middleware/version.go:59/61 (the second sentence alone, "
        "as titles and wrapped pastes keep it)",
    ),
    Template(
        "api-not-supported-by-client", "api-version", R_API,
        (("api version",), ("is not supported by this client",)),
        extract="api_client", source=_MOBY + "client.go (NegotiateAPIVersion floor, v29)",
    ),
    Template(
        "api-invalid", "api-version", R_API, (("invalid api version (",),),
        extract="api_invalid", versions="29.0+", source=_MOBY + "client.go WithVersion, client/utils.go parseAPIVersion",
    ),
    Template(
        "api-mismatch-py", "api-version", R_API,
        (("client and server don't have same version", "client is newer than server"),),
        source="docker-py (old) / docker CLI <=1.12 wording",
    ),
    # -- TLS ------------------------------------------------------------------------------------
    Template(
        "machine-tls-check", "tls", R_TLS_HINT, (("error checking tls connection",),),
        extract="tls_tail", client="docker-machine",
        source="docker/machine@b170508b commands/env.go:89 (its cause, when shown, decides first)",
    ),
    Template(
        "http-to-https", "http-to-https", R_HTTPS, (("client sent an http request to an https server",),),
        extract="reply_https", source="Go net/http server.go (its reply to plain HTTP on a TLS port)",
    ),
    Template(
        "malformed-h2", "not-docker-api", R_HTTPS, (("malformed http response",),),
        extract="malformed_h2", source="verified: docker 20.10/28.2 against containerd's socket",
    ),
    # The same HTTP/2 server, when its SETTINGS frame arrives while Go's transport has no
    # request in flight: the connection is dropped as an idle channel's unsolicited answer.
    Template(
        "unsolicited-h2", "not-docker-api", R_HTTPS,
        (("unsolicited response received on idle http channel", "readlooppeekfaillocked"),),
        extract="unsolicited_h2",
        source="Go net/http transport.go persistConn.readLoopPeekFailLocked (the 'Unsolicited response "
        "received on idle HTTP channel starting with %q' log line and its error); seen from docker 28.2 "
        "against containerd 1.6's socket in tests/test_causes_real.py",
    ),
    Template(
        "malformed-tls", "http-to-https", R_HTTPS, (("malformed http response",),),
        extract="malformed_tls", source=_MOBY + "request.go doRequest (TLS-enabled daemon without TLS)",
    ),
    Template(
        "tls-daemon-hint", "http-to-https", R_TLS_HINT, (("tls-enabled daemon without tls",),),
        unless=("malformed http response",), source=_MOBY + "request.go doRequest (TLS-enabled daemon without TLS)",
    ),
    Template(
        "tls", "tls", R_TLS, (_TLS_WORDS,), unless=("error response from daemon",),
        extract="tls_tail", source=_MOBY + "request.go doRequest; docker/machine@b170508b commands/env.go:89",
    ),
    Template(
        "docker-java-cert-path", "tls", R_TLS, (("certificate path (docker_cert_path)",),),
        extract="reason_line", endpoint="none", client="docker-java",
        source="docker-java@002b6eb7 docker-java-core/src/main/java/com/github/dockerjava/core/"
        "DefaultDockerClientConfig.java:505/512/516 ('Enabled TLS verification (DOCKER_TLS_VERIFY=1) but "
        "certificate path (DOCKER_CERT_PATH) ... doesn't exist / is not defined'), @552b05db "
        "src/main/java/com/github/dockerjava/core/DockerClientConfig.java:114 (the older 'Certificate path "
        "(DOCKER_CERT_PATH) ... doesn't exist'): the client's TLS material is missing",
    ),
    Template(
        "tls-ca-missing", "tls", R_TLS, (("ca.pem", "cert.pem", "key.pem"), _NO_SUCH_FILE),
        extract="ca_missing",
        source=_CLI + "cli/flags/options.go DefaultCaFile/DefaultCertFile/DefaultKeyFile (the three files of "
        "DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem), cli/context/docker/load.go tlsConfig",
    ),
    # -- ssh ------------------------------------------------------------------------------------
    Template(
        "ssh-exit", "ssh", R_SSH, (("exit status",), ("dial-stdio", "ssh")),
        extract="ssh_exit", source=_CLI + "cli/connhelper/commandconn/commandconn.go",
    ),
    Template(
        "ssh-invalid", "ssh", R_SSH, (("ssh host connection is not valid", "invalid ssh url"),),
        extract="ssh_reason", source=_CLI + "cli/connhelper/ssh/ssh.go",
    ),
    Template(
        "ssh-stderr", "ssh", R_SSH_STDERR,
        (("ssh: connect to host", "ssh: could not resolve hostname", "permission denied (publickey",
          "host key verification failed", "ssh: handshake failed", "ssh: unable to authenticate",
          "kex_exchange_identification", "did not exit after", "ssh: rejected", "ssh: no key found",
          "ssh: this private key is passphrase protected", "sshexception", "novalidconnectionserror",
          "paramiko", "connection to bastion host", "knownhosts: key"),),
        extract="ssh_reason",
        source="OpenSSH / golang.org/x/crypto/ssh messages relayed by the CLI's ssh helper "
        "(docker/cli@28f756087e cli/connhelper/commandconn/commandconn.go:151/161) and podman "
        "(containers/podman@v3.4.0 pkg/bindings/connection.go:282 'Connection to bastion host (%s) failed.'; "
        "golang.org/x/crypto/ssh/knownhosts 'knownhosts: key is unknown' / 'key mismatch'): an errno of the "
        "ssh dial itself (a refused port) still wins",
    ),
    Template(
        "podman-ssh-setup", "ssh", R_SSH,
        (("failed to read identity", "failed to create new ssh session on", "failed to report its uds socket"),),
        extract="ssh_reason", client="podman",
        source="containers/common@f437c58a pkg/ssh/connection_golang.go:256 ('failed to read identity %q: %w': the "
        "ssh key of the connection or podman machine), :387 ('failed to create new ssh session on %q'), :407 "
        "('remote podman %q failed to report its UDS socket'): podman's ssh transport failed before any socket "
        "was reached; the errno of a missing key file is the key's, not the socket's",
    ),
    Template(
        "node-ssh2", "ssh", R_SSH_STDERR,
        (("all configured authentication methods failed", "timed out while waiting for handshake",
          "(ssh) channel open failure", "cannot parse privatekey", "handshake failed: no matching",
          "you must configure an ssh-agent"),),
        extract="reason_line",
        source="mscdex/ssh2@318d447 lib/client.js:261/863/1114, lib/utils.js:16, lib/protocol/kex.js:268 (the ssh "
        "library docker-modem uses for an ssh:// DOCKER_HOST: dockerode, testcontainers-node, the VS Code Docker "
        "extension); microsoft/vscode-docker@31ae3b61 src/docker/DockerodeApiClient/DockerodeUtils.ts:81 ('In "
        "order to use an SSH DOCKER_HOST, you must configure an ssh-agent.'): an errno of the dial (a refused "
        "port) still wins",
    ),
    Template(
        "machine-ssh", "ssh", R_SSH, (("running an ssh command",),), extract="ssh_reason", cause=None,
        client="docker-machine", source="docker/machine@b170508b libmachine/drivers (its own ssh into the VM)",
    ),
    Template(
        "ssh-missing", "ssh", R_SSH, (('exec: "ssh"',),), extract="ssh_missing", source=_CLI + "cli/connhelper/connhelper.go (exec of ssh)",
    ),
    # -- Windows named pipes ----------------------------------------------------------------------
    Template(
        "minikube-newgrp", "permission-denied", R_EACCES, (("provider_docker_newgrp",),), extract="eacces",
        client="minikube", source="kubernetes/minikube@eb25dbc703 pkg/minikube/registry/drvs/docker/docker.go:339",
    ),
    Template(
        "minikube-pipe", "named-pipe-missing", R_PIPE, (("provider_docker_pipe_not_found",),),
        client="minikube", source="kubernetes/minikube@eb25dbc703 pkg/minikube/registry/drvs/docker/docker.go:343",
    ),
    Template(
        "compose-v1-pipe-missing", "named-pipe-missing", R_PIPE,
        (("you might need to start docker for windows", "(code: 2)"),
         ("you might need to start docker for windows", "windows named pipe error:")),
        extract="reason_line", endpoint="none", client="compose-v1",
        source="docker/compose@1.29.2 compose/cli/errors.py:64-78 (log_windows_pipe_error: winerror 2, the pipe "
        "does not exist, prints 'You might need to start Docker for Windows'; others 'Windows named pipe error: "
        "MSG (code: N)')",
    ),
    Template(
        "compose-v1-pipe-denied", "permission-denied", R_EACCES, (("windows named pipe error:",), ("(code: 5)",)),
        extract="reason_line", endpoint="none", client="compose-v1",
        source="docker/compose@1.29.2 compose/cli/errors.py:74-77 (winerror 5 = ERROR_ACCESS_DENIED)",
    ),
    Template(
        "pipe-denied", "permission-denied", R_EACCES, (("pipe",), _ACCESS_DENIED),
        extract="pipe_denied", source=_MOBY + "request.go doRequest (Windows: open //./pipe/...: Access is denied.)",
    ),
    Template(
        "pipe-missing", "named-pipe-missing", R_PIPE, (("pipe", "(2, 'createfile'"),), unless=_ACCESS_DENIED,
        extract="pipe_missing",
        source=_MOBY + "request.go doRequest (open //./pipe/NAME: The system cannot find the file specified.)",
    ),
    # -- errno family (most specific first) ------------------------------------------------------
    Template(
        "eacces", "permission-denied", R_EACCES,
        (("while trying to connect", "connect: permission denied", "permissionerror", "errno 13",
          "eacces", "lasterrorexception: [13]", "[13] permission denied", "error(13,",
          "accessdeniedexception (/", "accessdeniedexception: /"),),
        unless=("config file",), extract="eacces",
        source=_MOBY + "request.go:171 (29+); v20.10/v23 client/request.go (older wordings); JDK "
        "java.nio.file.AccessDeniedException on the socket, as testcontainers-java@deb78e1e6 "
        "UnixSocketClientProviderStrategy.java:33 reports it ('Root cause AccessDeniedException (/var/run/docker.sock)')",
    ),
    Template(
        "eacces-sock", "permission-denied", R_EACCES,
        (("permission denied",), (".sock", "dial unix", "native connect() failed", "docker_engine", "connect(..) failed",
                                 "cannot create docker access object")),
        unless=("config file", *_CONTAINER_START), extract="eacces",
        source=_MOBY + "request.go doRequest (os.ErrPermission); Netty's native transport (netty/netty@netty-4.1.100.Final "
        "transport-native-unix-common/src/main/java/io/netty/channel/unix/Errors.java:166 METHOD + '(..) failed: ' + "
        "strerror; @0bb88a3e06 Errors.java:166 '(..) failed with error(N): '), as docker-java's netty transport and "
        "IDE plugins print it; fabric8io/docker-maven-plugin@1a939aae src/main/java/io/fabric8/maven/docker/service/"
        "DockerAccessFactory.java ('Cannot create docker access object ' + the socket's errno)",
    ),
    Template(
        "enoent", "socket-missing", R_ENOENT,
        (("no such file or directory", "filenotfounderror", "errno 2]", "connect enoent", "[2] no such file",
          "error(2, 'no such file"),
         ("dial unix", ".sock", "filenotfounderror", "errno 2]", "connect enoent", "lasterrorexception", "[2] no such file",
          "connect(..) failed", "cannot create docker access object",
          "unixsocket", "afunixsocket", "ioexception: no such file or directory", "com.spotify.docker",
          "error(2, 'no such file", "containerd-rootless", "/containerd")),
        unless=("meta.json", "ca.pem", "cert.pem", "key.pem", "config file", *_CONTAINER_START), extract="enoent",
        source=_MOBY + "request.go:177; docker-py transport/unixconn.py; docker-java LastErrorException; "
        "jnr-unixsocket UnixSocketChannel / junixsocket AFUNIXSocketException (spotify docker-client, docker-java); "
        "fabric8io/docker-maven-plugin@1a939aae DockerAccessFactory.java ('Cannot create docker access object ...')",
    ),
    Template(
        "enoent-named", "socket-missing", R_ENOENT,
        (("could not find unix domain socket", "socketnotfounderror", "nosuchfileexception (/",
          "docker socket not found", "socket not found"),),
        extract="enoent", source="testcontainers-java/-go socket strategies (go: internal/core/docker_host.go:27)",
    ),
    Template(
        "socket-does-not-exist", "socket-missing", R_ENOENT, (("does not exist",), (".sock",)),
        unless=("context",), extract="enoent", source="portainer/agent: 'Unix socket PATH does not exist'",
    ),
    Template(
        "refused", "connection-refused", R_REFUSED,
        (("connection refused", "connectionrefusederror", *_WIN_REFUSED, "econnrefused", "errno 111]",
          "refused to connect", "connection was refused", "is not listening", "provider_docker_refused",
          "connectexception: connection refused", "connectexception: failed to connect to", "connectionrefused: "),),
        unless=_REGISTRY, extract="refused",
        source="errno ECONNREFUSED as printed by Go, Python, Node, Java and .NET; Windows' WSAECONNREFUSED text "
        "in the display languages (_WIN_REFUSED)",
    ),
    Template(
        "apache-refused", "connection-refused", R_REFUSED,
        (("connection to http://", "connection to https://", "httphostconnectexception"), (" refused",)),
        extract="refused",
        source="Apache HttpClient HttpHostConnectException (docker-java's httpclient transports, the Gradle/Jenkins "
        "plugins): 4.0-4.2 'Connection to http://HOST:PORT refused', 4.3+ 'Connect to HOST:PORT [ADDRS] refused' "
        "when the ConnectException has no message",
    ),
    Template(
        "podman-schema", "invalid-host", R_HOST, (("unable to create connection.",), ("is not a supported schema",)),
        extract="reason_line", endpoint="none", client="podman",
        source="containers/podman@c6580b4a52 pkg/bindings/connection.go:164 (CONTAINER_HOST / connection URL scheme)",
    ),
    Template(
        "dns", "dns-failure", R_DNS, (_DNS_WORDS,), unless=_REGISTRY, extract="dns",
        source=_MOBY + "request.go:181 (DNS error wrapped), Go resolver texts",
    ),
    Template(
        "go-resolver", "dns-failure", R_RESOLVER, (("lookup ",), (":53: ",)),
        unless=_REGISTRY, extract="go_resolver",
        source="Go net.DNSError.Error() (go/src/net/net.go: 'lookup ' + Name + ' on ' + Server + ': ' + Err): "
        "the errno after the server (network is unreachable, read: connection refused, i/o timeout) "
        "is the DNS query's, not the daemon's (PLAN.md Decisions)",
    ),
    Template(
        "dns-lookup", "dns-failure", R_DNS, (("lookup ",), ("i/o timeout", "try again", "no such host")),
        unless=_REGISTRY, extract="dns", source="Go resolver: 'lookup docker on 10.0.0.2:53: ...' / musl EAI_AGAIN 'Try again'",
    ),
    Template(
        "timeout", "timeout", R_TIMEOUT,
        (("i/o timeout", "deadline exceeded", "timed out", "timeoutexception", "timeout waiting", "etimedout",
          "sockettimeoutexception", "readtimeouterror", "provider_docker_deadline_exceeded", *_WIN_TIMEOUT),),
        unless=_REGISTRY, extract="timeout",
        source="Go/Python/Java timeout texts; Windows' WSAETIMEDOUT text in the display languages (_WIN_TIMEOUT)",
    ),
    Template(
        "gateway-timeout", "timeout", R_TIMEOUT, (("gateway timeout",),), extract="timeout", cause=None,
        source="HTTP 504 from a proxy between the client and the daemon (not the daemon's network)",
    ),
    Template(
        "other-errno", "unknown", R_OTHER_ERRNO,
        (("connection reset by peer", "econnreset", "socket hang up", "an invalid argument was supplied",
          "bad response from docker engine", "connectionreseterror("),
         (".sock", "dial ", "read unix", "read tcp", "_ping", "npipe", "pipe/", "connect:", "error: read",
          "error: socket", "is docker installed and running", "connection aborted")),
        unless=("registry", "/v2/", "exit status", "stderr="),
        source="the errno shown decides (corpus rule: an errno shown beats the generic 'Is the docker daemon "
        "running?' around it): ECONNRESET (Go 'read: connection reset by peer', Node 'read ECONNRESET' / 'socket "
        "hang up', lib/_http_client.js) and Windows' WSAEINVAL (10022, 'An invalid argument was supplied.', "
        "winerror.h), Python's ConnectionResetError inside docker-py's ('Connection aborted.', ...) "
        "(docker/docker-py@afc6d1ee docker/api/client.py:231) on the connection name none of the symptoms: the endpoint answered and dropped, or the "
        "socket cannot be used from this side; it is not 'not running'. Likewise Docker Desktop's proxy "
        "answering 500 'Bad response from Docker engine' inside the same wrapper (corpus rule: an answer of "
        "the proxy is not a connection symptom)",
    ),
    Template(
        "python-error", "unknown", R_UNKNOWN,
        (("filenotfounderror", "permissionerror", "connectionrefusederror"),),
        extract="python_error", alone=True, source="docker-py: the OSError inside ConnectionError",
    ),
    # -- something answers, but not the Docker API ---------------------------------------------------
    Template(
        "not-docker-api", "not-docker-api", R_NOTAPI,
        (("page not found", "api returned a 404", "supports the requested api version", "error reading json"),),
        unless=("internal server error", " 500 ", "returned 500", "bad gateway", "502"),
        extract="after_colon", source=_MOBY + "request.go checkResponseErr (a 404 for the API route; a 500 is the engine's own failure)",
    ),
    # -- "no environment" from SDKs and tools -------------------------------------------------------
    Template(
        "no-environment-listed", "no-environment", R_NOENV,
        (("no <dockerhost> given", "no url given, no docker_host", "no docker_host environment variable, no read"),),
        endpoint="none",
        client="maven-plugin", source="fabric8io/docker-maven-plugin DockerAccessFactory (lists the places it tried)",
    ),
    Template(
        "python-no-docker-binary", "no-environment", R_ENOENT + 1,
        (("no such file or directory: 'docker'", "no such file or directory: \"docker\""),),
        unless=("no such file or directory: 'docker-", "no such file or directory: 'docker/"),
        endpoint="none",
        source="CPython subprocess (Modules/_posixsubprocess.c via OSError(errno, strerror, filename)): "
        "\"FileNotFoundError: [Errno 2] No such file or directory: 'docker'\" — the docker program is not "
        "installed, like Node's 'spawn docker ENOENT' and Go's 'exec: \"docker\": executable file not found'",
    ),
    Template(
        "compose-program-missing", "no-environment", R_ENOENT + 1,
        (("no such file or directory: 'docker-compose'", 'no such file or directory: "docker-compose"',
          "looking up compose provider failed", "no compose provider specified",
          "spawn docker-compose enoent", 'exec: "docker-compose": executable file not found',
          "docker-compose: command not found", "docker-compose: not found", "'docker-compose' is not recognized",
          'cannot run program "docker-compose"'),),
        endpoint="none", cause=None,
        source="the docker-compose program is not installed (a missing program, not a missing socket): CPython "
        "subprocess raises OSError(errno, strerror, filename) (Modules/_posixsubprocess.c, Lib/subprocess.py "
        "_execute_child) as \"FileNotFoundError: [Errno 2] No such file or directory: 'docker-compose'\", as "
        "testcontainers-python@c958e40c core/testcontainers/compose/compose.py and docker-compose wrappers run it; "
        "Node child_process 'spawn docker-compose ENOENT', Go os/exec 'exec: \"docker-compose\": executable file "
        "not found', Java ProcessBuilder 'Cannot run program \"docker-compose\"', the shells' 'command not found'; "
        "podman compose finding no provider (containers/podman@c6580b4a52 cmd/podman/compose.go:80/95)",
    ),
    Template(
        "tc-node-strategy-unreachable", "no-environment", R_NOENV,
        (("docker client strategy",), ("is not reachable",)), client="testcontainers-node",
        source="testcontainers/testcontainers-node@e26e7448 src/docker/client/docker-client.ts:57 "
        "(68e8cf9e src/docker/docker-client.ts:36): 'Docker client strategy NAME is not reachable'",
    ),
    Template(
        "tc-node-strategy-does-not-work", "no-environment", R_NOENV,
        (("container runtime strategy",), ("does not work", "is not applicable")), client="testcontainers-node",
        source="testcontainers/testcontainers-node@457707f3 packages/testcontainers/src/container-runtime/clients/"
        "client.ts:57/69 (each strategy's failure, logged before 'Could not find a working container runtime "
        "strategy'; an errno it quotes still wins)",
    ),
    Template(
        "tc-node-unsupported-protocol", "invalid-host", R_HOST, (("unsupported protocol: ",),),
        unless=("registry", "https://", "http://"), extract="reason_line", endpoint="none",
        source="testcontainers/testcontainers-node@457707f3 packages/testcontainers/src/container-runtime/"
        "utils/resolve-host.ts:43 (a DOCKER_HOST scheme it cannot use)",
    ),
    Template(
        "no-environment", "no-environment", R_NOENV, (_NOENV_WORDS,), endpoint="line",
        source=(
            "testcontainers-java@deb78e1e6 DockerClientProviderStrategy.java:230/267/275; "
            "-node@457707f3 container-runtime/clients/client.ts:63; "
            "-dotnet@1717807a Builders/AbstractBuilder`4.cs:185; -go@5dec9ddf8 provider.go:117, "
            "internal/core/docker_rootless.go:14; fabric8 docker-maven-plugin"
        ),
    ),
    # -- the generic "is it running?" -------------------------------------------------------------
    Template(
        "vscode-failed-to-connect", "daemon-not-running", R_NOENV + 1,
        (("failed to connect. is docker installed and running",),), client="ide-vscode",
        source="microsoft/vscode-docker@6289ab3b src/utils/callDockerode.ts:74, @31ae3b61 "
        "src/docker/DockerodeApiClient/DockerodeApiClient.ts:427 ('Failed to connect. Is Docker installed and "
        "running? Error: {0}'): a failed connection (its errno, when shown, wins), not a missing install",
    ),
    Template(
        "generic", "daemon-not-running", R_GENERIC, (_GENERIC_WORDS,),
        source=_MOBY + "errors.go:38/40, request.go:177/214; podman@c6580b4a52 cmd/podman/root.go:145, "
        "pkg/bindings/connection.go:54; compose 1.29.2 compose/cli/errors.py:66/118; testcontainers-node@e26e7448 "
        "src/docker/client/docker-client.ts:70; nerdctl@8da50408 pkg/clientutil/client.go:45/47, "
        "pkg/rootlessutil/parent_linux.go:75; lazydocker@7e7aadc2 pkg/i18n/*.go ConnectionFailed",
    ),
    Template(
        "vm-not-running", "daemon-not-running", R_GENERIC, (("not running",), ("colima", "rancher desktop")),
        source="a VM product says its VM is stopped: abiosoft/colima@05dea41e app/app.go (colimaApp.getStatus, "
        "currentRuntime: '%s is not running' with DisplayName 'colima' / 'colima [profile=NAME]'); "
        "rancher-sandbox/rancher-desktop@2c87288a resources/darwin/bin/nerdctl:11 ('Rancher Desktop is not "
        "running. Please start Rancher Desktop to use nerdctl')",
    ),
    Template(
        "nerdctl-no-buildkit", "daemon-not-running", R_GENERIC,
        (("no buildkit host is available", "`buildkitd` needs to be running"),), client="nerdctl",
        source="containerd/nerdctl@8da50408 pkg/buildkitutil/buildkitutil.go:87 ('no buildkit host is available, "
        "tried %d candidates: ...') and :126 ('`buildctl` needs to be installed and `buildkitd` needs to be "
        "running'): nerdctl build found no BuildKit daemon answering (an errno it quotes still wins)",
    ),
    Template(
        "machine-host-not-running", "daemon-not-running", R_GENERIC,
        (("host is not running", "cannot run ssh command: host"),), client="docker-machine",
        source="docker/machine@b170508b libmachine/drivers/drivers.go:75 (ErrHostIsNotRunning 'Host is not "
        "running', after commands/env.go:89 'Error checking TLS connection: '), commands/ssh.go:15: the "
        "machine's VM is stopped, which the TLS wrapper around it does not change",
    ),
    Template(
        "generic-py-aborted", "daemon-not-running", R_GENERIC,
        (("error while fetching server api version",), ("connection aborted",)),
        unless=("remotedisconnected",),
        source="docker/docker-py@afc6d1ee docker/api/client.py:231",
    ),
    Template(
        "during-connect", "unknown", R_UNKNOWN,
        (("error during connect", "an error occurred trying to connect"),),
        source=_MOBY + "request.go doRequest (the CLI's wrapper; the cause is what follows)",
    ),
)

# Words located in the whole text with str.find before any template is tried: every
# template's line holds at least one of them.
TRIGGERS: Final[tuple[str, ...]] = (
    "docker daemon",
    "docker api",
    "connect to docker",
    "is it running",
    "error during connect",
    "unsolicited response",
    "readlooppeekfaillocked",
    "failed to initialize",
    "docker endpoint",
    "permission denied",
    "permissionerror",
    "errno",
    "no such file",
    "filenotfounderror",
    "connection refused",
    "connectionrefused",
    "actively refused",
    "econnrefused",
    "enoent",
    "eacces",
    "no such host",
    "name or service not known",
    "nodename nor servname",
    "name resolution",
    "getaddrinfo",
    "unknownhost",
    "lookup ",
    "i/o timeout",
    "deadline exceeded",
    "timed out",
    "timeout",
    "x509",
    "tls",
    "ssl",
    "certificate",
    "https server",
    "https client",
    "malformed http response",
    "api version",
    "client version",
    "too old",
    "too new",
    "context not found",
    "' not found",
    "does not exist",
    "is not found on the file system",
    "meta.json",
    "failed to read metadata",
    "bind address",
    "parse docker host",
    "protocol not available",
    "invalid proto",
    "only supported on windows",
    "protocol is not implemented",
    "config file",
    "exit status",
    "dial-stdio",
    "ssh",
    "pipe",
    "createfile",
    "unix domain socket",
    "nosuchfileexception",
    "socketnotfound",
    "socket not found",
    "page not found",
    "returned a 404",
    "supports the requested api version",
    "error reading json",
    "docker environment",
    "container runtime strategy",
    "rootless docker not found",
    "may not be installed",
    "docker provider",
    "not running or misconfigured",
    "dockerunavailable",
    "dockerhost",
    "docker_host",
    "docker is not",
    "docker not",
    "cannot find docker",
    "docker running",
    "docker is running",
    "daemon running",
    "could not be found in this wsl",
    "emulate docker cli using podman",
    "podman",
    "error while fetching server",
    "connection aborted",
    "pinging docker",
    "lasterrorexception",
    ".sock",
    "%2f",
    "same version",
    "newer than server",
    "detect a docker",
    "ca.pem",
    "cert.pem",
    "key.pem",
    "private key",
    "unable to find ca",
    "while trying to connect",
    "server misbehaving",
    "does not resolve",
    "associated with hostname",
    "etimedout",
    "trying to connect",
    "not running",
    "failed to reach docker",
    "docker client failed",
    "error initializing docker client",
    "docker endpoint",
    "unknown host",
    "try again",
    "pkix",
    "validatorexception",
    "mustextractdockerhost",
    "docker is installed",
    "build to docker daemon failed, perhaps",
    'program "docker"',
    "failed to connect to",
    "error(13,",
    "error(2,",
    "no url given",
    "gateway timeout",
    "ssh command",
    "no host in request url",
    "valid docker url",
    "docker socket",
    "start the docker daemon",
    "spawn docker",
    'exec: "docker"',
    "command not found",
    "is not recognized",
    "no read",
    "protocol scheme",
    "path segment",
    "too many colons",
    "missing port",
    'parse "',
    "ssh: ",
    "publickey",
    "host key verification",
    "kex_exchange",
    "sshclient",
    "sshexception",
    "novalidconnections",
    "paramiko",
    "did not exit after",
    "refused to connect",
    "was refused",
    "is not listening",
    "provider_docker",
    "drv_docker",
    "docker service",
    "docker not available",
    "docker installed",
    "docker client strategy",
    "valid docker connection",
    "install docker",
    "installed",
    "docker: not found",
    "find docker",
    "daemon is not running",
    "reach the docker daemon",
    "reach docker",
    "docker desktop is not running",
    "docker engine is not running",
    "'docker daemon' running",
    *_WIN_REFUSED,
    *_WIN_TIMEOUT,
    "self signed",
    "self-signed",
    "first certificate",
    "local issuer certificate",
    "self_signed",
    "leaf_signature",
    "altname_invalid",
    "wrong version number",
    "docker daemon is not reachable",
    "containerd not running",
    "containerd socket",
    "docker 客户端",
    "docker client mislukt",
    "client docker",
    "docker client fehlgeschlagen",
    "z dockerem",
    "cliente docker",
    "con el docker client",
    "docker bağlantısı",
    "api version is",
    "docker client strategy",
    "unsupported protocol: ",
    "unixsocket",
    "does not work",
    "is not applicable",
    "drv_not",
    "possible driver",
    "none were healthy",
    "urisyntaxexception",
    "illegal character in",
    "scheme-specific part",
    "expected authority",
    "ioexception: no such file",
    "x509 key pair",
    "err_invalid_url",
    "invalid url",
    "enotfound",
    "eai_again",
    "docker for windows",
    "default driver",
    "provider_docker_not",
    "provider_podman_not",
    "provider was not found",
    " refused",
    "supported schema",
    "accessdeniedexception",
    "docker_host scheme",
    "is docker installed and running",
    "`docker_host` is invalid",
    "must include the protocol",
    "context could not be parsed",
    "from pem",
    "pem data",
    "does not match public key",
    "system certificates",
    "requires api version",
    'exec: "docker-compose"',
    'program "docker-compose"',
    "docker-compose: not found",
    "failed to read identity",
    "uds socket",
    "bastion host",
    "knownhosts",
    "reset by peer",
    "econnreset",
    "socket hang up",
    "invalid argument was supplied",
    "podman running",
    "podman installed",
    "authentication methods failed",
    "waiting for handshake",
    "channel open failure",
    "parse privatekey",
    "handshake failed",
    "ssh-agent",
    "bad response from docker engine",
    "connect to server",
    "resolve host",
    "host is not running",
    "cannot run ssh command",
    "starting process 'command 'docker''",
    "could not start 'docker'",
    "connectionreseterror",
    "compose provider",
    "detect docker host",
    "buildkit host is available",
    "needs to be running",
    "docker access object",
)

# The triggers searched in the middle of a long text (see normalise.candidate_spans):
# the words of the commonest failures, each also a trigger or containing one.
CORE_TRIGGERS: Final[tuple[str, ...]] = (
    "docker daemon",
    "docker api",
    "error during connect",
    "permission denied",
    "no such file",
    "connection refused",
    "pipe",
    "x509",
    "tls",
    "context not found",
    "too old",
    "too new",
    "docker environment",
    "podman",
)

# Clients named by what surrounds the message (stack frames, banners, URLs), in order.
CLIENT_MARKERS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("podman-docker", ("emulate docker cli using podman",)),
    ("podman", ("cannot connect to podman", "unable to connect to podman", "podman system connection", "/libpod/")),
    (
        "testcontainers-java",
        ("org.testcontainers", "clientproviderstrategy", "o.t.d.", "testcontainers.org", "java.testcontainers"),
    ),
    (
        "testcontainers-dotnet",
        ("dotnet.testcontainers", "docker is either not running or misconfigured", "dockerunavailableexception",
         "testcontainers.builders", "testcontainers.containers."),
    ),
    (
        "testcontainers-node",
        ("container runtime strategy", "node_modules/testcontainers", "testcontainers [", "testcontainers:containers",
         "docker client strategy"),
    ),
    (
        "testcontainers-go",
        ("testcontainers-go", "rootless docker not found", "mustextractdockerhost", "github.com/testcontainers/",
         "failed to create docker provider"),
    ),
    ("testcontainers-python", ("testcontainers/core", "testcontainers.core", "site-packages/testcontainers")),
    ("docker-java", ("com.github.dockerjava",)),
    ("spotify-docker-client", ("com.spotify.docker",)),
    ("maven-plugin", ("docker-maven-plugin", "dockerfile-maven", "no <dockerhost> given")),
    ("jib", ("jib-maven-plugin", "jib-gradle-plugin", "com.google.cloud.tools.jib")),
    ("spring-boot", ("spring-boot-maven-plugin", "bootbuildimage", "org.springframework.boot.buildpack")),
    ("gradle-plugin", ("com.bmuschko", "gradle-docker-plugin", "palantir.docker")),
    ("docker-machine", ("docker-machine", "error checking tls connection", "regenerate-certs")),
    ("terraform", ("terraform", "kreuzwerker")),
    ("gitlab-runner", ("gitlab-runner", "using docker executor", "preparation failed:")),
    ("ide-vscode", ("vscode-docker.", "failed to connect. is docker installed and running", "must include the protocol, "
                    "for example, ssh://", "docker context could not be parsed")),
    ("nerdctl", ("nerdctl", "rootless containerd not running?", "cannot access containerd socket")),
    ("minikube", ("provider_docker_not_running", "minikube start", "minikube ")),
    ("kind", ("kind create cluster", "sigs.k8s.io/kind")),
    ("k3d", ("k3d ",)),
    ("lazydocker", ("lazydocker", "you may need to restart the docker client")),
    (
        "compose-v1",
        (
            "http+docker://",
            "http+unix://",
            "compose/cli/",
            "specify the url with the docker_host environment variable",
            "failed to execute script docker-compose",
            "docker-compose returned",
            "docker-compose==1.",
            "docker-compose version 1.",
            "you might need to start docker for windows",
            "windows named pipe error:",
            "' failed to build",
        ),
    ),
    (
        "buildx",
        (
            "failed to initialize builder",
            "error: failed to build",
            "error: failed to solve",
            "docker-buildx",
            "buildx_buildkit",
            "docker buildx",
            "buildx/activity",
        ),
    ),
    (
        "compose",
        (
            "com.docker.compose",
            "unable to get image",
            "docker compose version v2",
            "[+] running",
            "[+] building",
            'docker endpoint for "',
        ),
    ),
    (
        "docker-py",
        (
            "error while fetching server api version",
            "docker.errors.",
            "dockerexception",
            "unixhttpconnectionpool",
            "docker/api/client.py",
            "docker/transport/",
            "('connection aborted.'",
            "400 client error",
            "404 client error",
            "httpconnectionpool(",
            "docker.context.",
        ),
    ),
)

# Messages the docker CLI prints at the start of a line (after log prefixes).
CLI_STARTS: Final[tuple[str, ...]] = (
    "cannot connect to the docker daemon",
    "got permission denied while trying",
    "permission denied while trying to connect",
    "failed to connect to the docker api",
    "error during connect",
    "failed to initialize",
    "docker: ",
    "error response from daemon",
    "warning: error",
    "error parsing config file",
    "error loading config file",
    "unable to resolve docker endpoint",
    "invalid bind address",
    'context "',
    "an error occurred trying to connect",
    "get http",
    "post http",
    'get "http',
    'post "http',
    'head "http',
    "open //./pipe",
    "open \\\\.\\pipe",
    "the command 'docker'",
    "current context",
    "conflicting options",
    "this error may",
    "in the default daemon configuration",
    "protocol not available",
    "ssh host connection",
    "invalid api version",
)

# CLI version ranges suggested by a wording: the same messages compared across docker/cli tags
# v19.03.0 … v29.7.2 (cli/command/cli.go, cli/config/config.go, cli/connhelper, and the moby
# client's request.go vendored at each tag).
VERSION_HINTS: Final[tuple[tuple[str, str], ...]] = (
    ("Got permission denied while trying to connect to the Docker daemon socket", "<=20.10"),
    ("permission denied while trying to connect to the Docker daemon socket", "23.0-28.x"),
    ("permission denied while trying to connect to the docker API at", "29.0+"),
    ("failed to connect to the docker API at", "29.0+"),
    ("Cannot connect to the Docker daemon. Is the docker daemon running on this host?", "<=1.12"),
    ("This error may also indicate that the docker daemon is not running.", "17.x-19.03"),
    ("This error may indicate that the docker daemon is not running.:", "20.10"),
    ("client must be run with elevated privileges to connect.:", "20.10"),
    ("this error may indicate that the docker daemon is not running:", "23.0-28.x"),
    ("in the default daemon configuration on Windows, the docker client must be run with", "23.0-28.x"),
    ("WARNING: Error parsing config file (", "28.0+"),
    ("Error loading config file: open ", "27.0+"),
    (": : ", "27.x"),
    ("Error loading config file", "<=26.1"),
    ('" does not exist', "19.03-20.10"),
    ("is not found on the file system, please check your config file", "19.03-20.10"),
    ("unable to resolve docker endpoint: Invalid bind address", "19.03-20.10"),
    ("Invalid bind address format", "<=20.10"),
    ("invalid bind address format", "23.0+"),
    ("please make sure the URL is valid, and Docker 18.09", "19.03-26.x"),
    ("make sure the URL is valid, and Docker 18.09", "27.0+"),
    ("The server probably has client authentication (--tlsverify) enabled. Please check", "<=20.10"),
    ("the server probably has client authentication (--tlsverify) enabled; check", "23.0+"),
    ("invalid API version (", "29.0+"),
    ("conflicting options: cannot specify both --host and --context", "28.0+"),
    ("conflicting options: either specify --host or --context, not both", "23.0-27.x"),
    ("Failed to initialize: ", "23.0+"),
    ("Run 'docker run --help' for more information", "28.0-29.1.2"),
    ("See 'docker run --help'.", "<=27.x"),
)
HINT_CLIENTS: Final = frozenset({"docker-cli", "buildx", "compose", "unknown"})

# The cause a symptom supports on its own, and the network symptoms, whose cause depends on
# the scheme: read from the one symptom table (doctor/knowledge/outcomes.py).
FIXED_CAUSE: Final[dict[str, str]] = {s: m.cause for s, m in SYMPTOMS.items() if m.cause is not None}
NETWORK_SYMPTOMS: Final = frozenset(s for s, m in SYMPTOMS.items() if m.network)
