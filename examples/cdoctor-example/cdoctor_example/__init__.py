"""An example cdoctor plugin: one check, registered in the entry-point group `cdoctor.checks`."""
