"""Shared fixtures: a small, realistic hand-made graph, and the real build of the bundled sample."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from kg.model import ArticleRef, Edge, Evidence, KnowledgeGraph, Node, node_id

A = "003_0761c53e24f34b0b.txt"
B = "001_d6d415e0743de0cf.txt"
C = "news.jsonl#42"  # a .jsonl document id: '#' must be encoded in IRIs
PATHS = {A: f"corpus/{A}", B: f"corpus/{B}", C: "corpus/news.jsonl"}


def _node(
    type_: str,
    name: str,
    files: list[str],
    arts: list[tuple[str, int]],
    mentions: int,
    aliases: list[str] | None = None,
    places: list[str] | None = None,
) -> Node:
    return Node(
        id=node_id(type_, name),
        name=name,
        type=type_,
        aliases=sorted(aliases or []),
        mentions=mentions,
        files=sorted(files),
        articles=sorted(arts),
        places=sorted(places or []),
    )


def _ev(doc: str, art: int, sentence: str, start: int, pattern: str) -> Evidence:
    return Evidence(
        doc=doc,
        path=PATHS[doc],
        article=art,
        sentence=sentence,
        start=start,
        end=start + len(sentence),
        pattern=pattern,
    )


def make_graph() -> KnowledgeGraph:
    """Parks, companies, a university, CAS and a CAS institute, a bureau, a project, a person; every
    relation type with evidence; a name with quotes, a backslash, a slash and a percent sign."""
    gy = _node("Park", "贵阳高新区", [A, B], [(A, 0), (B, 1)], 9, places=["贵阳市", "贵州省"])
    jn = _node("Park", "济南高新区", [B], [(B, 0)], 5, places=["济南市"])
    cq = _node("Park", "西部(重庆)科学城", [C], [(C, 0)], 2, aliases=["西部（重庆）科学城"])
    lc = _node("Company", "贵州力创科技发展有限公司", [A], [(A, 0)], 3, aliases=["力创科技"])
    hk = _node("Company", "贵州航空科技发展股份有限公司", [A, C], [(A, 0), (C, 0)], 4, aliases=["航空科技"])
    odd = _node("Company", '"星光"科技/研发 50%有限公司\\分部', [C], [(C, 0)], 1, aliases=["星光\t科技"])
    seu = _node("University", "东南大学", [B], [(B, 0)], 2)
    cas = _node("Institute", "中国科学院", [B], [(B, 0)], 2, aliases=["中科院"])
    iee = _node("Institute", "中国科学院电工研究所", [B], [(B, 0)], 1, aliases=["中科院电工研究所"])
    qt = _node("Institute", "济南量子技术研究院", [B], [(B, 0)], 2)
    bureau = _node("Government", "贵阳高新区科技创新创业局", [A], [(A, 0)], 1)
    proj = _node("Project", "空天信息产业园建设项目", [B], [(B, 1)], 2)
    wang = _node("Person", "王宏志", [B], [(B, 0)], 2)
    gov = _node("Government", "济南高新区管委会", [B], [(B, 0)], 2)
    john = _node("Person", "约翰·史密斯", [A], [(A, 0)], 1)
    # A spaced Latin name: the id drops the spaces and ends with '.', which no prefixed name may.
    ibm = Node(
        id=node_id("Company", "IBM (China) Co., Ltd."),
        name="IBM (China) Co., Ltd.",
        type="Company",
        aliases=["IBM​中国"],
        mentions=1,
        files=[C],
        articles=[(C, 0)],
    )
    # A park of the gazetteer: its entry's id in the IRI, its official name, its province and city.
    dh = Node(
        id="Park/hz-420100-donghu",
        name="武汉东湖新技术开发区",
        type="Park",
        aliases=["东湖高新区"],
        mentions=1,
        files=[C],
        articles=[(C, 0)],
        places=["武汉市", "湖北省"],
        gazetteer="hz-420100-donghu",
    )
    nodes = [gy, jn, cq, lc, hk, odd, seu, cas, iee, qt, bureau, proj, wang, gov, john, ibm, dh]

    s1 = "疫情防控开展以来，贵阳高新区企业贵州力创科技发展有限公司接到贵州省公安厅应援要求后，迅速组织生产。"
    s2 = "中科院电工研究所是中国科学院下属研究所。"
    s3 = '济南高新区与东南大学签署战略合作协议，共建"产学研"平台。'
    s4 = "济南量子技术研究院由济南高新区牵头成立。"
    s5 = "空天信息产业园建设项目由贵州航空科技发展股份有限公司投资建设。"
    s6 = "济南高新区管委会主任王宏志在致辞时提到。"
    s7 = "贵阳高新区科技创新创业局隶属贵阳高新区。"
    s9 = "贵州航空科技发展股份有限公司总经理约翰·史密斯表示。"
    s8 = '位于西部(重庆)科学城的"星光"科技\n有限公司。'
    co_head, co_tail = sorted([jn.id, seu.id])  # a symmetric relation is stored once, head < tail
    edges = [
        Edge(lc.id, "locatedIn", gy.id, [_ev(A, 0, s1, 0, "X高新区企业Y")]),
        Edge(
            hk.id,
            "locatedIn",
            gy.id,
            [
                _ev(A, 0, "贵州航空科技发展股份有限公司位于贵阳高新区。", 80, "位于"),
                _ev(C, 0, "航空科技入驻贵阳高新区。", 3, "入驻"),
            ],
        ),
        Edge(odd.id, "locatedIn", cq.id, [_ev(C, 0, s8, 20, "位于")]),
        Edge(qt.id, "locatedIn", jn.id, [_ev(B, 0, "地处济南高新区的济南量子技术研究院是圆梦载体。", 40, "地处")]),
        Edge(iee.id, "partOf", cas.id, [_ev(B, 0, s2, 100, "下属")]),
        Edge(bureau.id, "partOf", gy.id, [_ev(A, 0, s7, 200, "隶属")]),
        Edge(gov.id, "partOf", jn.id, [_ev(B, 0, "济南高新区管委会负责济南高新区的管理。", 150, "park-committee")]),
        Edge(co_head, "cooperatesWith", co_tail, [_ev(B, 0, s3, 300, "签署…协议")]),
        Edge(qt.id, "establishedBy", jn.id, [_ev(B, 0, s4, 400, "牵头成立")]),
        Edge(hk.id, "undertakes", proj.id, [_ev(B, 1, s5, 10, "投资建设")]),
        Edge(jn.id, "undertakes", proj.id, [_ev(B, 1, "济南高新区推进空天信息产业园建设项目。", 50, "推进")]),
        Edge(proj.id, "locatedIn", gy.id, [_ev(B, 1, "空天信息产业园建设项目落户贵阳高新区。", 90, "落户")]),
        Edge(wang.id, "worksFor", gov.id, [_ev(B, 0, s6, 500, "职务")]),
        Edge(john.id, "worksFor", hk.id, [_ev(A, 0, s9, 300, "职务")]),
    ]
    articles = [
        ArticleRef(doc=A, path=PATHS[A], index=0, title="贵阳高新区：排名跃升背后的创新秘诀"),
        ArticleRef(doc=B, path=PATHS[B], index=0, title="锚定“三个走在前”，济南高新区有了新计划"),
        ArticleRef(doc=B, path=PATHS[B], index=1, title=""),
        ArticleRef(doc=C, path=PATHS[C], index=0, title='西部(重庆)科学城 "强势" 崛起\\'),
    ]
    return KnowledgeGraph(
        nodes=sorted(nodes, key=lambda n: n.id),
        edges=sorted(edges, key=lambda e: (e.head, e.relation, e.tail)),
        articles=sorted(articles, key=lambda a: (a.doc, a.index)),
    )


@pytest.fixture
def kgraph() -> KnowledgeGraph:
    return make_graph()


@pytest.fixture
def fixture_ttl(tmp_path: Path, kgraph: KnowledgeGraph) -> Path:
    """The fixture graph written as kg.ttl."""
    from kg.writers.rdf import write_turtle

    path = tmp_path / "kg.ttl"
    write_turtle(path, kgraph)
    return path


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real build of the bundled sample corpus (``kg build -o DIR``); returns DIR."""
    from click.testing import CliRunner

    from kg.cli import main

    out = tmp_path_factory.mktemp("sample-build")
    result = CliRunner().invoke(main, ["build", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def which_or_skip(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"`{name}` is not installed (Debian package needed for this check)")
    return path
