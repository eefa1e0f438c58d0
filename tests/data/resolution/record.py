"""Re-record recorded.json: run each case through the installed docker CLIs.

    python3 tests/data/resolution/record.py      # needs /usr/local/bin/docker and/or /usr/bin/docker

Each case is a HOME with ~/.docker/config.json, contexts and ca.pem, an
environment and docker's global flags; the CLI runs `docker ps` against dead
endpoints and its stderr (the last line, tmp path replaced by {home}) is kept
per CLI version. tests/test_resolve.py checks cdoctor's resolution against it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).parent
CASES = json.loads((HERE / "cases.json").read_text())
CLIS = ("/usr/local/bin/docker", "/usr/bin/docker")


def version(cli: str) -> str:
    out = subprocess.run([cli, "--version"], capture_output=True, text=True, check=False).stdout
    m = re.match(r"Docker version (\d+\.\d+\.\d+)", out)
    assert m, out
    return m[1]


def run(cli: str, case: dict) -> str:
    tmp = tempfile.mkdtemp(prefix="cdr-", dir="/tmp")
    try:
        home = Path(tmp) / "h"
        cfg = home / ".docker"
        cfg.mkdir(parents=True)
        if case.get("config_json") is not None:
            (cfg / "config.json").write_text(case["config_json"])
        if case.get("ca_pem"):
            shutil.copy(HERE / "ca.pem", cfg / "ca.pem")
        for name, meta in case.get("contexts", {}).items():
            d = cfg / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
            d.mkdir(parents=True)
            (d / "meta.json").write_text(meta.replace("{home}", str(home)))
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
        env.update({k: v.replace("{home}", str(home)) for k, v in case.get("env", {}).items()})
        argv = [a.replace("{home}", str(home)) for a in case.get("argv", [])]
        p = subprocess.run(["timeout", "10", cli, *argv, "ps"], capture_output=True, text=True, env=env, cwd=tmp, check=False)
        lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
        return (lines[0] if lines and lines[0].startswith("panic:") else (lines[-1] if lines else "")).replace(str(home), "{home}").replace(quote(str(home), safe=""), "{home_q}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    out = {"_source": "recorded by tests/data/resolution/record.py from cases.json; stderr of `docker ps`, last line"}
    clis = [c for c in CLIS if os.path.exists(c)]
    for case in CASES:
        out[case["id"]] = {version(c): run(c, case) for c in clis}
    (HERE / "recorded.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
