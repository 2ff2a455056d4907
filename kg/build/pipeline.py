"""Run the stages over a corpus: each file extracted (read → normalize → segment → entities → link →
relations, see :mod:`kg.build.process`) on an executor, then linked across the corpus into the graph."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..link.graph import GraphBuilder
from ..model import DocSummary, KnowledgeGraph
from ..writers.tables import TextStore
from .cache import Cache
from .parallel import FileResult, extract


@dataclass
class BuildResult:
    results: list[DocSummary] = field(default_factory=list)  # empty unless asked for (``keep``)
    doc_ids: list[str] = field(default_factory=list)  # every document, in input order
    articles: int = 0
    sentences: int = 0
    graph: KnowledgeGraph = field(default_factory=KnowledgeGraph)
    errors: list[InputError] = field(default_factory=list)
    files: int = 0
    skipped_files: int = 0  # files that gave no document because of an error
    notices: list[str] = field(default_factory=list)  # things the user should know that skipped nothing
    texts: TextStore = field(default_factory=TextStore)  # the documents' output text, in results' order


def rename_doc(res: DocSummary, doc: str) -> None:
    """Give a document another id everywhere it is recorded (its articles and its evidence)."""
    res.doc = doc
    for art in res.articles:
        art.doc = doc
    for rel in res.relations:
        rel.evidence = [replace(ev, doc=doc) for ev in rel.evidence]


def run(
    files: list[Path],
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
    cache: Cache | None = None,
    keys: list[str | None] | None = None,
    executor: str = "processes",
    executor_options: dict[str, Any] | None = None,
) -> Iterator[FileResult]:
    """Extract ``files`` on ``jobs`` workers of ``executor``, yielding each file's results in input order."""
    yield from extract(
        files,
        jobs=jobs,
        cache=cache,
        progress=progress,
        keys=keys,
        executor=executor,
        executor_options=executor_options,
    )


def build(
    files: list[Path],
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
    cache_dir: Path | None = None,
    texts: TextStore | None = None,
    keys: list[str | None] | None = None,
    keep: bool = True,
    executor: str = "processes",
    executor_options: dict[str, Any] | None = None,
) -> BuildResult:
    """Extract every file (on ``jobs`` processes; reusing ``cache_dir`` when given) and link the graph.
        ``keys``: the files' cache keys (:func:`kg.build.parallel.file_keys`), if already known; ``executor``:
        the registered executor that extracts them (:mod:`kg.build.executors`), made with ``executor_options``
    (``address`` for ``dask``).

        Files stream through: each one's text for the JSONL outputs goes to ``texts`` (a spill file, for
        ``kg build``; memory by default), and linking gathers what it needs of each document's summary
        as it arrives, so memory grows with the graph and not with the corpus. The summaries are kept in
        ``results`` only with ``keep`` (``kg build`` does not keep them: at 100 MB they would double what
        the build holds while the workers run). Write the outputs with :func:`kg.build.builder.write_outputs`.
    """
    res = BuildResult(files=len(files), texts=texts if texts is not None else TextStore())
    cache = Cache(cache_dir) if cache_dir is not None else None
    linker = GraphBuilder()  # gathers each document as it arrives, while the workers extract the rest
    # The summaries are many long-lived objects without reference cycles, which the cyclic collector
    # would re-scan again and again as they pile up: freeze each batch out of its way.
    seen: set[str] = set()
    for n, (docs, text, errs) in enumerate(
        run(files, progress, jobs=jobs, cache=cache, keys=keys, executor=executor, executor_options=executor_options), 1
    ):
        for doc in docs:
            if doc.doc in seen:  # a/page.txt and b/page.txt: the later one is named by its path
                first = doc.doc
                rename_doc(doc, doc.path + doc.doc[len(doc.doc.split("#")[0]) :])
                res.notices.append(f"{doc.path}: another input is also named {first}; its doc id is {doc.doc}")
            seen.add(doc.doc)
            linker.add(doc)
            res.doc_ids.append(doc.doc)
            res.articles += len(doc.articles)
            res.sentences += doc.sentences
        if docs:
            res.texts.add(text)
        if keep:
            res.results.extend(docs)
        res.errors.extend(errs)
        if errs and not docs:
            res.skipped_files += 1
        if n % 64 == 0:
            gc.freeze()
    res.texts.close()
    was_enabled = gc.isenabled()
    gc.disable()  # linking makes a graph's worth of objects without cycles: nothing for the collector
    try:
        res.graph = linker.graph()
    finally:
        if was_enabled:
            gc.enable()
    gc.freeze()
    return res
