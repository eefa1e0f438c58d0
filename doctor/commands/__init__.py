"""One module per command; doctor/cli.py wires them into the `cdoctor` typer app."""
