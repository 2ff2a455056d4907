"""The plug-in points: executors, recognizers and overlap policies, writers; each registered by name."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build.executors import EXECUTORS, ProcessExecutor, SerialExecutor, make_executor
from kg.build.inputs import sample_corpus
from kg.cli import main
from kg.extract import mentions
from kg.extract.entities import Candidate
from kg.extract.recognizers import POLICIES, RECOGNIZERS, RULE_RECOGNIZERS, register_recognizer
from kg.writers.registry import WRITERS, registered_outputs
from kg.writers.tables import OUTPUTS


def _slow_square(n: int) -> int:
    time.sleep(0.05 * (3 - n % 3))  # later items finish first
    return n * n


def test_executors_yield_in_input_order() -> None:
    assert {"serial", "processes"} <= set(EXECUTORS)
    for executor in (SerialExecutor(), ProcessExecutor(jobs=2)):
        try:
            assert list(executor.imap(_slow_square, range(7))) == [n * n for n in range(7)]
        finally:
            executor.close()
    with pytest.raises(ValueError, match="no executor named 'nowhere'"):
        make_executor("nowhere", 2)


def test_every_executor_builds_the_same_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for page in sample_corpus()[:3]:
        (corpus / page.name).write_bytes(page.read_bytes())
    outs = {}
    for executor, jobs in (("serial", "1"), ("processes", "2")):
        out = tmp_path / executor
        result = CliRunner().invoke(
            main, ["build", str(corpus), "-o", str(out), "--no-cache", "-j", jobs, "--executor", executor]
        )
        assert result.exit_code == 0, result.output
        outs[executor] = {name: (out / name).read_bytes() for name in OUTPUTS}
    assert outs["serial"] == outs["processes"]
    assert all(outs["serial"].values())
    result = CliRunner().invoke(main, ["build", str(corpus), "-o", str(tmp_path / "x"), "--executor", "nowhere"])
    assert result.exit_code == 2 and "no executor named 'nowhere'" in result.output


def test_the_rule_components_are_recognizers_and_rules_first_is_the_policy() -> None:
    assert set(RULE_RECOGNIZERS) <= set(RECOGNIZERS) and len(RULE_RECOGNIZERS) == 9
    assert "rules-first" in POLICIES
    sents = ["贵州翰斯智能技术有限公司落户贵阳高新区。", "清华大学与中国科学院签署合作协议。"]
    lexicon = RECOGNIZERS["lexicon"]()
    lexicon.setup()
    found = lexicon.propose(sents)
    assert len(found) == 2
    assert {sents[0][c.start : c.end] for c in found[0]} >= {"贵阳高新区"}
    assert {sents[1][c.start : c.end] for c in found[1]} >= {"清华大学", "中国科学院"}
    assert all(c.confidence == 1.0 for cs in found for c in cs)
    suffix = RECOGNIZERS["suffix"]().propose(sents)
    assert "贵州翰斯智能技术有限公司" in {sents[0][c.start : c.end] for c in suffix[0]}


def test_a_registered_recognizer_joins_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    sent = "星河量子与清华大学签署合作协议。"

    @register_recognizer("test-fixed")
    class Fixed:
        name = "test-fixed"

        def setup(self) -> None:
            pass

        def fingerprint(self) -> str:
            return "fixed-1"

        def propose(self, sentences: Sequence[str]) -> list[list[Candidate]]:
            return [
                [Candidate(0, 4, "Company", "test-fixed", 2, confidence=0.9)] if s.startswith("星河量子") else []
                for s in sentences
            ]

    try:
        default_print = mentions.fingerprint()
        before = {(sent[c.start : c.end], c.rule) for c in mentions.sentence_candidates(sent)}
        assert ("星河量子", "test-fixed") not in before
        mentions.configure([*RULE_RECOGNIZERS, "test-fixed"])
        after = {(sent[c.start : c.end], c.rule) for c in mentions.sentence_candidates(sent)}
        assert ("星河量子", "test-fixed") in after and ("清华大学", "lexicon:universities") in after
        assert mentions.fingerprint() != default_print  # another recognizer: another cache folder
        mentions.configure(["nowhere"])
        with pytest.raises(ValueError, match="unknown recognizer or policy: nowhere"):
            mentions.pipeline()
    finally:
        RECOGNIZERS.pop("test-fixed", None)
        mentions._chosen.clear()
        mentions.pipeline.cache_clear()
    assert mentions.fingerprint() == default_print


def test_the_writers_write_the_eight_outputs() -> None:
    assert sorted(registered_outputs()) == sorted(OUTPUTS)
    assert set(WRITERS) == {"rdf", "graphml", "html", "jsonl", "csv"}
