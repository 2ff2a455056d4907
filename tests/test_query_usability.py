"""``kg query`` as a newcomer meets it (issue 15): counts that match the tables, the examples' SPARQL,
warnings for misspelt terms, one-line syntax errors, and tables that fit the screen."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main
from kg.query import examples, load_store, select_rows, text_width


def kg_query(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["query", *args])
    return result.exit_code, result.stdout, result.stderr


def test_entity_types_counts_match_the_tables(sample_build: Path) -> None:
    """cooperatesWith is stored in both directions; each pair is one relation, as in relations.csv."""
    text = next(e.text for e in examples() if e.name == "entity_types")
    _, rows = select_rows(load_store(sample_build / "kg.ttl"), text)
    counted = {(r[0].value, r[1].value): int(r[2].value) for r in rows}
    with open(sample_build / "relations.csv", encoding="utf-8") as fh:
        relations = Counter(row["relation"] for row in csv.DictReader(fh))
    with open(sample_build / "entities.csv", encoding="utf-8") as fh:
        entities = Counter(row["type"] for row in csv.DictReader(fh))
    assert relations["cooperatesWith"] > 0
    assert {name: n for (kind, name), n in counted.items() if kind == "relation" and n} == dict(relations)
    assert {name: n for (kind, name), n in counted.items() if kind == "entity" and n} == dict(entities)


def test_entity_types_counts_a_symmetric_pair_once(fixture_ttl: Path) -> None:
    code, out, _ = kg_query("--graph", str(fixture_ttl), "--format", "csv", "entity_types")
    assert code == 0
    assert "relation,cooperatesWith,1" in out.splitlines()


def test_show_prints_an_examples_sparql() -> None:
    for e in examples():
        code, out, _ = kg_query("--show", e.name)
        assert code == 0 and out == e.text
    code, out, err = kg_query("--show", "evidense")
    assert code == 2 and not out and "unknown example query 'evidense'" in err and "evidence" in err


def test_show_accepts_any_known_name_of_an_entity(fixture_ttl: Path) -> None:
    """The fixture's 东湖 park is written 武汉东湖新技术开发区 with the alias 东湖高新区; 中国光谷 is only
    the gazetteer's name for it: each prints a query of that park's triples, which runs."""
    for name in ("东湖高新区", "中国光谷"):
        code, out, _ = kg_query("--graph", str(fixture_ttl), "--show", name)
        assert code == 0 and "<https://w3id.org/hitech-kg/id/Park/hz-420100-donghu>" in out, name
    code, rows, _ = kg_query("--graph", str(fixture_ttl), "--format", "csv", out)
    assert code == 0 and "http://www.w3.org/2004/02/skos/core#prefLabel,武汉东湖新技术开发区" in rows
    code, out, err = kg_query("--graph", str(fixture_ttl), "--show", "不存在的园区")
    assert code == 2 and not out and "nor is it the name of an entity" in err


def test_misspelt_ontology_term_warns(fixture_ttl: Path) -> None:
    code, out, err = kg_query("--graph", str(fixture_ttl), "SELECT ?c WHERE { ?c hkg:locatedin ?p }")
    assert code == 0
    assert "warning: hkg:locatedin is not defined by the ontology" in err and "hkg:locatedIn?" in err
    code, _, err = kg_query(
        "--graph", str(fixture_ttl), "SELECT ?c WHERE { ?c <https://w3id.org/hitech-kg/ontology#Compny> ?p }"
    )
    assert code == 0 and "ontology#Compny> is not defined" in err and "hkg:Company?" in err
    # Defined terms, the bare namespace, names inside strings and comments: no warning.
    for example in examples():
        code, _, err = kg_query("--graph", str(fixture_ttl), example.name)
        assert code == 0 and "warning" not in err, example.name
    code, _, err = kg_query(
        "--graph", str(fixture_ttl), 'SELECT ?c WHERE { ?c hkg:locatedIn ?p FILTER (?c != "hkg:nope") } # hkg:nada'
    )
    assert code == 0 and "warning" not in err


def test_unknown_prefix_is_one_line_with_its_position(fixture_ttl: Path) -> None:
    code, _, err = kg_query("--graph", str(fixture_ttl), "SELECT ?x WHERE {\n  ?x foo:bar ?y }")
    assert code == 2
    assert err.count("\n") == 1 and len(err) < 400 and "\\u{" not in err
    assert "line 2, column 6" in err and "unknown prefix 'foo:'" in err and "PREFIX foo:" in err
    code, _, err = kg_query("--graph", str(fixture_ttl), "SELECT ?x WHERE { ?x hkg:partOf ?y ")
    assert code == 2 and err.count("\n") == 1 and "line 1" in err and "\\u{" not in err


def test_max_width_cuts_long_cells(fixture_ttl: Path) -> None:
    long_query = 'SELECT ?a ?b WHERE { VALUES (?n ?b) { (1 "%s") } BIND (CONCAT("x", STR(?n)) AS ?a) }' % ("长" * 260)
    code, out, _ = kg_query("--graph", str(fixture_ttl), "--max-width", "80", long_query)
    assert code == 0
    lines = out.splitlines()
    assert max(text_width(line) for line in lines) <= 80
    assert lines[2].startswith("x1  长长") and lines[2].endswith("…")
    code, out, _ = kg_query("--graph", str(fixture_ttl), long_query)  # not a terminal: 160 columns
    assert max(text_width(line) for line in out.splitlines()) <= 160
    code, out, _ = kg_query("--graph", str(fixture_ttl), "--max-width", "0", long_query)
    assert max(text_width(line) for line in out.splitlines()) == 4 + 520
