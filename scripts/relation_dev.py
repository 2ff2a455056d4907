#!/usr/bin/env python3
"""Dev harness for relation extraction: score ``kg.extract.relations`` against the dev gold.

By default the entities are an *oracle*: every gold entity name and alias of a file is located in
each article's text (longest match first, non-overlapping, NFKC- and white-space-insensitive), so
relation errors are not confused with entity errors. ``--pred`` instead runs the real pipeline
(``kg.build.process.process_raw``) to measure end to end.

    .venv/bin/python scripts/relation_dev.py                 # oracle entities, per-type table
    .venv/bin/python scripts/relation_dev.py --errors        # + false positives and misses
    .venv/bin/python scripts/relation_dev.py --pred --errors # real entity extractor
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract.relations import extract_relations  # noqa: E402
from kg.ingest.normalize import normalize, to_simplified  # noqa: E402
from kg.ingest.read import read_path  # noqa: E402
from kg.ingest.segment import segment  # noqa: E402
from kg.model import RELATION_TYPES, SYMMETRIC_RELATIONS, Article, Entity, Mention, Relation  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "kg" / "data" / "sample"
GOLD = Path(__file__).resolve().parents[1] / "tests" / "data" / "gold" / "dev.jsonl"


def norm(s: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", s) if not ch.isspace())


def norm_map(text: str) -> tuple[str, list[int]]:
    """NFKC, white-space-free view of ``text`` with the source offset of every kept character."""
    out: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        for c in unicodedata.normalize("NFKC", ch):
            if not c.isspace():
                out.append(c)
                idx.append(i)
    return "".join(out), idx


def oracle_entities(articles: list[Article], gold_entities: list[dict]) -> list[Entity]:
    """Gold entities with mentions found by string search in each article."""
    ents = [Entity(name=g["name"], type=g["type"], aliases=list(g.get("aliases", []))) for g in gold_entities]
    surfaces: list[tuple[str, int]] = []
    for k, g in enumerate(gold_entities):
        for s in {norm(y) for x in [g["name"], *g.get("aliases", [])] for y in (x, to_simplified(x))}:
            if s:
                surfaces.append((s, k))
    for art in articles:
        ntext, idx = norm_map(art.text)
        cands: list[tuple[int, int, int]] = []
        for s, k in surfaces:
            pos = ntext.find(s)
            while pos >= 0:
                cands.append((idx[pos], idx[pos + len(s) - 1] + 1, k))
                pos = ntext.find(s, pos + 1)
        cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken: list[tuple[int, int]] = []
        starts = [s.start for s in art.sentences]
        for start, end, k in cands:
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            sent = max((i for i, st in enumerate(starts) if st <= start), default=0)
            ents[k].mentions.append(Mention(art.index, sent, start, end, art.text[start:end], ents[k].type, "oracle"))
    for e in ents:
        e.mentions.sort(key=lambda m: (m.article, m.start))
    return ents


def tagged(articles: list[Article], entities: list[Entity], evidence: str) -> str:
    """The sentence of ``evidence`` (its last sentence) with the entity mentions bracketed."""
    parts = [p for p in evidence.replace("……", "。").split("。") if p.strip()]
    probe = norm(parts[-1])[:12] if parts else ""
    for art in articles:
        for sent in art.sentences:
            if probe and probe in norm(sent.text):
                spans = sorted(
                    (m.start, m.end, e.type)
                    for e in entities
                    for m in e.mentions
                    if m.article == art.index and sent.start <= m.start < sent.end
                )
                out, pos = [], sent.start
                for s, e, t in spans:
                    if s < pos:
                        continue
                    out.append(art.text[pos:s] + "[" + art.text[s:e] + "|" + t[:3] + "]")
                    pos = e
                out.append(art.text[pos : sent.end])
                return "".join(out)
    return "(sentence not found)"


def gold_docs(gold: Path = GOLD) -> dict[str, dict]:
    """Gold documents by name, from a ``.jsonl`` file or a folder of per-article ``.json``/``.jsonl`` files."""
    files = [gold] if gold.is_file() else sorted(p for p in gold.iterdir() if p.suffix == ".json")
    if gold.is_dir() and not files:
        files = sorted(gold.glob("*.jsonl"))
    out: dict[str, dict] = {}
    for f in files:
        text = f.read_text(encoding="utf-8")
        docs = [json.loads(text)] if f.suffix == ".json" else [json.loads(ln) for ln in text.splitlines() if ln.strip()]
        out.update((d["doc"], d) for d in docs if isinstance(d, dict) and "doc" in d)  # not sources.json
    return out


def key_sets(doc: dict) -> tuple[dict[str, int], list[tuple[int, str, int]]]:
    name_to_ent: dict[str, int] = {}
    for k, e in enumerate(doc["entities"]):
        for s in [e["name"], *e.get("aliases", [])]:
            name_to_ent.setdefault(norm(s), k)
    rels = []
    for r in doc["relations"]:
        h, t = name_to_ent.get(norm(r["head"])), name_to_ent.get(norm(r["tail"]))
        if h is None or t is None:
            continue
        if r["relation"] in SYMMETRIC_RELATIONS and t < h:
            h, t = t, h
        rels.append((h, r["relation"], t))
    return name_to_ent, rels


def score_doc(doc: dict, pred: list[Relation]) -> tuple[list, list, list]:
    """(true positives, false positives, misses) as lists of (relation key, detail)."""
    name_to_ent, gold = key_sets(doc)
    gold_set = set(gold)
    tps, fps = [], []
    seen: set = set()
    for r in pred:
        h, t = name_to_ent.get(norm(r.head)), name_to_ent.get(norm(r.tail))
        key = None
        if h is not None and t is not None:
            if r.relation in SYMMETRIC_RELATIONS and t < h:
                h, t = t, h
            key = (h, r.relation, t)
        if key is not None and key in gold_set and key not in seen:
            seen.add(key)
            tps.append((r, key))
        else:
            fps.append((r, key))
    misses = [g for g in gold_set if g not in seen]
    return tps, fps, misses


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main() -> int:  # noqa: C901
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pred", action="store_true", help="use the real entity pipeline instead of the oracle")
    ap.add_argument("--errors", action="store_true", help="list false positives and misses")
    ap.add_argument("--rel", default="", help="only list errors of this relation type")
    ap.add_argument("--doc", default="", help="only this doc (prefix)")
    ap.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help=f"folder of input texts (default {CORPUS}, or GOLD/corpus when --gold is a folder)",
    )
    ap.add_argument(
        "--gold",
        type=Path,
        default=GOLD,
        help="gold: a .jsonl file or a folder of per-article .json files (dev2: /work/shared/gold/dev2)",
    )
    ap.add_argument(
        "--bench", action="store_true", help="also time one jieba pass over the same article texts, for comparison"
    )
    args = ap.parse_args()

    golds = gold_docs(args.gold)
    if args.corpus is None:
        args.corpus = args.gold / "corpus" if args.gold.is_dir() else CORPUS
    all_texts: list[str] = []
    inputs: list[tuple[list[Article], list[Entity]]] = []
    pred_docs: dict[str, dict] = {}
    counts: dict[str, Counter] = defaultdict(Counter)
    elapsed = 0.0
    n_sent = 0
    for path in sorted(args.corpus.glob("*.txt")):
        if args.doc and not path.name.startswith(args.doc):
            continue
        for raw in read_path(path):
            gold = golds.get(raw.doc)
            if gold is None:
                continue
            if args.pred:
                from kg.build.process import process_raw

                res = process_raw(raw)
                articles, entities = res.articles, res.entities
                t0 = time.perf_counter()
                rels = extract_relations(articles, entities)
                elapsed += time.perf_counter() - t0
            else:
                text, meta = normalize(raw.text)
                articles = segment(raw, to_simplified(text), meta)  # as the pipeline matches traditional pages
                entities = oracle_entities(articles, gold["entities"])
                t0 = time.perf_counter()
                rels = extract_relations(articles, entities)
                elapsed += time.perf_counter() - t0
            n_sent += sum(len(a.sentences) for a in articles)
            all_texts.extend(a.text for a in articles)
            inputs.append((articles, entities))
            pred_docs[raw.doc] = {
                "doc": raw.doc,
                "entities": [{"name": e.name, "type": e.type, "aliases": e.aliases} for e in entities],
                "relations": [{"head": r.head, "relation": r.relation, "tail": r.tail} for r in rels],
            }
            tps, fps, misses = score_doc(gold, rels)
            for _, key in tps:
                counts[key[1]]["tp"] += 1
            for r, _ in fps:
                counts[r.relation]["fp"] += 1
            for key in misses:
                counts[key[1]]["fn"] += 1
            if args.errors:
                ents = gold["entities"]
                print(f"\n##### {raw.doc}: {len(tps)} tp, {len(fps)} fp, {len(misses)} missed")
                for r, _ in sorted(fps, key=lambda x: (x[0].relation, x[0].head)):
                    if args.rel and r.relation != args.rel:
                        continue
                    ev = r.evidence[0] if r.evidence else None
                    print(f"  FP {r.head} -{r.relation}-> {r.tail}  [{ev.pattern if ev else ''}]")
                    if ev:
                        print(f"       {ev.sentence.strip()[:160]}")
                for h, rel, t in sorted(misses, key=lambda k: (k[1], k[0])):
                    if args.rel and rel != args.rel:
                        continue
                    ev = next(
                        (
                            g.get("evidence", "")
                            for g in gold["relations"]
                            if g["relation"] == rel
                            and {norm(g["head"]), norm(g["tail"])}
                            <= {
                                norm(x)
                                for x in [
                                    ents[h]["name"],
                                    *ents[h].get("aliases", []),
                                    ents[t]["name"],
                                    *ents[t].get("aliases", []),
                                ]
                            }
                        ),
                        "",
                    )
                    found = {norm(x) for e in entities for x in [e.name, *e.aliases]}
                    lost = [
                        ents[k]["name"]
                        for k in (h, t)
                        if not {norm(x) for x in [ents[k]["name"], *ents[k].get("aliases", [])]} & found
                    ]
                    note = f"  (entity missing: {', '.join(lost)})" if lost else ""
                    print(f"  MISS {ents[h]['name']} -{rel}-> {ents[t]['name']}{note}")
                    print(f"       {ev.strip()[:160]}")
                    if args.pred and not lost:
                        print(f"       tagged: {tagged(articles, entities, ev)[:200]}")
    print(f"\n{'relation':<16}{'tp':>5}{'fp':>5}{'fn':>5}{'P':>8}{'R':>8}{'F1':>8}")
    tot: Counter = Counter()
    for rel in RELATION_TYPES:
        c = counts[rel]
        tot.update(c)
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        print(f"{rel:<16}{c['tp']:>5}{c['fp']:>5}{c['fn']:>5}{p:>8.3f}{r:>8.3f}{f:>8.3f}")
    p, r, f = prf(tot["tp"], tot["fp"], tot["fn"])
    print(f"{'ALL':<16}{tot['tp']:>5}{tot['fp']:>5}{tot['fn']:>5}{p:>8.3f}{r:>8.3f}{f:>8.3f}")
    try:
        from kg.evaluate import format_table, score

        official = score({k: v for k, v in golds.items() if k in pred_docs}, pred_docs)
        print("\nkg.evaluate.score (official):")
        print(format_table(official))
    except ImportError:
        pass
    print(
        f"extract_relations: {elapsed * 1000:.1f} ms over {n_sent} sentences "
        f"({'pred' if args.pred else 'oracle'} entities; the first document pays for compiling the patterns)"
    )
    if args.bench:
        import jieba

        t0 = time.perf_counter()
        for articles, entities in inputs:
            extract_relations(articles, entities)
        print(f"extract_relations again, patterns compiled: {(time.perf_counter() - t0) * 1000:.1f} ms")

        jieba.initialize()
        t0 = time.perf_counter()
        for text in all_texts:
            for _ in jieba.cut(text):
                pass
        print(
            f"one jieba pass over the same {sum(map(len, all_texts))} characters: "
            f"{(time.perf_counter() - t0) * 1000:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
