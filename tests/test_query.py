"""``kg query``: the bundled examples, the output formats and the errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.query import examples, format_table, load_store, select_rows, text_width

EXAMPLES = [e.name for e in examples()]


def kg_query(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["query", *args])
    return result.exit_code, result.stdout, result.stderr


def test_at_least_eight_examples_with_descriptions() -> None:
    items = examples()
    assert len(items) >= 8
    for e in items:
        assert e.text.startswith("# ") and e.description, e.name
    code, out, _ = kg_query("--list")
    assert code == 0
    for e in items:
        assert any(line.split()[0] == e.name and e.description in line for line in out.splitlines())


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_returns_rows_on_the_fixture(name: str, fixture_ttl: Path) -> None:
    store = load_store(fixture_ttl)
    variables, rows = select_rows(store, next(e.text for e in examples() if e.name == name))
    assert variables and rows, name


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_returns_rows_on_the_sample_build(name: str, sample_build: Path) -> None:
    store = load_store(sample_build / "kg.ttl")
    _, entities = select_rows(store, "SELECT ?e WHERE { ?e rdfs:label ?l ; hkg:mentionCount ?n }")
    assert len(entities) > 100  # the sample's entities (285 at commit cd3fda7)
    _, rows = select_rows(store, next(e.text for e in examples() if e.name == name))
    assert rows, name


def test_example_answers_on_the_fixture(fixture_ttl: Path) -> None:
    store = load_store(fixture_ttl)
    text = {e.name: e.text for e in examples()}
    _, rows = select_rows(store, text["parks_by_companies"])
    assert [(r[0].value, int(r[1].value)) for r in rows] == [("贵阳高新区", 2), ("西部(重庆)科学城", 1)]
    _, rows = select_rows(store, text["cas_institutes"])
    assert [r[0].value for r in rows] == ["中国科学院", "中国科学院电工研究所"]
    _, rows = select_rows(store, text["people_roles"])
    assert [(r[0].value, r[1].value, int(r[2].value), r[3].value) for r in rows] == [
        ("王宏志", "济南高新区管委会", 1, "主任"),
        ("约翰·史密斯", "贵州航空科技发展股份有限公司", 1, "总经理"),
    ]
    _, rows = select_rows(store, text["multi_file_entities"])
    assert sorted(r[0].value for r in rows) == ["贵州航空科技发展股份有限公司", "贵阳高新区"]
    _, rows = select_rows(store, text["university_park_cooperation"])
    assert [(r[0].value, int(r[1].value)) for r in rows] == [("济南高新区", 1)]
    variables, rows = select_rows(store, text["evidence"])
    assert variables == ["head", "relation", "tail", "sentences", "sentence", "file", "article_title"]
    assert [(r[0].value, r[1].value, r[2].value, int(r[3].value), r[4].value) for r in rows] == [
        ("济南高新区", "undertakes", "空天信息产业园建设项目", 1, "济南高新区推进空天信息产业园建设项目。"),
        (
            "贵州航空科技发展股份有限公司",
            "undertakes",
            "空天信息产业园建设项目",
            1,
            "空天信息产业园建设项目由贵州航空科技发展股份有限公司投资建设。",
        ),
    ]
    _, rows = select_rows(store, text["projects"])
    assert [(r[0].value, int(r[1].value), int(r[2].value), int(r[3].value)) for r in rows] == [
        ("空天信息产业园建设项目", 2, 2, 1)
    ]
    _, rows = select_rows(store, text["companies_in_park"])
    assert [(r[0].value, int(r[1].value), r[2].value) for r in rows] == [
        ("贵阳高新区", 2, "贵州力创科技发展有限公司"),
        ("贵阳高新区", 2, "贵州航空科技发展股份有限公司"),
        ("西部(重庆)科学城", 1, '"星光"科技/研发 50%有限公司\\分部'),
    ]


def test_table_is_aligned_for_cjk(fixture_ttl: Path) -> None:
    code, out, err = kg_query("--graph", str(fixture_ttl), "companies_in_park")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["park_name", "companies", "company_name", "company"]
    assert "(3 rows)" in err
    # Every column starts at the same display column on every line.
    starts = None
    for line in lines[2:]:
        cells = line.split("  ")
        cells = [c for c in cells if c]
        cols = []
        pos = 0
        rest = line
        for c in cells:
            i = rest.index(c)
            pos += text_width(rest[:i])
            cols.append(pos)
            pos += text_width(c)
            rest = rest[i + len(c) :]
        if starts is None:
            starts = cols
        assert cols == starts, line
    assert text_width("贵阳高新区") == 10 and text_width("ab") == 2


def test_format_table_keeps_one_line_per_row() -> None:
    out = format_table(["a", "b"], [["x\ny", "贵阳"], ["long value", ""]])
    assert out.splitlines() == ["a           b", "----------  ----", "x\\ny        贵阳", "long value"]


def test_csv_and_json_formats(fixture_ttl: Path) -> None:
    code, out, _ = kg_query("--graph", str(fixture_ttl), "--format", "csv", "parks_by_companies")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [["park_name", "companies"], ["贵阳高新区", "2"], ["西部(重庆)科学城", "1"]]
    code, out, _ = kg_query("--graph", str(fixture_ttl), "--format", "json", "parks_by_companies")
    assert code == 0
    data = json.loads(out)
    assert data["head"]["vars"] == ["park_name", "companies"]
    first = data["results"]["bindings"][0]
    assert first["park_name"] == {"type": "literal", "value": "贵阳高新区", "xml:lang": "zh"}
    assert first["companies"]["value"] == "2"


def test_sparql_text_with_predeclared_prefixes_and_rq_files(fixture_ttl: Path, tmp_path: Path) -> None:
    code, out, _ = kg_query(
        "--graph", str(fixture_ttl), "--format", "csv", "SELECT ?n WHERE { person:王宏志 hkg:worksFor/rdfs:label ?n }"
    )
    assert code == 0 and out.splitlines()[1] == "济南高新区管委会"
    rq = tmp_path / "mine.rq"
    rq.write_text("ASK { ?p a hkg:Park }", encoding="utf-8")
    code, out, _ = kg_query("--graph", str(fixture_ttl), str(rq))
    assert code == 0 and out.strip() == "true"
    code, out, _ = kg_query("--graph", str(fixture_ttl), "CONSTRUCT { ?s a hkg:Person } WHERE { ?s a hkg:Person }")
    assert code == 0 and out.strip().endswith("<https://w3id.org/hitech-kg/ontology#Person> .")


def test_errors_exit_2_with_a_clear_message(fixture_ttl: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "kg.ttl"
    code, _, err = kg_query("--graph", str(missing), "evidence")
    assert code == 2 and str(missing) in err and "kg build" in err
    code, _, err = kg_query("--graph", str(fixture_ttl), "SELECT ?x WHERE { ?x }")
    assert code == 2 and "invalid SPARQL" in err
    code, _, err = kg_query("--graph", str(fixture_ttl), "evidense")
    assert code == 2 and "unknown example query 'evidense'" in err and "evidence" in err
    code, _, err = kg_query("--graph", str(fixture_ttl), str(tmp_path / "none.rq"))
    assert code == 2 and "none.rq: no such query file" in err
    code, _, err = kg_query("--graph", str(fixture_ttl))
    assert code == 2 and "--list" in err
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b .\n", encoding="utf-8")
    code, _, err = kg_query("--graph", str(bad), "evidence")
    assert code == 2 and "bad.ttl" in err and "not a valid Turtle file" in err
