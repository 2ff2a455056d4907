"""The one build path, as a library: discover → extract (on an executor) → link → write.

``kg build`` is a thin layer over :class:`Builder`; so is any program that builds a graph::

    from kg.build.builder import Builder
    report = Builder(out=Path("out"), jobs=2).build(["news/"])

Only this layer (and the CLI above it) knows the whole pipeline; the layers below it do not import it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..extract import relation_model
from ..extract.mentions import fingerprint as recognizers_fingerprint
from ..model import DocResult, KnowledgeGraph
from ..resources.snapshots import default_cache_dir
from ..writers.registry import WRITERS, WriteJob
from ..writers.tables import OUTPUTS, DocText, LastBuild, Stage, TextStore
from .inputs import discover, sample_corpus
from .parallel import file_keys, run_writers, writer_jobs
from .pipeline import BuildResult
from .pipeline import build as extract_and_link


def write_outputs(
    folder: Path,
    doc_ids: Sequence[str],
    texts: Iterable[DocText],
    graph: KnowledgeGraph,
    max_nodes: int | None = None,
    jobs: int = 1,
    reuse: LastBuild | None = None,
    writers: Iterable[str] | None = None,
) -> None:
    """Run the registered ``writers`` (all by default: the eight :data:`OUTPUTS`) into ``folder``,
    ``jobs`` at once. With ``reuse``, the RDF writer copies what is unchanged from the last build and
    stages its index for :meth:`LastBuild.save`."""
    job = WriteJob(
        graph=graph,
        doc_ids=doc_ids,
        texts=texts,
        max_nodes=max_nodes,
        previous=reuse.previous() if reuse else None,
        stage_index=reuse is not None,
    )
    chosen = [WRITERS[name] for name in (WRITERS if writers is None else writers)]
    run_writers(
        {w.name: partial(w, job) for w in chosen},
        folder,
        writer_jobs(graph, jobs),
        costs={w.name: w.cost for w in chosen},
    )


def write_all(
    out: Path, results: Sequence[DocResult], graph: KnowledgeGraph, max_nodes: int | None = None, jobs: int = 1
) -> list[Path]:
    """Write every output of ``results`` (held in memory) into ``out``; returns the paths written.
    :class:`Builder` streams instead."""
    texts = TextStore()
    for res in results:
        texts.add_docs([res])
    with Stage(out) as stage:
        write_outputs(stage.path, [r.doc for r in results], texts, graph, max_nodes=max_nodes, jobs=jobs)
        return stage.commit(OUTPUTS)


@dataclass
class BuildReport:
    """What a build did, for the CLI to print and a program to check."""

    summary: dict = field(default_factory=dict)  # files, documents, articles, sentences, entities, relations, notices
    errors: list[InputError] = field(default_factory=list)  # the inputs skipped, each with its problem
    notices: list[str] = field(default_factory=list)
    unchanged: bool = False  # the outputs were already those of these inputs: nothing written
    nothing_read: bool = False  # every input failed: the previous outputs were left as they were
    result: BuildResult | None = None


@dataclass
class Builder:
    """Build the graph of some inputs into ``out``; see the module's docstring.

    ``jobs``: workers (default: all cores); ``cache_dir``: the per-file cache and the record of the
    last build (default ``~/.cache/kg``), ``use_cache=False`` for none; ``executor``: a name registered
    in :mod:`kg.build.executors`, made with ``executor_options`` (``{"address": ...}`` for ``dask``,
    whose failure to reach its cluster raises :class:`kg.errors.ExecutorError`); ``writers``:
    names registered in :mod:`kg.writers.registry`.
    """

    out: Path = Path("out")
    jobs: int | None = None
    cache_dir: Path | None = None
    use_cache: bool = True
    max_nodes: int | None = 2000
    executor: str = "processes"
    executor_options: dict[str, Any] = field(default_factory=dict)
    writers: Sequence[str] | None = None
    progress: Callable[[int], None] | None = None
    on_stage: Callable[[str], None] | None = None  # told when a stage after extraction starts (progress lines)

    def discover(self, inputs: Sequence[str], ignored: list[Path] | None = None) -> tuple[list[Path], list[InputError]]:
        """The files of ``inputs`` (files, folders, globs), or the bundled sample when there are none;
        a folder's files of no input format are appended to ``ignored``."""
        return discover(inputs, ignored) if inputs else (sample_corpus(), [])

    def build(self, files: list[Path], skipped: Sequence[InputError] = (), stage: Stage | None = None) -> BuildReport:
        """Extract, link and write ``files`` (``skipped``: inputs discovery could not use). The
        outputs are staged in ``stage`` (entered by the caller, who may have made it early to report
        an unusable output folder) or in a stage of its own, and renamed into place at the end."""
        if stage is None:
            with Stage(self.out) as own:
                return self.build(files, skipped, own)
        jobs = self.jobs or os.cpu_count() or 1
        cache = (self.cache_dir or default_cache_dir()) if self.use_cache else None
        last = LastBuild.of(self.out, cache) if cache is not None else None
        keys = file_keys(files) if cache is not None else None
        inputs_used = [(str(p), k) for p, k in zip(files, keys or [], strict=False)]
        options: dict[str, object] = {
            "max_nodes": self.max_nodes,
            "recognizers": recognizers_fingerprint(),
            "relations": relation_model.fingerprint(),
        }
        if self.writers is not None:
            options["writers"] = list(self.writers)
        report = BuildReport(errors=list(skipped))
        summary = last.unchanged(inputs_used, options) if last is not None and files and not skipped else None
        if summary is not None:  # the same inputs, options and kg as the build whose outputs these are
            report.summary, report.notices, report.unchanged = summary, list(summary["notices"]), True
            return report
        # The articles' text goes to a spill file in the staging folder as files are extracted.
        texts = TextStore(stage.path / "texts.spill")
        result = extract_and_link(
            files,
            progress=self.progress,
            jobs=jobs,
            cache_dir=cache,
            texts=texts,
            keys=keys,
            keep=False,
            executor=self.executor,
            executor_options=self.executor_options,
        )
        report.result, report.notices = result, result.notices
        report.errors += result.errors
        if not result.doc_ids:
            # Every input failed (or none held a document): an empty graph in place of the last good
            # build would only lose it.
            report.nothing_read = True
            return report
        report.summary = {
            "files": len(files) - result.skipped_files,
            "documents": len(result.doc_ids),
            "articles": result.articles,
            "sentences": result.sentences,
            "entities": len(result.graph.nodes),
            "relations": len(result.graph.edges),
            "notices": result.notices,
        }
        if self.on_stage is not None:
            self.on_stage("writing the outputs")
        write_outputs(
            stage.path,
            result.doc_ids,
            result.texts,
            result.graph,
            max_nodes=self.max_nodes,
            jobs=jobs,
            reuse=last,
            writers=self.writers,
        )
        outputs = (
            OUTPUTS
            if self.writers is None
            else tuple(o for o in OUTPUTS if any(o in WRITERS[w].outputs for w in self.writers))
        )
        written = stage.staged(outputs)
        stage.commit(outputs)
        if last is not None:
            # a build that skipped inputs is never taken as unchanged: they are read again next time
            last.save(stage.path, written, inputs_used if not report.errors else [], options, report.summary)
        return report
