"""Fact gatherers: the only code that touches the system.

Every gatherer is bounded: reads are capped in size, network and subprocess
calls get `facts.budget(fact)` as their deadline, and failures come back as
data (a result with an error kind) or as `FactUnavailable` with a reason.
"""
