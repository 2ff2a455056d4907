"""Load the lexicons and pattern tables shipped in ``kg/data/lexicons``.

Format: UTF-8 TSV. Lines starting with ``#`` are the header comment, which states the source or the
rule the list was assembled from. The first other line names the columns; each later line is one
entry. Multi-valued cells are separated by ``|``. Plain ``.txt`` lists have one entry a line.
"""

from __future__ import annotations

import re
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


@cache
def load_sets(name: str) -> dict[str, tuple[str, ...]]:
    """The named word sets of a ``set``/``word`` table, each in file order: the words a rule tests
    against, kept as data so that a rule's vocabulary changes without touching its code."""
    sets: dict[str, list[str]] = {}
    for row in load_table(name):
        sets.setdefault(row["set"], []).append(row["word"])
    return {key: tuple(words) for key, words in sets.items()}


@cache
def load_uses(name: str, key: str = "form") -> dict[str, tuple[str, ...]]:
    """The entries of a table by use: ``{use: entries whose |-separated uses cell names it}``, in file
    order. One list serves every rule, each reading the entries marked for it."""
    uses: dict[str, list[str]] = {}
    for row in load_table(name):
        for use in split_multi(row.get("uses", "")):
            uses.setdefault(use, []).append(row[key])
    return {use: tuple(entries) for use, entries in uses.items()}


_SET_REF = re.compile(r"@(\w+)")


def alternation(words: tuple[str, ...]) -> str:
    """A non-capturing regex group matching any of ``words``, longest first (so a longer word is not
    cut short by its own tail)."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


@cache
def load_patterns(name: str, sets: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> dict[str, str]:
    """The ``name``/``pattern`` rows of a regex table; ``@set`` in a pattern stands for an
    :func:`alternation` of the word set of that name in ``sets``, so a word listed once serves many
    patterns. An unknown set is an error naming the table and the pattern."""
    known = dict(sets)
    out: dict[str, str] = {}
    for row in load_table(name):

        def expand(m: re.Match[str], row: dict[str, str] = row) -> str:
            if m.group(1) not in known:
                raise KeyError(f"{name}: pattern {row['name']!r} names the unknown word set @{m.group(1)}")
            return alternation(known[m.group(1)])

        out[row["name"]] = _SET_REF.sub(expand, row["pattern"])
    return out
