"""Checks on the place and zone lexicons: format, plausible coverage, cross-file consistency.

These files are hand-assembled data, so the tests guard against the usual slips: a missing source
header, a row with a stray tab, a duplicated entry, a zone pointing at a city or province that
places.tsv does not know.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources

import pytest

from kg.resources.lexicon import load_table, split_multi

FILES = {
    "places.tsv": ("name", "level", "parent", "short", "abbr", "code", "id"),
    "hitech_zones.tsv": ("name", "short", "city", "province", "aliases", "level", "id", "code", "year", "former"),
    "econ_zones.tsv": ("name", "short", "city", "province", "aliases", "id", "code", "year", "former"),
    "other_parks.tsv": ("name", "kind", "short", "city", "province", "aliases", "id", "code", "year", "former"),
}


def _raw_lines(name: str) -> list[str]:
    text = (resources.files("kg") / "data" / "lexicons" / name).read_text(encoding="utf-8")
    return text.splitlines()


@pytest.fixture(scope="module")
def places() -> tuple[dict[str, str], ...]:
    return load_table("places.tsv")


@pytest.fixture(scope="module")
def place_names(places: tuple[dict[str, str], ...]) -> set[str]:
    return {r["name"] for r in places}


@pytest.fixture(scope="module")
def provinces(places: tuple[dict[str, str], ...]) -> set[str]:
    return {r["name"] for r in places if r["level"] == "province"}


@pytest.mark.parametrize("name", sorted(FILES))
def test_header_comment_and_columns(name: str) -> None:
    lines = _raw_lines(name)
    assert lines and lines[0].startswith("#"), f"{name}: must start with a source comment"
    comment = " ".join(ln.lstrip("#").strip() for ln in lines if ln.startswith("#"))
    assert "not from any news page" in comment, f"{name}: header must state its source"
    body = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    assert tuple(body[0].split("\t")) == FILES[name]
    width = len(FILES[name])
    for i, ln in enumerate(body[1:], start=2):
        assert ln.count("\t") == width - 1, f"{name}: data line {i} has wrong column count: {ln!r}"
        assert not ln.endswith((" ", "\u3000")), f"{name}: trailing space on data line {i}"
        for cell in ln.split("\t"):
            assert cell == cell.strip(), f"{name}: padded cell on data line {i}"
            assert "||" not in cell and not cell.startswith("|") and not cell.endswith("|")


@pytest.mark.parametrize("name", sorted(FILES))
def test_no_duplicate_entries(name: str) -> None:
    rows = load_table(name)
    # district names repeat across cities (鼓楼区, 朝阳区 ...), so places are keyed with their parent
    keys = [(r["name"], r["parent"]) if name == "places.tsv" else r["name"] for r in rows]
    dups = [k for k, n in Counter(keys).items() if n > 1]
    assert not dups, f"{name}: duplicated entries {dups[:5]}"


def test_place_levels_and_counts(places: tuple[dict[str, str], ...]) -> None:
    levels = Counter(r["level"] for r in places)
    assert set(levels) <= {"province", "city", "district", "county", "new_area"}
    assert levels["province"] == 34
    taiwan = Counter(r["level"] for r in places if r["parent"] == "台湾省")
    assert taiwan == {"city": 9, "county": 11}  # 6 直辖市 and 3 市; 11 县 with 澎湖
    assert 330 <= levels["city"] - taiwan["city"] <= 340  # the mainland's prefecture-level divisions
    assert levels["new_area"] == 19
    assert levels["district"] + levels["county"] > 2500


def test_place_parents_exist(places: tuple[dict[str, str], ...], place_names: set[str]) -> None:
    level_of = {r["name"]: r["level"] for r in places if r["level"] in ("province", "city")}
    for r in places:
        if r["level"] == "province":
            assert r["parent"] == "" and r["short"] and r["abbr"], r
            continue
        assert r["parent"] in place_names, r
        if r["level"] == "city":
            assert level_of[r["parent"]] == "province", r


def test_known_places(places: tuple[dict[str, str], ...]) -> None:
    by_key = {(r["name"], r["parent"]): r for r in places}
    assert by_key[("广东省", "")]["abbr"] == "粤"
    assert by_key[("广西壮族自治区", "")]["short"] == "广西"
    assert by_key[("贵阳市", "贵州省")]["short"] == "贵阳"
    assert "黔东南" in split_multi(by_key[("黔东南苗族侗族自治州", "贵州省")]["short"])
    assert by_key[("滨江区", "杭州市")]["level"] == "district"
    assert by_key[("南山区", "深圳市")]["short"] == "南山"
    assert by_key[("浑南区", "沈阳市")]
    assert by_key[("两江新区", "重庆市")]["level"] == "new_area"
    # the province reading of 海南 must not be shadowed by 海南藏族自治州 or 乌海's 海南区
    assert by_key[("海南藏族自治州", "青海省")]["short"] == "海南州"
    assert by_key[("海南区", "乌海市")]["short"] == ""


@pytest.mark.parametrize("name", ["hitech_zones.tsv", "econ_zones.tsv", "other_parks.tsv"])
def test_zone_locations_exist(name: str, place_names: set[str], provinces: set[str]) -> None:
    for r in load_table(name):
        if r["province"]:
            assert r["province"] in provinces, f"{name}: unknown province in {r}"
        if r["city"]:
            assert r["city"] in place_names, f"{name}: unknown city in {r}"
        if name != "other_parks.tsv":
            assert r["province"] and r["city"], f"{name}: zone without location {r}"


def test_hitech_zone_coverage() -> None:
    rows = load_table("hitech_zones.tsv")
    levels = Counter(r["level"] for r in rows)
    assert set(levels) == {"national", "provincial"}
    assert levels["national"] >= 170
    names = {r["name"] for r in rows}
    assert "苏州工业园区" not in names  # kept in other_parks.tsv
    wuhan = next(r for r in rows if r["name"] == "武汉东湖新技术开发区")
    assert {"东湖高新区", "中国光谷"} <= {wuhan["short"], *split_multi(wuhan["aliases"])}
    for r in rows:
        assert r["short"] and r["short"] != r["name"], r


def test_econ_zone_coverage() -> None:
    rows = load_table("econ_zones.tsv")
    assert len(rows) >= 200
    beijing = next(r for r in rows if r["name"] == "北京经济技术开发区")
    assert beijing["short"] == "北京经开区" and "北京亦庄" in split_multi(beijing["aliases"])


def test_other_parks_kinds() -> None:
    rows = load_table("other_parks.tsv")
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["free_trade_zone"] == 22
    assert kinds["comprehensive_bonded_zone"] >= 100
    assert kinds["innovation_demo_zone"] >= 20
    names = {r["name"] for r in rows}
    assert {"苏州工业园区", "中关村国家自主创新示范区", "怀柔科学城"} <= names


def test_aliases_do_not_collide_across_zone_files() -> None:
    """A surface form (name, short or alias) should point at one zone only, or matching is ambiguous."""
    owner: dict[str, set[str]] = {}
    for name in ("hitech_zones.tsv", "econ_zones.tsv", "other_parks.tsv"):
        for r in load_table(name):
            for form in [r["name"], *split_multi(r["short"]), *split_multi(r["aliases"])]:
                owner.setdefault(form, set()).add(r["name"])
    clashes = {f: o for f, o in owner.items() if len(o) > 1}
    assert not clashes, f"ambiguous surface forms: {dict(list(clashes.items())[:5])}"
