"""The interactive HTML network (stub: filled in by the visualization work)."""

from __future__ import annotations

from pathlib import Path

from .model import KnowledgeGraph


def write_html(path: Path, graph: KnowledgeGraph, max_nodes: int | None = None) -> None:
    return None


def run_viz(graph: Path, focus: str | None, hops: int, max_nodes: int | None, out: Path) -> int:
    raise NotImplementedError
