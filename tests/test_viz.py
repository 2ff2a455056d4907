"""kg.writers.viz without a browser: what the page holds, that it is self-contained, deterministic and escaped,
and how --max-nodes / --focus choose what is drawn. The browser checks are in test_browser.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.model import Edge, Evidence, KnowledgeGraph, Node, node_id
from kg.writers.viz import (
    RELATION_COLOR,
    TYPE_STYLE,
    PageInfo,
    _vis_lib,
    close_matches,
    degrees,
    find_nodes,
    focus_page,
    neighbourhood,
    render_html,
    top_nodes,
    write_html,
)

PAYLOADS = [
    "<script>window.__pwned=1;alert(1)</script>",
    '<img src=x onerror="window.__pwned=1;alert(2)">',
    "\"'><svg onload=window.__pwned=1>",
    "</script><script>window.__pwned=1</script><!--",
    "a\u2028b\u2029c `${alert(3)}` &amp; \\u003c",
]


def payload_graph() -> KnowledgeGraph:
    """Every input-derived string (names, aliases, files, evidence, pattern) carries an XSS payload."""
    nodes = []
    for i, p in enumerate(PAYLOADS):
        type_ = ["Park", "Company", "Institute", "Person", "Project"][i]
        nodes.append(
            Node(
                id=node_id(type_, f"{p}{i}"),
                name=f"{p}{i}",
                type=type_,
                aliases=[f"别名{p}"],
                mentions=i + 1,
                files=[f"{p}.txt"],
                places=[p],
            )
        )
    nodes.sort(key=lambda n: n.id)
    edges = []
    for i in range(len(nodes) - 1):
        ev = Evidence(
            doc=f"{PAYLOADS[i]}.txt",
            path="x",
            article=0,
            sentence=f"证据{PAYLOADS[-1 - i]}。",
            start=0,
            end=5,
            pattern=PAYLOADS[i],
        )
        edges.append(Edge(nodes[i].id, "locatedIn" if i % 2 else "cooperatesWith", nodes[i + 1].id, [ev]))
    return KnowledgeGraph(nodes=nodes, edges=edges)


def page_data(html: str) -> dict:
    """The JSON the page hands to vis-network (``var KG = {...};``)."""
    m = re.search(r"^var KG = (\{.*\});$", html, flags=re.M)
    assert m, "no KG data block in the page"
    data: dict = json.loads(m.group(1))
    return data


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.scripts_with_src = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("src", "href", "action", "data", "poster") and value is not None:
                self.refs.append(value)
        if tag == "script" and any(k == "src" for k, _ in attrs):
            self.scripts_with_src += 1


def test_page_is_self_contained(kgraph: KnowledgeGraph) -> None:
    html = render_html(kgraph, PageInfo(title="t"))
    refs = _Refs()
    refs.feed(html)
    assert refs.refs == [] and refs.scripts_with_src == 0
    assert "<link" not in html and "@import" not in html
    for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", html):
        assert url.startswith("data:"), url
    for host in ("cdnjs", "jsdelivr", "unpkg", "bootstrap", "tom-select", "googleapis"):
        assert host not in html.lower()
    # vis-network itself is inlined
    lib_js, _ = _vis_lib()
    assert lib_js in html and html.count("<script") == 2 + lib_js.count("<script")


def test_page_holds_the_graph(kgraph: KnowledgeGraph) -> None:
    data = page_data(render_html(kgraph, PageInfo(title="t")))
    deg = degrees(kgraph)
    by_id = {n["id"]: n for n in data["nodes"]}
    assert sorted(by_id) == sorted(n.id for n in kgraph.nodes)
    for node in kgraph.nodes:
        vis = by_id[node.id]
        colour, shape, _ = TYPE_STYLE[node.type]
        assert vis["label"] == node.name
        assert vis["shape"] == shape and vis["color"]["background"] == colour
        assert vis["value"] == deg[node.id]
        assert vis["kg"]["type"] == node.type and vis["kg"]["mentions"] == node.mentions
        assert vis["kg"]["aliases"]["items"] == node.aliases and vis["kg"]["files"]["items"] == node.files
    # distinct shapes per type, so colour is not the only cue
    assert len({s for _, s, _ in TYPE_STYLE.values()}) == len(TYPE_STYLE)
    assert len(data["edges"]) == len(kgraph.edges)
    names = {n.id: n.name for n in kgraph.nodes}
    got = {(e["from"], e["label"], e["to"]): e for e in data["edges"]}
    for edge in kgraph.edges:
        vis = got[(edge.head, edge.relation, edge.tail)]
        assert vis["color"]["color"] == RELATION_COLOR[edge.relation]
        assert vis["arrows"]["to"]["enabled"] is (edge.relation != "cooperatesWith")
        assert vis["kg"]["head"] == names[edge.head] and vis["kg"]["tail"] == names[edge.tail]
        assert vis["kg"]["evidence"][0]["sentence"] == edge.evidence[0].sentence
        assert vis["kg"]["evidenceTotal"] == len(edge.evidence)
    assert len({e["id"] for e in data["edges"]}) == len(data["edges"])
    # physics settles and is switched off by the page once stabilization is done
    assert data["options"]["physics"]["stabilization"]["enabled"] is True
    assert isinstance(data["options"]["layout"]["randomSeed"], int)


def test_output_is_deterministic(tmp_path: Path, kgraph: KnowledgeGraph) -> None:
    write_html(tmp_path / "a.html", kgraph)
    shuffled = KnowledgeGraph(
        nodes=list(reversed(kgraph.nodes)), edges=list(reversed(kgraph.edges)), articles=kgraph.articles
    )
    write_html(tmp_path / "b.html", shuffled)
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    write_html(tmp_path / "c.html", kgraph, max_nodes=5)
    write_html(tmp_path / "d.html", kgraph, max_nodes=5)
    assert (tmp_path / "c.html").read_bytes() == (tmp_path / "d.html").read_bytes()


def test_input_text_is_escaped() -> None:
    graph = payload_graph()
    html = render_html(graph, PageInfo(title=PAYLOADS[0], subtitle=PAYLOADS[1], note=PAYLOADS[3]))
    for p in PAYLOADS:
        assert p not in html
    # The only '<script' / '</script' are the page's own two blocks; no raw line separators either.
    lib_js, _ = _vis_lib()
    assert html.lower().count("<script") == 2 + lib_js.lower().count("<script")
    assert html.lower().count("</script") == 2
    assert "<img" not in html and "<svg onload" not in html and "\u2028" not in html and "\u2029" not in html
    assert "&lt;script&gt;" in html  # title / subtitle / note are HTML-escaped text
    # ... and the data still carries the exact strings, to be shown with textContent.
    data = page_data(html)
    assert sorted(n["kg"]["name"] for n in data["nodes"]) == sorted(n.name for n in graph.nodes)
    assert {e["kg"]["evidence"][0]["sentence"] for e in data["edges"]} == {e.evidence[0].sentence for e in graph.edges}
    assert "innerHTML" not in html.split("var KG =", 1)[1]


def test_max_nodes_keeps_the_best_connected(tmp_path: Path, kgraph: KnowledgeGraph) -> None:
    deg = degrees(kgraph)
    top = top_nodes(kgraph, 4)
    assert len(top.nodes) == 4
    kept = {n.id for n in top.nodes}
    assert min(deg[i] for i in kept) >= max(deg[n.id] for n in kgraph.nodes if n.id not in kept)
    assert all(e.head in kept and e.tail in kept for e in top.edges)
    assert len(top.edges) == sum(1 for e in kgraph.edges if e.head in kept and e.tail in kept)

    write_html(tmp_path / "kg.html", kgraph, max_nodes=4)
    html = (tmp_path / "kg.html").read_text(encoding="utf-8")
    assert len(page_data(html)["nodes"]) == 4
    assert f"Showing the 4 best-connected of {len(kgraph.nodes)} entities" in html
    write_html(tmp_path / "all.html", kgraph, max_nodes=len(kgraph.nodes))
    assert 'id="kg-note"' not in (tmp_path / "all.html").read_text(encoding="utf-8")


def test_build_writes_the_page(tmp_path: Path) -> None:
    from kg.build.inputs import sample_corpus

    one_page = str(sample_corpus()[3])  # one page is enough to check the wiring, and quicker than five
    result = CliRunner().invoke(main, ["build", one_page, "-o", str(tmp_path), "--max-nodes", "3"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "kg.html").read_text(encoding="utf-8")
    n_entities = len((tmp_path / "entities.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert n_entities > 3 and len(page_data(html)["nodes"]) == 3
    assert f"Showing the 3 best-connected of {n_entities} entities" in html


def test_find_nodes_matches_names_and_aliases_nfkc(kgraph: KnowledgeGraph) -> None:
    assert [n.name for n in find_nodes(kgraph, "中科院")] == ["中国科学院"]
    assert [n.name for n in find_nodes(kgraph, " 西部（重庆）科学城 ")] == ["西部(重庆)科学城"]
    assert [n.name for n in find_nodes(kgraph, "贵阳高新区")] == ["贵阳高新区"]
    assert find_nodes(kgraph, "贵阳") == [] and find_nodes(kgraph, "") == []
    near = [n.name for n in close_matches(kgraph, "贵阳")]
    assert "贵阳高新区" in near and "贵阳高新区科技创新创业局" in near
    assert "济南高新区" in [n.name for n in close_matches(kgraph, "济南高新")]
    assert close_matches(kgraph, "zzzz") == []


def test_neighbourhood_follows_relations_both_ways(kgraph: KnowledgeGraph) -> None:
    seed = node_id("Person", "王宏志")
    assert [n.id for n in neighbourhood(kgraph, [seed], 0).nodes] == [seed]
    one = {n.name for n in neighbourhood(kgraph, [seed], 1).nodes}
    assert one == {"王宏志", "济南高新区管委会"}
    two = neighbourhood(kgraph, [seed], 2)
    assert {n.name for n in two.nodes} == {"王宏志", "济南高新区管委会", "济南高新区"}
    assert {(e.relation) for e in two.edges} == {"worksFor", "partOf"}


def test_focus_page_and_errors(kgraph: KnowledgeGraph) -> None:
    shown, info = focus_page(kgraph, "中科院电工研究所", 1, None)
    assert {n.name for n in shown.nodes} == {"中国科学院电工研究所", "中国科学院"}
    assert info.focus == (node_id("Institute", "中国科学院电工研究所"),)
    html = render_html(shown, info)
    assert "Neighbourhood of 中国科学院电工研究所 (Institute): 1 hop" in html
    # --max-nodes always keeps the focus entity
    shown, _ = focus_page(kgraph, "王宏志", 3, 1)
    assert [n.name for n in shown.nodes] == ["王宏志"]
    with pytest.raises(Exception, match="close matches: .*济南高新区"):
        focus_page(kgraph, "济南高新", 1, None)


def test_kg_viz_command(tmp_path: Path, fixture_ttl: Path, kgraph: KnowledgeGraph) -> None:
    out = tmp_path / "viz" / "jn.html"
    result = CliRunner().invoke(
        main, ["viz", "--graph", str(fixture_ttl), "--focus", "济南高新区", "--hops", "1", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = page_data(out.read_text(encoding="utf-8"))
    names = {n["label"] for n in data["nodes"]}
    assert names == {"济南高新区", "东南大学", "济南量子技术研究院", "济南高新区管委会", "空天信息产业园建设项目"}
    assert data["focus"] == [node_id("Park", "济南高新区")]
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)  # not left with the temp file's private mode

    whole = tmp_path / "all.html"
    result = CliRunner().invoke(main, ["viz", "--graph", str(fixture_ttl), "-o", str(whole)])
    assert result.exit_code == 0, result.output
    assert len(page_data(whole.read_text(encoding="utf-8"))["nodes"]) == len(kgraph.nodes)

    result = CliRunner().invoke(main, ["viz", "--graph", str(fixture_ttl), "--focus", "济南高新", "-o", str(out)])
    assert result.exit_code == 1
    assert str(fixture_ttl) in result.output and "济南高新区 (Park)" in result.output

    missing = tmp_path / "nope" / "kg.ttl"
    result = CliRunner().invoke(main, ["viz", "--graph", str(missing), "-o", str(out)])
    assert result.exit_code == 1 and str(missing) in result.output and "kg build" in result.output

    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle <<<", encoding="utf-8")
    result = CliRunner().invoke(main, ["viz", "--graph", str(bad), "-o", str(out)])
    assert result.exit_code == 1 and str(bad) in result.output


# ----------------------------------------------------------------------------------------------
# pyvis stays the reference for the node, edge and options dicts that kg.writers.viz now assembles directly


def _pyvis_network_data(graph: KnowledgeGraph, focus: tuple[str, ...]) -> tuple[list[dict], list[dict], dict]:
    """The former ``kg.writers.viz._network_data``: the same calls on ``pyvis.network.Network`` (with pyvis's own
    list of node ids: slower, same result), given the same options, kept here as the reference for how
    pyvis assembles them (key order, labels, ends, duplicates, the options' JSON round trip)."""
    from pyvis.network import Network

    from kg.writers.viz import _OTHER_STYLE, _drawn_edges, _node_options, _vis_options

    deg = degrees(graph)
    net = Network(directed=True, cdn_resources="in_line")
    for node in sorted(graph.nodes, key=lambda x: x.id):
        shape = TYPE_STYLE.get(node.type, _OTHER_STYLE)[1]
        net.add_node(node.id, label=node.name, shape=shape, **_node_options(node, deg, node.id in focus))
    for e, options in _drawn_edges(graph):
        net.add_edge(e.head, e.tail, **options)
    net.options = _vis_options(len(graph.nodes))
    nodes, vis_edges, _heading, _height, _width, options_json = net.get_network_data()
    return nodes, vis_edges, json.loads(options_json)


def _ev(sentence: str, article: int = 0) -> Evidence:
    return Evidence(
        doc=f"{sentence[:5]}.txt", path="p", article=article, sentence=sentence, start=0, end=len(sentence), pattern="p"
    )


def hostile_graph() -> KnowledgeGraph:
    """Quotes, ``</script>``, emoji, U+2028/9, an empty name (pyvis labels it with the id), an unknown type
    and relation, a duplicate node id (pyvis keeps the first), parallel edges both ways, a repeated edge,
    a self-loop, symmetric edges, an edge to a missing node (skipped) and more evidence than is carried."""
    raw = [
        ("Company", "a \"quoted\" 'name' \\ back"),
        ("Park", "</script><script>alert(1)</script><!--"),
        ("Person", "emoji 🚀👩‍🔬 名字"),
        ("Institute", "line\u2028sep\u2029para"),
        ("Government", ""),
        ("Thing", "unknown type"),
        ("University", "&amp; <b>bold</b>"),
    ]
    nodes = [
        Node(
            id=node_id(t, name or "empty"),
            name=name,
            type=t,
            aliases=[f"alias {name}"] * 15,
            mentions=i,
            files=[f"{name}.txt"],
            places=[name],
        )
        for i, (t, name) in enumerate(raw)
    ]
    nodes.append(Node(id=nodes[0].id, name="duplicate id", type="Park"))  # a second node with the first's id
    a, b, c, d, e, f, g = (x.id for x in nodes[:7])
    edges = [
        Edge(a, "locatedIn", b, [_ev("s1 </script>"), _ev("s2 \u2028"), _ev("s3 🚀"), _ev('s4 "q"', 2)]),
        Edge(b, "partOf", a, [_ev("back the other way")]),
        Edge(a, "undertakes", b, [_ev("a third")]),
        Edge(b, "worksFor", a, [_ev("a fourth")]),
        Edge(a, "establishedBy", b, [_ev("a fifth")]),
        Edge(a, "locatedIn", b, [_ev("the same edge again")]),
        Edge(c, "cooperatesWith", d, [_ev("symmetric")]),
        Edge(d, "cooperatesWith", c, [_ev("symmetric, stored both ways")]),
        Edge(e, "relatedTo", f, []),  # unknown relation, no evidence
        Edge(g, "worksFor", g, [_ev("a self-loop")]),
        Edge(g, "partOf", "Company_missing", [_ev("to a node that is not drawn")]),
    ]
    return KnowledgeGraph(nodes=nodes, edges=edges)


def big_graph() -> KnowledgeGraph:
    """Over 500 nodes (straight edges, no improved layout, fewer iterations) with repeated pairs."""
    types = list(TYPE_STYLE)
    nodes = [Node(id=f"N{i:04d}", name=f"节点{i}", type=types[i % len(types)], mentions=i % 7) for i in range(620)]
    edges = [
        Edge(
            f"N{i:04d}",
            list(RELATION_COLOR)[i % len(RELATION_COLOR)],
            f"N{(i * 7 + 1) % 620:04d}",
            [_ev(f"sentence {i}")],
        )
        for i in range(900)
    ]
    return KnowledgeGraph(nodes=nodes, edges=edges)


@pytest.fixture(scope="module")
def sample_graph() -> KnowledgeGraph:
    from kg.build.inputs import sample_corpus
    from kg.build.pipeline import build

    return build(sample_corpus()).graph


def _same_as_pyvis(graph: KnowledgeGraph, focus: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """Equal dicts, the same key order and JSON types (``json.dumps`` without sorting), the same page."""
    import kg.writers.viz

    got = kg.writers.viz._network_data(graph, focus)
    want = _pyvis_network_data(graph, focus)
    assert got == want
    assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)
    info = PageInfo(title="t", focus=focus)
    page = render_html(graph, info)
    with monkeypatch.context() as m:
        m.setattr(kg.writers.viz, "_network_data", _pyvis_network_data)
        assert render_html(graph, info) == page


def test_network_data_matches_pyvis_on_the_sample(
    sample_graph: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(sample_graph.nodes) > 150  # past pyvis's improvedLayout limit
    _same_as_pyvis(sample_graph, (), monkeypatch)
    ids = sorted(n.id for n in sample_graph.nodes)
    _same_as_pyvis(sample_graph, (ids[0], ids[len(ids) // 2], "not-a-node"), monkeypatch)
    _same_as_pyvis(top_nodes(sample_graph, 40), (), monkeypatch)


@pytest.mark.parametrize("make", [hostile_graph, payload_graph, big_graph, KnowledgeGraph])
def test_network_data_matches_pyvis_on_hostile_graphs(
    make: Callable[[], KnowledgeGraph], monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = make()
    _same_as_pyvis(graph, (), monkeypatch)
    focus = tuple(sorted({n.id for n in graph.nodes})[:2]) + ("not-a-node",)
    _same_as_pyvis(graph, focus, monkeypatch)


def test_hostile_graph_as_pyvis_drew_it() -> None:
    """The corner cases the direct assembly must keep (checked against pyvis above, spelled out here)."""
    from kg.writers.viz import _network_data

    graph = hostile_graph()
    nodes, edges, _ = _network_data(graph, ())
    assert len(nodes) == 7 and {n["id"] for n in nodes} == {n.id for n in graph.nodes}
    assert [n["label"] for n in nodes if n["id"] == graph.nodes[0].id] == [graph.nodes[0].name]  # first kept
    assert [n["label"] for n in nodes if n["kg"]["name"] == ""] == [node_id("Government", "empty")]
    assert len(edges) == len(graph.edges) - 1  # parallel and repeated edges kept, the dangling one dropped
    assert list(nodes[0]) == ["color", "borderWidth", "value", "kg", "id", "label", "shape"]
    assert list(edges[0]) == ["id", "label", "arrows", "color", "smooth", "kg", "from", "to"]


def test_write_html_does_not_import_pyvis(tmp_path: Path, kgraph: KnowledgeGraph) -> None:
    """pyvis imports networkx and IPython (most of write_html's time); the page needs neither."""
    import pickle
    import subprocess
    import sys

    (tmp_path / "g.pkl").write_bytes(pickle.dumps(kgraph))
    code = (
        "import pickle, sys\nfrom pathlib import Path\nfrom kg.writers.viz import write_html\n"
        f"g = pickle.loads(Path({str(tmp_path / 'g.pkl')!r}).read_bytes())\n"
        f"write_html(Path({str(tmp_path / 'kg.html')!r}), g, max_nodes=2000)\n"
        "print(sorted(m for m in ('pyvis', 'pyvis.network', 'networkx', 'IPython') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    page = render_html(kgraph, PageInfo(title="kg — knowledge graph"))
    assert (tmp_path / "kg.html").read_text(encoding="utf-8") == page


def test_vis_lib_is_found_without_pyvis_and_problems_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """vis-network is found among the installed pyvis's files, wherever its version keeps them."""
    from importlib import metadata

    js, css = _vis_lib()
    assert "vis" in js and css

    def missing(name: str) -> None:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "files", missing)
    with pytest.raises(RuntimeError, match="vis-network .* was not found among the files of the installed pyvis"):
        _vis_lib()

    class Listed:  # a distribution's file entry: another layout, two versions of vis-network
        def __init__(self, rel: str) -> None:
            self.name = rel.rsplit("/", 1)[-1]
            self.rel = rel

        def locate(self) -> Path:
            return tmp_path / self.rel

    layout = [
        "pyvis/assets/vis-network-9.0.4/vis-network.min.js",
        "pyvis/assets/vis-network-9.0.4/vis-network.css",
        "pyvis/assets/vis-network-10.0.1/vis-network.min.js",
        "pyvis/assets/vis-network-10.0.1/vis-network.css",
    ]
    for rel in layout:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(f"/* {rel} */", encoding="utf-8")
    monkeypatch.setattr(metadata, "files", lambda name: [Listed(r) for r in layout])
    js, css = _vis_lib()
    assert js == "/* pyvis/assets/vis-network-10.0.1/vis-network.min.js */"  # the newest
    assert css == "/* pyvis/assets/vis-network-10.0.1/vis-network.css */"
    (tmp_path / layout[2]).write_text("var s = '</SCRIPT>';", encoding="utf-8")
    with pytest.raises(RuntimeError, match="cannot be inlined"):
        _vis_lib()


# --------------------------------------------------------------------------------------------------
# issue 15: the header counts files and documents as kg build does; the edge legend is bilingual


def test_header_counts_files_and_documents(kgraph: KnowledgeGraph) -> None:
    from dataclasses import replace

    from kg.model import ArticleRef

    # a second document of the .jsonl file: 3 files, 4 documents (the header said "4 source files")
    extra = ArticleRef(doc="news.jsonl#43", path="corpus/news.jsonl", index=0, title="")
    graph = replace(kgraph, articles=sorted([*kgraph.articles, extra], key=lambda a: (a.doc, a.index)))
    html = render_html(graph, PageInfo(title="t"))
    assert "3 files, 4 documents" in html and "source files" not in html


def test_edge_legend_is_bilingual(kgraph: KnowledgeGraph) -> None:
    html = render_html(kgraph, PageInfo(title="t"))
    for relation, zh in [
        ("locatedIn", "位于"),
        ("partOf", "隶属于"),
        ("cooperatesWith", "合作"),
        ("establishedBy", "由…设立"),
        ("undertakes", "承担"),
        ("worksFor", "任职于"),
    ]:
        assert re.search(rf'class="kg-rel-swatch"[^>]*></span>{relation} {zh}</span>', html), relation
