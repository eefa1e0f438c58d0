"""cdoctor: which Docker-API stack answers here, by what path, and why it failed."""

__version__ = "0.1.0"

import time as _time

# When cdoctor started (the package is imported first): probe deadlines count from here.
STARTED = _time.monotonic()
