#!/usr/bin/env python3
"""Train the learned ``locatedIn`` check (``kg/extract/relation_model.py``) and write its weights.

Candidates are every (company/institute/university/project, park) pair of a document, with the gold
entities located in the text (the oracle of ``scripts/relation_dev.py``) and the patterns' own output
as a feature; labels are the gold ``locatedIn`` relations of the five sample pages and dev2. The
script first reports article-level cross-validation (each article scored by a model that never saw
it): ``locatedIn`` P/R/F1 of the patterns alone and of the patterns plus the model, per gold set.
Then it fits on everything and writes ``kg/data/lexicons/relation_located_model.json`` (sorted,
rounded: the same inputs give the same bytes).

    .venv/bin/python scripts/build_relation_model.py            # report and write
    .venv/bin/python scripts/build_relation_model.py --dry-run  # report only
    .venv/bin/python scripts/build_relation_model.py --dry-run --e2e  # + end to end, out of fold

``--e2e`` also runs the real pipeline (``kg.build.pipeline.process_raw``: predicted entities) on every
article twice, once without the model and once with the model of the fold that did not see it, and
prints the official scores (``kg.evaluate``) of both per gold set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402
import relation_dev as rd  # noqa: E402
from sklearn.feature_extraction import DictVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from kg.atomic import write_text  # noqa: E402
from kg.extract.relation_model import MODEL_FILE, candidates  # noqa: E402
from kg.extract.relations import extract_relations  # noqa: E402
from kg.ingest.normalize import normalize, to_simplified  # noqa: E402
from kg.ingest.read import read_path  # noqa: E402
from kg.ingest.segment import segment  # noqa: E402

SETS = (
    ("sample", ROOT / "tests/data/gold/dev.jsonl", ROOT / "kg/data/sample"),
    ("dev2", ROOT / "tests/data/gold/dev2", ROOT / "tests/data/gold/dev2/corpus"),
)
# words whose presence between the pair, or in the mover's sentences, is a feature
WORDS = (
    "落户",
    "入驻",
    "位于",
    "签约",
    "引进",
    "开工",
    "投产",
    "落地",
    "建设",
    "项目",
    "企业",
    "与",
    "的",
    "、",
    "在",
    "合作",
    "协议",
    "设立",
    "园区",
    "总投资",
)
# a mover is a candidate only when a sentence naming it holds one of these (a statement that places it)
GATE = (
    "落户",
    "入驻",
    "进驻",
    "入园",
    "位于",
    "坐落",
    "签约",
    "引进",
    "引入",
    "开工",
    "开复工",
    "投产",
    "竣工",
    "落地",
    "建设",
    "园区内",
    "区内",
)
THRESHOLD = 0.5
FOLDS = 5


def collect() -> tuple[list[dict[str, float]], np.ndarray, list[str], list[tuple[str, bool]], dict[str, list[int]]]:
    rows: list[dict[str, float]] = []
    labels: list[int] = []
    groups: list[str] = []
    info: list[tuple[str, bool]] = []  # (set, the patterns said it)
    n_gold: dict[str, list[int]] = {}  # set -> [gold locatedIn, the patterns' locatedIn, of which true]
    for set_name, gold_path, corpus in SETS:
        golds = rd.gold_docs(gold_path)
        for path in sorted(corpus.glob("*.txt")):
            for raw in read_path(path):
                gold = golds.get(raw.doc)
                if gold is None:
                    continue
                text, meta = normalize(raw.text)
                articles = segment(raw, to_simplified(text), meta)  # as the pipeline reads traditional pages
                entities = rd.oracle_entities(articles, gold["entities"])
                rels = extract_relations(articles, entities, use_model=False)
                name_to, gold_rels = rd.key_sets(gold)
                located = {(h, t) for h, r, t in gold_rels if r == "locatedIn"}
                said = {
                    (name_to.get(rd.norm(r.head)), name_to.get(rd.norm(r.tail)))
                    for r in rels
                    if r.relation == "locatedIn"
                }
                counts = n_gold.setdefault(set_name, [0, 0, 0])
                counts[0] += len(located)
                counts[1] += len(said)
                counts[2] += len(said & located)
                for c in candidates(articles, entities, rels, WORDS, GATE):
                    h = name_to.get(rd.norm(entities[c.mover].name))
                    t = name_to.get(rd.norm(entities[c.park].name))
                    rows.append(c.features)
                    labels.append(int((h, t) in located))
                    groups.append(f"{set_name}/{raw.doc}")
                    info.append((set_name, bool(c.features["pat"])))
    return rows, np.array(labels), groups, info, n_gold


def prf(tp: int, pred: int, gold: int) -> str:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"pred {pred:4d} tp {tp:4d}  P {p:.3f}  R {r:.3f}  F1 {f:.3f}"


def end_to_end(x: object, y: np.ndarray, groups: list[str], vec: DictVectorizer) -> None:
    """Official scores end to end, patterns alone and patterns + the out-of-fold model."""
    import kg.extract.relation_model as rm
    from kg.build.process import process_raw
    from kg.evaluate import format_table, score

    fold_of: dict[str, int] = {}
    models: list[rm.Model] = []
    for n, (train, test) in enumerate(GroupKFold(n_splits=FOLDS).split(x, y, groups)):
        model = LogisticRegression(C=1.0, max_iter=5000)
        model.fit(x[train], y[train])  # type: ignore[index]
        weights = dict(zip(vec.get_feature_names_out(), map(float, model.coef_[0]), strict=True))
        models.append(rm.Model(weights, float(model.intercept_[0]), THRESHOLD, WORDS, GATE))
        for i in test:
            fold_of[groups[i]] = n
    for set_name, gold_path, corpus in SETS:
        golds = rd.gold_docs(gold_path)
        preds: dict[str, dict[str, dict]] = {"patterns": {}, "patterns+model (out of fold)": {}}
        for path in sorted(corpus.glob("*.txt")):
            for raw in read_path(path):
                if raw.doc not in golds:
                    continue
                key = f"{set_name}/{raw.doc}"
                for label, model in (
                    ("patterns", None),
                    ("patterns+model (out of fold)", models[fold_of[key]] if key in fold_of else None),
                ):
                    rm.load_model = lambda model=model: model  # type: ignore[assignment]
                    res = process_raw(raw)
                    preds[label][raw.doc] = {
                        "doc": raw.doc,
                        "entities": [{"name": e.name, "type": e.type, "aliases": e.aliases} for e in res.entities],
                        "relations": [{"head": r.head, "relation": r.relation, "tail": r.tail} for r in res.relations],
                    }
        for label, docs in preds.items():
            print(f"\n== {set_name}, end to end, {label}")
            print(format_table(score(golds, docs)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dry-run", action="store_true", help="report the cross-validation, write nothing")
    ap.add_argument("--e2e", action="store_true", help="also score end to end (real entities), out of fold")
    ap.add_argument("--threshold", type=float, default=0.5, help="decision threshold (default 0.5)")
    args = ap.parse_args()
    global THRESHOLD  # noqa: PLW0603 - one run, one threshold
    THRESHOLD = args.threshold
    rows, y, groups, info, n_gold = collect()
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform(rows)
    print(f"{len(y)} candidate pairs, {int(y.sum())} gold locatedIn among them; gold locatedIn {n_gold}")
    oof = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        model = LogisticRegression(C=1.0, max_iter=5000)
        model.fit(x[train], y[train])
        oof[test] = model.predict_proba(x[test])[:, 1]
    print(f"locatedIn, oracle entities, article-level {FOLDS}-fold cross-validation, threshold", THRESHOLD)
    for set_name, _g, _c in SETS:
        idx = [i for i, (s, _p) in enumerate(info) if s == set_name]
        added = [i for i in idx if not info[i][1] and oof[i] >= THRESHOLD]
        gold, pred, tp = n_gold[set_name]
        print(f"  {set_name:7s} patterns        {prf(tp, pred, gold)}")
        print(f"  {set_name:7s} patterns+model  {prf(tp + int(y[added].sum()), pred + len(added), gold)}")
    if args.e2e:
        end_to_end(x, y, groups, vec)
    model = LogisticRegression(C=1.0, max_iter=5000)
    model.fit(x, y)
    weights = {name: round(float(w), 6) for name, w in zip(vec.get_feature_names_out(), model.coef_[0], strict=True)}
    out = {
        "about": "logistic regression for locatedIn(mover, park) pairs; built by scripts/build_relation_model.py"
        " from the sample and dev2 gold (oracle entities); features in kg/extract/relation_model.py",
        "intercept": round(float(model.intercept_[0]), 6),
        "threshold": THRESHOLD,
        "weights": dict(sorted(weights.items())),
        "words": list(WORDS),
        "gate": list(GATE),
    }
    if not args.dry_run:
        target = ROOT / "kg" / "data" / "lexicons" / MODEL_FILE
        write_text(target, json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        print("wrote", target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
