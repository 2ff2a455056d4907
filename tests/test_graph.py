"""Corpus linking: kg.link.graph.GraphBuilder gathers each document as it arrives and links once at the end;
it must give exactly the graph of the plain statement (every document at once, merged per entity)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from kg.link.gazetteer import resolve
from kg.link.graph import GraphBuilder, UnionFind, _canonical, build_graph, summarize
from kg.model import (
    SYMMETRIC_RELATIONS,
    DocSummary,
    Edge,
    EntityRef,
    Evidence,
    KnowledgeGraph,
    Node,
    Relation,
    node_id,
    norm_name,
)
from kg.resources.gazetteer import gazetteer


def _join_gazetteer_names(results: list[DocSummary], keys: list, uf: UnionFind) -> None:
    """Names of one gazetteer entry (by themselves or their simplified spelling) are one entity too."""
    spellings: dict = defaultdict(set)
    for res, ks in zip(results, keys, strict=True):
        for e, k in zip(res.entities, ks, strict=True):
            spellings[k].update(a for a in e.aliases if len(a) == len(k[1]))
    for k in spellings:
        gid = next((g for n in [k[1], *sorted(spellings[k])] if (g := resolve(k[0], n))), "")
        if gid:
            uf.union(k, (k[0], "\x00" + gid))


def reference_graph(results: list[DocSummary]) -> KnowledgeGraph:
    """The plain statement of linking: union the entities whose alias is another's full name, then
    gather each entity's names, mentions, files and articles, and the relations between entities."""
    keys = [[(e.type, norm_name(e.name)) for e in res.entities] for res in results]
    canon_keys = {k for ks in keys for k in ks}
    uf: UnionFind[tuple[str, str]] = UnionFind()
    for res, ks in zip(results, keys, strict=True):
        for e, k in zip(res.entities, ks, strict=True):
            for alias in e.aliases:
                ak = (e.type, norm_name(alias))
                if ak != k and ak in canon_keys:
                    uf.union(k, ak)
    _join_gazetteer_names(results, keys, uf)
    root_of = {k: uf.find(k) for k in canon_keys}
    names: dict = defaultdict(dict)
    aliases: dict = defaultdict(set)
    mentions: dict = defaultdict(int)
    files: dict = defaultdict(set)
    arts: dict = defaultdict(set)
    for res, ks in zip(results, keys, strict=True):
        for e, k in zip(res.entities, ks, strict=True):
            r = root_of[k]
            names[r][e.name] = names[r].get(e.name, 0) + e.mentions
            aliases[r].update(e.aliases)
            mentions[r] += e.mentions
            files[r].add(res.doc)
            arts[r].update((res.doc, a) for a in e.articles)
    nodes = {}
    for r, forms in names.items():
        canon, nid, gid, places = _canonical(forms), "", "", []
        if r[1].startswith("\x00"):
            gid = r[1][1:]
            entry = gazetteer().entries[gid]
            canon, nid = entry.name, f"{r[0]}/{gid}"
            places = sorted(p.name for p in gazetteer().place_chain(entry)) if r[0] == "Park" else []
        alias_list = sorted(a for a in (set(forms) | aliases[r]) - {canon} if norm_name(a) != norm_name(canon))
        nodes[r] = Node(
            nid or node_id(r[0], canon),
            canon,
            r[0],
            alias_list,
            mentions[r],
            sorted(files[r]),
            sorted(arts[r]),
            places=places,
            gazetteer=gid,
        )
    edges: dict = {}
    for res, ks in zip(results, keys, strict=True):
        local = {(e.type, e.name): root_of[k] for e, k in zip(res.entities, ks, strict=True)}
        for rel in res.relations:
            h, t = local.get((rel.head_type, rel.head)), local.get((rel.tail_type, rel.tail))
            if h is None or t is None or h == t:
                continue
            hid, tid = nodes[h].id, nodes[t].id
            if rel.relation in SYMMETRIC_RELATIONS and tid < hid:
                hid, tid = tid, hid
            edges.setdefault((hid, rel.relation, tid), Edge(hid, rel.relation, tid)).evidence.extend(rel.evidence)
    for e in edges.values():
        e.evidence.sort(key=lambda ev: (ev.doc, ev.article, ev.start, ev.pattern))
    articles = sorted((a for res in results for a in res.articles), key=lambda a: (a.doc, a.index))
    return KnowledgeGraph(sorted(nodes.values(), key=lambda n: n.id), [edges[k] for k in sorted(edges)], articles)


def sample_summaries() -> list[DocSummary]:
    from kg.build.inputs import sample_corpus
    from kg.build.process import process_file

    return [summarize(d) for p in sample_corpus() for d in process_file(p)[0]]


def linked_across_documents() -> list[DocSummary]:
    """Names that only aliases join (across documents, in both orders), a chain of three, relations
    between merged entities and one that a merge turns into a self-loop."""
    ev = Evidence("d1", "d1.txt", 0, "句子。", 0, 3, "p")

    def doc(name: str, ents: list[EntityRef], rels: list[Relation]) -> DocSummary:
        return DocSummary(
            doc=name,
            path=f"{name}.txt",
            entities=ents,
            relations=[replace(r, evidence=[replace(ev, doc=name)]) for r in rels],
        )

    return [
        doc(
            "d1",
            [EntityRef("贵阳高新区", "Park", [], 3, [0]), EntityRef("甲公司", "Company", ["甲"], 2, [0, 1])],
            [Relation("甲公司", "locatedIn", "贵阳高新区", "Company", "Park")],
        ),
        doc(
            "d2",
            [
                EntityRef("贵阳国家高新技术产业开发区", "Park", ["贵阳高新区"], 1, [2]),
                EntityRef("甲", "Company", [], 1, [0]),
            ],
            [Relation("甲", "locatedIn", "贵阳国家高新技术产业开发区", "Company", "Park")],
        ),
        doc(
            "d3",
            [
                EntityRef("乙", "Company", ["乙集团"], 1, [0]),
                EntityRef("乙集团", "Company", ["乙集团有限公司"], 1, [0]),
                EntityRef("乙集团有限公司", "Company", [], 4, [1]),
                EntityRef("甲", "Company", [], 1, [1]),
            ],
            [
                Relation("乙", "cooperatesWith", "乙集团有限公司", "Company", "Company"),
                Relation("乙集团有限公司", "cooperatesWith", "甲", "Company", "Company"),
            ],
        ),
        doc("d4", [EntityRef("甲", "Company", ["甲公司"], 1, [0])], []),
    ]


def test_the_builder_gives_the_graph_of_the_plain_statement() -> None:
    for docs in (sample_summaries(), linked_across_documents(), list(reversed(linked_across_documents())), []):
        builder = GraphBuilder()
        for d in docs:
            builder.add(d)
        expected = reference_graph(docs)
        assert builder.graph() == expected
        assert builder.graph() == expected  # linking again gives the same: nothing gathered was changed
        assert build_graph(docs) == expected


def test_aliases_join_entities_across_documents() -> None:
    graph = build_graph(linked_across_documents())
    by_name = {n.name: n for n in graph.nodes}
    assert set(by_name) == {"贵阳国家高新技术产业开发区", "甲公司", "乙集团有限公司"}
    assert by_name["乙集团有限公司"].mentions == 6 and by_name["甲公司"].files == ["d1", "d2", "d3", "d4"]
    assert [(e.head, e.relation, e.tail) for e in graph.edges] == [
        ("Company/乙集团有限公司", "cooperatesWith", "Company/甲公司"),  # the self-loop is dropped
        ("Company/甲公司", "locatedIn", "Park/hz-520100-guiyang"),  # a gazetteer entry: its id
    ]
    assert len(graph.edges[1].evidence) == 2
