"""Score extractions against gold: precision, recall and F1, overall and per type.

Implements the "Scoring" section of the contract (``EXTRACTION.md``) exactly; the choices the
contract leaves open are fixed here so that every score is reproducible:

* Names are compared after NFKC normalisation with all white space removed (:func:`norm`).
* Only docs present in gold are scored; a gold doc with no prediction counts all its gold as misses;
  predicted docs absent from gold are ignored with a warning. Doc ids are compared by file name
  (folders dropped; for ``FILE#ID`` the folders of FILE are dropped).
* Entities: within one doc and one type, a predicted entity may match a gold entity whose name or
  one of whose aliases equals the predicted name. Each gold entity matches at most one prediction
  (a second prediction of the same thing is a false positive). The matching is a MAXIMUM bipartite
  matching: first predictions equal to a gold canonical name are paired greedily in file order, then
  augmenting paths (Kuhn's algorithm) add alias matches, so the number of true positives is the
  largest possible and canonical-name pairs are preferred. Predicted entities are not deduplicated.
* Relations: predicted relations are first deduplicated by (normalised head, relation, normalised
  tail) — unordered pair for ``cooperatesWith`` — and so are gold relations. A prediction may match
  a gold relation of the same type when its head string equals the name or an alias of the gold
  head entity and its tail string likewise (either direction for ``cooperatesWith``). Entity types
  play no part in relation matching. The pairing is the same maximum matching as for entities
  (exact canonical head and tail first).
* Entities and relations of types outside the contract (e.g. a ``Place``) are not scored; they are
  counted and reported as ignored.
* P = tp/pred, R = tp/gold, F1 their harmonic mean; a 0/0 is 0.0 in :class:`Counts` and ``-`` in
  the table.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .model import ENTITY_TYPES, RELATION_TYPES, SYMMETRIC_RELATIONS, norm_name

Doc = dict[str, Any]


norm = norm_name  # the contract's comparison form: NFKC with white space removed


def doc_key(doc: str) -> str:
    """Compare docs by file name: drop the folders of the file (and keep a ``#ID`` suffix whole)."""
    file, sep, ident = doc.partition("#")
    return file.replace("\\", "/").rsplit("/", 1)[-1] + sep + ident


# --------------------------------------------------------------------------- loading


def _check_doc(obj: Any, path: Path, line: int) -> Doc:
    """Validate one extraction line so later code can trust its shape."""
    problem = _record_problem(obj) or _items_problem(obj)
    if problem:
        raise InputError(str(path), problem, line)
    return {"doc": obj["doc"], "entities": obj.get("entities", []), "relations": obj.get("relations", [])}


def _record_problem(obj: Any) -> str | None:
    """What is wrong with a line's shape as an extraction record, or None."""
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    if "entities" not in obj and "relations" not in obj:  # articles.jsonl, a corpus .jsonl…: say so, once
        if "article" in obj and "text" in obj:
            return (
                "a line of articles.jsonl, not of extractions.jsonl: kg eval scores the extractions.jsonl "
                "kg build writes beside it"
            )
        return 'not an extraction record: no "entities" or "relations" (kg eval scores an extractions.jsonl)'
    doc = obj.get("doc")
    if not isinstance(doc, str) or not doc:
        return 'missing or empty "doc"'
    if not isinstance(obj.get("entities", []), list):
        return '"entities" is not a list'
    if not isinstance(obj.get("relations", []), list):
        return '"relations" is not a list'
    return None


def _items_problem(obj: dict[str, Any]) -> str | None:
    """What is wrong with the first bad entity or relation of a record, or None."""
    for i, ent in enumerate(obj.get("entities", [])):
        problem = _entity_problem(i, ent)
        if problem:
            return problem
    for i, rel in enumerate(obj.get("relations", [])):
        problem = _relation_problem(i, rel)
        if problem:
            return problem
    return None


def _entity_problem(i: int, ent: Any) -> str | None:
    if not isinstance(ent, dict):
        return f"entity {i} is not an object"
    for key in ("name", "type"):
        if not isinstance(ent.get(key), str):
            return f'entity {i} has no string "{key}"'
    aliases = ent.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        return f'entity {i} ({ent["name"]}): "aliases" is not a list of strings'
    return None


def _relation_problem(i: int, rel: Any) -> str | None:
    if not isinstance(rel, dict):
        return f"relation {i} is not an object"
    for key in ("head", "relation", "tail"):
        if not isinstance(rel.get(key), str):
            return f'relation {i} has no string "{key}"'
    return None


def _jsonl_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.glob("*.jsonl") if p.is_file())
        if not files:
            raise InputError(str(path), "folder holds no .jsonl file")
        return files
    if not path.is_file():
        raise InputError(str(path), "no such file or folder")
    return [path]


def load_extractions(path: Path) -> dict[str, Doc]:
    """Read a ``.jsonl`` extraction file, or every ``.jsonl`` in a folder, keyed by :func:`doc_key`.

    Raises :class:`InputError` naming ``file:line`` for bad JSON, a bad shape or a repeated doc.
    """
    docs: dict[str, Doc] = {}
    seen_at: dict[str, str] = {}
    for file in _jsonl_files(Path(path)):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(str(file), f"cannot read: {exc}") from exc
        for lineno, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise InputError(str(file), f"bad JSON: {exc.msg} (column {exc.colno})", lineno) from exc
            doc = _check_doc(obj, file, lineno)
            key = doc_key(doc["doc"])
            if key in docs:
                raise InputError(str(file), f"doc {key!r} appears twice (first at {seen_at[key]})", lineno)
            docs[key] = doc
            seen_at[key] = f"{file}:{lineno}"
    return docs


# --------------------------------------------------------------------------- scores


@dataclass
class Counts:
    """Micro-averaged counts for one row of the table."""

    gold: int = 0
    pred: int = 0
    tp: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: int, pred: int, tp: int) -> None:
        self.gold += gold
        self.pred += pred
        self.tp += tp


@dataclass
class DocErrors:
    """What one doc got wrong, as the original (unnormalised) dicts, in file order within each type."""

    fp_entities: list[dict[str, Any]] = field(default_factory=list)
    missed_entities: list[dict[str, Any]] = field(default_factory=list)
    fp_relations: list[dict[str, Any]] = field(default_factory=list)
    missed_relations: list[dict[str, Any]] = field(default_factory=list)
    has_prediction: bool = True


@dataclass
class Scores:
    entities: Counts = field(default_factory=Counts)
    relations: Counts = field(default_factory=Counts)
    entity_types: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in ENTITY_TYPES})
    relation_types: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in RELATION_TYPES})
    errors: dict[str, DocErrors] = field(default_factory=dict)  # every scored doc, sorted by doc id
    missing_docs: list[str] = field(default_factory=list)  # gold docs with no prediction
    unscored_docs: list[str] = field(default_factory=list)  # predicted docs absent from gold
    ignored: Counter[str] = field(default_factory=Counter)  # "pred entity type Place" -> count


def _max_matching(
    candidates: Sequence[Sequence[int]], preferred: Sequence[int | None], n_gold: int
) -> list[int | None]:
    """Maximum bipartite matching of predictions to gold; returns the gold index of each prediction.

    ``candidates[i]`` lists the gold items prediction ``i`` may match, ``preferred[i]`` the one it
    matches exactly (if any). Preferred pairs are taken greedily first; Kuhn's augmenting paths then
    grow the matching to maximum size (an augmentation never unmatches a matched prediction).
    """
    match_pred: list[int | None] = [None] * len(candidates)
    match_gold: list[int | None] = [None] * n_gold
    for i, g in enumerate(preferred):
        if g is not None and match_gold[g] is None:
            match_pred[i], match_gold[g] = g, i
    for start in range(len(candidates)):
        if match_pred[start] is not None or not candidates[start]:
            continue
        # Iterative DFS over alternating paths: pred -> unvisited gold -> the pred holding it.
        visited = [False] * n_gold
        parent: dict[int, tuple[int, int]] = {}  # pred -> (previous pred, gold it would take)
        stack: list[tuple[int, int]] = [(start, 0)]  # (pred, next candidate position)
        end: tuple[int, int] | None = None  # (pred, free gold) closing the path
        while stack and end is None:
            i, pos = stack[-1]
            if pos >= len(candidates[i]):
                stack.pop()
                continue
            stack[-1] = (i, pos + 1)
            g = candidates[i][pos]
            if visited[g]:
                continue
            visited[g] = True
            holder = match_gold[g]
            if holder is None:
                end = (i, g)
            else:
                parent[holder] = (i, g)
                stack.append((holder, 0))
        if end is None:
            continue
        i, g = end
        while True:  # flip the path back to the start
            match_pred[i], match_gold[g] = g, i
            if i == start:
                break
            i, g = parent[i]  # the pred that reached i takes the gold i held
    return match_pred


def _score_entities(gold: list[dict[str, Any]], pred: list[dict[str, Any]], scores: Scores, errs: DocErrors) -> None:
    for etype in ENTITY_TYPES:
        g_ents = [e for e in gold if e["type"] == etype]
        p_ents = [e for e in pred if e["type"] == etype]
        by_name: dict[str, list[int]] = {}
        canonical: dict[str, int] = {}
        for gi, ent in enumerate(g_ents):
            canonical.setdefault(norm(ent["name"]), gi)
            for surface in dict.fromkeys(norm(s) for s in [ent["name"], *ent.get("aliases", [])]):
                by_name.setdefault(surface, []).append(gi)
        cands = [by_name.get(norm(e["name"]), []) for e in p_ents]
        preferred = [canonical.get(norm(e["name"])) for e in p_ents]
        matched = _max_matching(cands, preferred, len(g_ents))
        fp, missed = _tally(matched, g_ents, p_ents, scores.entity_types[etype], scores.entities)
        errs.fp_entities += fp
        errs.missed_entities += missed


def _known(
    items: list[dict[str, Any]], key: str, allowed: tuple[str, ...], what: str, scores: Scores
) -> list[dict[str, Any]]:
    """The items of the contract's types; the others are counted in ``scores.ignored``, not scored."""
    kept = []
    for item in items:
        if item[key] in allowed:
            kept.append(item)
        else:
            scores.ignored[f"{what} of type {item[key]}"] += 1
    return kept


def _tally(
    matched: list[int | None], gold: list[dict[str, Any]], pred: list[dict[str, Any]], *rows: Counts
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Count one type's matching into ``rows``; return its false positives and its misses."""
    tp = sum(m is not None for m in matched)
    for row in rows:
        row.add(len(gold), len(pred), tp)
    hit = {m for m in matched if m is not None}
    fp = [p for p, m in zip(pred, matched, strict=True) if m is None]
    return fp, [g for gi, g in enumerate(gold) if gi not in hit]


def _rel_key(rel: dict[str, Any]) -> tuple[str, str, str]:
    head, tail = norm(rel["head"]), norm(rel["tail"])
    if rel["relation"] in SYMMETRIC_RELATIONS and tail < head:
        head, tail = tail, head
    return head, rel["relation"], tail


def _dedupe(relations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One relation per (head, relation, tail) key, keeping the first in file order."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for rel in relations:
        key = _rel_key(rel)
        if key not in seen:
            seen.add(key)
            out.append(rel)
    return out


def _score_relations(gold_doc: Doc, pred: list[dict[str, Any]], scores: Scores, errs: DocErrors) -> None:
    # The surface forms of each gold entity, found by its canonical name (a name shared by entities
    # of two types takes the forms of both; a head naming no gold entity matches only itself).
    forms: dict[str, set[str]] = {}
    for ent in gold_doc["entities"]:
        forms.setdefault(norm(ent["name"]), set()).update(norm(s) for s in [ent["name"], *ent.get("aliases", [])])

    def surfaces(name: str) -> set[str]:
        return forms.get(norm(name), {norm(name)})

    gold_rels = _dedupe([r for r in gold_doc["relations"] if r["relation"] in RELATION_TYPES])
    pred_rels = _dedupe(pred)
    for rtype in RELATION_TYPES:
        g_rels = [r for r in gold_rels if r["relation"] == rtype]
        p_rels = [r for r in pred_rels if r["relation"] == rtype]
        g_forms = [(surfaces(r["head"]), surfaces(r["tail"])) for r in g_rels]
        g_exact = {_rel_key(r): gi for gi, r in reversed(list(enumerate(g_rels)))}
        cands: list[list[int]] = []
        for rel in p_rels:
            h, t = norm(rel["head"]), norm(rel["tail"])
            cands.append(
                [
                    gi
                    for gi, (hs, ts) in enumerate(g_forms)
                    if (h in hs and t in ts) or (rtype in SYMMETRIC_RELATIONS and h in ts and t in hs)
                ]
            )
        preferred = [g_exact.get(_rel_key(r)) for r in p_rels]
        matched = _max_matching(cands, preferred, len(g_rels))
        fp, missed = _tally(matched, g_rels, p_rels, scores.relation_types[rtype], scores.relations)
        errs.fp_relations += fp
        errs.missed_relations += missed


def score(gold_docs: dict[str, Doc], pred_docs: dict[str, Doc]) -> Scores:
    """Score predictions against gold, both as returned by :func:`load_extractions` (keyed by doc)."""
    scores = Scores()
    gold_by_key = {doc_key(k): v for k, v in gold_docs.items()}
    pred_by_key = {doc_key(k): v for k, v in pred_docs.items()}
    scores.unscored_docs = sorted(set(pred_by_key) - set(gold_by_key))
    scores.missing_docs = sorted(set(gold_by_key) - set(pred_by_key))
    for key in sorted(gold_by_key):
        gold = gold_by_key[key]
        pred = pred_by_key.get(key)
        errs = DocErrors(has_prediction=pred is not None)
        pred = pred or {"entities": [], "relations": []}
        p_ents = _known(pred["entities"], "type", ENTITY_TYPES, "predicted entities", scores)
        p_rels = _known(pred["relations"], "relation", RELATION_TYPES, "predicted relations", scores)
        g_ents = _known(gold["entities"], "type", ENTITY_TYPES, "gold entities", scores)
        _known(gold["relations"], "relation", RELATION_TYPES, "gold relations", scores)
        _score_entities(g_ents, p_ents, scores, errs)
        _score_relations(gold, p_rels, scores, errs)
        scores.errors[key] = errs
    return scores


# --------------------------------------------------------------------------- report


def _fmt(value: float, denominator: int) -> str:
    return f"{value:.3f}" if denominator else "-"


def format_table(scores: Scores) -> str:
    """The score table as plain, aligned text (ASCII only, so it lines up in any terminal)."""
    rows: list[tuple[str, Counts]] = [("Entities", scores.entities)]
    rows += [(f"  {t}", c) for t, c in scores.entity_types.items()]
    rows += [("Relations", scores.relations)]
    rows += [(f"  {t}", c) for t, c in scores.relation_types.items()]
    width = max(len(label) for label, _ in rows)
    header = f"{'':<{width}}  {'gold':>6}  {'pred':>6}  {'tp':>6}  {'P':>6}  {'R':>6}  {'F1':>6}"
    lines = [header]
    for label, c in rows:
        lines.append(
            f"{label:<{width}}  {c.gold:>6}  {c.pred:>6}  {c.tp:>6}  {_fmt(c.precision, c.pred):>6}  "
            f"{_fmt(c.recall, c.gold):>6}  {_fmt(c.f1, c.pred + c.gold):>6}"
        )
    return "\n".join(lines) + "\n"


def format_errors(scores: Scores) -> str:
    """Per doc, one line per false positive (``FP``) and miss (``MISS``): entities, then relations."""
    out: list[str] = []
    for doc, errs in scores.errors.items():
        if not (errs.fp_entities or errs.missed_entities or errs.fp_relations or errs.missed_relations):
            continue
        out.append(f"== {doc}" + ("" if errs.has_prediction else "  (no prediction)"))
        for ent in errs.fp_entities:
            out.append(f"FP    {ent['type']}  {ent['name']}")
        for ent in errs.missed_entities:
            aliases = ent.get("aliases") or []
            out.append(f"MISS  {ent['type']}  {ent['name']}" + (f" (aliases: {', '.join(aliases)})" if aliases else ""))
        for rel in errs.fp_relations:
            out.append(f"FP    {rel['relation']}  {rel['head']} -> {rel['tail']}")
        for rel in errs.missed_relations:
            out.append(f"MISS  {rel['relation']}  {rel['head']} -> {rel['tail']}")
    return "\n".join(out) + ("\n" if out else "")


def run_eval(gold: Path, pred: Path, show_errors: bool) -> int:
    """``kg eval``: print the table (and with ``show_errors`` the error list); 0 on success, 2 on bad input."""
    try:
        gold_docs = load_extractions(gold)
        pred_docs = load_extractions(pred)
    except InputError as exc:
        print(f"kg eval: {exc}", file=sys.stderr)
        return 2
    scores = score(gold_docs, pred_docs)
    if scores.unscored_docs:
        print(
            f"kg eval: warning: {len(scores.unscored_docs)} predicted doc(s) not in gold, not scored: "
            + ", ".join(scores.unscored_docs),
            file=sys.stderr,
        )
    if scores.missing_docs:
        print(
            f"kg eval: warning: {len(scores.missing_docs)} gold doc(s) with no prediction, all counted as misses: "
            + ", ".join(scores.missing_docs),
            file=sys.stderr,
        )
    for what, n in sorted(scores.ignored.items()):
        print(f"kg eval: note: {n} {what} ignored (not a scored type)", file=sys.stderr)
    n_scored = len(scores.errors) - len(scores.missing_docs)
    sys.stdout.write(f"docs: {len(gold_docs)} gold, {len(pred_docs)} predicted, {n_scored} scored\n")
    sys.stdout.write(format_table(scores))
    if show_errors:
        sys.stdout.write("\n" + format_errors(scores))
    return 0
