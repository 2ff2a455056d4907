"""Clean prose must come out nearly perfect: the snippet suite in ``tests/data/snippets``.

Each snippet (1-3 sentences, invented names or general-lexicon ones, nothing read off the sample
pages or dev2) states one relation type in one of its standard phrasings: settling (落户, 入驻, 选址,
位于, 引进…), belonging (隶属于, 下辖, 旗下, 组成部分…), cooperating (签署战略合作协议, 携手, 联合,
共建…), founding (共同出资组建, 牵头成立, 投资设立, 举办…), undertaking (承建, 承担, 负责建设, 由Y实施…)
and working for (X董事长某某, 某某任X总经理…), some in traditional characters, as headlines, with zero
subjects or lists. The corpus is built by ``kg build`` and scored by kg's own evaluator against the
hand-written gold, so a change anywhere in the pipeline that loses an easy case fails here.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.evaluate import Scores, format_errors, format_table, load_extractions, score
from kg.model import RELATION_TYPES

SNIPPETS = Path(__file__).resolve().parent / "data" / "snippets"
CORPUS = SNIPPETS / "corpus" / "snippets.jsonl"
GOLD = SNIPPETS / "gold.jsonl"
# The id prefix of a snippet names the relation type it was written for.
PREFIX = {
    "loc": "locatedIn",
    "par": "partOf",
    "coo": "cooperatesWith",
    "est": "establishedBy",
    "und": "undertakes",
    "wor": "worksFor",
}
# Floors a little under the scores the suite reached when it was written (entity F1 0.985, relation F1
# 0.966; per type below, less about 0.02): undertakes still misses projects named after an R&D verb
# (…研发项目) and a descriptive first item of a list.
ENTITY_F1 = 0.965
RELATION_F1 = 0.945
RELATION_TYPE_F1 = {
    "locatedIn": 0.96,  # 0.984
    "partOf": 0.935,  # 0.958
    "cooperatesWith": 0.98,  # 1.000
    "establishedBy": 0.95,  # 0.971
    "undertakes": 0.84,  # 0.864
    "worksFor": 0.98,  # 1.000
}


@pytest.fixture(scope="module")
def snippet_scores(tmp_path_factory: pytest.TempPathFactory) -> Scores:
    out = tmp_path_factory.mktemp("snippets-build")
    result = CliRunner().invoke(main, ["build", str(CORPUS.parent), "-o", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    return score(load_extractions(GOLD), load_extractions(out / "extractions.jsonl"))


def _report(scores: Scores) -> str:
    return format_table(scores) + "\n" + format_errors(scores)


def test_every_relation_type_has_its_share_of_snippets() -> None:
    ids = [json.loads(line)["id"] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    per_type = Counter(PREFIX[i[:3]] for i in ids)
    assert set(per_type) == set(RELATION_TYPES)
    assert all(15 <= n <= 25 for n in per_type.values()), per_type
    gold = load_extractions(GOLD)
    assert set(gold) == {f"snippets.jsonl#{i}" for i in ids}
    for doc in gold.values():
        names = {e["name"] for e in doc["entities"]}
        assert all(r["head"] in names and r["tail"] in names for r in doc["relations"]), doc["doc"]


def test_each_snippet_states_the_relation_it_was_written_for() -> None:
    for doc in load_extractions(GOLD).values():
        wanted = PREFIX[doc["doc"].split("#")[1][:3]]
        assert wanted in {r["relation"] for r in doc["relations"]}, doc["doc"]


def test_every_snippet_is_scored(snippet_scores: Scores) -> None:
    assert not snippet_scores.missing_docs and not snippet_scores.unscored_docs


def test_snippet_entities_floor(snippet_scores: Scores) -> None:
    assert snippet_scores.entities.f1 >= ENTITY_F1, _report(snippet_scores)


def test_snippet_relations_floor(snippet_scores: Scores) -> None:
    assert snippet_scores.relations.f1 >= RELATION_F1, _report(snippet_scores)


@pytest.mark.parametrize("relation", sorted(RELATION_TYPE_F1))
def test_snippet_relation_type_floor(snippet_scores: Scores, relation: str) -> None:
    counts = snippet_scores.relation_types[relation]
    assert counts.f1 >= RELATION_TYPE_F1[relation], _report(snippet_scores)
