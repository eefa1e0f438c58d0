"""Renderers: they get the finished, scrubbed document and a stream, and only render."""
