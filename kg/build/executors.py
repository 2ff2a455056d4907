"""Executors: where the per-file extraction runs. An executor maps a picklable top-level function over
tasks and yields the results in the order of the tasks, whatever order they finish in, so the outputs
are byte-identical whichever executor and how many workers run them.

Registered by name (:func:`register_executor`); ``kg build --executor NAME`` picks one:

* ``serial``: in this process, one task after the other;
* ``processes``: a local ``multiprocessing`` pool (an ordered ``imap``), each worker set up once;

* ``dask``: tasks on a Dask distributed cluster (:mod:`kg.build.dask`, ``kg build --scheduler``), whose
  workers do not share this file system (``shares_filesystem = False``): the build then sends each
  file's bytes in its :class:`Source` rather than its path.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from ..atomic import signals_held
from .dask import DaskExecutor

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Source:
    """One input file as a task."""

    name: str  # the path as the user gave it (doc ids, messages); a worker never opens it when data is set
    data: bytes | None  # the file's content; None only for executors that share the file system


class Executor(Protocol):
    """Runs ``fn`` over items; see the module's docstring. Constructed as ``cls(jobs=N, initializer=f)``:
    at most ``N`` workers, and ``f()`` run once in each worker before its first task."""

    name: str
    shares_filesystem: bool  # False: the build sends Source(data=bytes)

    def imap(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn(item)`` for every item, yielded in the order of ``items``."""
        ...

    def close(self) -> None: ...


ExecutorFactory = Callable[..., Executor]
EXECUTORS: dict[str, ExecutorFactory] = {}


def register_executor(name: str) -> Callable[[type], type]:
    """Class decorator: register an executor under ``name``."""

    def add(cls: type) -> type:
        EXECUTORS[name] = cls
        return cls

    return add


def make_executor(name: str, jobs: int, initializer: Callable[[], None] | None = None, **options: Any) -> Executor:
    """The executor registered as ``name``, with at most ``jobs`` workers; ``options`` are its own
    (``address`` for ``dask``)."""
    try:
        factory = EXECUTORS[name]
    except KeyError:
        raise ValueError(f"no executor named {name!r} (known: {', '.join(sorted(EXECUTORS))})") from None
    return factory(jobs=jobs, initializer=initializer, **options)


@register_executor("serial")
class SerialExecutor:
    """Every task in this process, in turn (the initializer is not needed: resources load lazily)."""

    name = "serial"
    shares_filesystem = True

    def __init__(self, jobs: int = 1, initializer: Callable[[], None] | None = None) -> None:
        self.jobs = 1

    def imap(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        return map(fn, items)

    def close(self) -> None:
        pass


def pool(ctx: Any, processes: int, **kwargs: Any) -> Any:
    """``ctx.Pool(...)`` with Ctrl-C held back while it forks: a SIGINT landing in the parent's at-fork
    hooks is raised inside a hook, where Python ignores it, and the build would run on to the end. Held
    back, it is raised as soon as the workers exist (the workers keep it blocked: the parent stops them)."""
    with signals_held(signal.SIGINT):
        return ctx.Pool(processes, **kwargs)


def chunksize(n_items: int, jobs: int) -> int:
    """Small enough to keep every worker busy to the end, big enough to amortise the hand-off."""
    return max(1, min(16, n_items // (jobs * 8)))


@register_executor("processes")
class ProcessExecutor:
    """A local process pool; each worker runs the initializer once (loads lexicons, jieba …), all at
    once on their own cores, so the parent's memory holds only the results."""

    name = "processes"
    shares_filesystem = True

    def __init__(self, jobs: int = 1, initializer: Callable[[], None] | None = None) -> None:
        self.jobs = max(1, jobs)
        self.initializer = initializer
        self._pool: Any = None
        self._finished = False

    def imap(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        todo = list(items)
        if self._pool is None:
            self._pool = pool(multiprocessing.get_context(), self.jobs, initializer=self.initializer)
        results = self._pool.imap(fn, todo, chunksize=chunksize(len(todo), self.jobs))
        return self._drain(results)

    def _drain(self, results: Iterator[R]) -> Iterator[R]:
        yield from results
        self._finished = True

    def close(self) -> None:
        """Let the workers finish cleanly when every result was taken, else stop them."""
        if self._pool is None:
            return
        try:
            if self._finished:
                self._pool.close()
                self._pool.join()
        finally:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


def shares_filesystem(name: str) -> bool:
    """Whether the workers of the executor registered as ``name`` can open this machine's files."""
    return bool(getattr(EXECUTORS.get(name), "shares_filesystem", True))


register_executor("dask")(DaskExecutor)  # Dask itself is imported only when one is made
