"""Read a pasted error text or command output, without touching the machine."""

from doctor.explain.match import ErrorReading, PasteReading, read_error, read_paste

__all__ = ["ErrorReading", "PasteReading", "read_error", "read_paste"]
