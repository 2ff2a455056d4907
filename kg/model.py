"""The data that flows between pipeline stages.

Every stage takes these plain dataclasses and returns them; offsets are character offsets so a later
stage (or a user) can always cite the exact text a fact came from.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

ENTITY_TYPES: tuple[str, ...] = (
    "Park",
    "Company",
    "University",
    "Institute",
    "Government",
    "Project",
    "Person",
)
RELATION_TYPES: tuple[str, ...] = (
    "locatedIn",
    "partOf",
    "cooperatesWith",
    "establishedBy",
    "undertakes",
    "worksFor",
)
SYMMETRIC_RELATIONS: frozenset[str] = frozenset({"cooperatesWith"})
# Organizations in the W3C ORG sense (a partOf edge between two of them is also org:subOrganizationOf).
ORGANIZATION_TYPES: tuple[str, ...] = ("Company", "University", "Institute", "Government")
# The bodies that act in relations (an "ORG" slot of a relation pattern): parks and organizations.
ACTOR_TYPES: tuple[str, ...] = ("Park", *ORGANIZATION_TYPES)


def norm_name(name: str) -> str:
    """The contract's comparison form: NFKC with white space removed."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def node_id(type_: str, name: str) -> str:
    """A stable, readable id: the same type and canonical name give the same id in every build."""
    return f"{type_}/{norm_name(name)}"


@dataclass
class RawDoc:
    """One input document as read from disk: a file, or one line of a ``.jsonl`` file."""

    doc: str  # the contract's doc id: file name, or FILE#ID for a .jsonl line
    path: str  # the path it was read from
    text: str
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sentence:
    start: int  # offset in the article text
    end: int
    text: str


@dataclass
class Article:
    doc: str
    path: str
    index: int  # position of the article in its document, from 0
    title: str
    text: str
    span: tuple[int, int]  # character span of the article's body in the normalized page
    sentences: list[Sentence] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)  # bylines, captions, credits
    # ``text`` may open with the title and a line break (:func:`kg.ingest.segment.with_headline`), which
    # the page holds on its heading lines: ``text[head:]`` is ``page[span[0]:span[1]]``.
    head: int = 0
    title_spans: list[tuple[int, int]] = field(default_factory=list)  # the title's headings in the page


@dataclass(frozen=True)
class Mention:
    """One surface occurrence of an entity in an article."""

    article: int
    sentence: int
    start: int  # offset in the article text
    end: int
    surface: str
    type: str
    rule: str  # which rule or lexicon found it


@dataclass
class Entity:
    """One real-world thing within a document, after linking its mentions."""

    name: str  # canonical: the fullest form, in simplified characters (the graph's label)
    type: str
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    # The name as the page spells it where that differs from ``name`` (traditional text): the
    # extraction file names the entity so, since the contract's name is the text's own form.
    page_name: str = ""


@dataclass(frozen=True)
class Evidence:
    doc: str
    path: str
    article: int
    sentence: str
    start: int  # span of the sentence in the article text
    end: int
    pattern: str  # which pattern produced the relation


@dataclass
class Relation:
    head: str  # canonical entity names within the document
    relation: str
    tail: str
    head_type: str = ""
    tail_type: str = ""
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class DocResult:
    """Everything extracted from one document: the unit of caching and parallel work."""

    doc: str
    path: str
    articles: list[Article] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    page_meta: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class EntityRef:
    """What corpus linking needs of one document's entity: its names and where it was mentioned,
    without the mentions themselves (a build holds one of these per entity per document)."""

    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    mentions: int = 0  # how many mentions
    articles: list[int] = field(default_factory=list)  # the articles it is mentioned in, sorted


@dataclass
class DocSummary:
    """What the graph needs of one document: the result of extraction minus the text and mentions,
    which go straight to the output files. The parent process of a build keeps one per document."""

    doc: str
    path: str
    entities: list[EntityRef] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    articles: list[ArticleRef] = field(default_factory=list)
    sentences: int = 0


@dataclass
class Node:
    """A corpus-level entity: one node of the graph, linked across documents."""

    id: str  # stable local id: Type/gazetteer entry id, else Type/name
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    mentions: int = 0
    files: list[str] = field(default_factory=list)  # doc ids it is mentioned in
    articles: list[tuple[str, int]] = field(default_factory=list)  # (doc, article index)
    places: list[str] = field(default_factory=list)  # province and city (full names), for parks
    gazetteer: str = ""  # the id of the gazetteer entry it is (then id is Type/that id), or ""


@dataclass
class Edge:
    head: str  # Node.id
    relation: str
    tail: str  # Node.id
    evidence: list[Evidence] = field(default_factory=list)


# The keys of a .jsonl document's metadata that the graph states of its articles (see kg.writers.rdf).
ARTICLE_META_KEYS: tuple[str, ...] = ("date", "url", "source", "site")


@dataclass
class ArticleRef:
    doc: str
    path: str
    index: int
    title: str
    meta: tuple[tuple[str, str], ...] = ()  # (key, value) of ARTICLE_META_KEYS, in that order


@dataclass
class KnowledgeGraph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    articles: list[ArticleRef] = field(default_factory=list)
