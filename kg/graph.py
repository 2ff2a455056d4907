"""Link per-document entities across the corpus into one graph of nodes and edges."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Generic, TypeVar

from .model import SYMMETRIC_RELATIONS, ArticleRef, DocResult, DocSummary, Edge, EntityRef, KnowledgeGraph, Node


def norm_name(name: str) -> str:
    """The contract's comparison form: NFKC with white space removed."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def node_id(type_: str, name: str) -> str:
    """A stable, readable id: the same type and canonical name give the same id in every build."""
    return f"{type_}/{norm_name(name)}"


K = TypeVar("K", str, tuple[str, str])


class UnionFind(Generic[K]):
    """Disjoint sets with path halving; the smaller key is the root, so merges are order-free."""

    def __init__(self) -> None:
        self.parent: dict[K, K] = {}

    def find(self, x: K) -> K:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: K, b: K) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _canonical(names: dict[str, int]) -> str:
    # The fullest form wins; among equals the most mentioned, then the smallest, for determinism.
    return min(names, key=lambda n: (-len(norm_name(n)), -names[n], n))


def summarize(res: DocResult) -> DocSummary:
    """The part of a document's results the graph is built from (no text, no mention offsets)."""
    return DocSummary(
        doc=res.doc,
        path=res.path,
        entities=[
            EntityRef(
                ent.name, ent.type, list(ent.aliases), len(ent.mentions), sorted({m.article for m in ent.mentions})
            )
            for ent in res.entities
        ],
        relations=res.relations,
        articles=[ArticleRef(doc=a.doc, path=a.path, index=a.index, title=a.title) for a in res.articles],
        sentences=sum(len(a.sentences) for a in res.articles),
    )


def build_graph(docs: Sequence[DocSummary | DocResult]) -> KnowledgeGraph:
    """Merge the documents' entities that share a type and a name (or one's name is the other's alias)."""
    results = [summarize(d) if isinstance(d, DocResult) else d for d in docs]
    norm = cache(norm_name)  # the same names come back in document after document
    keys = [[(ent.type, norm(ent.name)) for ent in res.entities] for res in results]
    canon_keys = {key for doc_keys in keys for key in doc_keys}
    uf: UnionFind[tuple[str, str]] = UnionFind()
    for res, doc_keys in zip(results, keys, strict=True):
        for ent, key in zip(res.entities, doc_keys, strict=True):
            for alias in ent.aliases:
                akey = (ent.type, norm(alias))
                # An alias joins another document's entity only when that entity is known by it in full.
                if akey != key and akey in canon_keys:
                    uf.union(key, akey)
    root_of = {key: uf.find(key) for key in canon_keys}

    names: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    aliases: dict[tuple[str, str], set[str]] = defaultdict(set)
    mentions: dict[tuple[str, str], int] = defaultdict(int)
    files: dict[tuple[str, str], set[str]] = defaultdict(set)
    arts: dict[tuple[str, str], set[tuple[str, int]]] = defaultdict(set)
    for res, doc_keys in zip(results, keys, strict=True):
        doc = res.doc
        for ent, key in zip(res.entities, doc_keys, strict=True):
            root = root_of[key]
            forms = names[root]
            forms[ent.name] = forms.get(ent.name, 0) + ent.mentions
            aliases[root].update(ent.aliases)
            mentions[root] += ent.mentions
            files[root].add(doc)
            arts[root].update([(doc, a) for a in ent.articles])

    nodes: dict[tuple[str, str], Node] = {}
    for root, forms in names.items():
        canon = _canonical(forms)
        alias_set = (set(forms) | aliases[root]) - {canon}
        alias_list = sorted(a for a in alias_set if norm(a) != norm(canon))
        nodes[root] = Node(
            id=node_id(root[0], canon),
            name=canon,
            type=root[0],
            aliases=alias_list,
            mentions=mentions[root],
            files=sorted(files[root]),
            articles=sorted(arts[root]),
        )

    edges: dict[tuple[str, str, str], Edge] = {}
    for res, doc_keys in zip(results, keys, strict=True):
        if not res.relations:
            continue
        local = {(ent.type, ent.name): root_of[key] for ent, key in zip(res.entities, doc_keys, strict=True)}
        for rel in res.relations:
            h = local.get((rel.head_type, rel.head))
            t = local.get((rel.tail_type, rel.tail))
            if h is None or t is None or h == t:
                continue
            hid, tid = nodes[h].id, nodes[t].id
            if rel.relation in SYMMETRIC_RELATIONS and tid < hid:
                hid, tid = tid, hid
            edge = edges.get((hid, rel.relation, tid))
            if edge is None:
                edge = edges[hid, rel.relation, tid] = Edge(hid, rel.relation, tid)
            edge.evidence.extend(rel.evidence)

    articles = [a for res in results for a in res.articles]
    for e in edges.values():
        e.evidence.sort(key=lambda ev: (ev.doc, ev.article, ev.start, ev.pattern))
    return KnowledgeGraph(
        nodes=sorted(nodes.values(), key=lambda n: n.id),
        edges=[edges[k] for k in sorted(edges)],
        articles=sorted(articles, key=lambda a: (a.doc, a.index)),
    )
