"""SPARQL queries over the graph (stub)."""

from __future__ import annotations

from pathlib import Path


def run_query(graph: Path, query: str | None, fmt: str, list_: bool) -> int:
    raise NotImplementedError
