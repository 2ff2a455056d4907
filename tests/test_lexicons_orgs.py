"""Integrity checks for the organisation, surname and role lexicons.

These files are hand-assembled; the tests catch the mistakes that creep into such lists (a missing
column, a duplicated row, a short form that points at two different organisations, a parent that names
nothing) before they turn into wrong links in the graph.
"""

from __future__ import annotations

import re
from collections import defaultdict
from importlib import resources

import pytest

from kg.resources.lexicon import load_list, load_table, split_multi

TABLES = {
    "universities.tsv": ["name", "abbr", "province", "kind", "id", "code", "former", "moe"],
    "cas_institutes.tsv": ["name", "short", "parent", "id", "former"],
    "institutes.tsv": ["name", "short", "kind"],
    "government.tsv": ["name", "short", "level", "parent"],
    "companies.tsv": ["name", "short", "industry"],
}
MIN_ROWS = {
    "universities.tsv": 700,
    "cas_institutes.tsv": 100,
    "institutes.tsv": 100,
    "government.tsv": 80,
    "companies.tsv": 400,
}
ALIAS_COL = {"universities.tsv": "abbr"}  # the others call it "short"
PROVINCES = set(
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 "
    "重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 香港 澳门 台湾".split()
)
# A campus or branch qualifier in full-width brackets follows the school name: 中国石油大学（华东）.
CAMPUS = re.compile(r"（[^（）]+）$")
VOCATIONAL = re.compile(r"(职业技术学院|职业学院|职业大学|职业技术大学|专科学校)$")
# Names that legitimately do not end in 大学/学院/学校 (none at present; add here with a reason).
UNIVERSITY_NAME_EXCEPTIONS: set[str] = set()


def _raw(name: str) -> str:
    return (resources.files("kg") / "data" / "lexicons" / name).read_text(encoding="utf-8")


def _aliases(file: str, row: dict[str, str]) -> list[str]:
    return split_multi(row[ALIAS_COL.get(file, "short")])


@pytest.mark.parametrize("file", [*TABLES, "surnames.txt", "roles.txt"])
def test_file_starts_with_source_comment(file: str) -> None:
    lines = _raw(file).splitlines()
    comment = []
    for ln in lines:
        if not ln.startswith("#"):
            break
        comment.append(ln)
    assert comment, f"{file}: no header comment"
    text = " ".join(ln.lstrip("#").strip() for ln in comment)
    assert len(text) > 120, f"{file}: header comment too short to state its source"
    assert "not from any news page" in text, f"{file}: header must say the list is not mined from the corpus"


@pytest.mark.parametrize("file", [*TABLES, "surnames.txt", "roles.txt"])
def test_raw_lines_are_clean(file: str) -> None:
    text = _raw(file)
    assert "\r" not in text, f"{file}: CRLF line endings"
    assert text.endswith("\n"), f"{file}: no final newline"
    for no, ln in enumerate(text.splitlines(), 1):
        assert ln.strip(), f"{file}:{no}: blank line"
        assert not ln.endswith(" "), f"{file}:{no}: trailing space"
        assert "\u3000" not in ln, f"{file}:{no}: ideographic space"


@pytest.mark.parametrize("file", TABLES)
def test_table_shape(file: str) -> None:
    body = [ln for ln in _raw(file).splitlines() if not ln.startswith("#")]
    assert body[0].split("\t") == TABLES[file], f"{file}: unexpected header {body[0]!r}"
    for no, ln in enumerate(body[1:], 2):
        cells = ln.split("\t")
        assert len(cells) == len(TABLES[file]), f"{file}: data line {no} has {len(cells)} cells: {ln!r}"
        assert all(c == c.strip() for c in cells), f"{file}: data line {no} has padded cells"
    rows = load_table(file)
    assert len(rows) == len(body) - 1
    assert len(rows) >= MIN_ROWS[file], f"{file}: only {len(rows)} rows"


@pytest.mark.parametrize("file", TABLES)
def test_names_unique_and_well_formed(file: str) -> None:
    seen: set[str] = set()
    for row in load_table(file):
        name = row["name"]
        assert name, f"{file}: empty name"
        assert name not in seen, f"{file}: duplicate name {name}"
        seen.add(name)
        assert not re.search(r"[ ()\[\]]", name), f"{file}: {name}: ASCII bracket or space (use （）)"
        cell = row[ALIAS_COL.get(file, "short")]
        parts = split_multi(cell)
        assert "|".join(parts) == cell, f"{file}: {name}: malformed multi-value cell {cell!r}"
        assert len(set(parts)) == len(parts), f"{file}: {name}: repeated short form"
        assert name not in parts, f"{file}: {name}: short form equal to the name"


def test_university_names_and_kinds() -> None:
    for row in load_table("universities.tsv"):
        name = row["name"]
        base = CAMPUS.sub("", name)
        if name not in UNIVERSITY_NAME_EXCEPTIONS:
            assert base.endswith(("大学", "学院", "学校")), f"{name}: not a school name"
        assert row["province"] in PROVINCES, f"{name}: unknown province {row['province']}"
        if VOCATIONAL.search(base):
            assert row["kind"] == "vocational", name
        elif base.endswith("大学"):
            assert row["kind"] == "university", name
        else:
            assert row["kind"] == "college", name


def test_core_universities_present() -> None:
    unis = {r["name"]: r for r in load_table("universities.tsv")}
    for name, abbr in [
        ("清华大学", "清华"),
        ("北京航空航天大学", "北航"),
        ("哈尔滨工业大学", "哈工大"),
        ("中国科学技术大学", "中科大"),
        ("中国科学院大学", "国科大"),
        ("上海交通大学", "上交大"),
    ]:
        assert abbr in split_multi(unis[name]["abbr"]), name
    kinds = {r["kind"] for r in unis.values()}
    assert kinds == {"university", "college", "vocational"}


def _all_names() -> set[str]:
    return {r["name"] for f in ("government.tsv", "cas_institutes.tsv", "companies.tsv") for r in load_table(f)}


def test_cas_institutes_belong_somewhere() -> None:
    known = _all_names()
    rows = load_table("cas_institutes.tsv")
    cas_members = [r for r in rows if r["parent"] == "中国科学院"]
    assert len(cas_members) >= 100
    for row in rows:
        assert row["name"].startswith("中国科学院") or row["parent"], f"{row['name']}: no parent"
        if row["parent"]:
            assert row["parent"] in known, f"{row['name']}: parent {row['parent']} is not a listed body"
            assert row["parent"] != row["name"]


def test_government_rows() -> None:
    known = _all_names()
    rows = load_table("government.tsv")
    for row in rows:
        assert row["level"] == "central", row["name"]
        if row["parent"]:
            assert row["parent"] in known, f"{row['name']}: parent {row['parent']} is not a listed body"
    shorts = {s: r["name"] for r in rows for s in split_multi(r["short"])}
    assert shorts["科技部"] == "中华人民共和国科学技术部"
    assert shorts["火炬中心"] == "科学技术部火炬高技术产业开发中心"


def test_institute_and_company_categories() -> None:
    for row in load_table("institutes.tsv"):
        assert row["kind"] in {"lab", "institute", "center", "association", "incubator"}, row["name"]
    for row in load_table("companies.tsv"):
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", row["industry"]), f"{row['name']}: industry {row['industry']!r}"


def test_no_short_form_points_at_two_entries() -> None:
    """A surface form must resolve to one organisation across all the organisation lexicons."""
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for file in TABLES:
        for row in load_table(file):
            entry = (file, row["name"])
            owners[row["name"]].add(entry)
            for alias in _aliases(file, row):
                owners[alias].add(entry)
    clashes = {form: sorted(e) for form, e in owners.items() if len(e) > 1}
    assert not clashes, f"ambiguous forms: {clashes}"


def test_surnames() -> None:
    names = load_list("surnames.txt")
    assert len(names) == len(set(names)), "duplicate surname"
    singles = [n for n in names if len(n) == 1]
    compounds = [n for n in names if len(n) == 2]
    assert len(singles) + len(compounds) == len(names)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+", n) for n in names)
    assert len(singles) >= 350 and len(compounds) >= 20
    assert names[:3] == ("王", "李", "张")
    assert {"欧阳", "司马", "诸葛", "上官", "东方"} <= set(compounds)


def test_roles() -> None:
    roles = load_list("roles.txt")
    assert len(roles) == len(set(roles)), "duplicate role"
    assert len(roles) >= 80
    assert {"董事长", "总经理", "院长", "主任", "教授", "院士", "CEO", "党工委书记"} <= set(roles)
