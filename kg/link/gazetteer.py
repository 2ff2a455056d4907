"""Resolve an entity's names to a gazetteer entry, so that its node takes the entry's stable id.

A name resolves when it is one of an entry's names (official, short, alias, former), in simplified
characters, or when its park-variant key (:func:`kg.link.document.variant_key`: place prefixes dropped,
高新技术产业开发区 → 高新区 …) is the key of exactly one entry's name. A name two entries share
resolves to neither.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cache, lru_cache

from ..model import norm_name
from ..resources.gazetteer import Entry, gazetteer
from .document import variant_key

_VARIANT_TYPES = frozenset({"Park"})  # institutes' keys drop the place that tells two apart


@cache
def _index() -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """(type, name) -> id and (type, variant key) -> id, each for the names of one entry only."""
    exact: dict[tuple[str, str], set[str]] = defaultdict(set)
    variant: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in gazetteer().entries.values():
        for n in e.names:
            exact[e.type, norm_name(n)].add(e.id)
            if e.type in _VARIANT_TYPES:
                variant[e.type, variant_key(n)].add(e.id)
    return (
        {k: next(iter(v)) for k, v in exact.items() if len(v) == 1},
        {k: next(iter(v)) for k, v in variant.items() if len(v) == 1},
    )


@lru_cache(maxsize=1 << 16)  # the same names come back in document after document
def resolve(type_: str, name: str) -> str:
    """The id of the gazetteer entry ``name`` names, or "" when none does (or several might)."""
    exact, variant = _index()
    key = norm_name(name)
    found = exact.get((type_, key))
    if found is None and type_ in _VARIANT_TYPES and len(key) >= 3:
        found = variant.get((type_, variant_key(key)))
    return found or ""


def resolve_names(type_: str, names: Iterable[str]) -> str:
    """The entry the names (the fullest first) resolve to: the first that resolves decides."""
    for n in names:
        found = resolve(type_, n)
        if found:
            return found
    return ""


def entry(entry_id: str) -> Entry:
    return gazetteer().entries[entry_id]
