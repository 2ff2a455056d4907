"""A learned check for ``locatedIn`` pairs the patterns cannot enumerate.

News about a park places most of its companies and projects in it without a trigger the patterns
know (lists of projects that started, a company named in a park's report, a project whose place is
the story's park). Every pair of a company, institute, university or project with a park of the same
document is a candidate; a logistic regression over a few features of the pair (the types, whether
they share a sentence, the words between them, the order and distance, list membership, the trigger
words around the mover, whether the park is the story's main one, what the patterns said) decides.

The weights are data (``kg/data/lexicons/relation_located_model.json``), written by
``scripts/build_relation_model.py`` from the sample and dev2 gold, with its article-level
cross-validated scores; inference is a dot product, so nothing but the standard library runs here.

Shipped because, article-level 5-fold out of fold, it beats the patterns alone: locatedIn with gold
entities on dev2 0.580 -> 0.604, end to end 0.174 -> 0.199 (relation F1 0.314 -> 0.319), the
sample unchanged. It only speaks for movers named in a placing sentence (落户, 入驻, 开工 …), abstains
on pairs the patterns relate otherwise and never overrides a pattern; without the file
:func:`predict` finds nothing and the patterns work alone.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..model import Article, Entity, Evidence, Mention, Relation

MOVER_TYPES = frozenset({"Company", "Institute", "University", "Project"})
MODEL_FILE = "relation_located_model.json"


@dataclass(frozen=True)
class Candidate:
    mover: int  # entity indexes
    park: int
    features: dict[str, float]
    article: int  # where the evidence sentence is: the closest shared sentence, else the mover's first
    sentence: int


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]
    intercept: float
    threshold: float
    words: tuple[str, ...]  # the words looked for between the pair and around the mover
    gate: tuple[str, ...]  # a mover is a candidate only when a sentence naming it holds one of these


@cache
def load_model() -> Model | None:
    """The shipped weights, or None when the file is absent (the patterns then work alone)."""
    try:
        text = resources.files("kg").joinpath("data", "lexicons", MODEL_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    raw = json.loads(text)
    return Model(
        dict(raw["weights"]), float(raw["intercept"]), float(raw["threshold"]), tuple(raw["words"]), tuple(raw["gate"])
    )


# a mention that runs on into an untagged list member (中科院西光所、B: only 中科院 tagged) is no mover
_GLUED = re.compile("[\u4e00-\u9fff]{1,4}、")


def _sentence_at(art: Article, starts: list[int], pos: int) -> int:
    return max(0, bisect.bisect_right(starts, pos) - 1)


def candidates(
    articles: list[Article],
    entities: list[Entity],
    relations: list[Relation],
    words: tuple[str, ...],
    gate: tuple[str, ...],
) -> list[Candidate]:
    """Every (mover, park) pair of the document with its features, in entity order.

    Only movers named in a sentence that places something (落户, 入驻, 开工 … the ``gate`` words) are
    candidates: the contract wants a statement, and a company merely named beside a park is not one."""
    parks = [k for k, e in enumerate(entities) if e.type == "Park" and e.mentions]
    movers = [k for k, e in enumerate(entities) if e.type in MOVER_TYPES and e.mentions]
    if not parks or not movers:
        return []
    arts = {a.index: a for a in articles}
    starts = {a.index: [s.start for s in a.sentences] for a in articles}
    count = {k: len(entities[k].mentions) for k in parks}
    total = sum(count.values())
    top = min(parks, key=lambda k: (-count[k], min((m.article, m.start) for m in entities[k].mentions)))
    said = {(r.head, r.tail) for r in relations if r.relation == "locatedIn"}
    # a pair the patterns relate otherwise (X与园区签约: partners) is theirs to judge
    other = {frozenset((r.head, r.tail)) for r in relations if r.relation != "locatedIn"}
    placed = {r.head for r in relations if r.relation == "locatedIn"}
    out: list[Candidate] = []
    for mv in movers:
        me = entities[mv]
        located = [
            (m, _sentence_at(arts[m.article], starts[m.article], m.start))
            for m in me.mentions
            if m.article in arts and arts[m.article].sentences and not _GLUED.match(arts[m.article].text, m.end)
        ]
        if not located:
            continue
        around = "".join(dict.fromkeys(arts[m.article].sentences[s].text for m, s in located))
        if not any(w in around for w in gate):
            continue
        first = min(((m.article, s) for m, s in located), default=(me.mentions[0].article, 0))
        for p in parks:
            pe = entities[p]
            if frozenset((me.name, pe.name)) in other:
                continue
            f: dict[str, float] = {
                f"mtype={me.type}": 1.0,
                "top": float(p == top),
                "nparks": float(min(len(parks), 5)),
                "pat": float((me.name, pe.name) in said),
                "pat_other": float(me.name in placed and (me.name, pe.name) not in said),
                "mcount": float(min(len(me.mentions), 5)),
                "pshare": count[p] / total,
                "pname_in_m": float(any(x in me.name for x in [pe.name, *pe.aliases] if len(x) >= 2)),
            }
            for w in words:
                if w in around:
                    f[f"ms_{w}"] = 1.0
            where = first
            best = _nearest(located, pe, arts, starts)
            f["same_sent"] = float(best is not None)
            if best is not None:
                where = _pair_features(f, best, located, pe, arts, words)
            out.append(Candidate(mv, p, f, where[0], where[1]))
    return out


_Located = list[tuple[Mention, int]]  # a mover's mentions, each with the index of its sentence


def _nearest(
    located: _Located, pe: Entity, arts: dict[int, Article], starts: dict[int, list[int]]
) -> tuple[int, int, int, int, int] | None:
    """The closest (mover mention, park mention) pair in one sentence, as (|d|, d, article, mover
    mention index, park start), or None when they never share a sentence."""
    best: tuple[int, int, int, int, int] | None = None
    for i, (mm, ms) in enumerate(located):
        for pm in pe.mentions:
            if pm.article != mm.article or pm.article not in arts:
                continue
            if _sentence_at(arts[pm.article], starts[pm.article], pm.start) != ms:
                continue
            d = pm.start - mm.start
            if best is None or (abs(d), d) < best[:2]:
                best = (abs(d), d, mm.article, i, pm.start)
    return best


def _pair_features(
    f: dict[str, float],
    best: tuple[int, int, int, int, int],
    located: _Located,
    pe: Entity,
    arts: dict[int, Article],
    words: tuple[str, ...],
) -> tuple[int, int]:
    """Add the features of the closest pair in a sentence to ``f``; return (article, sentence) of it."""
    _a, d, art_i, i, park_start = best
    mm, ms = located[i]
    pm = next(x for x in pe.mentions if x.article == art_i and x.start == park_start)
    text = arts[art_i].text
    f["before"] = float(d > 0)
    f["dist"] = min(abs(d), 60) / 60
    between = text[min(mm.end, pm.end) : max(mm.start, pm.start)]
    for w in words:
        if w in between:
            f[f"bt_{w}"] = 1.0
    f["list"] = float("、" in text[mm.end : mm.end + 1] + text[max(0, mm.start - 1) : mm.start])
    return art_i, ms


def score(model: Model, features: dict[str, float]) -> float:
    z = model.intercept + sum(model.weights.get(k, 0.0) * v for k, v in features.items())
    return 1.0 / (1.0 + math.exp(-z))


def predict(
    articles: list[Article], entities: list[Entity], relations: list[Relation]
) -> list[tuple[int, int, Evidence]]:
    """The (mover, park) pairs the model places, with the sentence that best states each."""
    model = load_model()
    if model is None or not articles:
        return []
    arts = {a.index: a for a in articles}
    doc, path = articles[0].doc, articles[0].path
    out = []
    for c in candidates(articles, entities, relations, model.words, model.gate):
        if c.features["pat"] or score(model, c.features) < model.threshold:
            continue
        sent = arts[c.article].sentences[c.sentence]
        out.append((c.mover, c.park, Evidence(doc, path, c.article, sent.text, sent.start, sent.end, "model")))
    return out
