"""The two rules every printed fix keeps, a plugin's included (pure, and cheap to import).

Never a privileged group (`root`, `wheel`, `sudo`, `adm`, `disk`, `shadow`, gid 0,
Debian's static system groups below 100), never a world-writable socket. The fix
model (doctor/knowledge/fixes.py) applies them to the fixes it builds; the runner
(doctor/run/runner.py) applies them to every line any check prints.
"""

from __future__ import annotations

import re

from doctor.lazy_re import lazy

# --- groups: never a privileged one -------------------------------------------------------------

PRIVILEGED_GROUPS = frozenset(
    {
        "root",
        "wheel",
        "sudo",
        "admin",
        "adm",
        "disk",
        "shadow",
        "kmem",
        "sys",
        "staff",
        "systemd-journal",
        "lxd",
        "libvirt",
        "operator",
        "bin",
        "daemon",
    }
)


def privileged_group(name: str | None, gid: int | None = None) -> bool:
    """A group whose membership grants more than one engine's socket: never advised."""
    if gid is not None and gid < 100:
        return True  # gid 0 and Debian's static system groups (adm 4, disk 6, …)
    return name is None or name in PRIVILEGED_GROUPS


def world_writable_advice(line: str) -> bool:
    """`chmod 666/777`, `chmod o+w`, `a+rw`: advice that opens a socket to everyone."""
    return bool(re.search(r"\bchmod\s+(-\S+\s+)*([0-7]?[0-7][0-7][2367]\b|\S*[oa]\+\S*w)", line))


def unsafe_line(line: str) -> str | None:
    """Why a printed fix line breaks a hard rule, or None when it keeps them.

    The rules hold for every line cdoctor prints, a plugin's included: no
    world-writable socket, no privileged group joined or activated.
    """
    if world_writable_advice(line):
        return "it makes a socket writable by every user"
    for m in _GROUP_GRANT.finditer(line):
        for group in m[1].split(","):
            if group and privileged_group(group):
                return f"it grants the privileged group {group!r}"
    return None


# usermod -aG/-G/--groups A,B; newgrp A; sg A; gpasswd -a USER A; adduser USER A
_GROUP_GRANT = lazy(
    r"\b(?:usermod\s+(?:-\S+\s+)*?(?:-a?G|--groups)|newgrp|sg|gpasswd\s+(?:-a|--add)\s+\S+|adduser\s+\S+)\s+([\w.,-]+)"
)


__all__ = ["PRIVILEGED_GROUPS", "privileged_group", "unsafe_line", "world_writable_advice"]
