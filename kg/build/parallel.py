"""Extract files on all cores, in input order, with the per-file cache.

Files run on an executor (:mod:`kg.build.executors`: a ``multiprocessing`` pool by default) through
an ordered ``imap``: results come back in the order of the input list whatever the number of
workers, so the outputs are byte-identical for any ``--jobs``. Each worker loads the recognizer's
resources (lexicon automata, jieba dictionary) once, in its initializer. A worker returns a file's
results already packed (see :func:`kg.build.process.pack`): the summaries the graph is built from,
and the serialised text of the JSONL outputs, which the parent only passes on to the cache and the
text store, never unpickling it. Cached files never reach the pool, so a rebuild
where one file changed starts no workers beyond the one it needs.

The outputs are then written by forked processes too (:func:`run_writers`), as many at once as
fit a memory budget: each writer builds its own form of the whole graph.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..ingest.read import _read_bytes
from ..model import DocSummary, KnowledgeGraph
from . import process
from .cache import Cache, file_key
from .executors import EXECUTORS, Executor, Source, make_executor, pool, shares_filesystem

# One file's results: its documents' summaries (for the graph), their serialised text (pickled
# ``list[DocText]``, for the text store: the parent never unpickles it) and the file's input errors.
FileResult = tuple[list[DocSummary], bytes, list[InputError]]


_READ_AHEAD = 512  # cached files read ahead of the one being extracted


def _key(path: Path) -> str | None:
    if not path.is_file():
        return None  # a pipe or device: never read it here (read.py reports it)
    try:
        return file_key(path, path.read_bytes())
    except OSError:
        return None  # unreadable: process_file reports it


def file_keys(files: list[Path]) -> list[str | None]:
    """Each file's cache key (its path and content), None for one that cannot be read as a file."""
    return [_key(p) for p in files]


def extract(
    files: list[Path],
    jobs: int = 1,
    cache: Cache | None = None,
    progress: Callable[[int], None] | None = None,
    keys: list[str | None] | None = None,
    executor: str = "processes",
    executor_options: dict[str, Any] | None = None,
) -> Iterator[FileResult]:
    """Yield each file's :data:`FileResult`, in the order of ``files`` (whose cache keys are ``keys``,
    if known), extracting those not cached on the executor registered as ``executor`` (made with
    ``executor_options``). One whose workers do not share this file system (``dask``) runs every
    uncached file, however few, and is sent their contents, never their paths."""
    if keys is None or len(keys) != len(files):
        keys = file_keys(files) if cache is not None else [None] * len(files)
    cached = [cache is not None and k is not None and cache.has(k) for k in keys]
    todo = [p for p, hit in zip(files, cached, strict=True) if not hit]
    unread: dict[int, InputError] = {}  # files the client could not read for a remote executor, by position
    runner, fresh = _start(executor, executor_options or {}, jobs, todo, len(files), unread)
    sent = 0  # results taken from ``fresh`` so far

    def fresh_result(path: Path, key: str | None, hit: bool) -> FileResult:
        nonlocal sent
        if hit or fresh is None:  # no workers, or a cache entry that broke since it was checked
            summary_blob, text_blob, errors = process.extract_source(Source(str(path), None))
        else:
            summary_blob, text_blob, errors = next(fresh)
            if sent in unread:  # sent empty: its read error, as a local build reports it
                errors = [unread.pop(sent)]
            sent += 1
        if cache is not None and key is not None:
            if not hit:
                cache.misses += 1
            if not errors:  # files with errors are extracted again next time
                cache.put(key, summary_blob, text_blob)
        return pickle.loads(summary_blob), text_blob, errors

    # Cached files are read while the workers extract the others, rather than in turn with them: the
    # results wait in ``ahead`` (at most _READ_AHEAD cached files) until the files before them are done.
    ahead: deque[tuple[Path, str | None, bool, FileResult | None]] = deque()

    def ready(block: bool) -> Iterator[FileResult]:
        while ahead and (block or ahead[0][3] is not None or len(ahead) > _READ_AHEAD):
            path, key, hit, out = ahead.popleft()
            if out is None:
                out = fresh_result(path, key, hit)
            if progress:
                progress(1)
            yield out

    try:
        for path, key, hit in zip(files, keys, cached, strict=True):
            entry = cache.get(key) if hit and cache is not None and key is not None else None
            ahead.append((path, key, hit, (*entry, []) if entry is not None else None))
            yield from ready(block=fresh is None)
        yield from ready(block=True)
    finally:
        if runner is not None:
            runner.close()


def _start(
    executor: str, options: dict[str, Any], jobs: int, todo: list[Path], n_files: int, unread: dict[int, InputError]
) -> tuple[Executor | None, Iterator[tuple[bytes, bytes, list[InputError]]] | None]:
    """The executor and its results for ``todo``, or none where the files run in this process."""
    if executor not in EXECUTORS:
        raise ValueError(f"no executor named {executor!r} (known: {', '.join(sorted(EXECUTORS))})")
    workers = min(jobs, len(todo))
    # Workers when there is parallel work: several files to extract, or a few while this process reads
    # the cached rest (the worker loads the resources meanwhile); always for workers elsewhere (a cluster).
    # In-process otherwise.
    remote = not shares_filesystem(executor)
    local = executor != "serial" and jobs > 1 and workers >= 1 and (workers > 1 or len(todo) < n_files)
    if not ((remote and todo) or local):
        return None, None
    runner = make_executor(executor, max(1, workers), initializer=process.init_worker, **options)
    return runner, runner.imap(process.extract_source, _sources(todo, runner, unread))


def _sources(files: list[Path], runner: Executor, unread: dict[int, InputError]) -> Iterator[Source]:
    """The tasks of ``files``, made as the executor takes them: their paths where the workers share this
    file system, else their contents, read here (so the client reads only a little ahead of the workers).
    A file that cannot be read is sent empty and its read error (the one a local build reports) noted in
    ``unread`` by position, to replace its task's result: a remote worker must never open a path."""
    for i, path in enumerate(files):
        if runner.shares_filesystem:
            yield Source(str(path), None)
            continue
        try:
            data = _read_bytes(path)
        except InputError as err:
            unread[i] = err
            data = b""
        yield Source(str(path), data)


# Writers in parallel each hold their own structures and copy-on-write copies of the graph pages they
# touch: measured ~0.35 and ~0.55 GB for the two biggest at 100 MB (338 k graph items: nodes, edges,
# pieces of evidence), ~1.7 KB per item. Past this budget the writers take turns instead.
WRITER_MEMORY_BUDGET = 1_500_000_000
_WRITER_BYTES_PER_ITEM = 2_000


def writer_jobs(graph: KnowledgeGraph, jobs: int) -> int:
    """How many writers may run at once for ``graph`` within :data:`WRITER_MEMORY_BUDGET`."""
    items = len(graph.nodes) + len(graph.edges) + sum(len(e.evidence) for e in graph.edges)
    fit = WRITER_MEMORY_BUDGET // max(1, items * _WRITER_BYTES_PER_ITEM)
    return max(1, min(jobs, fit))


# Output writers by rough cost, so the slowest start first (longest-processing-time scheduling).
_WRITER_COST = {"rdf": 8, "html": 4, "jsonl": 3, "graphml": 1}
_WRITERS: dict[str, Callable[[Path], object]] = {}


def _run_writer(job: tuple[str, str]) -> str:
    # A forked child that exits when done: no cyclic garbage worth collecting in its lifetime.
    gc.disable()
    name, folder = job
    _WRITERS[name](Path(folder))
    return name


def run_writers(
    writers: dict[str, Callable[[Path], object]], folder: Path, jobs: int = 1, costs: dict[str, int] | None = None
) -> None:
    """Run independent output writers, ``jobs`` at a time, each writing its files into ``folder``; the
    costliest (``costs``, by name) start first.

    With ``jobs > 1`` they run in forked processes, which see the parent's graph copy-on-write (no
    pickling); a writer's exception is raised here. Without fork (or with one job) they run in turn.
    """
    if jobs <= 1 or len(writers) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        was_enabled = gc.isenabled()
        gc.disable()  # the writers build big acyclic structures the collector would only re-scan
        try:
            for writer in writers.values():
                writer(folder)
                gc.collect()  # a writer's cyclic leftovers (ElementTree, networkx): free them for the next
        finally:
            if was_enabled:
                gc.enable()
        return
    global _WRITERS
    _WRITERS = dict(writers)
    cost = _WRITER_COST if costs is None else costs
    order = sorted(writers, key=lambda n: -cost.get(n, 0))
    try:
        with pool(multiprocessing.get_context("fork"), min(jobs, len(writers))) as writers_pool:
            for _ in writers_pool.imap_unordered(_run_writer, [(n, str(folder)) for n in order]):
                pass
    finally:
        _WRITERS = {}
