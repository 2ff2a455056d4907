"""Short lexicon names count only where the sentence has a word boundary around them, judged as if
the name were not in jieba's dictionary (the lexicons put it there)."""

from __future__ import annotations

import pytest

from kg.extract.entities import resources
from kg.extract.mentions import sentence_candidates


def _found(sent: str) -> set[tuple[str, str]]:
    return {(sent[c.start : c.end], c.type) for c in sentence_candidates(sent)}


@pytest.mark.parametrize(
    ("sent", "word"),
    [
        ("景色绝美的军舰岛吸引了大批游客。", "美的"),
        ("湖边风景秀美的小镇迎来了游客。", "美的"),
        ("开幕式暨大连分会场启动仪式昨天举行。", "暨大"),
    ],
)
def test_short_name_inside_a_word_is_not_a_name(sent: str, word: str) -> None:
    assert word in sent
    assert not any(name == word for name, _type in _found(sent))


@pytest.mark.parametrize(
    ("sent", "name", "type_"),
    [
        ("美的在顺德设立研发中心。", "美的", "Company"),
        ("海尔与美的签署战略合作协议。", "美的", "Company"),
        ("海尔与美的签署战略合作协议。", "海尔", "Company"),
        ("武汉光谷新增两家孵化器。", "光谷", "Park"),
    ],
)
def test_short_name_standing_as_a_word_is_kept(sent: str, name: str, type_: str) -> None:
    assert (name, type_) in _found(sent)


def test_cut_without_a_word_cuts_as_if_it_were_not_there() -> None:
    res = resources()
    assert "美的" in res.cut("景色绝美的军舰岛", False)  # with the lexicon's word, jieba cuts 绝/美的
    assert "绝美" in res.cut_without("景色绝美的军舰岛", "美的")
