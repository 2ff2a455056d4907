"""Load the lexicons and pattern tables shipped in ``kg/data/lexicons``.

Format: UTF-8 TSV. Lines starting with ``#`` are the header comment, which states the source or the
rule the list was assembled from. The first other line names the columns; each later line is one
entry. Multi-valued cells are separated by ``|``. Plain ``.txt`` lists have one entry a line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources


@contextmanager
def pkg_resources_hidden() -> Iterator[None]:
    """Import jieba and zhconv in this block: each imports pkg_resources (deprecated, and 50 ms, a
    fifth of a one-file rebuild's imports) only to open its own data files, and opens them by path
    when it cannot. Nothing is hidden when pkg_resources is already loaded."""
    if "pkg_resources" in sys.modules:
        yield
        return
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import pkg_resources: ImportError
    try:
        yield
    finally:
        del sys.modules["pkg_resources"]


def _lines(name: str) -> list[str]:
    text = (resources.files("kg") / "data" / "lexicons" / name).read_text(encoding="utf-8")
    return [ln.rstrip("\r\n") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@cache
def load_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a TSV lexicon as dicts keyed by its column names."""
    lines = _lines(name)
    if not lines:
        return ()
    cols = lines[0].split("\t")
    rows = []
    for ln in lines[1:]:
        cells = ln.split("\t")
        cells += [""] * (len(cols) - len(cells))
        rows.append(dict(zip(cols, (c.strip() for c in cells), strict=False)))
    return tuple(rows)


@cache
def load_list(name: str) -> tuple[str, ...]:
    """Entries of a one-per-line ``.txt`` lexicon."""
    return tuple(ln.strip() for ln in _lines(name))


def split_multi(cell: str) -> list[str]:
    return [p.strip() for p in cell.split("|") if p.strip()]
