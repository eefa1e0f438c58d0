"""`python -m doctor` is the same as the `cdoctor` command."""

from __future__ import annotations

from doctor.main import main

raise SystemExit(main())
