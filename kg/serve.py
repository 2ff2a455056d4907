"""A SPARQL endpoint for the graph (stub)."""

from __future__ import annotations

from pathlib import Path


def run_serve(graph: Path, host: str, port: int, writable: bool) -> int:
    raise NotImplementedError
