"""The graph as RDF (stub: filled in by the RDF work)."""

from __future__ import annotations

from pathlib import Path

from .model import KnowledgeGraph


def write_turtle(path: Path, graph: KnowledgeGraph) -> None:
    return None


def write_ntriples(path: Path, graph: KnowledgeGraph) -> None:
    return None


def write_graphml(path: Path, graph: KnowledgeGraph) -> None:
    return None
