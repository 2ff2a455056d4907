"""kg: a knowledge-graph builder for Chinese high-tech-zone news.

``kg.load(folder_or_ttl)`` gives a built graph as an rdflib ``Graph`` and a networkx ``MultiDiGraph``;
``kg.build.builder.Builder`` builds one (what ``kg build`` runs)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    import networkx as nx
    import rdflib


def load(path: str | Path) -> tuple[rdflib.Graph, nx.MultiDiGraph[Any]]:
    """A built graph (its output folder or kg.ttl) as ``(rdflib.Graph, networkx.MultiDiGraph)``:
    see :func:`kg.loading.load`."""
    from .loading import load as _load

    return _load(path)


__all__ = ["__version__", "load"]
