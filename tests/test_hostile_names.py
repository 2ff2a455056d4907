"""Names and sentences that break naive writers (issue 8): quotes, backslashes, ``<>{}|^`` and
backticks, control characters, emoji, right-to-left marks, very long names, full/half-width twins.

Every output must stay valid and keep the text: the Turtle and N-Triples files give the same triples in
rdflib, pyoxigraph and (when installed) serdi and rapper; GraphML parses with networkx; CSV with the csv
module; JSONL line by line; kg.html carries the payloads only as inert data.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kg.model import (
    Article,
    ArticleRef,
    DocResult,
    Edge,
    Entity,
    Evidence,
    KnowledgeGraph,
    Mention,
    Node,
    Relation,
    Sentence,
    node_id,
    norm_name,
)

# One name per trap. Each is a plausible company name around the trap, so the extractor path can
# carry them too.
NASTY: list[str] = [
    '引号"星光"科技有限公司',
    "单引号'月光'科技有限公司",
    "三引号\"\"\"与'''科技有限公司",
    "反斜杠\\科技\\有限公司\\",
    "转义\\u0041\\n\\t字面科技有限公司",
    "尖括号<>花括号{}竖线|脱字^反引号`科技有限公司",
    "<script>window.__pwned=1</script>科技有限公司",
    '<img src=x onerror="window.__pwned=1">科技有限公司',
    "</script><!--注释]]>&amp;&lt;科技有限公司",
    "控制\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9f字符科技有限公司",
    "换行\n回车\r制表\t科技有限公司",
    "NUL\x00字符科技有限公司",
    "行分隔\u2028段分隔\u2029科技有限公司",
    "表情😀🚀👨\u200d👩\u200d👧🇨🇳科技有限公司",
    "\u202e反转\u200f方向\u200e\u061cشركة科技有限公司",
    "零宽\u200b\ufeff\u00ad字符科技有限公司",
    "百分号100%与井号#问号?斜杠/科技有限公司",
    "长" * 3000 + "科技有限公司",
    "ＡＢＣ全角科技有限公司",
    "ABC全角科技有限公司 ",  # a half-width twin of the name above (plus a trailing space): another node
    " ",
    ".",
    "..",
    "",
]


def _ev(doc: str, sentence: str, i: int) -> Evidence:
    return Evidence(
        doc=doc,
        path=f"corpus/{doc}",
        article=0,
        sentence=sentence,
        start=i,
        end=i + len(sentence),
        pattern=f"模式{sentence[:20]}",
    )


def nasty_graph(names: list[str] | None = None, prefer: list[int] | None = None) -> KnowledgeGraph:
    """A graph whose every string (names, aliases, files, places, titles, evidence, patterns) is hostile.

    Node ids come from ``node_id`` like in a real build; names that would share an id (the same NFKC
    form) are given different types, as the graph builder never makes two nodes with one id.
    ``prefer[i]`` picks the first type tried for name i (by default they take turns).
    """
    names = NASTY if names is None else names
    types = ["Company", "Park", "University", "Institute", "Government", "Project", "Person"]
    nodes: list[Node] = []
    ids: set[str] = set()
    for i, name in enumerate(names):
        first = prefer[i % len(prefer)] if prefer else i
        for k in range(len(types)):
            type_ = types[(first + k) % len(types)]
            nid = node_id(type_, name)
            if nid not in ids:
                break
        else:
            continue
        ids.add(nid)
        doc = f"{names[(i + 1) % len(names)]}.jsonl#{i}"
        nodes.append(
            Node(
                id=nid,
                name=name,
                type=type_,
                aliases=sorted({f"别名{name}", name[::-1]} - {name}),
                mentions=i + 1,
                files=[doc],
                articles=[(doc, 0)],
                places=[names[(i + 2) % len(names)] or "某地"],
            )
        )
    nodes.sort(key=lambda n: n.id)
    relations = ["locatedIn", "partOf", "cooperatesWith", "establishedBy", "undertakes", "worksFor"]
    edges: dict[tuple[str, str, str], Edge] = {}
    for i in range(len(nodes) - 1):
        h, t = nodes[i].id, nodes[i + 1].id
        rel = relations[i % len(relations)]
        if rel == "cooperatesWith" and t < h:
            h, t = t, h
        sentence = f"{nodes[i].name}与{nodes[i + 1].name}签约。{NASTY[i % len(NASTY)]}"
        edges[(h, rel, t)] = Edge(h, rel, t, [_ev(nodes[i].files[0], sentence, i)])
    articles = sorted(
        (ArticleRef(doc=n.files[0], path=f"c/{n.files[0]}", index=0, title=n.name[:50]) for n in nodes),
        key=lambda a: (a.doc, a.index),
    )
    return KnowledgeGraph(nodes=nodes, edges=[edges[k] for k in sorted(edges)], articles=articles)


def nasty_results(names: list[str] | None = None) -> list[DocResult]:
    """Per-document results (articles, entities, relations) carrying the hostile strings, as the
    extraction stages would hand them to the writers."""
    names = NASTY if names is None else names
    results = []
    for i, name in enumerate(names):
        doc = f"{name}.jsonl#{i}"
        other = names[(i + 1) % len(names)]
        text = f"{name}与{other}签约。"
        sent = Sentence(0, len(text), text)
        art = Article(
            doc=doc,
            path=f"c/{doc}",
            index=0,
            title=other,
            text=text,
            span=(0, len(text)),
            sentences=[sent],
            meta={"bylines": [name], "captions": [other]},
        )
        m1 = Mention(0, 0, 0, len(name), name, "Company", f"规则{name}")
        m2 = Mention(0, 0, len(name) + 1, len(name) + 1 + len(other), other, "University", "lexicon")
        ents = [Entity(name, "Company", [other[::-1]], [m1]), Entity(other, "University", [], [m2])]
        ev = Evidence(doc=doc, path=f"c/{doc}", article=0, sentence=text, start=0, end=len(text), pattern=name)
        rels = [Relation(name, "cooperatesWith", other, "Company", "University", [ev])]
        results.append(
            DocResult(
                doc=doc, path=f"c/{doc}", articles=[art], entities=ents, relations=rels, page_meta={"credits": [name]}
            )
        )
    return results


# ------------------------------------------------------------------------------------------- checks


def _term(t: Any) -> tuple[str, str, str]:
    """An rdflib or pyoxigraph term as (kind, value, lang-or-datatype), to compare parsers."""
    import pyoxigraph as ox
    import rdflib

    if isinstance(t, rdflib.URIRef | ox.NamedNode):
        return ("iri", str(t) if isinstance(t, rdflib.URIRef) else t.value, "")
    if isinstance(t, rdflib.Literal):
        return ("lit", str(t), t.language or str(t.datatype or "http://www.w3.org/2001/XMLSchema#string"))
    if isinstance(t, ox.Literal):
        return ("lit", t.value, t.language or t.datatype.value)
    raise AssertionError(f"unexpected term {t!r} (blank nodes are not expected in kg.ttl)")


Triples = set[tuple[tuple[str, str, str], ...]]


def rdflib_triples(path: Path, fmt: str) -> Triples:
    import rdflib

    return {(_term(s), _term(p), _term(o)) for s, p, o in rdflib.Graph().parse(path, format=fmt)}


def oxigraph_triples(path: Path, fmt: str) -> Triples:
    import pyoxigraph as ox

    with path.open("rb") as fh:
        return {
            (_term(t.subject), _term(t.predicate), _term(t.object))
            for t in ox.parse(fh, format=ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES)
        }


def external_triples(tool: str, path: Path, tmp: Path) -> Triples | None:
    """The triples as serdi or rapper read them (converted to N-Triples, read back with pyoxigraph)."""
    exe = shutil.which(tool)
    if exe is None:
        return None
    cmd = (
        [exe, "-i", "turtle", "-o", "ntriples", str(path)]
        if tool == "serdi"
        else [exe, "-q", "-i", "turtle", "-o", "ntriples", str(path)]
    )
    proc = subprocess.run(cmd, capture_output=True, timeout=120)
    assert proc.returncode == 0, f"{tool} rejected {path.name}: {proc.stderr.decode('utf-8', 'replace')[-2000:]}"
    out = tmp / f"{tool}.nt"
    out.write_bytes(proc.stdout)
    return oxigraph_triples(out, "nt")


def jsonl_records(path: Path) -> list[dict]:
    """JSON Lines as the format defines them: records separated by \\n only."""
    raw = path.read_bytes()
    assert not raw or raw.endswith(b"\n")
    records = []
    for number, line in enumerate(raw.split(b"\n")[:-1], 1):
        obj = json.loads(line.decode("utf-8"))
        assert isinstance(obj, dict), f"{path.name}:{number}"
        records.append(obj)
    return records


def csv_rows(path: Path) -> list[list[str]]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, strict=True))
    assert rows and all(len(r) == len(rows[0]) for r in rows), path.name
    return rows


def check_rdf(out: Path, tmp: Path, external: bool = True) -> Triples:
    """kg.ttl and kg.nt read the same in every parser we have; returns the triples."""
    ttl = rdflib_triples(out / "kg.ttl", "turtle")
    assert ttl, "no triples"
    assert oxigraph_triples(out / "kg.ttl", "turtle") == ttl
    assert rdflib_triples(out / "kg.nt", "nt") == ttl
    assert oxigraph_triples(out / "kg.nt", "nt") == ttl
    if external:
        for tool in ("serdi", "rapper"):
            got = external_triples(tool, out / "kg.ttl", tmp)
            if got is None:
                continue
            want = ttl
            if tool == "rapper":  # raptor keeps literals as C strings: it cuts them at an escaped NUL
                cut = {(s, p) for s, p, o in ttl if "\x00" in o[1]}
                got = {t for t in got if t[:2] not in cut}
                want = {t for t in ttl if t[:2] not in cut}
            assert got == want, f"{tool} reads other triples than rdflib"
    return ttl


def check_graphml(out: Path, graph: KnowledgeGraph) -> None:
    import networkx as nx

    g = nx.read_graphml(out / "kg.graphml")
    assert g.number_of_nodes() == len(graph.nodes)
    assert g.number_of_edges() == len(graph.edges)


def labels(triples: Triples) -> set[str]:
    return {o[1] for _, p, o in triples if p[1] == "http://www.w3.org/2000/01/rdf-schema#label"}


# -------------------------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def nasty_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, KnowledgeGraph]:
    from kg.build.builder import write_all

    graph = nasty_graph()
    out = tmp_path_factory.mktemp("nasty")
    write_all(out, nasty_results(), graph)
    return out, graph


def test_nasty_graph_covers_every_name() -> None:
    graph = nasty_graph()
    assert sorted(n.name for n in graph.nodes) == sorted(NASTY)
    assert len({n.id for n in graph.nodes}) == len(graph.nodes)


def test_rdf_reads_the_same_in_every_parser(nasty_out: tuple[Path, KnowledgeGraph], tmp_path: Path) -> None:
    out, graph = nasty_out
    triples = check_rdf(out, tmp_path)
    # Every name survives exactly, as a label (nothing dropped, nothing escaped twice).
    assert {n.name for n in graph.nodes} <= labels(triples)
    # Distinct names give distinct IRIs.
    subjects = {s[1] for s, p, o in triples if p[1] == "http://www.w3.org/2000/01/rdf-schema#label"}
    assert len(subjects) >= len(graph.nodes)


def test_turtle_round_trips_through_load_graph(nasty_out: tuple[Path, KnowledgeGraph]) -> None:
    from kg.writers.rdf import load_graph

    out, graph = nasty_out
    back = load_graph(out / "kg.ttl")
    assert {(n.id, n.name, n.type, tuple(n.aliases)) for n in back.nodes} == {
        (n.id, n.name, n.type, tuple(n.aliases)) for n in graph.nodes
    }
    assert {(e.head, e.relation, e.tail) for e in back.edges} == {(e.head, e.relation, e.tail) for e in graph.edges}
    assert sorted(ev.sentence for e in back.edges for ev in e.evidence) == sorted(
        ev.sentence for e in graph.edges for ev in e.evidence
    )


def test_graphml_parses(nasty_out: tuple[Path, KnowledgeGraph]) -> None:
    out, graph = nasty_out
    check_graphml(out, graph)


def test_csv_keeps_every_name(nasty_out: tuple[Path, KnowledgeGraph]) -> None:
    out, graph = nasty_out
    rows = csv_rows(out / "entities.csv")
    names = [r[0] for r in rows[1:]]
    assert names == [n.name for n in graph.nodes]
    rel = csv_rows(out / "relations.csv")
    assert len(rel) == len(graph.edges) + 1
    assert sorted(r[4] for r in rel[1:]) == sorted(e.evidence[0].sentence for e in graph.edges)


def test_jsonl_parses_line_by_line(nasty_out: tuple[Path, KnowledgeGraph]) -> None:
    out, _ = nasty_out
    arts = jsonl_records(out / "articles.jsonl")
    assert [a["text"] for a in arts] == [a.text for r in nasty_results() for a in r.articles]
    ext = jsonl_records(out / "extractions.jsonl")
    assert [e["name"] for x in ext for e in x["entities"]] == [e.name for r in nasty_results() for e in r.entities]


def test_jsonl_lines_survive_unicode_line_splitting(tmp_path: Path) -> None:
    """Readers that split on every Unicode line break (Python's str.splitlines, many editors) must
    still see one record a line: U+2028, U+2029, U+0085 and friends are written escaped."""
    from test_hostile_inputs import build  # a sibling test module

    from kg.build.builder import write_all

    page = tmp_path / "news.jsonl"
    text = "贵阳高新区企业贵州力创科技发展有限公司\u2028与东南大学\u2029签署\x85合作\x1c协议\x1d。\x1e第二句\u000b。"
    page.write_text(json.dumps({"id": "x", "text": text}) + "\n", encoding="utf-8")
    res = build(page, "-o", tmp_path / "out")
    assert res.exit_code == 0, res.output
    write_all(tmp_path / "g", nasty_results(), nasty_graph())
    for path in [
        tmp_path / "out" / "articles.jsonl",
        tmp_path / "out" / "extractions.jsonl",
        tmp_path / "g" / "articles.jsonl",
        tmp_path / "g" / "extractions.jsonl",
    ]:
        raw = path.read_text(encoding="utf-8")
        assert raw.splitlines() == raw.split("\n")[:-1], path


def test_html_holds_payloads_as_inert_data(nasty_out: tuple[Path, KnowledgeGraph]) -> None:
    out, graph = nasty_out
    html = (out / "kg.html").read_text(encoding="utf-8")
    for n in graph.nodes:
        if "<" in n.name or "&" in n.name:
            assert n.name not in html, n.name[:40]
    for bad in ("<script>window.__pwned", "<img src=x", "</script><!--"):
        assert bad not in html
    assert "\u2028" not in html and "\u2029" not in html


def test_writes_are_deterministic(nasty_out: tuple[Path, KnowledgeGraph], tmp_path: Path) -> None:
    from kg.build.builder import write_all

    out, _ = nasty_out
    write_all(tmp_path, nasty_results(), nasty_graph())
    for path in sorted(out.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_html_payloads_do_not_run_in_a_browser(nasty_out: tuple[Path, KnowledgeGraph]) -> None:
    """Load kg.html in headless Chromium (the viz helper's harness) and check no payload ran."""
    tb = pytest.importorskip("test_browser", reason="the browser harness (tests/test_browser.py) is not there")
    if not Path(tb.CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {tb.CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    out, _ = nasty_out
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=tb.CHROMIUM, args=tb.CHROMIUM_ARGS)
        try:
            loaded = tb.open_page(browser, out / "kg.html")
            assert loaded.eval("typeof window.__pwned") == "undefined"
            assert loaded.dialogs == [] and loaded.errors == []
            assert loaded.requests == [loaded.url]
            shown = loaded.eval("document.body.innerText")
            assert "<script>" not in shown or "window.__pwned" in shown  # if shown, then as text
        finally:
            browser.close()


# ------------------------------------------------------------------------------- through kg build

PAGE = """# 某某<script>科技有限公司落户贵阳高新区

本报讯 某某<script>科技有限公司与东南大学签署战略合作协议。某某"引号"科技有限公司、某某\\反斜杠科技有限公司和
某某`反引号`{{花括号}}|竖线^脱字科技有限公司入驻贵阳高新区。
表情😀科技有限公司与某某\u202e反转科技有限公司在济南高新区共建实验室。ＡＢＣ科技有限公司和ABC科技有限公司签约。
某某&lt;img src=x onerror=alert(1)&gt;科技有限公司位于贵阳高新区。{long}科技有限公司位于贵阳高新区。
"""


@pytest.mark.parametrize("suffix", [".txt", ".jsonl"])
def test_build_with_nasty_company_names(tmp_path: Path, suffix: str) -> None:
    """The extractor path: a page naming nasty companies, through ``kg build``; every output valid."""
    from test_hostile_inputs import build, check_outputs  # a sibling test module

    text = PAGE.format(long="长" * 2000)
    page = tmp_path / f"page{suffix}"
    if suffix == ".jsonl":
        page.write_text(json.dumps({"id": 'a"b\\c<d>#e', "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        page.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    res = build(page, "-o", out)
    assert res.exit_code == 0, res.output
    check_outputs(out)
    triples = check_rdf(out, tmp_path)
    rows = csv_rows(out / "entities.csv")
    names = {r[0] for r in rows[1:]}
    assert any("<script>" in n for n in names), names  # the hostile name did reach the graph...
    assert {n for n in names} <= labels(triples)  # ...and every output kept it exactly
    html = (out / "kg.html").read_text(encoding="utf-8")
    assert "<script>科技" not in html
    # Full- and half-width twins are one entity (NFKC), not two nodes with one IRI.
    twins = [n for n in names if norm_name(n) == "ABC科技有限公司"]
    assert len(twins) <= 1, twins
    jsonl_records(out / "articles.jsonl")
    jsonl_records(out / "extractions.jsonl")


def test_graphml_keeps_names_differing_only_in_what_xml_cannot_hold(tmp_path: Path) -> None:
    """甲\\x00公司, 甲\\x01公司 and 甲\\ufffe公司 are three nodes (their IRIs differ): GraphML must not merge
    them by replacing the characters XML forbids."""
    import networkx as nx

    from kg.writers.rdf import write_graphml

    names = ["甲\x00公司", "甲\x01公司", "甲\ufffe公司", "甲\ufffd公司", "甲公司"]
    nodes = sorted(
        (Node(id=node_id("Company", n), name=n, type="Company", mentions=1) for n in names), key=lambda n: n.id
    )
    edges = [Edge(nodes[i].id, "locatedIn", nodes[i + 1].id, [_ev("d", "句。", i)]) for i in range(len(nodes) - 1)]
    graph = KnowledgeGraph(nodes=nodes, edges=edges)
    write_graphml(tmp_path / "kg.graphml", graph)
    g = nx.read_graphml(tmp_path / "kg.graphml")
    assert (g.number_of_nodes(), g.number_of_edges()) == (len(nodes), len(edges))
    assert "Company/甲公司" in g  # readable ids stay as they are


def test_hostile_file_names(tmp_path: Path) -> None:
    """File names are input too: they become doc ids, sources and article IRIs in every output."""
    from test_hostile_inputs import build, check_outputs, docs_built  # a sibling test module

    names = [
        "引号\"与'单引号.txt",
        "换行\n文件.txt",
        "反斜杠\\名.txt",
        "<script>window.__pwned=1<\\script>.txt",
        "百分号%20与#井号?.txt",
        "表情😀\u202e反转.txt",
        " 空格开头.txt",
        "\x01控制.txt",
        "news.jsonl#1.txt",
    ]
    corpus = tmp_path / "in"
    corpus.mkdir()
    page = "贵阳高新区企业贵州力创科技发展有限公司与东南大学签署战略合作协议。\n"
    for name in names:
        (corpus / name).write_text(page, encoding="utf-8")
    out = tmp_path / "out"
    res = build(corpus, "-o", out)
    assert res.exit_code == 0, res.output
    check_outputs(out)
    assert docs_built(out) == set(names)
    triples = check_rdf(out, tmp_path)
    sources = {o[1] for _, p, o in triples if p[1] == "http://purl.org/dc/terms/source"}
    assert set(names) <= sources
    articles = {s[1] for s, p, o in triples if o[1] == "https://w3id.org/hitech-kg/ontology#Article"}
    assert len(articles) == len(names)  # one IRI per file, none merged
    assert "<script>window.__pwned" not in (out / "kg.html").read_text(encoding="utf-8")


def test_viz_focus_on_every_hostile_name(nasty_out: tuple[Path, KnowledgeGraph], tmp_path: Path) -> None:
    """kg.ttl read back (``kg viz`` loads it with pyoxigraph) finds each hostile name by --focus and
    draws its neighbourhood without letting a payload into the page's markup."""
    from click.testing import CliRunner

    from kg.cli import main

    out, graph = nasty_out
    page = tmp_path / "focus.html"
    for node in graph.nodes:
        if not node.name.strip():
            continue
        res = CliRunner().invoke(main, ["viz", "--graph", str(out / "kg.ttl"), "--focus", node.name, "-o", str(page)])
        assert res.exit_code == 0, (node.name[:40], res.output[-500:])
        html = page.read_text(encoding="utf-8")
        for bad in ("<script>window.__pwned", "<img src=x", "</script><!--"):
            assert bad not in html, node.name[:40]
