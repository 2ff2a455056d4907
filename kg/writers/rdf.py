"""The graph as RDF: Turtle and N-Triples written by a direct streaming writer, GraphML, and reading
a ``kg.ttl`` back into the model.

The writer does not go through rdflib: building rdflib terms and running its serializer is an order
of magnitude slower than formatting strings, and its output order is not guaranteed. Here every
triple comes from :func:`iter_triples` in one sorted, deterministic order, so two builds of the same
input give byte-identical files, and tests can compare the output with any parser.

IRI scheme (see :func:`entity_iri`)::

    https://w3id.org/hitech-kg/id/{Type}/{entry id}      an entity of the gazetteer (Node.gazetteer)
    https://w3id.org/hitech-kg/id/{Type}/{name}          any other entity; name is the NFKC form of Node.id
    https://w3id.org/hitech-kg/id/Place/{name}           a city or province a park is in
    https://w3id.org/hitech-kg/id/Article/{doc}/{index}  an article of an input file
    https://w3id.org/hitech-kg/id/Assertion/{hash}       one piece of evidence for a relation

Names are kept readable (CJK stays as is); only characters that are not allowed or not safe in an
IRI are percent-encoded, ``%`` included, so decoding gives the name back and two different names
never share an IRI.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import IO, Any, NamedTuple, TypeAlias
from urllib.parse import unquote

from ..atomic import atomic_open, file_identity
from ..errors import InputError
from ..model import (
    ARTICLE_META_KEYS,
    ENTITY_TYPES,
    ORGANIZATION_TYPES,
    RELATION_TYPES,
    SYMMETRIC_RELATIONS,
    ArticleRef,
    Edge,
    Evidence,
    KnowledgeGraph,
    Node,
)
from ..resources.gazetteer import gazetteer

ONT = "https://w3id.org/hitech-kg/ontology#"
ID = "https://w3id.org/hitech-kg/id/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"

RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"
SKOS_ALT = SKOS + "altLabel"
SKOS_PREF = SKOS + "prefLabel"
DCTERMS_ID = DCTERMS + "identifier"
XSD_INTEGER = XSD + "integer"
XSD_STRING = XSD + "string"

# Organizations in the W3C ORG sense: a partOf edge between two of them is also org:subOrganizationOf.
ORG_TYPES = frozenset(ORGANIZATION_TYPES)

# The prefixes written at the top of kg.ttl, also offered to `kg query` users.
PREFIXES: dict[str, str] = {
    "hkg": ONT,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "org": ORG,
    "schema": SCHEMA,
    **{t.lower(): f"{ID}{t}/" for t in (*ENTITY_TYPES, "Place", "Assertion")},
}


def ontology_file(name: str = "kg.ttl") -> Path:
    """A file of the ontology shipped in the package: ``kg.ttl`` (OWL) or ``shapes.ttl`` (SHACL)."""
    from importlib import resources

    return Path(str(resources.files("kg") / "data" / "ontology" / name))


class Literal(NamedTuple):
    """An RDF literal: a language-tagged string, or a typed value (xsd:string when neither is given)."""

    value: str
    lang: str | None = None
    datatype: str | None = None


Term: TypeAlias = "str | Literal"  # a str is an IRI
Triple = tuple[str, str, Term]


# --------------------------------------------------------------------------------------------------
# IRIs


def _unsafe_ranges() -> str:
    # Fixed code-point ranges (not unicodedata categories, which change between Python versions and
    # would change IRIs with them): controls, spaces, invisible format and bidi marks, surrogates,
    # private use, variation selectors, non-characters; plus the ASCII characters IRIs forbid or give
    # a meaning to (%, #, ?, /, [, ]).
    parts = [
        "\x00-\x20",
        '"#%/<>?\\[\\]\\\\^`{|}',
        "\x7f-\xa0\xad\u034f\u061c\u115f\u1160\u1680\u180e",
        "\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164",
        "\ud800-\udfff\ue000-\uf8ff\ufdd0-\ufdef\ufe00-\ufe0f\ufeff\uffa0\ufff0-\uffff",
    ]
    for plane in range(1, 17):
        base = plane << 16
        parts.append(f"{chr(base | 0xFFFE)}{chr(base | 0xFFFF)}")
    parts.append("\U000e0000-\U000e0fff\U000f0000-\U0010ffff")
    return "".join(parts)


_IRI_UNSAFE = re.compile(f"[{_unsafe_ranges()}]")


def _pct(match: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8", "surrogatepass"))


def encode_segment(name: str) -> str:
    """Percent-encode what an IRI path segment cannot safely hold; keep everything else readable.

    ``%`` is always encoded, so :func:`decode_segment` inverts this exactly and the mapping is
    injective. A segment of only dots would be removed by IRI resolution, so its dots are encoded.
    """
    seg = _IRI_UNSAFE.sub(_pct, name)
    if seg and seg.strip(".") == "":
        seg = "%2E" * len(seg)
    return seg


def decode_segment(seg: str) -> str:
    return unquote(seg, encoding="utf-8", errors="surrogatepass")


def entity_iri(node_id: str) -> str:
    """The IRI of a node from its ``Type/name`` id: the same id gives the same IRI in every build."""
    type_, _, name = node_id.partition("/")
    return f"{ID}{encode_segment(type_)}/{encode_segment(name)}"


def node_id_from_iri(iri: str) -> str:
    """Invert :func:`entity_iri`."""
    if not iri.startswith(ID):
        raise ValueError(f"not a hitech-kg entity IRI: {iri}")
    type_, _, name = iri[len(ID) :].partition("/")
    return f"{decode_segment(type_)}/{decode_segment(name)}"


def place_iri(name: str) -> str:
    from ..model import norm_name

    return f"{ID}Place/{encode_segment(norm_name(name))}"


def article_iri(doc: str, index: int) -> str:
    return f"{ID}Article/{encode_segment(doc)}/{index}"


def assertion_iri(edge: Edge, ev: Evidence) -> str:
    """A content hash of the edge and its evidence: stable across builds, distinct per evidence."""
    key = "\x1f".join(
        [
            edge.head,
            edge.relation,
            edge.tail,
            ev.doc,
            str(ev.article),
            str(ev.start),
            str(ev.end),
            ev.pattern,
            ev.sentence,
        ]
    )
    return f"{ID}Assertion/{hashlib.sha1(key.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


# --------------------------------------------------------------------------------------------------
# Triples


def _zh(text: str) -> Literal:
    return Literal(text, "zh")


def _int(n: int) -> Literal:
    return Literal(str(n), None, XSD_INTEGER)


def _str(text: str) -> Literal:
    return Literal(text)


XSD_DATE = XSD + "date"
_DATE = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T ].*)?\s*")
_SAFE_IRI = re.compile(r"https?://[^\x00-\x20<>\"{}|\\^`\x7f]+")


def _date(value: str) -> Literal:
    """An xsd:date where the value is a real date (2024-01-10, 2024/1/10, 2024年1月10日, an ISO date-time),
    so queries can compare dates; anything else stays the plain string it was."""
    m = _DATE.fullmatch(value)
    if m:
        try:
            return Literal(date(int(m[1]), int(m[2]), int(m[3])).isoformat(), None, XSD_DATE)
        except ValueError:  # 2024-02-30
            pass
    return _str(value)


def _article_meta(meta: tuple[tuple[str, str], ...]) -> list[tuple[str, Term]]:
    """A .jsonl document's known metadata as triples of its articles (see ARTICLE_META_KEYS)."""
    pos: list[tuple[str, Term]] = []
    for key, value in meta:
        if key == "date":
            pos.append((DCTERMS + "issued", _date(value)))
        elif key == "url":  # an IRI when it is a well-formed web address, else kept as written
            pos.append((SCHEMA + "url", value if _SAFE_IRI.fullmatch(value) else _str(value)))
        else:  # source, site
            pos.append((DCTERMS + "publisher", _str(value)))
    return pos


class _Memo(dict):  # type: ignore[type-arg]
    """A dict that computes a missing value once: entity and article IRIs and literals repeat a lot."""

    def __init__(self, fn: Any) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.fn(*key) if isinstance(key, tuple) else self.fn(key)
        return value


# Predicates, as constants.
_P_MENTIONS, _P_MENTIONED_IN, _P_IN_PLACE = ONT + "mentionCount", ONT + "mentionedIn", ONT + "inPlace"
_P_ADMIN_CODE, _P_PLACE_LEVEL = ONT + "adminCode", ONT + "placeLevel"
_P_MOE_CODE = ONT + "moeCode"  # a gazetteer university's Ministry of Education school code
_P_FILES = ONT + "fileCount"  # how many input files name the entity: its dcterms:source count
_P_SOURCE, _P_TITLE = DCTERMS + "source", DCTERMS + "title"
_P_SUBJECT, _P_PREDICATE, _P_OBJECT = RDF + "subject", RDF + "predicate", RDF + "object"
_P_SENTENCE, _P_START, _P_END, _P_PATTERN = ONT + "sentence", ONT + "start", ONT + "end", ONT + "pattern"
_P_DERIVED, _P_SUBORG = PROV + "wasDerivedFrom", ORG + "subOrganizationOf"


def _subjects(graph: KnowledgeGraph) -> dict[str, set[tuple[str, Term]]]:
    """Every subject with its (predicate, object) pairs, from the model."""
    subj: dict[str, set[tuple[str, Term]]] = defaultdict(set)
    types = {n.id: n.type for n in graph.nodes}
    ent = _Memo(entity_iri)
    art_iri = _Memo(article_iri)
    source = _Memo(_str)
    places: dict[str, str] = {}
    for node in graph.nodes:
        po = subj[ent[node.id]]
        po.add((RDF_TYPE, ONT + node.type))
        po.add((RDFS_LABEL, _zh(node.name)))
        po.update([(SKOS_ALT, _zh(a)) for a in node.aliases])
        po.update(_gazetteer_pos(node))
        po.add((_P_MENTIONS, _int(node.mentions)))
        po.add((_P_FILES, _int(len(set(node.files)))))
        po.update([(_P_SOURCE, source[f]) for f in node.files])
        po.update([(_P_MENTIONED_IN, art_iri[a]) for a in node.articles])
        for place in node.places:
            p_iri = place_iri(place)
            po.add((_P_IN_PLACE, p_iri))
            places[p_iri] = min(places.get(p_iri, place), place)
    for p_iri, label in places.items():
        subj[p_iri].update(_place_pos(label))
    for art in graph.articles:
        po = subj[art_iri[art.doc, art.index]]
        po.add((RDF_TYPE, ONT + "Article"))
        if art.title:
            po.add((_P_TITLE, _zh(art.title)))
        po.add((_P_SOURCE, source[art.doc]))
        po.add((ONT + "articleIndex", _int(art.index)))
        if art.path:
            po.add((ONT + "sourcePath", _str(art.path)))
        po.update(_article_meta(art.meta))
    assertion_type = (RDF_TYPE, ONT + "Assertion")
    for edge in graph.edges:
        h, t, p = ent[edge.head], ent[edge.tail], ONT + edge.relation
        subj[h].add((p, t))
        if edge.relation in SYMMETRIC_RELATIONS:
            subj[t].add((p, h))
        if edge.relation == "partOf" and types.get(edge.head) in ORG_TYPES and types.get(edge.tail) in ORG_TYPES:
            subj[h].add((_P_SUBORG, t))
        for ev in edge.evidence:
            subj[assertion_iri(edge, ev)].update(
                [
                    assertion_type,
                    (_P_SUBJECT, h),
                    (_P_PREDICATE, p),
                    (_P_OBJECT, t),
                    (_P_SENTENCE, _zh(ev.sentence)),
                    (_P_DERIVED, art_iri[ev.doc, ev.article]),
                    (_P_SOURCE, source[ev.doc]),
                    (_P_START, _int(ev.start)),
                    (_P_END, _int(ev.end)),
                    (_P_PATTERN, _str(ev.pattern)),
                ]
            )
    return subj


def _gazetteer_pos(node: Node) -> list[tuple[str, Term]]:
    """A gazetteer entity's official name and entry id (the same in every build, so that graphs built
    apart agree on them when loaded into one store), and a university's Ministry of Education code
    where the gazetteer knows it (universities.tsv, column ``moe``)."""
    if not node.gazetteer:
        return []
    pos: list[tuple[str, Term]] = [(SKOS_PREF, _zh(node.name)), (DCTERMS_ID, _str(node.gazetteer))]
    entry = gazetteer().entries.get(node.gazetteer)
    if entry is not None and entry.moe:
        pos.append((_P_MOE_CODE, _str(entry.moe)))
    return pos


def _place_pos(label: str) -> list[tuple[str, Term]]:
    """A province or city: its name and, where the gazetteer knows it, its administrative code."""
    pos: list[tuple[str, Term]] = [(RDF_TYPE, ONT + "Place"), (RDFS_LABEL, _zh(label))]
    place = gazetteer().places.get(label)
    if place is not None:
        pos += [(_P_ADMIN_CODE, _str(place.code)), (_P_PLACE_LEVEL, _str(place.level))]
    return sorted(pos, key=_po_key)


# Reading order within a subject: what it is and is called first, then the statement of an assertion.
_PRED_RANK = {
    p: i
    for i, p in enumerate(
        [
            RDF_TYPE,
            RDFS_LABEL,
            SKOS_PREF,
            SKOS_ALT,
            RDF + "subject",
            RDF + "predicate",
            RDF + "object",
            DCTERMS + "title",
        ]
    )
}


def _po_key(po: tuple[str, Term]) -> tuple[int, str, int, str, str, str]:
    p, o = po
    if isinstance(o, Literal):
        return (_PRED_RANK.get(p, 9), p, 1, o.value, o.lang or "", o.datatype or "")
    return (_PRED_RANK.get(p, 9), p, 0, o, "", "")


# What decides a subject's block, besides its IRI (see :func:`_subject_groups`): equal sources give
# byte-identical blocks, so a rebuild copies them from the previous files (see :func:`write_rdf`).
# An assertion's IRI hashes everything it states, so the IRI alone decides its block.
_ASSERTION = "assertion"
Group: TypeAlias = tuple[str, Any, Callable[[], list[tuple[str, Term]]]]  # (subject, source, its triples)


def _subject_groups(graph: KnowledgeGraph) -> Iterator[Group]:
    """The subjects of :func:`_subjects`, sorted, each with what decides its block and a function
    making its (predicate, object) pairs in :func:`_po_key` order: the order the files are written in.

    Made a subject at a time, from a sorted index of the subjects, instead of gathering every triple
    first: at 100 MB of news that is 3.3 M triples, which take gigabytes as tuples in sets. Articles,
    places and assertions have a fixed shape, written here in :func:`_po_key` order directly (a test
    checks this against :func:`_subjects`); entities are sorted as they come.
    """
    ent = _Memo(entity_iri)
    art_iri = _Memo(article_iri)
    source = _Memo(_str)
    out_edges = _out_edges(graph, ent)
    index = _subject_index(graph, ent, art_iri)
    t_article, t_assertion = (RDF_TYPE, ONT + "Article"), (RDF_TYPE, ONT + "Assertion")

    def assertion(edge: Edge, ev: Evidence) -> list[tuple[str, Term]]:
        return [
            t_assertion,
            (_P_SUBJECT, ent[edge.head]),
            (_P_PREDICATE, ONT + edge.relation),
            (_P_OBJECT, ent[edge.tail]),
            (_P_SOURCE, source[ev.doc]),
            (_P_DERIVED, art_iri[ev.doc, ev.article]),
            (_P_END, _int(ev.end)),
            (_P_PATTERN, _str(ev.pattern)),
            (_P_SENTENCE, _zh(ev.sentence)),
            (_P_START, _int(ev.start)),
        ]

    def entity(node: Node, edges: tuple[tuple[str, Term], ...]) -> list[tuple[str, Term]]:
        po: set[tuple[str, Term]] = {
            (RDF_TYPE, ONT + node.type),
            (RDFS_LABEL, _zh(node.name)),
            (_P_MENTIONS, _int(node.mentions)),
            (_P_FILES, _int(len(set(node.files)))),
            *[(SKOS_ALT, _zh(a)) for a in node.aliases],
            *_gazetteer_pos(node),
            *[(_P_SOURCE, source[f]) for f in node.files],
            *[(_P_MENTIONED_IN, art_iri[a]) for a in node.articles],
            *[(_P_IN_PLACE, place_iri(place)) for place in node.places],
            *edges,
        }
        return sorted(po, key=_po_key)

    def article(art: ArticleRef) -> list[tuple[str, Term]]:
        pos: list[tuple[str, Term]] = [t_article]
        if art.title:
            pos.append((_P_TITLE, _zh(art.title)))
        pos += [(_P_SOURCE, source[art.doc]), (ONT + "articleIndex", _int(art.index))]
        if art.path:
            pos.append((ONT + "sourcePath", _str(art.path)))
        return pos + sorted(set(_article_meta(art.meta)) - set(pos), key=_po_key)

    for s, kind, what in _unique_subjects(index):
        if kind == 3:
            yield s, _ASSERTION, partial(assertion, *what)
        elif kind == 0:
            edges = tuple(out_edges.get(what.id, ()))
            yield s, (what, edges), partial(entity, what, edges)
        elif kind == 1:
            yield s, ("place", what), partial(_place_pos, what)
        else:
            yield s, what, partial(article, what)


def _out_edges(graph: KnowledgeGraph, ent: _Memo) -> dict[str, list[tuple[str, Term]]]:
    """Each entity's outgoing (predicate, object) pairs: its edges, both ways for a symmetric relation,
    and an organisation's partOf another also as a suborganization."""
    types = {n.id: n.type for n in graph.nodes}
    out_edges: dict[str, list[tuple[str, Term]]] = defaultdict(list)
    for edge in graph.edges:
        h, t, p = ent[edge.head], ent[edge.tail], ONT + edge.relation
        out_edges[edge.head].append((p, t))
        if edge.relation in SYMMETRIC_RELATIONS:
            out_edges[edge.tail].append((p, h))
        if edge.relation == "partOf" and types.get(edge.head) in ORG_TYPES and types.get(edge.tail) in ORG_TYPES:
            out_edges[edge.head].append((_P_SUBORG, t))
    return out_edges


def _subject_index(graph: KnowledgeGraph, ent: _Memo, art_iri: _Memo) -> list[tuple[str, int, Any]]:
    """Every subject as (IRI, kind, what it is made from), sorted by IRI; kind 0 an entity, 1 a place
    (labelled with the smallest of its spellings), 2 an article, 3 an assertion."""
    places: dict[str, str] = {}
    for node in graph.nodes:
        for place in node.places:
            p_iri = place_iri(place)
            places[p_iri] = min(places.get(p_iri, place), place)
    index: list[tuple[str, int, Any]] = []
    for edge in graph.edges:
        index.extend((assertion_iri(edge, ev), 3, (edge, ev)) for ev in edge.evidence)
    index.extend((ent[n.id], 0, n) for n in graph.nodes)
    index.extend((p_iri, 1, label) for p_iri, label in places.items())
    index.extend((art_iri[a.doc, a.index], 2, a) for a in graph.articles)
    index.sort(key=lambda item: item[0])
    return index


def _unique_subjects(index: list[tuple[str, int, Any]]) -> Iterator[tuple[str, int, Any]]:
    """The index without repeats: the same evidence twice for one edge is one assertion; any other
    two subjects with one IRI are an error."""
    last = None
    for i, (s, kind, what) in enumerate(index):
        if s == last:
            continue
        last = s
        if i + 1 < len(index) and index[i + 1][0] == s and kind != 3:
            raise ValueError(f"two subjects share the IRI {s}")
        yield s, kind, what


def _sorted_groups(graph: KnowledgeGraph) -> Iterator[tuple[str, list[tuple[str, Term]]]]:
    """Every subject with its (predicate, object) pairs, in the order the files are written in."""
    for s, _source, make in _subject_groups(graph):
        yield s, make()


def iter_triples(graph: KnowledgeGraph) -> Iterator[Triple]:
    """Every triple of the graph's RDF form, in the (sorted) order the files are written in."""
    for s, pos in _sorted_groups(graph):
        for p, o in pos:
            yield s, p, o


def rdflib_graph(graph: KnowledgeGraph) -> Any:
    """The same triples as an ``rdflib.Graph``: to compare with a parsed file, or to benchmark the
    writer against rdflib's own serializer on identical input."""
    import rdflib

    g = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    uri = rdflib.URIRef
    for s, p, o in iter_triples(graph):
        if isinstance(o, Literal):
            dt = None if o.lang or o.datatype in (None, XSD_STRING) else uri(o.datatype)
            obj: Any = rdflib.Literal(o.value, lang=o.lang, datatype=dt)
        else:
            obj = uri(o)
        g.add((uri(s), uri(p), obj))
    return g


# --------------------------------------------------------------------------------------------------
# Writing

_LIT_SPECIAL = re.compile('[\x00-\x1f"\\\\\x7f-\x9f\u2028\u2029\ud800-\udfff]')
_ECHAR = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _esc_char(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _ECHAR:
        return _ECHAR[ch]
    if "\ud800" <= ch <= "\udfff":  # a lone surrogate cannot be written as UTF-8, nor as \\u in RDF
        return "\\uFFFD"
    return f"\\u{ord(ch):04X}"


def escape_string(text: str) -> str:
    """The body of a quoted Turtle / N-Triples string: quotes, backslashes and controls escaped."""
    return _LIT_SPECIAL.sub(_esc_char, text) if _LIT_SPECIAL.search(text) else text


_IRI_FORBIDDEN = re.compile('[\x00-\x20<>"{}|^`\\\\]')


def _iriref(iri: str) -> str:
    # IRIs made here are already safe; an IRI from elsewhere gets its forbidden characters encoded.
    if _IRI_FORBIDDEN.search(iri):
        iri = _IRI_FORBIDDEN.sub(_pct, iri)
    return f"<{iri}>"


# A local name the Turtle grammar (PN_LOCAL) and every parser we test accept without escapes.
_PN_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u2070-\u218f\u2c00-\u2fef"
    "\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_LOCAL = re.compile(f"(?:[{_PN_BASE}_0-9]|%[0-9A-F]{{2}})(?:[{_PN_BASE}_0-9\\-\u00b7]|%[0-9A-F]{{2}})*")


_NS_PREFIX = {ns: prefix for prefix, ns in PREFIXES.items()}


def _turtle_iri(iri: str) -> str:
    """A prefixed name where the local part needs no escaping, else ``<iri>``."""
    cut = max(iri.rfind("/"), iri.rfind("#")) + 1
    prefix = _NS_PREFIX.get(iri[:cut])
    local = iri[cut:]
    if prefix is not None and local and _PN_LOCAL.fullmatch(local):
        return f"{prefix}:{local}"
    return _iriref(iri)


class _Terms(dict[Term, str]):
    """A memo of terms rendered by ``render``: predicates, classes and entity IRIs repeat many times
    in a file (long literals, the evidence sentences, mostly do not: they are rendered each time)."""

    def __init__(self, render: Callable[[Term], str]) -> None:
        super().__init__()
        self.render = render

    def __missing__(self, term: Term) -> str:
        text = self.render(term)
        if len(text) <= _MEMO_MAX:
            self[term] = text
        return text


_MEMO_MAX = 200


def _turtle_obj(o: Term) -> str:
    if isinstance(o, Literal):
        body = f'"{escape_string(o.value)}"'
        if o.lang:
            return f"{body}@{o.lang}"
        if o.datatype == XSD_INTEGER and _INTEGER.fullmatch(o.value):
            return o.value
        if o.datatype and o.datatype != XSD_STRING:
            return f"{body}^^{_turtle_iri(o.datatype)}"
        return body
    return _turtle_iri(o)


_INTEGER = re.compile(r"[+-]?[0-9]+")


def _nt_obj(o: Term) -> str:
    if isinstance(o, Literal):
        body = f'"{escape_string(o.value)}"'
        if o.lang:
            return f"{body}@{o.lang}"
        if o.datatype and o.datatype != XSD_STRING:
            return f"{body}^^{_iriref(o.datatype)}"
        return body
    return _iriref(o)


def _turtle_prefixes() -> str:
    return "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in PREFIXES.items())


def _turtle_block(s: str, pos: list[tuple[str, Term]], terms: _Terms) -> str:
    """One subject's block: ``s p o, o ; p o .`` with the object lists and predicate lists folded."""
    parts = [f"\n{terms.get(s) or _turtle_iri(s)}"]  # most subjects are never objects: not memoised
    last_p = None
    for p, o in pos:
        obj = terms[o]
        if p == last_p:
            parts.append(f", {obj}")
        else:
            pred = "a" if p == RDF_TYPE else terms[p]
            parts.append(f" {pred} {obj}" if last_p is None else f" ;\n    {pred} {obj}")
            last_p = p
    parts.append(" .\n")
    return "".join(parts)


def _nt_block(s: str, pos: list[tuple[str, Term]], terms: _Terms) -> str:
    """One subject's lines: a triple a line."""
    subj = terms.get(s) or _iriref(s)  # most subjects are never objects: not memoised
    return "".join(f"{subj} {terms[p]} {terms[o]} .\n" for p, o in pos)


def turtle_lines(graph: KnowledgeGraph) -> Iterator[str]:
    """kg.ttl, a chunk at a time: prefixes, then one block per subject with ``;`` and ``,``."""
    yield _turtle_prefixes()
    terms = _Terms(_turtle_obj)
    for s, pos in _sorted_groups(graph):
        yield _turtle_block(s, pos, terms)


def ntriples_lines(graph: KnowledgeGraph) -> Iterator[str]:
    terms = _Terms(_nt_obj)
    for s, pos in _sorted_groups(graph):
        yield _nt_block(s, pos, terms)


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    with atomic_open(path, fsync=False) as fh:
        buf: list[str] = []
        for line in lines:
            buf.append(line)
            if len(buf) >= 4096:
                fh.write("".join(buf))
                buf.clear()
        fh.write("".join(buf))


def write_turtle(path: Path, graph: KnowledgeGraph) -> None:
    """Write ``kg.ttl``: the entities, relations, articles and evidence, in a deterministic order."""
    _write_lines(path, turtle_lines(graph))


def write_ntriples(path: Path, graph: KnowledgeGraph) -> None:
    """Write ``kg.nt``: the same triples as kg.ttl, one a line, for bulk loaders."""
    _write_lines(path, ntriples_lines(graph))


class RdfIndex(NamedTuple):
    """Where each subject's block lies in a kg.ttl and kg.nt written by :func:`write_rdf`, and what it
    was made from: a later build copies the blocks whose source is unchanged instead of making them."""

    blocks: dict[str, tuple[Any, int, int, int, int]]  # IRI -> (source, ttl start, end, nt start, end)
    files: tuple[tuple[int, ...], tuple[int, ...]]  # the two files' identity (kg.atomic.file_identity)
    version: str  # kg's code and data (kg.resources.version.extractor_version): another version is not trusted


class _Stale(Exception):
    """The previous files are not those of their index (replaced or changed since)."""


class _Previous:
    """The previous kg.ttl and kg.nt, open, with their index: blocks are read from them as copied."""

    def __init__(self, ttl: Path, nt: Path, index: RdfIndex) -> None:
        from ..resources.version import extractor_version

        if index.version != extractor_version():
            raise _Stale("an index of another version of kg")
        self.index = index
        self.fds: list[int] = []
        try:
            for path in (ttl, nt):
                self.fds.append(os.open(path, os.O_RDONLY))
            if tuple(file_identity(os.fstat(fd)) for fd in self.fds) != index.files:
                raise _Stale(f"{ttl}, {nt}: not the files of this index")
        except BaseException:
            self.close()
            raise

    def copy(self, which: int, start: int, end: int, out: IO[bytes]) -> None:
        while start < end:
            chunk = os.pread(self.fds[which], min(end - start, 1 << 23), start)
            if not chunk:
                raise _Stale("the previous file is shorter than its index says")
            out.write(chunk)
            start += len(chunk)

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds = []


def write_rdf(
    graph: KnowledgeGraph,
    ttl: Path,
    nt: Path,
    previous: tuple[Path, Path, Path] | None = None,
    index: Path | None = None,
) -> int:
    """Write kg.ttl and kg.nt in one pass: the graph's triples are gathered and sorted once for both
    (the costly part), each file then as :func:`write_turtle` and :func:`write_ntriples` write it.

    ``previous`` (the last build's kg.ttl and kg.nt and the :class:`RdfIndex` saved with them) lets a
    rebuild copy every block whose subject's source is unchanged from those files rather than make it
    again: the files come out byte-identical to a full write (tested), in a fraction of the time when
    few documents changed. Files that are not those of the index are not used. ``index`` is where to
    save this build's index. Returns how many blocks were copied.
    """
    old: _Previous | None = None
    if previous is not None:
        saved = load_rdf_index(previous[2])
        try:
            old = _Previous(previous[0], previous[1], saved) if saved is not None else None
        except (OSError, _Stale):
            old = None
    try:
        with atomic_open(ttl, "wb", None, False) as ft, atomic_open(nt, "wb", None, False) as fn:
            try:
                copied, blocks = _write_rdf_blocks(graph, ft, fn, old, index is not None)
            except _Stale:  # start again from nothing
                for fh in (ft, fn):
                    fh.seek(0)
                    fh.truncate()
                copied, blocks = _write_rdf_blocks(graph, ft, fn, None, index is not None)
    finally:
        if old is not None:
            old.close()
    if index is not None:
        from ..resources.version import extractor_version

        files = (file_identity(os.stat(ttl)), file_identity(os.stat(nt)))
        with index.open("wb") as fh:
            pickle.dump(RdfIndex(blocks, files, extractor_version()), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return copied


def _write_rdf_blocks(
    graph: KnowledgeGraph, ft: IO[bytes], fn: IO[bytes], old: _Previous | None, indexed: bool
) -> tuple[int, dict[str, tuple[Any, int, int, int, int]]]:
    tt, nn = _Terms(_turtle_obj), _Terms(_nt_obj)
    head = _turtle_prefixes().encode()
    ft.write(head)
    tpos, npos = len(head), 0
    blocks: dict[str, tuple[Any, int, int, int, int]] = {}
    previous = old.index.blocks if old is not None else {}
    run: list[int] = []  # the old blocks being copied: ttl start, end, nt start, end
    tbuf: list[bytes] = []
    nbuf: list[bytes] = []
    copied = 0

    def flush() -> None:
        if tbuf:
            ft.write(b"".join(tbuf))
            fn.write(b"".join(nbuf))
            tbuf.clear()
            nbuf.clear()
        if run and old is not None:
            old.copy(0, run[0], run[1], ft)
            old.copy(1, run[2], run[3], fn)
            run.clear()

    for s, source, make in _subject_groups(graph):
        was = previous.get(s)
        if was is not None and was[0] == source:
            _, ts, te, ns, ne = was
            if run and run[1] == ts and run[3] == ns:
                run[1], run[3] = te, ne
            else:
                flush()
                run[:] = [ts, te, ns, ne]
            tlen, nlen = te - ts, ne - ns
            copied += 1
        else:
            if run:
                flush()
            pos = make()
            tb, nb = _turtle_block(s, pos, tt).encode(), _nt_block(s, pos, nn).encode()
            tbuf.append(tb)
            nbuf.append(nb)
            tlen, nlen = len(tb), len(nb)
            if len(nbuf) >= 2048:
                flush()
        if indexed:
            blocks[s] = (source, tpos, tpos + tlen, npos, npos + nlen)
        tpos += tlen
        npos += nlen
    flush()
    return copied, blocks


def load_rdf_index(path: Path) -> RdfIndex | None:
    """An index saved by :func:`write_rdf`, or None if it cannot be read."""
    try:
        with path.open("rb") as fh:
            value = pickle.load(fh)
    except Exception:
        return None
    return value if isinstance(value, RdfIndex) else None


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _XML_BAD.sub("\ufffd", text)


def _graphml_id(node_id: str) -> str:
    # Readable where XML allows it, else the entity IRI (percent-encoded, so still one id per node):
    # sanitising would merge 甲\x00公司 and 甲\x01公司 into one GraphML node.
    return node_id if not _XML_BAD.search(node_id) else entity_iri(node_id)


_GRAPHML_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
    ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)
_NODE_KEYS = (
    ("label", "string"),
    ("name", "string"),
    ("type", "string"),
    ("aliases", "string"),
    ("mentions", "long"),
    ("files", "string"),
    ("iri", "string"),
)
_EDGE_KEYS = (
    ("relation", "string"),
    ("label", "string"),
    ("evidence_count", "long"),
    ("symmetric", "boolean"),
    ("sentence", "string"),
)


_XML_ESCAPED = re.compile('[&<>"\r\n\t]')


def _xml_text(text: str) -> str:
    if "&" not in text and "<" not in text and ">" not in text:  # nearly every value: nothing to escape
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_attr(text: str) -> str:
    if not _XML_ESCAPED.search(text):
        return text
    text = _xml_text(text).replace('"', "&quot;")
    return text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def _graphml_element(tag: str, attrs: str, data: list[tuple[str, str]]) -> str:
    parts = [f"    <{tag} {attrs}>"]
    for key, value in data:
        text = _xml_text(value)
        parts.append(f'\n      <data key="{key}">{text}</data>' if text else f'\n      <data key="{key}" />')
    parts.append(f"\n    </{tag}>\n")
    return "".join(parts)


def write_graphml(path: Path, graph: KnowledgeGraph) -> None:
    """Write ``kg.graphml`` for Gephi and property-graph imports: one node per entity, one edge per
    relation (a symmetric relation once), with the relation and its evidence count on the edge.

    Formatted directly (networkx's writer builds an ElementTree of the whole graph, ~20× slower), in
    the layout networkx writes: the same bytes, edges grouped by head, then by tail in first-seen order.
    """
    out = [_GRAPHML_HEAD]
    # networkx lists the keys most recently seen first: the edge keys, then the node keys, each reversed
    for scope, scope_keys in (("edge", _EDGE_KEYS if graph.edges else ()), ("node", _NODE_KEYS if graph.nodes else ())):
        for name, type_ in reversed(scope_keys):
            out.append(f'  <key id="{name}" for="{scope}" attr.name="{name}" attr.type="{type_}" />\n')
    known = {n.id for n in graph.nodes}
    extra = [x for e in graph.edges for x in (e.head, e.tail) if x not in known]
    if not graph.nodes and not extra:
        out.append('  <graph edgedefault="directed" />\n</graphml>\n')
    else:
        out.append('  <graph edgedefault="directed">\n')
        for n in graph.nodes:
            data = [
                ("label", _xml_safe(n.name)),
                ("name", _xml_safe(n.name)),
                ("type", n.type),
                ("aliases", _xml_safe("|".join(n.aliases))),
                ("mentions", str(n.mentions)),
                ("files", _xml_safe("|".join(n.files))),
                ("iri", entity_iri(n.id)),
            ]
            out.append(_graphml_element("node", f'id="{_xml_attr(_graphml_id(n.id))}"', data))
        for x in dict.fromkeys(extra):
            out.append(f'    <node id="{_xml_attr(_graphml_id(x))}" />\n')
        by_head: dict[str, dict[str, list[Edge]]] = defaultdict(dict)
        for e in graph.edges:
            by_head[e.head].setdefault(e.tail, []).append(e)
        for head in [*(n.id for n in graph.nodes), *dict.fromkeys(extra)]:
            for tail, edges in by_head.pop(head, {}).items():
                for e in edges:
                    data = [
                        ("relation", e.relation),
                        ("label", e.relation),
                        ("evidence_count", str(len(e.evidence))),
                        ("symmetric", str(e.relation in SYMMETRIC_RELATIONS)),
                        ("sentence", _xml_safe(e.evidence[0].sentence) if e.evidence else ""),
                    ]
                    attrs = f'source="{_xml_attr(_graphml_id(head))}" target="{_xml_attr(_graphml_id(tail))}"'
                    out.append(_graphml_element("edge", f'{attrs} id="{_xml_attr(e.relation)}"', data))
        out[-1] = out[-1][:-1] + "\n  </graph>\n</graphml>\n"
    with atomic_open(path, fsync=False) as fh:
        fh.writelines(out)


# --------------------------------------------------------------------------------------------------
# Reading


def _value(term: object) -> str:
    return str(getattr(term, "value", term))


def load_graph(path: Path) -> KnowledgeGraph:
    """Read a ``kg.ttl`` written by :func:`write_turtle` back into the model.

    Raises :class:`~kg.errors.InputError` naming the file when it is missing or not valid Turtle.
    """
    import pyoxigraph as ox

    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "no such graph file; run `kg build` first to create it")
    try:
        with path.open("rb") as fh:
            triples = [(t.subject, t.predicate, t.object) for t in ox.parse(fh, format=ox.RdfFormat.TURTLE)]
    except (SyntaxError, ValueError) as err:
        raise InputError(str(path), f"not a valid Turtle file: {err}") from err
    except OSError as err:
        raise InputError(str(path), f"cannot read: {err.strerror or err}") from err

    try:
        return _graph_from_triples(triples)
    except (KeyError, IndexError, ValueError) as err:
        raise InputError(str(path), f"not a graph written by `kg build` (missing or bad value: {err})") from err


def _graph_from_triples(triples: list[tuple[Any, Any, Any]]) -> KnowledgeGraph:
    """The model from kg.ttl's triples; raises KeyError / ValueError where a required value is missing."""
    by_subject: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        by_subject[_value(s)][_value(p)].append(o)

    classes = {ONT + t: t for t in ENTITY_TYPES}
    relations = {ONT + r: r for r in RELATION_TYPES}
    articles: dict[str, ArticleRef] = {}
    for s, props in by_subject.items():
        if any(_value(t) == ONT + "Article" for t in props.get(RDF_TYPE, [])):
            titles = props.get(DCTERMS + "title", [])
            paths = props.get(ONT + "sourcePath", [])
            meta = [
                (key, _value(v))
                for key, p in (("date", DCTERMS + "issued"), ("url", SCHEMA + "url"), ("source", DCTERMS + "publisher"))
                for v in props.get(p, [])
            ]
            articles[s] = ArticleRef(
                doc=_value(props[DCTERMS + "source"][0]),
                path=_value(paths[0]) if paths else "",
                index=int(_value(props[ONT + "articleIndex"][0])),
                title=_value(titles[0]) if titles else "",
                meta=tuple(sorted(meta, key=lambda kv: ARTICLE_META_KEYS.index(kv[0]))),
            )

    nodes: dict[str, Node] = {}
    for s, props in by_subject.items():
        type_ = next((classes[_value(t)] for t in props.get(RDF_TYPE, []) if _value(t) in classes), None)
        if type_ is None or not s.startswith(ID):
            continue
        labels = props.get(RDFS_LABEL, [])
        counts = props.get(ONT + "mentionCount", [])
        arts = [articles[_value(a)] for a in props.get(ONT + "mentionedIn", []) if _value(a) in articles]
        places = [
            _value(by_subject[_value(pl)][RDFS_LABEL][0])
            for pl in props.get(ONT + "inPlace", [])
            if by_subject.get(_value(pl), {}).get(RDFS_LABEL)
        ]
        nid = node_id_from_iri(s)
        nodes[s] = Node(
            id=nid,
            name=_value(labels[0]) if labels else nid.partition("/")[2],
            type=type_,
            aliases=sorted(_value(a) for a in props.get(SKOS_ALT, [])),
            mentions=int(_value(counts[0])) if counts else 0,
            files=sorted(_value(f) for f in props.get(DCTERMS + "source", [])),
            articles=sorted((a.doc, a.index) for a in arts),
            places=sorted(places),
            gazetteer=next((_value(i) for i in props.get(DCTERMS_ID, [])), ""),
        )

    evidence: dict[tuple[str, str, str], list[Evidence]] = defaultdict(list)
    for props in by_subject.values():
        if not any(_value(t) == ONT + "Assertion" for t in props.get(RDF_TYPE, [])):
            continue
        key = tuple(_value(props[RDF + k][0]) for k in ("subject", "predicate", "object"))
        art = articles.get(_value(props[PROV + "wasDerivedFrom"][0]))
        evidence[key].append(  # type: ignore[index]
            Evidence(
                doc=_value(props[DCTERMS + "source"][0]),
                path=art.path if art else "",
                article=art.index if art else -1,
                sentence=_value(props[ONT + "sentence"][0]),
                start=int(_value(props[ONT + "start"][0])),
                end=int(_value(props[ONT + "end"][0])),
                pattern=_value(props[ONT + "pattern"][0]),
            )
        )

    edges: dict[tuple[str, str, str], Edge] = {}
    for s, p, o in triples:
        ps, pp, po = _value(s), _value(p), _value(o)
        if pp not in relations or ps not in nodes or po not in nodes:
            continue
        rel = relations[pp]
        hid, tid = nodes[ps].id, nodes[po].id
        if rel in SYMMETRIC_RELATIONS and tid < hid:
            hid, tid, ps, po = tid, hid, po, ps
        if (hid, rel, tid) in edges:
            continue
        evs = evidence.get((ps, pp, po), []) + (evidence.get((po, pp, ps), []) if rel in SYMMETRIC_RELATIONS else [])
        evs.sort(key=lambda ev: (ev.doc, ev.article, ev.start, ev.pattern))
        edges[(hid, rel, tid)] = Edge(hid, rel, tid, evs)

    return KnowledgeGraph(
        nodes=sorted(nodes.values(), key=lambda n: n.id),
        edges=[edges[k] for k in sorted(edges)],
        articles=sorted(articles.values(), key=lambda a: (a.doc, a.index)),
    )


def write_rdf_stream(fh: IO[str], graph: KnowledgeGraph, fmt: str = "turtle") -> None:
    """Stream the graph to an open text file (``turtle`` or ``ntriples``)."""
    lines = turtle_lines(graph) if fmt == "turtle" else ntriples_lines(graph)
    for line in lines:
        fh.write(line)
