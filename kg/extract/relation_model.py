"""A learned check over candidate entity pairs, for the relations the patterns cannot enumerate.

The patterns know the standard phrasings; news states many relations otherwise (a project listed
under a park's report, a founder named two clauses away, an agreement whose parties are a list). Every
pair of entities sharing a sentence, whose types the contract allows for a relation, is a candidate
for that relation; so is every mover with the story's main park when no park shares its sentences (the
park as an implicit argument). A logistic regression per relation type scores the pair from a few
features: the jieba words between the two, the trigger classes (``relation_triggers.tsv``) between,
before and after them, order, distance, the two types, list membership, whether a pattern already
emitted the pair (or another relation of it), the sentence's position and whether it is a headline.

The weights are data (``kg/data/lexicons/relation_model.json``), written by
``scripts/build_relation_model.py`` from the sample and dev2 gold over kg's own extracted entities,
with its article-level cross-validated (out-of-fold) scores; inference is a sparse dot product in plain
Python, so scikit-learn is needed only to train. The model only adds pairs the patterns missed (it is
trained on those candidates alone); each relation type has its own threshold, chosen by out-of-fold F1
(above 1: that type is left to the patterns). A veto of the patterns' own pairs was measured and
removed: out of fold it only lowered dev2. The model runs when asked (``kg build --relation-model``,
``KG_RELATION_MODEL=on``) or when its file says its out-of-fold gain earned the default.
"""

from __future__ import annotations

import bisect
import json
import math
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources

import ahocorasick

from ..model import ACTOR_TYPES, Article, Entity, Evidence, Mention, Relation, norm_name
from ..resources.lexicon import load_table, split_multi

MODEL_FILE = "relation_model.json"
MOVER_TYPES = ("Company", "Institute", "University", "Project")
# The contract's type signatures (spec/EXTRACTION.md): which (head type, tail type) may hold each
# relation. partOf ("any → same or larger unit") is limited to the pairs the contract's examples name.
_ORG = ("Company", "University", "Institute", "Government")
SIGNATURES: dict[str, frozenset[tuple[str, str]]] = {
    "locatedIn": frozenset((h, "Park") for h in MOVER_TYPES),
    "partOf": frozenset(
        {(t, t) for t in ("Park", "Company", "University", "Institute", "Government", "Project")}
        | {("Government", "Park"), ("Institute", "University"), ("Institute", "Company"), ("Company", "Institute")}
    ),
    "cooperatesWith": frozenset((h, t) for h in ACTOR_TYPES for t in ACTOR_TYPES),
    "establishedBy": frozenset((h, t) for h in ("Institute", "Park", "Project", "Company") for t in ACTOR_TYPES),
    "undertakes": frozenset((h, "Project") for h in ("Company", "Institute", "University", "Government", "Park")),
    "worksFor": frozenset(("Person", t) for t in ACTOR_TYPES),
}
MAX_GAP = 80  # characters between two mentions beyond which a pair of one sentence is no candidate
_BETWEEN_WORDS = 24  # at most this many jieba words of the gap are features


@dataclass(frozen=True)
class TypeModel:
    """One relation type's weights and thresholds."""

    intercept: float
    weights: dict[str, float]
    threshold: float  # add a pair the patterns missed at this probability or above (> 1: never)


@dataclass(frozen=True)
class Model:
    relations: dict[str, TypeModel]
    default: bool  # whether a build runs the model unless told (its out-of-fold gain was real)


@dataclass(frozen=True)
class Candidate:
    relation: str
    head: int  # entity indexes
    tail: int
    features: dict[str, float]
    article: int  # where the evidence sentence is: the pair's first shared sentence, else the head's first
    sentence: int  # index in the article's sentences


@cache
def load_model() -> Model | None:
    """The shipped weights, or None when the file is absent (the patterns then work alone)."""
    try:
        text = resources.files("kg").joinpath("data", "lexicons", MODEL_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    return model_from_json(json.loads(text))


def model_from_json(raw: dict) -> Model:  # type: ignore[type-arg]
    return Model(
        {
            rel: TypeModel(float(m["intercept"]), dict(m["weights"]), float(m["threshold"]))
            for rel, m in raw["relations"].items()
        },
        bool(raw.get("default", False)),
    )


def enabled() -> bool:
    """Whether extraction runs the model: ``KG_RELATION_MODEL`` (on/off) says, else the model file's
    default (off without a file)."""
    env = os.environ.get("KG_RELATION_MODEL", "").strip().lower()
    if env in ("on", "1", "yes"):
        return True
    if env in ("off", "0", "no"):
        return False
    model = load_model()
    return model is not None and model.default


def fingerprint() -> str:
    """What decides the model's part of the output, for the build cache's key: on or off (the
    weights file itself is in the extractor version)."""
    return "relation-model=" + ("on" if enabled() else "off")


@cache
def _trigger_automaton() -> ahocorasick.Automaton:
    """Trigger word -> its classes (``relation_triggers.tsv``), for finding them in a sentence at once."""
    classes: dict[str, set[str]] = {}
    for row in load_table("relation_triggers.tsv"):
        for w in split_multi(row["triggers"]):
            classes.setdefault(w, set()).add(row["class"])
    auto = ahocorasick.Automaton()
    for w, cls in sorted(classes.items()):
        auto.add_word(w, (len(w), tuple(sorted(cls))))
    auto.make_automaton()
    return auto


def _triggers_in(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, classes) of every trigger word in ``text``."""
    return [(end + 1 - n, end + 1, cls) for end, (n, cls) in _trigger_automaton().iter(text)]


def _cut(text: str) -> tuple[str, ...]:
    from .entities import resources as entity_resources

    return entity_resources().cut(text, False)


@dataclass(frozen=True)
class _Doc:
    """What candidates of one document share."""

    arts: dict[int, Article]
    starts: dict[int, list[int]]
    said: frozenset[tuple[int, str, int]]  # the patterns' relations, by entity index
    related: frozenset[frozenset[int]]  # pairs the patterns relate by any relation
    has: frozenset[tuple[int, str]]  # (entity, relation) the patterns give it as head


def _sentence_of(doc: _Doc, m: Mention) -> int:
    return max(0, bisect.bisect_right(doc.starts[m.article], m.start) - 1)


def _index_relations(entities: list[Entity], relations: list[Relation]) -> tuple[frozenset, frozenset, frozenset]:  # type: ignore[type-arg]
    by_name = {(e.type, e.name): k for k, e in enumerate(entities)}
    said: set[tuple[int, str, int]] = set()
    for r in relations:
        h, t = by_name.get((r.head_type, r.head)), by_name.get((r.tail_type, r.tail))
        if h is None or t is None:
            continue
        said.add((h, r.relation, t))
        if r.relation == "cooperatesWith":
            said.add((t, r.relation, h))
    related = frozenset(frozenset((h, t)) for h, _r, t in said)
    has = frozenset((h, r) for h, r, _t in said)
    return frozenset(said), related, has


def candidates(articles: list[Article], entities: list[Entity], relations: list[Relation]) -> list[Candidate]:
    """Every candidate (relation, head, tail) of the document with its features, in a fixed order.

    A pair found in several sentences has the union of their word and trigger features and the
    smallest distance; its evidence is the first of them."""
    if not articles or len(entities) < 2:
        return []
    said, related, has = _index_relations(entities, relations)
    doc = _Doc(
        {a.index: a for a in articles},
        {a.index: [s.start for s in a.sentences] for a in articles},
        said,
        related,
        has,
    )
    by_sentence: dict[tuple[int, int], list[tuple[Mention, int]]] = {}
    for k, e in enumerate(entities):
        for m in e.mentions:
            if m.article in doc.arts and doc.arts[m.article].sentences:
                by_sentence.setdefault((m.article, _sentence_of(doc, m)), []).append((m, k))
    found: dict[tuple[str, int, int], tuple[dict[str, float], int, int]] = {}
    for where in sorted(by_sentence):
        _sentence_pairs(doc, entities, where, sorted(by_sentence[where], key=lambda x: x[0].start), found)
    _implicit_parks(doc, entities, by_sentence, found)
    return [Candidate(rel, h, t, f, a, s) for (rel, h, t), (f, a, s) in sorted(found.items())]


def _sentence_pairs(
    doc: _Doc,
    entities: list[Entity],
    where: tuple[int, int],
    mentions: list[tuple[Mention, int]],
    found: dict[tuple[str, int, int], tuple[dict[str, float], int, int]],
) -> None:
    """Add the candidates of one sentence's mention pairs to ``found`` (merging with earlier ones)."""
    art = doc.arts[where[0]]
    sent = art.sentences[where[1]]
    triggers = _triggers_in(sent.text)
    context = _sentence_context(art, where[1])
    for i, (ma, a) in enumerate(mentions):
        for mb, b in mentions[i + 1 :]:
            if a == b or mb.start - ma.end > MAX_GAP or mb.start < ma.end:
                continue
            for head, tail, hm, tm in ((a, b, ma, mb), (b, a, mb, ma)):
                pair = (entities[head].type, entities[tail].type)
                for rel, allowed in SIGNATURES.items():
                    if pair not in allowed or (rel == "cooperatesWith" and head > tail):
                        continue
                    f = _pair_features(doc, entities, rel, head, tail, hm, tm, sent.start, triggers)
                    f.update(context)
                    _merge(found, (rel, head, tail), f, where)


def _merge(
    found: dict[tuple[str, int, int], tuple[dict[str, float], int, int]],
    key: tuple[str, int, int],
    f: dict[str, float],
    where: tuple[int, int],
) -> None:
    old = found.get(key)
    if old is None:
        f["nsent"] = 1 / 3
        found[key] = (f, *where)
        return
    merged = old[0]
    for name, v in f.items():
        merged[name] = max(merged.get(name, 0.0), v)
    merged["nsent"] = min(1.0, merged["nsent"] + 1 / 3)


def _sentence_context(art: Article, index: int) -> dict[str, float]:
    sent = art.sentences[index]
    return {
        "headline": float(sent.start < art.head),
        "first_sent": float(index == 0 or (art.head and index == 1)),
        "first_art": float(art.index == 0),
    }


def _pair_features(
    doc: _Doc,
    entities: list[Entity],
    rel: str,
    head: int,
    tail: int,
    hm: Mention,
    tm: Mention,
    offset: int,
    triggers: list[tuple[int, int, tuple[str, ...]]],
) -> dict[str, float]:
    """The features of one (head mention, tail mention) pair of a sentence starting at ``offset``."""
    he, te = entities[head], entities[tail]
    text = doc.arts[hm.article].text
    lo, hi = (hm, tm) if hm.start < tm.start else (tm, hm)
    gap = text[lo.end : hi.start]
    f: dict[str, float] = {
        f"types={he.type}>{te.type}": 1.0,
        "head_first": float(hm.start < tm.start),
        "dist": min(len(gap), MAX_GAP) / MAX_GAP,
        f"gap<={_bucket(len(gap))}": 1.0,
        "adjacent": float(not gap),
        "pat": float((head, rel, tail) in doc.said),
        "pat_rev": float((tail, rel, head) in doc.said),
        "pat_other": float(frozenset((head, tail)) in doc.related and (head, rel, tail) not in doc.said),
        "pat_head_has": float((head, rel) in doc.has),
        "list_head": _in_list(text, hm),
        "list_tail": _in_list(text, tm),
        "same_list": float(bool(gap) and len(gap) <= 2 and gap[0] in "、和及与"),
        "name_in": float(norm_name(te.name) in norm_name(he.name) or norm_name(he.name) in norm_name(te.name)),
    }
    for w in _cut(gap)[:_BETWEEN_WORDS]:
        if w.strip():
            f[f"w={w}"] = 1.0
    a, b = lo.start - offset, hi.end - offset
    for s, e, classes in triggers:
        where = _side(s, e, a, lo.end - offset, hi.start - offset, b)
        for c in classes:
            if where:
                f[f"{where}@{c}"] = 1.0
    return f


def _side(s: int, e: int, a: int, gap_start: int, gap_end: int, b: int) -> str:
    """Where a trigger at [s, e) stands to a pair spanning [a, b) with its gap [gap_start, gap_end)."""
    if s >= gap_start and e <= gap_end:
        return "bt"
    return "pre" if e <= a else "post" if s >= b else ""


def _bucket(n: int) -> int:
    return next(b for b in (0, 2, 5, 10, 20, 40, MAX_GAP, 1 << 30) if n <= b)


def _in_list(text: str, m: Mention) -> float:
    return float(text[m.end : m.end + 1] == "、" or text[max(0, m.start - 1) : m.start] == "、")


def _implicit_parks(
    doc: _Doc,
    entities: list[Entity],
    by_sentence: dict[tuple[int, int], list[tuple[Mention, int]]],
    found: dict[tuple[str, int, int], tuple[dict[str, float], int, int]],
) -> None:
    """Movers that never share a sentence with a park, paired with the story's main park."""
    parks = [k for k, e in enumerate(entities) if e.type == "Park" and e.mentions]
    if not parks:
        return
    count = {k: len(entities[k].mentions) for k in parks}
    top = min(parks, key=lambda k: (-count[k], min((m.article, m.start) for m in entities[k].mentions)))
    with_park = {k for ms in by_sentence.values() if any(entities[p].type == "Park" for _m, p in ms) for _m, k in ms}
    for k, e in enumerate(entities):
        if e.type not in MOVER_TYPES or k in with_park:
            continue
        where = sorted({w for w, ms in by_sentence.items() if any(x == k for _m, x in ms)})
        if not where:
            continue
        f: dict[str, float] = {
            "implicit": 1.0,
            f"types={e.type}>Park": 1.0,
            "pat": float((k, "locatedIn", top) in doc.said),
            "pat_head_has": float((k, "locatedIn") in doc.has),
            "pat_other": float(frozenset((k, top)) in doc.related),
            "nparks": min(len(parks), 5) / 5,
            "pshare": count[top] / sum(count.values()),
            "mentions": min(len(e.mentions), 5) / 5,
        }
        for a, s in where:
            art = doc.arts[a]
            for _s, _e, classes in _triggers_in(art.sentences[s].text):
                for c in classes:
                    f[f"sent@{c}"] = 1.0
            f.update({n: max(v, f.get(n, 0.0)) for n, v in _sentence_context(art, s).items()})
        found[("locatedIn", k, top)] = (f, *where[0])


def score(model: TypeModel, features: dict[str, float]) -> float:
    """The probability the pair holds the relation (a logistic regression's)."""
    z = model.intercept + sum(model.weights.get(k, 0.0) * v for k, v in features.items())
    if z < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def predict(
    articles: list[Article], entities: list[Entity], relations: list[Relation], model: Model | None = None
) -> list[tuple[str, int, int, Evidence]]:
    """The (relation, head, tail) pairs the model adds to the patterns', each with the sentence that
    best states it (``model``: the shipped one unless given)."""
    model = model or load_model()
    if model is None or not articles:
        return []
    arts = {a.index: a for a in articles}
    doc, path = articles[0].doc, articles[0].path
    added: list[tuple[str, int, int, Evidence]] = []
    for c in candidates(articles, entities, relations):
        tm = model.relations.get(c.relation)
        if tm is None or tm.threshold > 1 or c.features.get("pat"):
            continue
        if score(tm, c.features) >= tm.threshold:
            sent = arts[c.article].sentences[c.sentence]
            added.append(
                (c.relation, c.head, c.tail, Evidence(doc, path, c.article, sent.text, sent.start, sent.end, "model"))
            )
    return added
