"""Installed engines: binaries on PATH, systemd units, product directories."""

from __future__ import annotations

import contextlib
import os

from doctor.facts import Facts
from doctor.facts.keys import ENVIRONMENT
from doctor.facts.types import Installed
from doctor.gather.threads import which
from doctor.knowledge.products import BINARIES, UNIT_DIRS, UNITS, install_dirs
from doctor.run.context import RunContext


def _gather_installed(facts: Facts) -> Installed:
    ctx = _ctx(facts)
    env = facts.get(ENVIRONMENT)
    path = ctx.env.get("PATH", os.defpath) + ":/usr/sbin:/usr/local/sbin:/sbin"
    binaries = {}
    for name in BINARIES:
        found = which(name, path=path)
        if found:
            binaries[name] = found
    units = []
    home = env.user.home
    unit_dirs = [*UNIT_DIRS, f"{home}/.config/systemd/user"] if home else list(UNIT_DIRS)
    for d in unit_dirs:
        for unit in UNITS:
            with contextlib.suppress(OSError):
                if os.path.exists(f"{d}/{unit}"):
                    units.append(f"{d}/{unit}")
    found_dirs = {}
    if home:
        for product, candidates in install_dirs(home, env.platform).items():
            for d in candidates:
                with contextlib.suppress(OSError):
                    if os.path.isdir(d):
                        found_dirs[product] = d
                        break
    return Installed(binaries, tuple(units), found_dirs)


def _ctx(facts: Facts) -> RunContext:
    ctx = facts.context
    assert isinstance(ctx, RunContext)
    return ctx

