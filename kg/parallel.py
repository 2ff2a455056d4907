"""Extract files on all cores, in input order, with the per-file cache.

Files run in a ``multiprocessing`` pool through an ordered ``imap``: results come back in the order
of the input list whatever the number of workers, so the outputs are byte-identical for any
``--jobs``. Each worker loads the recognizer's resources (lexicon automata, jieba dictionary) once,
in its initializer. A worker returns a file's results already packed (see :func:`pack`): the
summaries the graph is built from, and the serialised text of the JSONL outputs, which the parent
only passes on to the cache and the text store, never unpickling it. Cached files never reach the pool, so a rebuild
where one file changed starts no workers beyond the one it needs.

The outputs are then written by forked processes too (:func:`run_writers`), as many at once as
fit a memory budget: each writer builds its own form of the whole graph.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import signal
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .atomic import signals_held
from .cache import Cache, file_key
from .errors import InputError
from .model import DocResult, DocSummary, KnowledgeGraph

# One file's results: its documents' summaries (for the graph), their serialised text (pickled
# ``list[DocText]``, for the text store: the parent never unpickles it) and the file's input errors.
FileResult = tuple[list[DocSummary], bytes, list[InputError]]


_WARM_UP = "## 贵阳高新区与清华大学签署合作协议\n\n贵州翰斯智能技术有限公司落户贵阳高新区，总经理张伟表示。\n"


def _init_worker() -> None:
    """Load the entity resources once per process, not once per file, then run every stage on a
    tiny page so each one's lazily built tables (compiled patterns, …) are ready before the first
    real file; keep those millions of long-lived objects out of the cyclic collector's scans."""
    from .entities import resources
    from .model import RawDoc
    from .pipeline import process_raw

    resources()
    try:
        process_raw(RawDoc(doc="warm-up", path="warm-up", text=_WARM_UP))
    except Exception:  # only a warm-up: a real file that fails reports it properly
        pass
    gc.freeze()


def pack(docs: list[DocResult]) -> tuple[bytes, bytes]:
    """A file's documents as the parent takes them: pickled summaries and pickled text."""
    from .graph import summarize
    from .write import pack_texts

    return pickle.dumps([summarize(d) for d in docs], protocol=pickle.HIGHEST_PROTOCOL), pack_texts(docs)


def _extract_packed(path: Path) -> tuple[bytes, bytes, list[InputError]]:
    """Extract one file in a worker, returned ready for the cache and the text store."""
    from .pipeline import process_file

    docs, errors = process_file(path)
    return (*pack(docs), errors)


def _pool(ctx: Any, processes: int, **kwargs: Any) -> Any:
    """``ctx.Pool(...)`` with Ctrl-C held back while it forks: a SIGINT landing in the parent's at-fork
    hooks is raised inside a hook, where Python ignores it, and the build would run on to the end. Held
    back, it is raised as soon as the workers exist (the workers keep it blocked: the parent stops them)."""
    with signals_held(signal.SIGINT):
        return ctx.Pool(processes, **kwargs)


def _chunksize(n_files: int, jobs: int) -> int:
    """Small enough to keep every worker busy to the end, big enough to amortise the hand-off."""
    return max(1, min(16, n_files // (jobs * 8)))


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
) -> Iterator[FileResult]:
    """Yield each file's :data:`FileResult`, in the order of ``files`` (whose cache keys are ``keys``,
    if known)."""
    from .pipeline import process_file

    if keys is None or len(keys) != len(files):
        keys = file_keys(files) if cache is not None else [None] * len(files)
    cached = [cache is not None and k is not None and cache.has(k) for k in keys]
    todo = [p for p, hit in zip(files, cached, strict=True) if not hit]
    workers = min(jobs, len(todo))
    pool = None
    fresh: Iterator[tuple[bytes, bytes, list[InputError]]] | None = None
    # A pool when there is parallel work: several files to extract, or a few while this process reads
    # the cached rest (the worker loads the resources meanwhile).
    if jobs > 1 and workers >= 1 and (workers > 1 or len(todo) < len(files)):
        # Each worker loads the resources itself, all at once on their own cores; the parent never
        # does, so its memory holds only the results.
        ctx = multiprocessing.get_context()
        pool = _pool(ctx, workers, initializer=_init_worker)
        fresh = pool.imap(_extract_packed, todo, chunksize=_chunksize(len(todo), workers))

    def fresh_result(path: Path, key: str | None, hit: bool) -> FileResult:
        if hit or fresh is None:  # no pool, or a cache entry that broke since it was checked
            docs, errors = process_file(path)
            summary_blob, text_blob = pack(docs)
        else:
            summary_blob, text_blob, errors = next(fresh)
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
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


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
_WRITER_COST = {"rdf": 8, "kg.html": 4, "jsonl": 3, "kg.graphml": 1}
_WRITERS: dict[str, Callable[[Path], object]] = {}


def _run_writer(job: tuple[str, str]) -> str:
    # A forked child that exits when done: no cyclic garbage worth collecting in its lifetime.
    gc.disable()
    name, folder = job
    _WRITERS[name](Path(folder))
    return name


def run_writers(writers: dict[str, Callable[[Path], object]], folder: Path, jobs: int = 1) -> None:
    """Run independent output writers, ``jobs`` at a time, each writing its files into ``folder``.

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
    order = sorted(writers, key=lambda n: -_WRITER_COST.get(n, 0))
    try:
        with _pool(multiprocessing.get_context("fork"), min(jobs, len(writers))) as pool:
            for _ in pool.imap_unordered(_run_writer, [(n, str(folder)) for n in order]):
                pass
    finally:
        _WRITERS = {}
