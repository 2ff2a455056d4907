"""Link per-document entities across the corpus into one graph of nodes and edges."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from ..model import (
    ARTICLE_META_KEYS,
    SYMMETRIC_RELATIONS,
    ArticleRef,
    DocResult,
    DocSummary,
    Edge,
    EntityRef,
    KnowledgeGraph,
    Node,
    Relation,
    node_id,
    norm_name,
)
from ..resources.gazetteer import gazetteer
from .gazetteer import entry, resolve_names
from .sets import UnionFind


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
        articles=[
            ArticleRef(
                doc=a.doc,
                path=a.path,
                index=a.index,
                title=a.title,
                meta=tuple((k, v) for k in ARTICLE_META_KEYS for v in a.meta.get(k, [])[:1]),
            )
            for a in res.articles
        ],
        sentences=sum(len(a.sentences) for a in res.articles),
    )


def build_graph(docs: Sequence[DocSummary | DocResult]) -> KnowledgeGraph:
    """Merge the documents' entities that share a type and a name (or one's name is the other's alias)."""
    builder = GraphBuilder()
    for d in docs:
        builder.add(summarize(d) if isinstance(d, DocResult) else d)
    return builder.graph()


Key = tuple[str, str]  # (type, comparison form of a name)


class _Names:
    """What the documents say of one name (one key): its spellings with their mention counts, its
    aliases, mentions, files and articles."""

    __slots__ = ("forms", "aliases", "mentions", "files", "articles")

    def __init__(self) -> None:
        self.forms: dict[str, int] = {}
        self.aliases: set[str] = set()
        self.mentions = 0
        self.files: set[str] = set()
        self.articles: set[tuple[str, int]] = set()


class GraphBuilder:
    """:func:`build_graph` a document at a time: :meth:`add` gathers what each name is said to be as
    documents arrive (while the workers still extract the rest), and :meth:`graph` does what needs the
    whole corpus (which names are one entity, and the edges between them), so linking after the last
    file costs a fraction of gathering everything then."""

    def __init__(self) -> None:
        self._norm = cache(norm_name)  # the same names come back in document after document
        self._names: dict[Key, _Names] = {}
        self._aliases: list[tuple[Key, Key]] = []  # (an entity's key, the key of one of its aliases)
        self._relations: list[tuple[Relation, Key, Key]] = []  # with the keys of their head and tail
        self._articles: list[ArticleRef] = []

    def add(self, res: DocSummary) -> None:
        norm, names = self._norm, self._names
        doc = res.doc
        keys = [(ent.type, norm(ent.name)) for ent in res.entities]
        for ent, key in zip(res.entities, keys, strict=True):
            acc = names.get(key)
            if acc is None:
                acc = names[key] = _Names()
            acc.forms[ent.name] = acc.forms.get(ent.name, 0) + ent.mentions
            acc.aliases.update(ent.aliases)
            acc.mentions += ent.mentions
            acc.files.add(doc)
            acc.articles.update([(doc, a) for a in ent.articles])
            for alias in ent.aliases:
                akey = (ent.type, norm(alias))
                if akey != key:
                    self._aliases.append((key, akey))
        if res.relations:
            local = {(ent.type, ent.name): key for ent, key in zip(res.entities, keys, strict=True)}
            for rel in res.relations:
                h, t = local.get((rel.head_type, rel.head)), local.get((rel.tail_type, rel.tail))
                if h is not None and t is not None:
                    self._relations.append((rel, h, t))
        self._articles.extend(res.articles)

    def merge(self, other: GraphBuilder) -> GraphBuilder:
        """A builder holding what both hold, as if every document of each had been added to one: two
        workers (or clients of a distributed engine) each gather a shard, and the partial states are
        merged before :meth:`graph`. Neither builder is changed. Associative, and since :meth:`graph`
        depends only on which documents were added, not their order, ``a.merge(b).graph()`` is the
        graph of one builder given the documents of both (the shards must not share a document: one
        added twice counts twice, as it would in one builder). Builders pickle, to be sent."""
        out = GraphBuilder()
        for src in (self, other):
            for key, acc in src._names.items():
                into = out._names.get(key)
                out._names[key] = _merge(_Names() if into is None else into, acc)
            out._aliases += src._aliases
            out._relations += src._relations
            out._articles += src._articles
        return out

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_norm"]  # a memo of norm_name: made again where the builder is loaded
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _norm=cache(norm_name))

    def _entries(self) -> dict[Key, str]:
        """The gazetteer entry each name resolves to (by itself, else by its simplified spelling)."""
        out: dict[Key, str] = {}
        for key, acc in self._names.items():
            spellings = sorted((a for a in acc.aliases if len(a) == len(key[1])), key=lambda a: (a != key[1], a))
            gid = resolve_names(key[0], [key[1], *spellings])
            if gid:
                out[key] = gid
        return out

    def graph(self) -> KnowledgeGraph:
        norm, names = self._norm, self._names
        uf: UnionFind[Key] = UnionFind()
        for key, akey in self._aliases:
            # An alias joins another document's entity only when that entity is known by it in full.
            if akey in names:
                uf.union(key, akey)
        entry_of = self._entries()
        for key, gid in entry_of.items():  # the names of one gazetteer entry are one entity
            uf.union(key, (key[0], "\x00" + gid))
        root_of = {key: uf.find(key) for key in names}
        merged: dict[Key, _Names] = {}
        copied: set[Key] = set()  # roots merged into a new record (the names' own are left as they are)
        for key, acc in names.items():
            root = root_of[key]
            into = merged.get(root)
            if into is None:
                merged[root] = acc  # most names are an entity of their own: taken as they are
                continue
            if root not in copied:
                into = merged[root] = _merge(_Names(), into)
                copied.add(root)
            _merge(into, acc)

        nodes: dict[Key, Node] = {}
        for root, acc in merged.items():
            forms = acc.forms
            canon = _canonical(forms)
            node = Node(
                id=node_id(root[0], canon),
                name=canon,
                type=root[0],
                mentions=acc.mentions,
                files=sorted(acc.files),
                articles=sorted(acc.articles),
            )
            if root[1].startswith("\x00"):  # a gazetteer entry: its id and official name
                _name_by_entry(node, root[1][1:])
            alias_set = (set(forms) | acc.aliases) - {node.name}
            node.aliases = sorted(a for a in alias_set if norm(a) != norm(node.name))
            nodes[root] = node

        edges: dict[tuple[str, str, str], Edge] = {}
        for rel, hkey, tkey in self._relations:
            h, t = root_of[hkey], root_of[tkey]
            if h == t:
                continue
            hid, tid = nodes[h].id, nodes[t].id
            if rel.relation in SYMMETRIC_RELATIONS and tid < hid:
                hid, tid = tid, hid
            edge = edges.get((hid, rel.relation, tid))
            if edge is None:
                edge = edges[hid, rel.relation, tid] = Edge(hid, rel.relation, tid)
            edge.evidence.extend(rel.evidence)

        for e in edges.values():
            e.evidence.sort(key=lambda ev: (ev.doc, ev.article, ev.start, ev.pattern))
        return KnowledgeGraph(
            nodes=sorted(nodes.values(), key=lambda n: n.id),
            edges=[edges[k] for k in sorted(edges)],
            articles=sorted(self._articles, key=lambda a: (a.doc, a.index)),
        )


def _name_by_entry(node: Node, gid: str) -> None:
    """Give a node the gazetteer entry's identity: the entry's id in its IRI, its official name, and
    for a park the province and city it lies in."""
    e = entry(gid)
    node.id, node.name, node.gazetteer = f"{node.type}/{gid}", e.name, gid
    if node.type == "Park":
        node.places = sorted(p.name for p in gazetteer().place_chain(e))


def _merge(into: _Names, acc: _Names) -> _Names:
    for form, n in acc.forms.items():
        into.forms[form] = into.forms.get(form, 0) + n
    into.aliases |= acc.aliases
    into.mentions += acc.mentions
    into.files |= acc.files
    into.articles |= acc.articles
    return into
