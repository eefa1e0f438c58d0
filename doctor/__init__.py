"""cdoctor: which Docker-API stack answers here, by what path, and why it failed."""

__version__ = "0.1.0"
