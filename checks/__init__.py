"""cdoctor's built-in checks.

Nothing here is imported by name: every module is registered through the
entry-point group `cdoctor.checks` in pyproject.toml, exactly like a
third-party plugin. Checks are pure functions of gathered facts (a lint rule
and a test enforce that no module here touches the system).
"""
