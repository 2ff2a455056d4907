"""The gazetteer: parks, universities and institutes with stable identifiers, read from the lexicons.

The zone, university and institute lexicons *are* the gazetteer (one source of truth: the extraction
reads the same rows): each row carries an ``id`` assigned once and never recomputed from text, which
becomes the entity's IRI, so separately built graphs name one park with one IRI. Places come from
places.tsv with their administrative codes; the national new areas (国家级新区) of places.tsv, which
the news names as parks, are entries too. See kg/data/gazetteer/README.md for the sources and the
identifier scheme.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from .lexicon import load_table, split_multi

# (table, entity type, kind when the table has no kind column, the columns holding other names)
_TABLES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("hitech_zones.tsv", "Park", "hitech_zone", ("short", "aliases")),
    ("econ_zones.tsv", "Park", "econ_zone", ("short", "aliases")),
    ("other_parks.tsv", "Park", "", ("short", "aliases")),
    ("universities.tsv", "University", "university", ("abbr",)),
    ("cas_institutes.tsv", "Institute", "institute", ("short",)),
)


@dataclass(frozen=True)
class Place:
    name: str  # full official name, e.g. 湖北省
    level: str  # province | city | district | county
    code: str  # 6-digit administrative code (GB/T 2260)


@dataclass(frozen=True)
class Entry:
    id: str
    type: str  # the entity type it links: Park, University or Institute
    kind: str  # hitech_zone, econ_zone, ftz_area ..., university, college, institute
    name: str  # official full name
    names: tuple[str, ...]  # every name: official, short forms, aliases, former names
    province: str = ""
    city: str = ""
    code: str = ""
    year: str = ""
    source: str = ""  # the lexicon table the entry comes from
    moe: str = ""  # a university's Ministry of Education school code (学校标识码, 10 digits), if known


@dataclass(frozen=True)
class Gazetteer:
    entries: dict[str, Entry]
    places: dict[str, Place]  # province and city full names -> place

    def place_chain(self, entry: Entry) -> tuple[Place, ...]:
        """The province and city an entry lies in, as places with their codes (province first)."""
        out = []
        for name in (entry.province, entry.city):
            place = self.places.get(name)
            if place is not None and place not in out:
                out.append(place)
        return tuple(out)

    def names_by_type(self) -> dict[tuple[str, str], set[str]]:
        """(type, name) -> the ids of the entries known by that name."""
        out: dict[tuple[str, str], set[str]] = defaultdict(set)
        for e in self.entries.values():
            for n in e.names:
                out[e.type, n].add(e.id)
        return out


def _entry(table: str, type_: str, kind: str, cols: tuple[str, ...], row: dict[str, str]) -> Entry:
    names = [row["name"]]
    for col in (*cols, "former"):
        names += split_multi(row.get(col, ""))
    return Entry(
        id=row["id"],
        type=type_,
        kind=row.get("kind") or kind,
        name=row["name"],
        names=tuple(dict.fromkeys(names)),
        province=row.get("province", ""),
        city=row.get("city", ""),
        code=row.get("code", ""),
        year=row.get("year", ""),
        source=table,
        moe=row.get("moe", ""),
    )


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer (loaded once). A row without an id is no entry: tests/test_gazetteer.py fails on it."""
    entries: dict[str, Entry] = {}
    for table, type_, kind, cols in _TABLES:
        for row in load_table(table):
            if row.get("id"):
                entries.setdefault(row["id"], _entry(table, type_, kind, cols, row))
    places: dict[str, Place] = {}
    rows = load_table("places.tsv")
    parent_of = {r["name"]: r["parent"] for r in rows if r["level"] == "city"}
    for row in rows:  # the national new areas (国家级新区)
        if row["level"] == "new_area" and row.get("id"):
            names = tuple(n for n in dict.fromkeys([row["name"], *split_multi(row["short"])]) if len(n) > 2)
            city = row["parent"] if row["parent"] in parent_of else ""
            province = parent_of.get(city, row["parent"])
            entry = Entry(
                row["id"], "Park", "national_new_area", row["name"], names, province, city, source="places.tsv"
            )
            entries.setdefault(row["id"], entry)
    for row in rows:
        if row["level"] in ("province", "city") and row.get("code"):
            places.setdefault(row["name"], Place(row["name"], row["level"], row["code"]))
    # a province-administered county-level city (济源市, 仙桃市) hosts zones as a city does
    for row in rows:
        if row["level"] == "district" and row.get("code") and row["parent"] in places:
            if places[row["parent"]].level == "province":
                places.setdefault(row["name"], Place(row["name"], "city", row["code"]))
    return Gazetteer(entries, places)
