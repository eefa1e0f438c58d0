"""The fact contract, pure: the store (store.py), the value types (types.py), the keys (keys.py).

Importing any of it imports no gatherer: each key names its gatherer by dotted
path, imported on first use.
"""

from doctor.facts.store import Fact, Facts, FactUnavailable

__all__ = ["Fact", "FactUnavailable", "Facts"]
