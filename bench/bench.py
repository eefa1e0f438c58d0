"""cdoctor's speed, measured side by side with the docker CLI and the Python import floor.

    python3 bench/bench.py                 # start containerd+dockerd, measure, print the table
    python3 bench/bench.py --check         # … and exit 1 when a budget is missed beyond the tolerance
    python3 bench/bench.py --host unix:///path/docker.sock   # use an engine that is already running

Scenarios (each command runs as a fresh process, like a person runs it; the
commands of one scenario are interleaved run by run so that they share the
machine's noise; medians are reported):

- healthy: `cdoctor diagnose --format json` against `docker info`,
  `docker version` and the floor `python -c "import typer, docker, psutil, tabulate"`
  on the same engine;
- wedged: 20 contexts whose sockets accept and never answer (14 unix, 6 loopback
  TCP) plus a healthy current context;
- crowd: 300 contexts (missing sockets, refused loopback ports) and 2,000 extra
  sleeping processes, with a healthy current context;
- explain: `cdoctor explain --offline` on a 10 MB log, and the reader's time per
  MB at 1, 5 and 10 MB in-process (linear: 10 MB costs ~10x 1 MB).

Budgets (issue #6) and the tolerance that --check allows are below. Absolute
times on a shared 2-core machine vary from run to run; ratios much less.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The running interpreter, venv included: its realpath would leave the venv and
# lose the installed dependencies. (sys.executable is never a pyenv shim.)
PY = sys.executable
CDOCTOR = [PY, "-c", "import sys; from doctor.main import main; sys.exit(main())"]  # what the console script runs
FLOOR = [PY, "-c", "import typer, docker, psutil, tabulate"]
DEFAULT_TIMEOUT = 3.0

# Budgets of issue #6.
BUDGET_FLOOR_RATIO = 1.3  # healthy diagnosis / import floor
BUDGET_WEDGED_OVER = 0.3  # wedged: at most one deadline + this
BUDGET_CROWD = 1.0  # 300 contexts + 2,000 processes, seconds
BUDGET_EXPLAIN_10MB = 2.0  # explain --offline on 10 MB, seconds
BUDGET_LINEAR = 15.0  # reader time at 10 MB / at 1 MB (10 is linear; more means super-linear)
# Issue 10's goal, reported beside the budgets but not enforced by --check: a healthy
# cdoctor within 4x `docker info` on the same engine. The interpreter's own start
# (`python -c pass`, measured beside it) and the run's programs and probes (each docker
# CLI's --version, ctr when the engine shows no containers, /_ping, /version, /info, the
# socket inventory) keep it above that on this machine kind; see README.
GOAL_DOCKER_INFO_RATIO = 4.0
PYTHON_START = [PY, "-c", "pass"]  # the interpreter (and venv) start alone: no Python program starts faster
# --check tolerance: the median of several interleaved runs still moves by up to
# ~10% between whole suite runs on this shared 2-core machine (other test suites
# run beside it); 15% of the budget (and at least 0.1 s for absolute budgets) keeps
# a real regression visible while not failing CI on a busy neighbour.
TOLERANCE = 0.15
MIN_SLACK = 0.1
# The absolute budgets hold for an idle machine of this kind, where the import floor
# takes about this long (0.29–0.40 s measured). When neighbours slow the machine down,
# the floor (pure Python start-up and imports, no cdoctor) slows by the same factor,
# and so do the seconds-budgets; the wedged budget's deadline part is wall-clock and
# does not scale, only its 0.3 s overhead does. Both figures are printed.
REFERENCE_FLOOR = 0.40


def run(argv: list[str], env: dict[str, str], stdin: bytes | None = None, timeout: float = 120) -> tuple[float, int, bytes, bytes]:
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, input=stdin, capture_output=True, timeout=timeout, check=False, cwd="/")
    return time.perf_counter() - started, proc.returncode, proc.stdout, proc.stderr


def base_env(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "LANG": "C.UTF-8",
        "CI": "true",
    }


def median_of(cmds: dict[str, tuple[list[str], dict[str, str]]], runs: int, warmup: int = 1) -> dict[str, dict]:
    """Run every command `runs` times, interleaved; the medians, and the last output of each."""
    times: dict[str, list[float]] = {k: [] for k in cmds}
    last: dict[str, tuple[int, bytes, bytes]] = {}
    for i in range(warmup + runs):
        for name, (argv, env) in cmds.items():
            seconds, rc, out, err = run(argv, env)
            last[name] = (rc, out, err)
            if i >= warmup:
                times[name].append(seconds)
    return {
        name: {
            "median": statistics.median(ts),
            "min": min(ts),
            "max": max(ts),
            "runs": len(ts),
            "rc": last[name][0],
            "stdout": last[name][1],
            "stderr": last[name][2].decode("utf-8", "replace")[-2000:],
        }
        for name, ts in times.items()
    }


def write_context(config: Path, name: str, host: str) -> None:
    meta = config / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True, exist_ok=True)
    doc = {"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": False}}}
    (meta / "meta.json").write_text(json.dumps(doc))


def config_with(tmp: Path, name: str, contexts: dict[str, str], current: str) -> Path:
    config = tmp / name
    config.mkdir()
    for ctx, host in contexts.items():
        write_context(config, ctx, host)
    (config / "config.json").write_text(json.dumps({"currentContext": current}))
    return config


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when we return: connections are refused


@contextlib.contextmanager
def engine(host: str | None, tmp: Path) -> Iterator[str]:
    if host:
        yield host
        return
    from tests.engines import Containerd, Dockerd

    with Containerd(tmp / "e") as ctrd, Dockerd(tmp / "e", ctrd) as dockerd:
        yield dockerd.host


@contextlib.contextmanager
def sleepers(n: int) -> Iterator[int]:
    """`n` cheap sleeping processes, killed (by pid) afterwards."""
    sleep = shutil.which("sleep") or "/bin/sleep"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(n):
            procs.append(subprocess.Popen([sleep, "600"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL))
        yield len(procs)
    finally:
        for p in procs:
            with contextlib.suppress(OSError):
                p.send_signal(signal.SIGKILL)
        for p in procs:
            with contextlib.suppress(Exception):
                p.wait(5)


def make_log(size: int) -> str:
    """A noisy log of `size` characters: real pastes, daemon log lines, long lines, and one error at the end."""
    pastes = ROOT / "tests" / "data" / "explain" / "pastes"
    real = "".join(p.read_text(errors="replace") for p in sorted(pastes.glob("*.txt"))) if pastes.is_dir() else ""
    lines = [
        real,
        'time="2024-05-01T10:00:00.000000000Z" level=info msg="Loading containers: start."\n',
        "Step 3/12 : RUN apt-get update && apt-get install -y curl\n",
        "#8 12.34 Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]\n",
        "error: " + "a" * 5000 + "\n",
        "unix:///" + "x/" * 2000 + "\n",
        "Error response from daemon: " + "(" * 3000 + "\n",
        " " * 4000 + "docker: \n",
        "http://%2Fvar%2Frun%2Fdocker.sock/v1.44/" + "%2F" * 1500 + "\n",
    ]
    block = "".join(lines)
    out = block * (size // len(block) + 1)
    tail = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"
    return out[: size - len(tail)] + tail


def explain_linear(sizes: tuple[int, ...] = (1, 5, 10)) -> dict[str, float]:
    from doctor.run.pipeline import explain_reading

    result = {}
    for mb in sizes:
        text = make_log(mb * 1024 * 1024)
        best = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            explain_reading(text)
            best = min(best, time.perf_counter() - started)
        result[f"{mb}MB"] = best
    return result


def ok_doc(out: bytes) -> dict | None:
    try:
        doc = json.loads(out)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def bench(args: argparse.Namespace) -> dict:
    from tests.zoo import Zoo

    results: dict = {"python": sys.version.split()[0], "runs": args.runs, "timeout": DEFAULT_TIMEOUT}
    docker_cli = shutil.which("docker")
    tmp = Path(tempfile.mkdtemp(prefix="cdb-", dir="/tmp"))
    try:
        home = tmp / "home"
        home.mkdir()
        with engine(args.host, tmp) as host:
            env = {**base_env(home), "DOCKER_HOST": host}
            cmds: dict[str, tuple[list[str], dict[str, str]]] = {
                "floor": (FLOOR, env),
                "cdoctor": ([*CDOCTOR, "diagnose", "--format", "json"], env),
                "python -c pass": (PYTHON_START, env),
            }
            if docker_cli:
                cmds["docker info"] = ([docker_cli, "info"], env)
                cmds["docker version"] = ([docker_cli, "version"], env)
            healthy = median_of(cmds, args.runs)
            doc = ok_doc(healthy["cdoctor"]["stdout"])
            results["healthy"] = {k: {x: y for x, y in v.items() if x != "stdout"} for k, v in healthy.items()}
            results["healthy"]["status"] = doc["diagnosis"]["status"] if doc else None

            with Zoo() as zoo:
                contexts = {f"wedged-{i}": zoo.unix("silent") for i in range(14)}
                contexts.update({f"wedged-tcp-{i}": zoo.tcp("silent") for i in range(6)})
                contexts["healthy"] = host
                config = config_with(tmp, "wedged", contexts, "healthy")
                wenv = {**base_env(home), "DOCKER_CONFIG": str(config)}
                wedged = median_of({"cdoctor": ([*CDOCTOR, "diagnose", "--format", "json"], wenv)}, max(3, args.runs // 2), warmup=0)["cdoctor"]
                wdoc = ok_doc(wedged.pop("stdout"))
                wedged["status"] = wdoc["diagnosis"]["status"] if wdoc else None
                wedged["tool_timeout"] = wdoc["tool"]["timeout"] if wdoc else None
                results["wedged"] = wedged

            port = closed_port()
            contexts = {f"ctx-{i}": f"unix://{tmp}/missing-{i}.sock" for i in range(250)}
            contexts.update({f"tcp-{i}": f"tcp://127.0.0.1:{port}" if i % 2 else f"tcp://127.0.0.{1 + i % 3}:{port}" for i in range(50)})
            contexts["healthy"] = host
            config = config_with(tmp, "crowd", contexts, "healthy")
            cenv = {**base_env(home), "DOCKER_CONFIG": str(config)}
            with sleepers(args.processes) as n:
                crowd = median_of({"cdoctor": ([*CDOCTOR, "diagnose", "--format", "json"], cenv)}, args.runs)["cdoctor"]
            cdoc = ok_doc(crowd.pop("stdout"))
            crowd["status"] = cdoc["diagnosis"]["status"] if cdoc else None
            crowd["processes_scanned"] = (cdoc or {}).get("collected", {}).get("processes", {}).get("scanned")
            crowd["sleepers"] = n
            crowd["contexts"] = len(contexts)
            results["crowd"] = crowd

        log = tmp / "10mb.log"
        log.write_text(make_log(10 * 1024 * 1024))
        explain = median_of(
            {"explain": ([*CDOCTOR, "explain", "--offline", "--format", "json", "--file", str(log)], base_env(home))},
            max(3, args.runs // 2),
            warmup=0,
        )["explain"]
        edoc = ok_doc(explain.pop("stdout"))
        explain["symptom"] = edoc["explain"]["symptom"] if edoc else None
        explain["reader"] = explain_linear()
        results["explain"] = explain
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def load_factor(r: dict) -> float:
    """How much slower than an idle machine this one is now (1.0 when idle or faster)."""
    return max(1.0, r["healthy"]["floor"]["median"] / REFERENCE_FLOOR)


def verdicts(r: dict) -> list[tuple[str, float, float, bool, bool]]:
    """(name, measured, budget, within budget, within budget + tolerance)."""
    h = r["healthy"]
    out = []
    load = load_factor(r)

    def add(name: str, value: float, budget: float, absolute: bool) -> None:
        slack = max(budget * TOLERANCE, MIN_SLACK if absolute else 0.0)
        out.append((name, value, budget, value <= budget, value <= budget + slack))

    add("healthy / import floor", h["cdoctor"]["median"] / h["floor"]["median"], BUDGET_FLOOR_RATIO, False)
    add("wedged, 20 endpoints (s)", r["wedged"]["median"], DEFAULT_TIMEOUT + BUDGET_WEDGED_OVER * load, True)
    add("300 contexts + 2,000 processes (s)", r["crowd"]["median"], BUDGET_CROWD * load, True)
    add("explain --offline 10 MB (s)", r["explain"]["median"], BUDGET_EXPLAIN_10MB * load, True)
    reader = r["explain"]["reader"]
    add("explain reader 10 MB / 1 MB", reader["10MB"] / max(reader["1MB"], 1e-6), BUDGET_LINEAR, False)
    return out


def report(r: dict) -> str:
    h = r["healthy"]
    floor = h["floor"]["median"]
    lines = [f"cdoctor benchmark — Python {r['python']}, {r['runs']} runs each, medians (min–max)", ""]
    lines.append("healthy engine                         median    ratio to floor")
    for name in ("floor", "cdoctor", "docker info", "docker version", "python -c pass"):
        if name in h:
            m = h[name]
            lines.append(f"  {name:<34} {m['median']:6.3f}s   {m['median'] / floor:5.2f}x   ({m['min']:.3f}–{m['max']:.3f}) rc={m['rc']}")
    if "docker info" in h:
        ratio = h["cdoctor"]["median"] / h["docker info"]["median"]
        goal = "within" if ratio <= GOAL_DOCKER_INFO_RATIO else "above"
        lines.append(f"  cdoctor / docker info              {ratio:6.1f}x  ({goal} the {GOAL_DOCKER_INFO_RATIO:g}x goal)")
        lines.append(f"  cdoctor / docker version           {h['cdoctor']['median'] / h['docker version']['median']:6.1f}x")
        if "python -c pass" in h:
            start = h["python -c pass"]["median"]
            lines.append(f"  cdoctor past python's own start    {(h['cdoctor']['median'] - start) / h['docker info']['median']:6.1f}x"
                         f" docker info  (python -c pass alone: {start / h['docker info']['median']:.1f}x)")  # fmt: skip
    lines.append(f"  status: {h.get('status')}")
    w, c, e = r["wedged"], r["crowd"], r["explain"]
    lines.append("")
    lines.append(f"wedged: 20 silent endpoints + healthy context   {w['median']:6.3f}s  (deadline {w['tool_timeout']}s; status {w['status']}, rc={w['rc']})")
    lines.append(f"crowd: {c['contexts']} contexts + {c['sleepers']} processes      {c['median']:6.3f}s  (scanned {c['processes_scanned']} processes; status {c['status']}, rc={c['rc']})")
    reader = e["reader"]
    lines.append(f"explain --offline, 10 MB log                    {e['median']:6.3f}s  (symptom {e['symptom']}, rc={e['rc']})")
    lines.append("  reader in-process: " + ", ".join(f"{k} {v:.3f}s" for k, v in reader.items()))
    lines.append("")
    lines.append(
        f"budgets (tolerance {TOLERANCE:.0%} for --check; machine load factor {load_factor(r):.2f}: "
        f"import floor {floor:.3f}s vs {REFERENCE_FLOOR:.2f}s idle, seconds-budgets scaled by it)"
    )
    for name, value, budget, within, tolerated in verdicts(r):
        mark = "ok" if within else ("ok (within noise)" if tolerated else "MISSED")
        lines.append(f"  {name:<38} {value:7.3f}  budget {budget:6.2f}   {mark}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (medians)")
    parser.add_argument("--processes", type=int, default=2000)
    parser.add_argument("--host", help="an engine that already runs (else containerd+dockerd are started)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--check", action="store_true", help="exit 1 when a budget is missed beyond the tolerance")
    args = parser.parse_args(argv)
    r = bench(args)
    print(report(r), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=2, default=str))
    failed = [v for v in verdicts(r) if not v[4]]
    broken = [
        name
        for name, part in (("healthy", r["healthy"]["cdoctor"]), ("wedged", r["wedged"]), ("crowd", r["crowd"]))
        if part["rc"] not in (0, 1, 2) or "Traceback" in part["stderr"]
    ]
    if broken:
        print(f"cdoctor failed to run in: {', '.join(broken)}", file=sys.stderr)
    return 1 if args.check and (failed or broken) else 0


if __name__ == "__main__":
    sys.exit(main())
