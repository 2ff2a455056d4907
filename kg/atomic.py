"""Atomic file writes: a failed or interrupted run never leaves a half-written output."""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        fh: IO = os.fdopen(fd, mode, encoding=encoding, newline="") if "b" not in mode else os.fdopen(fd, mode)
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
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
