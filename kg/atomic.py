"""Atomic file writes: a failed or interrupted run never leaves a half-written output."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8", fsync: bool = True) -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` only on success: the one
    atomic-write helper of kg (outputs, cache entries, snapshots, build records).

    ``fsync=False`` skips the sync where something else syncs (``Stage.commit`` syncs the staged
    outputs once before moving them into place) or where a torn file is detected on load (cache
    entries). The file gets the usual permissions (not a temporary file's 0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    binary = "b" in mode
    try:
        fh: IO
        with tmp.open(
            mode.replace("w", "x"), encoding=None if binary else encoding, newline=None if binary else ""
        ) as fh:
            yield fh
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def signals_held(*signums: int) -> Iterator[None]:
    """The given signals wait until the block is done (they are delivered right after it): for steps
    that must not be cut in half, such as renaming outputs into place or forking workers."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, set(signums))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def file_identity(st: os.stat_result) -> tuple[int, ...]:
    """A file as written (from its ``stat``): a rename keeps it, any change to the file (or another file
    in its place) does not. How a build knows its outputs are still those it recorded."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def write_text(path: str | Path, text: str) -> None:
    with atomic_open(path, "w") as fh:
        fh.write(text)
