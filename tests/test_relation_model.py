"""The learned candidate-pair relation check: its scorer, its candidates and features on invented
sentences, how it adds to the patterns, its switch, and its training script end to end on a few
documents (article-level folds, deterministic bytes)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from kg.extract import relation_model as rm
from kg.extract.relations import extract_relations
from tests.test_relations import doc

ROOT = Path(__file__).resolve().parent.parent


def test_score_is_the_logistic_of_the_sparse_dot_product() -> None:
    model = rm.TypeModel(intercept=-1.0, weights={"a": 2.0, "b": -0.5, "unused": 9.0}, threshold=0.5)
    p = rm.score(model, {"a": 1.0, "b": 1.0, "unseen": 1.0})
    assert p == pytest.approx(1 / (1 + math.exp(-0.5)))
    assert rm.score(model, {"b": 0.5}) == pytest.approx(1 / (1 + math.exp(1.25)))
    assert rm.score(model, {"b": 100.0}) == 0.0  # far below: no overflow


SIGNING = "苏州纳米微电子有限公司与南京大学签署战略合作协议。"
NAMES = {"苏州纳米微电子有限公司": "Company", "南京大学": "University"}


def by_key(cands: list[rm.Candidate], entities: list) -> dict[tuple[str, str, str], rm.Candidate]:  # type: ignore[type-arg]
    return {(c.relation, entities[c.head].name, entities[c.tail].name): c for c in cands}


def test_candidates_follow_the_type_signatures_and_see_the_trigger_between() -> None:
    articles, entities = doc(SIGNING, NAMES)
    cands = by_key(rm.candidates(articles, entities, []), entities)
    # a company and a university may cooperate, and the university may have founded the company;
    # neither is a park nor a project, so no locatedIn or undertakes
    assert {r for r, _h, _t in cands} == {"cooperatesWith", "establishedBy"}
    f = cands[("cooperatesWith", "苏州纳米微电子有限公司", "南京大学")].features
    assert f["bt@COVERB"] == 1.0 and f["post@SIGN"] == 1.0 and f["post@AGREEMENT"] == 1.0
    assert f["w=与"] == 1.0 and f["head_first"] == 1.0 and f["pat"] == 0.0
    assert f["types=Company>University"] == 1.0


def test_pattern_output_is_a_feature() -> None:
    articles, entities = doc(SIGNING, NAMES)
    rels = extract_relations(articles, entities, use_model=False)
    assert {(r.head, r.relation, r.tail) for r in rels} == {("南京大学", "cooperatesWith", "苏州纳米微电子有限公司")}
    cands = by_key(rm.candidates(articles, entities, rels), entities)
    assert cands[("cooperatesWith", "苏州纳米微电子有限公司", "南京大学")].features["pat"] == 1.0


def test_a_mover_without_a_park_in_its_sentences_gets_the_story_park() -> None:
    text = "合肥高新区今年招商成果显著。安徽星辰半导体有限公司近日正式落户。"
    articles, entities = doc(text, {"合肥高新区": "Park", "安徽星辰半导体有限公司": "Company"})
    cands = by_key(rm.candidates(articles, entities, []), entities)
    f = cands[("locatedIn", "安徽星辰半导体有限公司", "合肥高新区")].features
    assert f["implicit"] == 1.0 and f["sent@SETTLE"] == 1.0 and "dist" not in f


def test_predict_adds_only_what_the_patterns_missed_with_model_evidence() -> None:
    text = "苏州纳米微电子有限公司、南京大学两家单位代表出席。"  # no pattern relates them
    articles, entities = doc(text, NAMES)
    likes_lists = rm.Model({"cooperatesWith": rm.TypeModel(-2.0, {"same_list": 5.0}, 0.5)}, default=False)
    added = rm.predict(articles, entities, [], likes_lists)
    assert [(r, entities[h].name, entities[t].name, ev.pattern) for r, h, t, ev in added] == [
        ("cooperatesWith", "苏州纳米微电子有限公司", "南京大学", "model")
    ]
    assert added[0][3].sentence == text
    off = rm.Model({"cooperatesWith": rm.TypeModel(-2.0, {"same_list": 5.0}, 2.0)}, default=False)
    assert rm.predict(articles, entities, [], off) == []  # a threshold above 1 leaves the type alone
    articles, entities = doc(SIGNING, NAMES)
    said = extract_relations(articles, entities, use_model=False)
    always = rm.Model({"cooperatesWith": rm.TypeModel(5.0, {}, 0.5)}, default=False)
    assert rm.predict(articles, entities, said, always) == []  # the patterns' pair is theirs


def test_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_RELATION_MODEL", "on")
    assert rm.enabled() and rm.fingerprint() == "relation-model=on"
    monkeypatch.setenv("KG_RELATION_MODEL", "off")
    assert not rm.enabled()
    monkeypatch.delenv("KG_RELATION_MODEL")
    model = rm.load_model()
    assert model is not None and rm.enabled() == model.default


def test_shipped_model_covers_the_relation_types() -> None:
    model = rm.load_model()
    assert model is not None
    assert set(model.relations) <= set(rm.SIGNATURES) and model.relations
    assert all(m.threshold > 0 and m.weights for m in model.relations.values())


def test_training_script_reports_out_of_fold_and_writes_the_same_bytes(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "build_relation_model.py"
    outs = []
    for n in (1, 2):
        out = tmp_path / f"m{n}.json"
        run = subprocess.run(
            [sys.executable, str(script), "--limit", "3", "--out", str(out)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    report = run.stdout
    assert "+model OOF" in report and "+model in-sample" in report and "dev2 OOF gain" in report
    for set_name in ("sample:", "dev2:"):
        assert set_name in report
    written = json.loads(outs[0])
    assert set(written["relations"]) <= set(rm.SIGNATURES) and isinstance(written["default"], bool)
    rm.model_from_json(written)  # loads as the shipped one does


def test_a_hand_model_places_a_project_of_a_park_story_the_patterns_miss() -> None:
    text = "滨海高新区今年以来新签约落户项目30个。其中，海风储能基地项目将建设年产5GWh储能电池生产线。"
    arts, ents = doc(text, {"滨海高新区": "Park", "海风储能基地项目": "Project"})
    assert extract_relations(arts, ents, use_model=False) == []
    implicit = rm.Model({"locatedIn": rm.TypeModel(-1.0, {"implicit": 3.0}, 0.5)}, default=False)
    added = rm.predict(arts, ents, [], implicit)
    assert [(r, ents[h].name, ents[t].name, ev.pattern) for r, h, t, ev in added] == [
        ("locatedIn", "海风储能基地项目", "滨海高新区", "model")
    ]
