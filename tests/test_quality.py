"""Extraction quality on the hand-checked dev annotations: floors a little under today's scores, so a
change that makes extraction worse fails here (the full table is printed by ``kg eval``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.evaluate import Scores, load_extractions, score

GOLD = Path(__file__).resolve().parents[2] / "shared" / "gold" / "dev.jsonl"


@pytest.fixture(scope="module")
def scores(sample_build: Path) -> Scores:
    if not GOLD.exists():
        pytest.skip(f"dev gold not found at {GOLD}")
    return score(load_extractions(GOLD), load_extractions(sample_build / "extractions.jsonl"))


def test_every_sample_page_is_scored(sample_build: Path) -> None:
    docs = [json.loads(line)["doc"] for line in (sample_build / "extractions.jsonl").open(encoding="utf-8")]
    assert len(docs) == 5 and all(d.endswith(".txt") for d in docs)


def test_entity_quality_floor(scores: Scores) -> None:
    overall = scores.entities
    assert overall.f1 >= 0.84, overall
    assert overall.precision >= 0.88, overall


def test_relation_quality_floor(scores: Scores) -> None:
    overall = scores.relations
    assert overall.f1 >= 0.70, overall
    assert overall.precision >= 0.90, overall
