"""The output writers, registered by name (as rdflib registers its serializers): each writes its
files into the folder it is given, from one :class:`WriteJob`. ``kg build`` runs every registered
writer (in parallel where memory allows); the eight files they write are :data:`kg.writers.tables.OUTPUTS`.

To add an output: write a function ``(job: WriteJob, folder: Path) -> None`` that writes its files
into ``folder`` (atomically, with :func:`kg.atomic.atomic_open`), and register it with
``@register_writer("name", outputs=("file.ext",))``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..model import KnowledgeGraph
from .tables import RDF_INDEX, DocText, write_csv, write_jsonl


@dataclass
class WriteJob:
    """What every writer may draw on: the linked graph and the documents' stored text."""

    graph: KnowledgeGraph
    doc_ids: Sequence[str] = ()
    texts: Iterable[DocText] = ()
    max_nodes: int | None = None
    previous: tuple[Path, Path, Path] | None = None  # the last build's kg.ttl, kg.nt and their index
    stage_index: bool = False  # also stage the RDF index (see kg.writers.tables.LastBuild)


WriteFn = Callable[[WriteJob, Path], None]


@dataclass(frozen=True)
class WriterSpec:
    name: str
    outputs: tuple[str, ...]  # the files it writes
    write: WriteFn
    cost: int = 1  # rough relative time, so the slowest start first

    def __call__(self, job: WriteJob, folder: Path) -> None:
        self.write(job, folder)


WRITERS: dict[str, WriterSpec] = {}


def register_writer(name: str, outputs: tuple[str, ...], cost: int = 1) -> Callable[[WriteFn], WriteFn]:
    """Function decorator: register a writer of ``outputs`` under ``name``."""

    def add(fn: WriteFn) -> WriteFn:
        WRITERS[name] = WriterSpec(name, outputs, fn, cost)
        return fn

    return add


@register_writer("rdf", outputs=("kg.ttl", "kg.nt"), cost=8)
def _rdf(job: WriteJob, folder: Path) -> None:
    from .rdf import write_rdf

    write_rdf(
        job.graph,
        ttl=folder / "kg.ttl",
        nt=folder / "kg.nt",
        previous=job.previous,
        index=folder / RDF_INDEX if job.stage_index else None,
    )


@register_writer("graphml", outputs=("kg.graphml",), cost=1)
def _graphml(job: WriteJob, folder: Path) -> None:
    from .rdf import write_graphml

    write_graphml(folder / "kg.graphml", job.graph)


@register_writer("html", outputs=("kg.html",), cost=4)
def _html(job: WriteJob, folder: Path) -> None:
    from .viz import write_html

    write_html(folder / "kg.html", job.graph, max_nodes=job.max_nodes)


@register_writer("jsonl", outputs=("articles.jsonl", "extractions.jsonl"), cost=3)
def _jsonl(job: WriteJob, folder: Path) -> None:
    write_jsonl(folder, job.doc_ids, job.texts, job.graph)


@register_writer("csv", outputs=("entities.csv", "relations.csv"), cost=0)
def _csv(job: WriteJob, folder: Path) -> None:
    write_csv(folder, job.graph)


def registered_outputs(names: Iterable[str] | None = None) -> list[str]:
    """The files the writers ``names`` (all by default) write."""
    return [out for name in (WRITERS if names is None else names) for out in WRITERS[name].outputs]


__all__ = ["WRITERS", "WriteJob", "WriterSpec", "register_writer", "registered_outputs"]
