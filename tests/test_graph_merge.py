"""Partial link states merge (issue 13: the executor leaves room for distributed extraction, "partial
graphs mergeable"): GraphBuilders that each gathered a shard of the documents, merged, give the graph
of one builder that gathered them all, whatever the sharding and the order of merging."""

from __future__ import annotations

import pickle
from dataclasses import replace
from functools import cache

from kg.build.inputs import sample_corpus
from kg.build.process import process_file
from kg.link.graph import GraphBuilder, summarize
from kg.model import DocSummary, EntityRef, Evidence, KnowledgeGraph, Relation


@cache
def sample_summaries() -> tuple[DocSummary, ...]:
    return tuple(summarize(d) for p in sample_corpus() for d in process_file(p)[0])


def builder(docs: tuple[DocSummary, ...] | list[DocSummary]) -> GraphBuilder:
    b = GraphBuilder()
    for d in docs:
        b.add(d)
    return b


def one_go(docs: tuple[DocSummary, ...] | list[DocSummary]) -> KnowledgeGraph:
    return builder(docs).graph()


def alias_across_shards() -> list[DocSummary]:
    """An entity known in one shard by a short name that the other shard's entity has as its alias,
    and a relation whose ends only the merge makes one entity each."""
    ev = Evidence("d1", "d1.txt", 0, "句子。", 0, 3, "p")
    return [
        DocSummary(
            "d1",
            "d1.txt",
            entities=[EntityRef("甲科技", "Company", [], 2, [0]), EntityRef("乙园区", "Park", [], 1, [0])],
            relations=[Relation("甲科技", "locatedIn", "乙园区", "Company", "Park", [ev])],
        ),
        DocSummary(
            "d2",
            "d2.txt",
            entities=[EntityRef("丙市甲科技有限公司", "Company", ["甲科技"], 1, [0])],
        ),
    ]


def test_merged_shards_give_the_graph_of_one_builder() -> None:
    docs = sample_summaries()
    assert len(docs) >= 5
    whole = one_go(docs)
    assert whole.nodes and whole.edges
    for cut in range(len(docs) + 1):
        assert builder(docs[:cut]).merge(builder(docs[cut:])).graph() == whole
    shards = [builder([d]) for d in docs]
    left = shards[0]
    for b in shards[1:]:
        left = left.merge(b)
    right = shards[-1]
    for b in reversed(shards[:-1]):
        right = b.merge(right)
    assert left.graph() == right.graph() == whole
    # and a builder's graph does not depend on the order documents arrive in, so shards may be merged
    # in any order
    assert shards[-1].merge(shards[0]).merge(builder(docs[1:-1])).graph() == whole


def test_an_alias_links_entities_of_two_shards() -> None:
    d1, d2 = alias_across_shards()
    merged = builder([d1]).merge(builder([d2])).graph()
    assert merged == one_go([d1, d2])
    company = next(n for n in merged.nodes if n.type == "Company")
    assert company.name == "丙市甲科技有限公司" and company.aliases == ["甲科技"] and company.files == ["d1", "d2"]
    assert [(e.head, e.relation) for e in merged.edges] == [(company.id, "locatedIn")]
    # apart, the shards know two companies
    assert len([n for n in builder([d1]).graph().nodes if n.type == "Company"]) == 1
    assert builder([d2]).graph().edges == []


def test_merge_leaves_its_inputs_alone_and_builders_pickle() -> None:
    docs = sample_summaries()
    a, b = builder(docs[:2]), builder(docs[2:])
    before = (a.graph(), b.graph())
    merged = pickle.loads(pickle.dumps(a)).merge(pickle.loads(pickle.dumps(b)))
    assert merged.graph() == one_go(docs)
    assert (a.graph(), b.graph()) == before
    assert a.merge(GraphBuilder()).graph() == a.graph() == GraphBuilder().merge(a).graph()


def test_a_document_in_both_shards_counts_twice() -> None:
    """What merge does not do: find documents two shards share (the executor sends each input once)."""
    d1, _ = alias_across_shards()
    twice = builder([d1]).merge(builder([d1])).graph()
    assert twice == one_go([d1, d1])
    assert next(n for n in twice.nodes if n.type == "Company").mentions == 4
    assert replace(twice, nodes=[]) != replace(one_go([d1]), nodes=[])  # the edge has its evidence twice
