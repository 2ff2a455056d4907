"""Output staging: a build killed outright leaves a staging folder; the next build clears it, but never
the folder of a build that is still running."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kg.build.builder import write_all
from kg.model import KnowledgeGraph


def test_dead_builds_stage_is_removed_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".kg-build-{dead.stdout.strip()}-abc123"
    stale.mkdir()
    (stale / "kg.ttl").write_text("half", encoding="utf-8")
    live = tmp_path / f".kg-build-{os.getpid()}-def456"
    live.mkdir()
    write_all(tmp_path, [], KnowledgeGraph())
    assert not stale.exists()
    assert live.exists()
    assert (tmp_path / "kg.ttl").exists()
    assert sorted(p.name for p in tmp_path.glob(".kg-build-*")) == [live.name]


def test_error_message_stays_on_one_line_for_odd_file_names() -> None:
    from kg.errors import InputError

    err = InputError("in/bad\nname.txt", "file is empty")
    assert "\n" not in str(err) and "bad\\nname.txt" in str(err)


# ------------------------------------------------------------------ the writers' fast paths, checked


def _sample_docs() -> list:  # type: ignore[type-arg]
    from kg.build.inputs import sample_corpus
    from kg.build.process import process_file

    return [d for p in sample_corpus() for d in process_file(p)[0]]


def _reference_lines(res, graph: KnowledgeGraph) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """articles.jsonl and extractions.jsonl lines of one document the plain way: one json.dumps per record."""
    import json

    from kg.model import node_id, norm_name

    def dumps(obj: object) -> str:
        return (
            json.dumps(obj, ensure_ascii=False).translate(
                str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})
            )
            + "\n"
        )

    alias_to_node: dict[tuple[str, str], str] = {}
    for node in graph.nodes:
        for name in [node.name, *node.aliases]:
            alias_to_node.setdefault((node.type, norm_name(name)), node.id)
    arts = "".join(
        dumps(
            {
                "source": a.path,
                "doc": a.doc,
                "article": a.index,
                "title": a.title,
                "head": a.head,
                "span": list(a.span),
                "text": a.text,
                "sentences": [[s.start, s.end] for s in a.sentences],
                "meta": a.meta,
            }
        )
        for a in res.articles
    )
    ents = [
        {
            "name": e.page_name or e.name,
            "type": e.type,
            "aliases": sorted({*e.aliases, e.name} - {e.page_name}) if e.page_name else sorted(e.aliases),
            "node": alias_to_node.get((e.type, norm_name(e.name)), node_id(e.type, e.name)),
            "mentions": [
                {
                    "article": m.article,
                    "sentence": m.sentence,
                    "start": m.start,
                    "end": m.end,
                    "surface": m.surface,
                    "rule": m.rule,
                }
                for m in e.mentions
            ],
        }
        for e in res.entities
    ]
    spelled = {(e.type, e.name): e.page_name for e in res.entities if e.page_name}
    rels = [
        {
            "head": spelled.get((r.head_type, r.head), r.head),
            "relation": r.relation,
            "tail": spelled.get((r.tail_type, r.tail), r.tail),
            "evidence": r.evidence[0].sentence if r.evidence else "",
            "evidences": [
                {"article": v.article, "start": v.start, "end": v.end, "sentence": v.sentence, "pattern": v.pattern}
                for v in r.evidence
            ],
        }
        for r in res.relations
    ]
    return arts, dumps({"doc": res.doc, "source": res.path, "entities": ents, "relations": rels})


def test_serialised_lines_match_plain_json() -> None:
    """Workers serialise the JSONL lines ahead of linking and the node ids are spliced in later: the
    result is the record json.dumps gives, for the sample pages and for hostile names."""
    from test_hostile_names import nasty_results

    from kg.link.graph import build_graph
    from kg.writers.tables import TextStore, write_jsonl

    for results in (_sample_docs(), nasty_results()):
        graph = build_graph(results)
        store = TextStore()
        for res in results:
            store.add_docs([res])
        with tempfile.TemporaryDirectory() as tmp:
            write_jsonl(Path(tmp), [r.doc for r in results], store, graph)
            arts = (Path(tmp) / "articles.jsonl").read_text(encoding="utf-8")
            exts = (Path(tmp) / "extractions.jsonl").read_text(encoding="utf-8")
        ref = [_reference_lines(r, graph) for r in results]
        assert arts == "".join(a for a, _ in ref)
        assert exts == "".join(e for _, e in ref)


def test_text_store_spills_to_a_file(tmp_path: Path) -> None:
    from kg.writers.tables import TextStore

    docs = _sample_docs()
    memory, spilled = TextStore(), TextStore(tmp_path / "texts.spill")
    for res in docs:
        memory.add_docs([res])
        spilled.add_docs([res])
    spilled.close()
    assert (tmp_path / "texts.spill").stat().st_size > 0
    assert list(spilled) == list(memory) == list(spilled)  # re-readable, by any number of readers
    with pytest.raises(ValueError, match="closed"):
        spilled.add_docs(docs[:1])


def test_graphml_is_what_networkx_writes(tmp_path: Path) -> None:
    """kg.graphml is formatted directly; it must be byte for byte networkx's GraphML of the graph."""
    import networkx as nx
    from conftest import make_graph
    from test_hostile_names import nasty_graph

    from kg.link.graph import build_graph
    from kg.model import Edge
    from kg.writers import rdf

    def networkx_graphml(graph: KnowledgeGraph) -> bytes:
        g = nx.MultiDiGraph()
        for n in graph.nodes:
            g.add_node(
                rdf._graphml_id(n.id),
                label=rdf._xml_safe(n.name),
                name=rdf._xml_safe(n.name),
                type=n.type,
                aliases=rdf._xml_safe("|".join(n.aliases)),
                mentions=n.mentions,
                files=rdf._xml_safe("|".join(n.files)),
                iri=rdf.entity_iri(n.id),
            )
        for e in graph.edges:
            g.add_edge(
                rdf._graphml_id(e.head),
                rdf._graphml_id(e.tail),
                key=e.relation,
                relation=e.relation,
                label=e.relation,
                evidence_count=len(e.evidence),
                symmetric=e.relation in rdf.SYMMETRIC_RELATIONS,
                sentence=rdf._xml_safe(e.evidence[0].sentence) if e.evidence else "",
            )
        out = tmp_path / "nx.graphml"
        with out.open("wb") as fh:
            # the plain-XML writer: nx.write_graphml is lxml's when lxml is installed (readability-lxml needs it)
            nx.write_graphml_xml(g, fh, encoding="utf-8", prettyprint=True, named_key_ids=True)
        return out.read_bytes()

    sample = build_graph(_sample_docs())
    dangling = make_graph()
    dangling.edges.append(Edge("Park/不在图中", "partOf", dangling.nodes[0].id, []))  # a tail networkx adds bare
    nodes_only = KnowledgeGraph(nodes=sample.nodes[:3])
    for graph in (sample, make_graph(), nasty_graph(), KnowledgeGraph(), nodes_only, dangling):
        rdf.write_graphml(tmp_path / "kg.graphml", graph)
        assert (tmp_path / "kg.graphml").read_bytes() == networkx_graphml(graph)


def test_rdf_in_one_pass_is_turtle_and_ntriples(tmp_path: Path) -> None:
    from test_hostile_names import nasty_graph

    from kg.link.graph import build_graph
    from kg.writers import rdf

    for graph in (build_graph(_sample_docs()), nasty_graph(), KnowledgeGraph()):
        rdf.write_rdf(graph, ttl=tmp_path / "a.ttl", nt=tmp_path / "a.nt")
        rdf.write_turtle(tmp_path / "b.ttl", graph)
        rdf.write_ntriples(tmp_path / "b.nt", graph)
        assert (tmp_path / "a.ttl").read_bytes() == (tmp_path / "b.ttl").read_bytes()
        assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes()


def test_sorted_groups_are_the_subjects_triples_in_order() -> None:
    """kg.ttl/kg.nt are written from subject groups made one at a time; they must hold exactly the
    triples of rdf._subjects (the plain statement of the RDF form), in _po_key order."""
    from conftest import make_graph
    from test_hostile_names import nasty_graph

    from kg.link.graph import build_graph
    from kg.model import Edge
    from kg.writers import rdf

    twice = make_graph()  # one piece of evidence recorded twice for an edge: one assertion
    twice.edges[0].evidence.append(twice.edges[0].evidence[0])
    sym = make_graph()
    a, b = sym.nodes[0].id, sym.nodes[1].id
    sym.edges.append(Edge(min(a, b), "cooperatesWith", max(a, b), list(sym.edges[0].evidence)))
    for graph in (build_graph(_sample_docs()), make_graph(), nasty_graph(), KnowledgeGraph(), twice, sym):
        subjects = rdf._subjects(graph)
        expected = [(s, sorted(subjects[s], key=rdf._po_key)) for s in sorted(subjects)]
        assert list(rdf._sorted_groups(graph)) == expected
