"""Snapshots of what every extraction worker would otherwise make again at start-up (jieba's
dictionary with the project's words, the compiled relation patterns), kept in the default cache
folder. Part of the resources layer, so the recognizers load them without depending on the build."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..atomic import atomic_open


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


def snapshot(kind: str, key: str, make: Callable[[], Any], valid: Callable[[Any], bool]) -> Any:
    """What ``make()`` returns, loaded from the snapshot ``kind/KEY.pickle`` of the default cache folder
    when one is there and ``valid``; else made and snapshotted (atomically; the other snapshots of
    ``kind`` are removed). ``key`` must name everything the value depends on. A damaged or foreign
    snapshot is made again; a folder that cannot be written is simply not used."""
    path = default_cache_dir() / kind / f"{key}.pickle"
    try:
        value = pickle.loads(path.read_bytes())
        if valid(value):
            return value
    except Exception:  # absent, damaged or foreign: make it again
        pass
    value = make()
    try:
        with atomic_open(path, "wb", encoding=None) as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        for old in path.parent.glob("*.pickle"):  # snapshots of other keys
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return value
