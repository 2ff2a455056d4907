"""What a new user gives kg is neither lost nor hidden (issue 15): short documents, .jsonl metadata,
HTML page furniture, empty or unsupported inputs, build folders as graphs, progress, help texts."""

from __future__ import annotations

import json
from pathlib import Path

import pyshacl
import rdflib
from click.testing import CliRunner

from kg.cli import main
from kg.query import load_store, select_rows

REPO = Path(__file__).resolve().parent.parent

# One short sentence a line, as public news-sentence datasets give them: none is a headline or a caption.
SHORT_DOCS = [
    {"id": "a", "text": "贵阳高新区管委会与中国科学院签署合作协议。", "date": "2024-01-10",
     "url": "https://news.example.cn/a.html", "source": "贵阳日报"},
    {"id": "b", "text": "万达书城朝阳区建国路93号", "date": "2023年5月2日"},
    {"id": "c", "text": "由远洋集团投资开发的滨海广场位于东四环内，首期推出精装公寓——", "date": "上周",
     "url": "not a web address", "title": "滨海广场开盘"},
    {"id": "d", "text": "苏州工业园区"},
]


def _build(tmp_path: Path, *inputs: str, name: str = "out") -> tuple[int, str, Path]:
    out = tmp_path / name
    res = CliRunner().invoke(main, ["build", *inputs, "-o", str(out), "--no-cache", "-j", "1"])
    return res.exit_code, res.output, out


def _short_build(tmp_path: Path) -> Path:
    src = tmp_path / "short.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in SHORT_DOCS), encoding="utf-8")
    code, output, out = _build(tmp_path, str(src))
    assert code == 0, output
    return out


def test_every_short_document_reaches_extraction(tmp_path: Path) -> None:
    out = _short_build(tmp_path)
    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted({a["doc"] for a in articles}) == [f"short.jsonl#{d['id']}" for d in SHORT_DOCS]
    for doc in SHORT_DOCS:
        [art] = [a for a in articles if a["doc"] == f"short.jsonl#{doc['id']}"]
        assert art["text"] == doc["text"]
        assert art["sentences"]
    extractions = {e["doc"]: e for e in map(json.loads, (out / "extractions.jsonl").read_text("utf-8").splitlines())}
    names = {ent["name"] for ent in extractions["short.jsonl#c"]["entities"]}
    assert "远洋集团" in names  # the text of a one-line document is extracted
    assert any(ent["type"] == "Park" for ent in extractions["short.jsonl#d"]["entities"])


def test_jsonl_metadata_is_kept_in_articles(tmp_path: Path) -> None:
    out = _short_build(tmp_path)
    arts = {a["doc"]: a for a in map(json.loads, (out / "articles.jsonl").read_text("utf-8").splitlines())}
    assert arts["short.jsonl#a"]["meta"] == {"date": ["2024-01-10"], "url": ["https://news.example.cn/a.html"],
                                             "source": ["贵阳日报"]}
    assert arts["short.jsonl#c"]["title"] == "滨海广场开盘"
    assert arts["short.jsonl#c"]["meta"]["title"] == ["滨海广场开盘"]


def test_jsonl_metadata_is_in_the_graph_and_queryable(tmp_path: Path) -> None:
    out = _short_build(tmp_path)
    store = load_store(out / "kg.ttl")
    _, rows = select_rows(store, """
        SELECT ?doc ?day WHERE {
            ?a a hkg:Article ; dcterms:source ?doc ; dcterms:issued ?day .
            FILTER(datatype(?day) = xsd:date && YEAR(?day) = 2024)
        } ORDER BY ?doc""")
    assert [[c.value for c in r] for r in rows] == [["short.jsonl#a", "2024-01-10"]]
    g = rdflib.Graph().parse(out / "kg.ttl")
    dct, schema = rdflib.Namespace("http://purl.org/dc/terms/"), rdflib.Namespace("https://schema.org/")
    art = {str(d): a for a, d in g.subject_objects(dct.source) if "Article" in str(a)}
    assert g.value(art["short.jsonl#b"], dct.issued) == rdflib.Literal("2023-05-02", datatype=rdflib.XSD.date)
    assert g.value(art["short.jsonl#c"], dct.issued) == rdflib.Literal("上周")  # not a date: kept as written
    assert g.value(art["short.jsonl#a"], schema.url) == rdflib.URIRef("https://news.example.cn/a.html")
    assert g.value(art["short.jsonl#c"], schema.url) == rdflib.Literal("not a web address")
    assert g.value(art["short.jsonl#a"], dct.publisher) == rdflib.Literal("贵阳日报")
    assert g.value(art["short.jsonl#c"], dct.title) == rdflib.Literal("滨海广场开盘", lang="zh")
    shapes = rdflib.Graph().parse(REPO / "ontology" / "shapes.ttl")
    conforms, _, text = pyshacl.validate(g, shacl_graph=shapes, inference="none", advanced=True)
    assert conforms, text
