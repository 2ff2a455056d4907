"""The gazetteer: every entry has a stable id and codes, names resolve to entries, and graphs built
apart give a gazetteer entity one IRI, so loading them into one store joins them."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build.builder import Builder
from kg.link.gazetteer import resolve
from kg.resources.gazetteer import _TABLES, gazetteer
from kg.resources.lexicon import load_table
from kg.writers.rdf import ID, PREFIXES
from kg.writers.viz import _network_data, find_nodes

_ID = re.compile(r"^[a-z]+(-[0-9]{6})?-[a-z0-9]+(-[0-9]+)?$")


def test_every_row_has_a_unique_well_formed_id() -> None:
    seen: Counter[str] = Counter()
    for table, _type, _kind, _cols in _TABLES:
        for row in load_table(table):
            assert _ID.fullmatch(row.get("id", "")), f"{table}: no or bad id in {row}"
            seen[row["id"]] += 1
    for row in load_table("places.tsv"):  # the national new areas, and only they, are entries
        assert bool(row["id"]) == (row["level"] == "new_area"), row
        if row["id"]:
            assert _ID.fullmatch(row["id"]), row
            seen[row["id"]] += 1
    assert [i for i, n in seen.items() if n > 1] == []
    assert len(gazetteer().entries) == sum(seen.values())


def test_codes_are_administrative_codes() -> None:
    g = gazetteer()
    assert g.places["湖北省"].code == "420000" and g.places["武汉市"].code == "420100"
    assert g.places["济源市"].level == "city"  # administered by its province directly
    for e in g.entries.values():
        if e.type == "Park" and e.code:
            assert re.fullmatch(r"[1-8][0-9]{5}", e.code), e
            chain = g.place_chain(e)
            assert chain and chain[0].code[:2] == e.code[:2], e  # its province agrees with its code
    parks = [e for e in g.entries.values() if e.type == "Park"]
    assert sum(1 for e in parks if g.place_chain(e)) / len(parks) > 0.98  # hkg:inPlace for nearly all


@pytest.mark.parametrize(
    "name",
    ["武汉东湖新技术开发区", "东湖高新区", "中国光谷", "湖北武汉东湖高新区", "武汉东湖高新技术产业开发区"],
)
def test_names_resolve_to_one_entry(name: str) -> None:
    assert resolve("Park", name) == "hz-420100-donghu"


def test_former_names_resolve_to_the_entry() -> None:
    assert resolve("University", "华中理工大学") == resolve("University", "华中科技大学") != ""
    assert resolve("Park", "襄樊高新技术产业开发区") == "hz-420600-xiangyang"


def test_national_new_areas_are_parks_with_places() -> None:
    assert resolve("Park", "河北雄安新区") == resolve("Park", "雄安新区") == "nna-130000-xiongan"
    entry = gazetteer().entries[resolve("Park", "广州南沙新区")]
    assert [p.code for p in gazetteer().place_chain(entry)] == ["440000", "440100"]


def test_unknown_and_shared_names_resolve_to_nothing() -> None:
    assert resolve("Park", "星辰科技产业园") == ""
    assert resolve("Company", "东湖高新区") == ""  # only within the entry's type
    assert resolve("University", "北京大学") == "univ-110000-beijingdaxue"


# A school whose moe code names another province than its `province` cell: run by one province, in a
# city of another (universities.tsv lists the city's region). Its code's province (digits 3-4).
MOE_PROVINCE_EXCEPTIONS = {"河北工业大学": "13"}  # 河北省's university in Tianjin


def test_moe_codes_are_school_codes() -> None:
    """The MoE 学校标识码 of universities.tsv: 10 digits, 4 first, digits 3-4 the province's 2-digit
    code (北京大学 4111010001, 南开大学 4112010055: 11 北京, 12 天津), one school each."""
    rows = [r for r in load_table("universities.tsv") if r["moe"]]
    assert len(rows) >= 890
    for r in rows:
        assert re.fullmatch(r"4[0-9]{9}", r["moe"]), r
        assert r["moe"][2:4] == MOE_PROVINCE_EXCEPTIONS.get(r["name"], r["code"][:2]), r
    codes = Counter(r["moe"] for r in rows)
    assert [c for c, n in codes.items() if n > 1] == []
    entries = gazetteer().entries
    assert entries[resolve("University", "北京大学")].moe == "4111010001"
    assert entries[resolve("University", "南开大学")].moe == "4112010055"
    assert entries[resolve("University", "中国石油大学(华东)")].moe == "4137010425"  # half-width brackets
    assert entries[resolve("University", "香港大学")].moe == ""  # not in the MoE list


def test_built_graph_carries_moe_code(tmp_path: Path) -> None:
    text = "产学研合作再结硕果\n\n本报讯 近日，清华大学与北京星河智能科技有限公司签署合作协议，共建联合实验室。\n"
    out = _build(tmp_path, "moe", {"t.txt": text})
    store = ox.Store()
    store.bulk_load(path=str(out / "kg.ttl"), format=ox.RdfFormat.TURTLE)
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    rows = store.query(prefixes + "SELECT ?u ?c WHERE { ?u a hkg:University ; hkg:moeCode ?c }")
    assert [(str(r["u"].value), str(r["c"].value)) for r in rows] == [
        (ID + "University/univ-110000-qinghuadaxue", "4111010003")
    ]


BATCH_A = {
    "a.txt": "武汉东湖新技术开发区招商引资再获突破\n\n本报讯 近日，湖北星辰光电科技有限公司正式落户"
    "武汉东湖新技术开发区，项目总投资10亿元。\n",
}
BATCH_B = {
    "b1.txt": "东湖高新区新添一家企业\n\n本报讯 近日，武汉云帆智能科技有限公司与华中科技大学签署合作协议，"
    "双方将在东湖高新区共建联合实验室。武汉云帆智能科技有限公司入驻东湖高新区。\n",
    "b2.txt": "园区动态\n\n本報訊 近日，武漢極光材料有限公司已入駐湖北武漢東湖高新區。\n",
}


def _build(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    src = tmp_path / name
    src.mkdir()
    for fname, text in files.items():
        (src / fname).write_text(text, encoding="utf-8")
    out = tmp_path / f"out_{name}"
    builder = Builder(out=out, jobs=1, use_cache=False, executor="serial")
    found, skipped = builder.discover([str(src)])
    report = builder.build(found, skipped)
    assert not report.errors
    return out


def test_two_batches_three_spellings_one_node(tmp_path: Path) -> None:
    """Full name in one build; the 高新区 short form and a place-prefixed traditional form in another:
    loaded into one store, the park is one IRI with the facts of both builds."""
    store = ox.Store()
    for out in (_build(tmp_path, "a", BATCH_A), _build(tmp_path, "b", BATCH_B)):
        store.bulk_load(path=str(out / "kg.ttl"), format=ox.RdfFormat.TURTLE)
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    parks = list(store.query(prefixes + "SELECT DISTINCT ?p WHERE { ?p a hkg:Park }"))
    assert [str(row["p"].value) for row in parks] == [ID + "Park/hz-420100-donghu"]
    rows = store.query(
        prefixes + "SELECT ?name WHERE { ?c hkg:locatedIn park:hz-420100-donghu ; a hkg:Company ; rdfs:label ?name }"
    )
    located = [row["name"].value for row in rows]
    assert {"湖北星辰光电科技有限公司", "武汉云帆智能科技有限公司", "武汉极光材料有限公司"} <= set(located)
    labels = {
        str(row["l"].value)
        for row in store.query(prefixes + "SELECT ?l WHERE { park:hz-420100-donghu skos:prefLabel|rdfs:label ?l }")
    }
    assert labels == {"武汉东湖新技术开发区"}  # one official name, whatever each batch wrote
    alt = {
        str(row["l"].value)
        for row in store.query(prefixes + "SELECT ?l WHERE { park:hz-420100-donghu skos:altLabel ?l }")
    }
    assert {"东湖高新区", "武漢東湖高新區"} <= alt  # the text's forms, the traditional one too
    in_hubei = list(store.query(prefixes + 'SELECT ?p WHERE { ?p hkg:inPlace [ hkg:adminCode "420000" ] }'))
    assert len(in_hubei) == 1


def test_focus_accepts_any_known_name(tmp_path: Path) -> None:
    from kg.writers.rdf import load_graph

    graph = load_graph(_build(tmp_path, "a", BATCH_A) / "kg.ttl")
    for name in ("武汉东湖新技术开发区", "东湖高新区", "中国光谷", "東湖高新區"):  # the text wrote only the first
        assert [n.id for n in find_nodes(graph, name)] == ["Park/hz-420100-donghu"]
    # the page's search box finds it by the gazetteer's names too
    nodes, _edges, _options = _network_data(graph, ())
    park = next(n for n in nodes if n["id"] == "Park/hz-420100-donghu")
    assert {"东湖高新区", "中国光谷"} <= set(park["kg"]["names"])
