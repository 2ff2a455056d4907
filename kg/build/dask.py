"""Run the per-file extraction as tasks on a Dask distributed cluster: the executor ``dask``
(``kg build --scheduler ADDRESS`` or ``KG_SCHEDULER``).

The build hands it the worker function and one :class:`~kg.build.executors.Source` per file, and
takes the results back **in input order**, whatever order the tasks finish in, so linking and writing on the
client see exactly what a local build sees and the outputs are byte-identical.

Workers do not share the client's file system (``shares_filesystem = False``): the build sends each
file's bytes, never a path. A worker needs the same ``kg`` installed (as
any Dask deployment needs the task code), nothing else: it loads the lexicons from its own install.

Faults are Dask's to handle where it can: a worker that dies takes its tasks back to the scheduler,
which runs them on another worker (``distributed.scheduler.allowed-failures`` times). What it cannot
handle, the scheduler gone or a task that killed every worker it ran on, ends the build with a
:class:`ClusterError` that says so; the build has written nothing yet (outputs are staged), so the last
good outputs stay. At most ``window`` tasks are in flight at once, so the client reads files only a
little ahead of the cluster and its memory does not grow with the archive.

``dask[distributed]`` is an optional dependency (``pip install 'kg[dask]'``): this module imports it
only when an executor is made, so kg works without it.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from typing import Any, TypeVar

from ..errors import ExecutorError
from ..extract.mentions import chosen, configure

T = TypeVar("T")
R = TypeVar("R")

INSTALL_HINT = "pip install 'kg[dask]'"


class ClusterError(ExecutorError):
    """The cluster could not run the build: scheduler unreachable or lost, or a task killing workers."""


# Setup functions this worker process has run, by name: a function defined in a script (``__main__``)
# arrives as a new object with every task.
_SET_UP: set[str] = set()


def _run_batch(
    fn: Callable[[T], R],
    items: list[T],
    setup: Callable[[], None] | None,
    recognizers: tuple[tuple[str, ...], str] | None = None,
) -> list[R]:
    """A task: the client's choice of recognizers and policy (workers started on their own do not
    share the client's environment or ``configure()``), the worker's one-time setup (first task on this
    worker), then ``fn`` on each item.

    Several files per task keep Dask's per-task costs (the scheduler's CPU, round trips, the worker's
    bookkeeping) small against the extraction (~20 ms per 18 KB page): measured on 160 pages, a worker
    spent 20% more CPU than the extraction itself with 4 files a task, 8% with 16. A task of ~256 KB
    is ~0.3 s of extraction, so the last tasks still spread over the workers."""
    if recognizers is not None and chosen() != recognizers:
        configure(*recognizers)
        _SET_UP.clear()  # set up again for the new recognizers
    if setup is not None:
        name = f"{getattr(setup, '__module__', '')}.{getattr(setup, '__qualname__', repr(setup))}"
        if name not in _SET_UP:
            setup()
            _SET_UP.add(name)
    return [fn(item) for item in items]


def _log_level(level: int) -> None:
    """Raise the level of Dask's loggers in this process (its config sets some children's own levels)."""
    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name == "distributed" or name.startswith("distributed."):
            logger = logging.getLogger(name)
            logger.setLevel(max(level, logger.getEffectiveLevel()))


def _describe(items: list[Any]) -> str:
    names = [str(getattr(item, "name", item)) for item in items]
    return names[0] if len(names) == 1 else f"{names[0]} … {names[-1]} ({len(names)} files)"


class DaskExecutor:
    """Ordered ``imap`` over a Dask cluster at ``address`` (``tcp://host:port``; default: the
    ``KG_SCHEDULER`` environment variable), or over a ``Client``.

    ``initializer`` runs once in each worker process before its first item (the build's
    :func:`kg.build.process.init_worker`: lexicons, jieba); ``jobs`` is the cluster's to decide.
    One task takes up to ``batch`` items or ``batch_bytes`` of their content (``item.data``), whichever
    comes first; ``window`` tasks at most are in flight (default: 4 per worker thread, at least 8).
    ``timeout``: seconds to wait for the scheduler (default: Dask's ``distributed.comm.timeouts.connect``,
    30 s, which ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT`` sets)."""

    name = "dask"
    shares_filesystem = False

    def __init__(
        self,
        address: Any = None,
        jobs: int = 1,
        initializer: Callable[[], None] | None = None,
        batch: int = 16,
        batch_bytes: int = 256_000,
        window: int | None = None,
        timeout: float | None = None,
        retries: int = 1,
    ) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # an optional dependency
            raise ClusterError(f"running on a Dask cluster needs dask.distributed: {INSTALL_HINT}") from exc
        if address is None:
            address = os.environ.get("KG_SCHEDULER") or None
        if address is None:
            raise ClusterError("the dask executor needs a scheduler: kg build --scheduler ADDRESS (or KG_SCHEDULER)")
        self.setup = initializer
        self.batch = max(1, batch)
        self.batch_bytes = batch_bytes
        self.retries = retries
        self._own_client = not isinstance(address, Client)
        if isinstance(address, Client):
            self.client = address
            self.address = str(address.scheduler.address if address.scheduler else address)
        else:
            self.address = str(address)
            # The client's routine INFO lines (connections opened and closed) would bury the build's own.
            _log_level(logging.WARNING)
            try:
                options = {"timeout": timeout} if timeout is not None else {}  # else Dask's configured one
                self.client = Client(self.address, set_as_default=False, **options)
            except (OSError, TimeoutError, ValueError) as exc:  # refused / timed out / a malformed address
                raise ClusterError(f"cannot reach the Dask scheduler at {self.address}: {exc}") from exc
        threads = sum(self.client.nthreads().values()) if self.client.status == "running" else 0
        self.window = window or max(8, 4 * threads)

    def imap(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn(item)`` for each item on the cluster, yielded in the order of ``items``."""
        it = iter(items)
        inflight: deque[tuple[Any, list[T]]] = deque()

        def submit() -> bool:
            chunk: list[T] = []
            size = 0
            for item in it:  # up to ``batch`` items or ``batch_bytes`` of content, whichever comes first
                chunk.append(item)
                size += len(getattr(item, "data", None) or b"")
                if len(chunk) >= self.batch or size >= self.batch_bytes:
                    break
            if not chunk:
                return False
            try:
                # pure=False: no hashing of the file's bytes for a key; every task is its own.
                future = self.client.submit(
                    _run_batch, fn, chunk, self.setup, chosen(), pure=False, retries=self.retries
                )
            except (OSError, CancelledError, RuntimeError) as exc:
                raise self._lost(exc) from exc
            inflight.append((future, chunk))
            return True

        try:
            while len(inflight) < self.window and submit():
                pass
            while inflight:
                future, chunk = inflight.popleft()
                results = self._result(future, chunk)
                submit()
                yield from results
        finally:
            for future, _ in inflight:  # an abandoned build (an error, Ctrl-C): stop its remaining tasks
                future.release()

    def _result(self, future: Any, chunk: list[Any]) -> list[Any]:
        from distributed import KilledWorker

        try:
            results = future.result()
        except KilledWorker as exc:
            raise ClusterError(
                f"extracting {_describe(chunk)} killed every Dask worker it ran on ({exc}); is it too big for "
                "a worker's memory?"
            ) from exc
        except (CancelledError, OSError, TimeoutError) as exc:
            raise self._lost(exc) from exc
        finally:
            future.release()
        return list(results)

    def _lost(self, exc: BaseException) -> ClusterError:
        # Dask's own account follows as logged tracebacks of its reconnection attempts: ours says it all.
        _log_level(logging.CRITICAL)
        if isinstance(exc, CancelledError):  # Dask cancels every future when the scheduler goes
            detail = "the connection to it was lost"
        else:
            detail = (str(exc) or type(exc).__name__).splitlines()[0]
        return ClusterError(f"lost the Dask scheduler at {self.address} during the build ({detail})")

    def close(self) -> None:
        if self._own_client:
            try:
                self.client.close(timeout=5)
            except (OSError, TimeoutError, CancelledError):
                pass  # the scheduler is gone already: nothing left to close cleanly
